"""Talking points over claim units against talking points over paragraphs, in one run.

    python benchmarks/units.py                          # unit sets, seeds, labelled sets (~1 min)
    python benchmarks/units.py --no-seeds --no-sets     # the claim-unit sets only
    python benchmarks/units.py --mfa --mfa-limit 2000   # + cost on the first 2000 MFA paragraphs
    python benchmarks/units.py --mfa                    # + cost on the whole MFA corpus (minutes)

Both modes are ``TalkingPointFinder(unit="claim")`` (the default) and ``unit="paragraph"`` (the
behaviour before claim units), each at the finder's defaults (threshold, penalty, min_size 2,
``min_outlets`` auto: 3, or the corpus's outlet count when it has fewer) and again with
``min_outlets=1``, so that small-set effects show.

- **Claim-unit sets** (benchmarks/data/units/dev.jsonl: may be chosen on; test.jsonl: held out,
  only reported): each article is one Record (paragraphs joined by blank lines) in an in-memory
  store; a stored paragraph maps to its labelled one by (article, para). Scores over the
  labelled paragraphs: *membership* precision / recall / F1 over (paragraph, gold talking
  point) pairs, each predicted talking point standing for the gold one most of its members
  carry (:func:`bench.overlap.membership_scores`), and *extended BCubed* (multiplicity BCubed,
  Amigó et al. 2009; :func:`bench.overlap.extended_bcubed`).
- **Speakers and units**: ``UnitSplitter().split_articles`` on each split's labelled paragraphs.
  A gold unit is *found* when a predicted unit of its paragraph has token F1 >= 0.5 with it
  (then its speaker is compared: accents folded, casefolded, a leading "the " dropped) and
  *recovered* at F1 >= 0.6 (as training/units/explore_split.py counts).
- **Seeds** (``../shared/seeds``, five real articles, read as the CLI reads them): whether the
  five lines they share hold as talking points: some reported talking point spans >= 3 of the
  articles and at least half of its members say the line (claim mode: judged on the member's
  units in that talking point).
- **Labelled paragraph sets** (benchmarks/data/talking_points_dev.jsonl, _test.jsonl and the
  planted talking points of examples/): each paragraph's strongest talking point
  (``finder.labels_``; none: a singleton), ``min_outlets=1``, scored as training/evaluate.py
  scores (ARI with negatives as singletons, pair precision / recall / F1).
- ``--mfa``: cost on the MFA corpus (../shared/data/mfa/mfa_en_paragraphs.jsonl, paragraphs
  grouped by url into articles) in a store in a temporary folder: units per paragraph, seconds
  to split, to embed paragraphs and units, to fit each mode, and each step's peak RSS (each step
  in its own process).

Writes benchmarks/results/units.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

from bench.overlap import extended_bcubed, membership_scores, same_speaker, token_f1  # noqa: E402
from simdedup.io.records import Record  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "units.json"
DATA = ROOT / "benchmarks" / "data"
SPLITS = {"dev": DATA / "units" / "dev.jsonl", "test (held out)": DATA / "units" / "test.jsonl"}
SEEDS = ROOT.parent / "shared" / "seeds"
MFA = ROOT.parent / "shared" / "data" / "mfa" / "mfa_en_paragraphs.jsonl"
MODES = ("claim", "paragraph")
SETTINGS: dict[str, dict[str, Any]] = {"defaults": {}, "min_outlets=1": {"min_outlets": 1}}
FOUND = 0.5  # a gold unit's speaker is compared when a predicted unit matches it this well
RECOVERED = 0.6  # the recovery bar of training/units/explore_split.py
# The five lines the seeds share, each as the seeds word it and nothing else (checked on every
# stored seed paragraph: see seed_lines()).
SEED_LINES = {
    "75th anniversary of diplomatic ties": re.compile(
        r"\b75(th)?\b[^.]{0,40}anniversary|seventy-fifth anniversary|\b75 years of", re.I
    ),
    "support for Russia's BRICS chairmanship": re.compile(
        r"\bBRICS\b(\W+\w+){0,3}?\W+(chair|presiden)|(chair|presiden)\w*(\W+\w+){0,3}?\W+BRICS\b"
    ),
    "a multipolar world": re.compile(r"multipolar", re.I),
    "a community with a shared future": re.compile(r"shared future", re.I),
    "a more just and reasonable global governance": re.compile(
        r"just and reasonable|global governance", re.I
    ),
}


def peak_rss_mb() -> int:
    """This process's peak RSS: VmHWM where /proc has it (ru_maxrss survives fork and exec, so
    a child would report its parent's peak), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--", "src") else "")


def finder(unit: str, **settings: Any) -> Any:
    from simdedup.cluster.talking_points import TalkingPointFinder

    try:
        return TalkingPointFinder(unit=unit, **settings)
    except TypeError as exc:  # before claim units existed
        raise SystemExit(f"TalkingPointFinder has no unit= setting yet ({exc})") from None


def r3(x: float) -> float:
    return round(float(x), 3)


# -- the claim-unit sets ------------------------------------------------------------------------


def read_split(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The labelled paragraphs of a split by article, in order."""
    articles: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            articles[row["article"]].append(row)
    for rows in articles.values():
        rows.sort(key=lambda r: r["para"])
        if [r["para"] for r in rows] != list(range(1, len(rows) + 1)):
            raise SystemExit(f"{path}: {rows[0]['article']} paragraphs are not 1, 2, 3 ...")
    return dict(articles)


def split_store(articles: dict[str, list[dict[str, Any]]]) -> tuple[Any, dict[str, list[str]]]:
    """An in-memory store of the split, one Record per article, and each article's paragraph
    texts as stored; checks that every labelled paragraph became exactly one stored paragraph
    (the segmenter drops and merges nothing, and only cuts a dateline off the front)."""
    from simdedup import Store

    records = [
        Record(
            a, "\n\n".join(r["text"] for r in rows), outlet=rows[0]["outlet"], date=rows[0]["date"]
        )
        for a, rows in articles.items()
    ]
    store = Store.memory()
    store.add(records)
    problems = []
    stored: dict[str, list[str]] = {}
    for record, paras in store.documents():
        stored[record.doc_id] = [p.text for p in paras]
        labelled = articles[record.doc_id]
        if [p.para for p in paras] != list(range(len(labelled))):
            problems.append(f"{record.doc_id}: {len(paras)} stored for {len(labelled)} labelled")
            continue
        for p, row in zip(paras, labelled):
            if not row["text"].endswith(p.text):  # only a dateline may be cut off the front
                problems.append(f"{row['id']}: stored {p.text[:50]!r}")
    problems += [f"{a}: not stored" for a in sorted(set(articles) - set(stored))]
    if problems:
        raise SystemExit("segmenter does not keep the labelled paragraphs: " + "; ".join(problems))
    return store, {a: stored[a] for a in articles}


def score_split(
    store: Any, articles: dict[str, list[dict[str, Any]]], unit: str, setting: str
) -> dict[str, Any]:
    """Membership and extended BCubed of one mode at one setting on one split."""
    gold_of = {
        (a, r["para"]): {u["talking_point"] for u in r["units"] if u["talking_point"]}
        for a, rows in articles.items()
        for r in rows
    }
    started = time.perf_counter()
    fitted = finder(unit, **SETTINGS[setting]).fit(store)
    seconds = time.perf_counter() - started
    result = fitted.result_
    clusters: list[set[tuple[str, int]]] = []
    in_tp: dict[tuple[str, int], set[int]] = defaultdict(set)
    units = 0
    for k, tp in enumerate(result.talking_points):
        members = set()
        for m in tp.members:
            key = (m.doc_id, m.para + 1)
            if key not in gold_of:
                raise SystemExit(f"member {m.pid} is no labelled paragraph")
            members.add(key)
            in_tp[key].add(k)
            units += len(m.units)
        clusters.append(members)
    items = sorted(gold_of)
    membership = membership_scores(clusters, gold_of)
    bcubed = extended_bcubed([in_tp.get(i, set()) for i in items], [gold_of[i] for i in items])
    gold_tps = {label for labels in gold_of.values() for label in labels}
    mapped = [m for m in membership["mapped"] if m is not None]
    return {
        "unit": unit,
        "setting": setting,
        "threshold": result.threshold,
        "min_outlets": result.min_outlets,
        "talking_points": len(result.talking_points),
        "gold_talking_points": len(gold_tps),
        "gold_found": len(set(mapped)),
        "unmapped": len(membership["mapped"]) - len(mapped),
        "paragraphs_in_tps": len(in_tp),
        "paragraphs": len(items),
        "member_units": units,
        "membership": {k: r3(membership[k]) for k in ("precision", "recall", "f1")}
        | {k: membership[k] for k in ("predicted_pairs", "gold_pairs", "correct_pairs")},
        "bcubed": {k: r3(v) for k, v in bcubed.items()},
        "fit_s": round(seconds, 2),
        "clusters": [
            {
                "label": tp.label,
                "gold": g,
                "size": tp.size,
                "n_articles": tp.n_articles,
                "n_outlets": tp.n_outlets,
                "n_units": tp.n_units,
            }
            for tp, g in zip(result.talking_points, membership["mapped"])
        ],
    }


def speakers(
    articles: dict[str, list[dict[str, Any]]], texts: list[list[str]], keep_errors: bool
) -> dict[str, Any]:
    """Unit recovery and speaker accuracy of UnitSplitter on one split's ``texts`` (per article,
    its paragraphs: as labelled, or as stored)."""
    from simdedup.units import UnitSplitter

    started = time.perf_counter()
    split = UnitSplitter().split_articles(texts)
    seconds = time.perf_counter() - started
    gold_units = found = recovered = right = 0
    said = said_right = named = named_right = 0
    best_f1: list[float] = []
    errors: list[dict[str, Any]] = []
    predicted = sum(len(units) for article in split for units in article)
    paragraphs = sum(len(rows) for rows in articles.values())
    for rows, article in zip(articles.values(), split):
        if len(article) != len(rows):
            raise SystemExit(f"{rows[0]['article']}: {len(article)} paragraphs split back")
        for row, units in zip(rows, article):
            for gold in row["units"]:
                gold_units += 1
                scores = [token_f1(gold["text"], u.text) for u in units]
                if not scores:
                    best_f1.append(0.0)
                    continue
                best = max(range(len(scores)), key=scores.__getitem__)
                best_f1.append(scores[best])
                recovered += scores[best] >= RECOVERED
                if scores[best] < FOUND:
                    continue
                found += 1
                guess = units[best].speaker
                ok = same_speaker(guess, gold["speaker"])
                right += ok
                if guess is not None:
                    said += 1
                    said_right += ok
                if gold["speaker"] is not None:
                    named += 1
                    named_right += ok
                if not ok and keep_errors:
                    errors.append(
                        {
                            "id": row["id"],
                            "unit": gold["text"][:70],
                            "gold": gold["speaker"],
                            "mention": gold["mention"],
                            "predicted": guess,
                            "predicted_mention": units[best].mention,
                        }
                    )
    return {
        "paragraphs": paragraphs,
        "units_per_paragraph": r3(predicted / paragraphs),
        "gold_units": gold_units,
        "recovered": recovered,
        "recovery": r3(recovered / gold_units),
        "mean_best_f1": r3(sum(best_f1) / len(best_f1)),
        "found": found,
        "speaker_accuracy": r3(right / max(found, 1)),
        "speaker_precision": r3(said_right / max(said, 1)),
        "speaker_precision_of": said,
        "speaker_recall": r3(named_right / max(named, 1)),
        "speaker_recall_of": named,
        "split_s": round(seconds, 2),
        "errors": errors,
    }


# -- the seeds ----------------------------------------------------------------------------------


def seed_store() -> tuple[Any, dict[str, Any]]:
    """The seeds in an in-memory store, read as the CLI reads them; and which stored paragraphs
    each line's pattern matches (what the patterns were tuned on)."""
    from simdedup import Store
    from simdedup.io.records import read_records

    records = list(read_records([SEEDS]))
    store = Store.memory()
    store.add(records)
    matched: dict[str, Any] = {}
    for name, pattern in SEED_LINES.items():
        hits = [
            (r.doc_id, p.para, p.text)
            for r, paras in store.documents()
            for p in paras
            if pattern.search(p.text)
        ]
        matched[name] = {
            "articles": len({h[0] for h in hits}),
            "paragraphs": [f"{d}:{i} {t[:90]}" for d, i, t in hits],
        }
    info = {
        "records": [{"doc_id": r.doc_id, "outlet": r.outlet, "date": r.date} for r in records],
        "matched": matched,
    }
    return store, info


def seed_lines(store: Any, unit: str, setting: str) -> dict[str, Any]:
    fitted = finder(unit, **SETTINGS[setting]).fit(store).result_
    lines: dict[str, Any] = {}
    for name, pattern in SEED_LINES.items():
        best: tuple[Any, ...] | None = None
        for tp in fitted.talking_points:
            texts = [" ".join(u.text for u in m.units) if m.units else m.text for m in tp.members]
            saying = [m for m, t in zip(tp.members, texts) if pattern.search(t)]
            if not saying:
                continue
            spanned = len({m.doc_id for m in tp.members})
            holds = spanned >= 3 and 2 * len(saying) >= tp.size
            said_in = len({m.doc_id for m in saying})
            key = (holds, said_in, len(saying) / tp.size, len(saying))
            if best is None or key > best[0]:
                best = (key, tp, spanned, len(saying), holds)
        if best is None:
            lines[name] = {"holds": False, "tp": None}
            continue
        _, tp, spanned, saying_n, holds = best
        top = sorted(tp.speakers.items(), key=lambda kv: -kv[1])[:2] if tp.speakers else []
        lines[name] = {
            "holds": holds,
            "tp": tp.id,
            "label": tp.label,
            "articles": spanned,
            "saying": saying_n,
            "members": tp.size,
            "outlets": tp.n_outlets,
            "speakers": top,
        }
    for name, x in lines.items():  # one talking point standing for two lines mixes them
        x["same_tp_as"] = [
            n for n, y in lines.items() if n != name and x["tp"] and y["tp"] == x["tp"]
        ]
    held = [x for x in lines.values() if x["holds"]]
    return {
        "unit": unit,
        "setting": setting,
        "threshold": fitted.threshold,
        "min_outlets": fitted.min_outlets,
        "talking_points": len(fitted.talking_points),
        "lines": lines,
        "held": len(held),
        "held_by_distinct_tps": len({x["tp"] for x in held}),
    }


# -- the labelled paragraph sets ----------------------------------------------------------------


def paragraph_sets() -> dict[str, Any]:
    """Strongest talking point per paragraph on the paragraph-level sets, both modes."""
    import numpy as np
    from training import evaluate

    from talking_points import pair_scores

    sets: dict[str, tuple[list[str], list[str]]] = {}
    for name, key in (("benchmarks dev", "dev"), ("test (held out)", "test")):
        rows = [json.loads(line) for line in (DATA / f"talking_points_{key}.jsonl").open()]
        sets[name] = ([r["text"] for r in rows], [r["label"] for r in rows])
    sample = evaluate.sample_set()
    sets["examples"] = (sample.texts, sample.labels)
    out: dict[str, Any] = {}
    for name, (texts, labels) in sets.items():
        keep = [i for i, label in enumerate(labels) if label]
        out[name] = {"texts": len(texts), "labelled": len(keep)}
        for unit in MODES:
            started = time.perf_counter()
            fitted = finder(unit, min_outlets=1).fit(texts)
            seconds = time.perf_counter() - started
            found = np.asarray(fitted.labels_).copy()
            if len(found) != len(texts):
                raise SystemExit(f"{name}: {len(found)} labels for {len(texts)} texts")
            alone = np.flatnonzero(found < 0)
            found[alone] = -1 - alone  # each paragraph in no talking point is its own cluster
            scores = pair_scores([labels[i] for i in keep], found[keep])
            out[name][unit] = {
                **scores,
                "threshold": fitted.result_.threshold,
                "talking_points": len(fitted.result_.talking_points),
                "fit_s": round(seconds, 2),
            }
    return out


# -- cost on MFA --------------------------------------------------------------------------------


def mfa_records(limit: int | None) -> list[Record]:
    """The first ``limit`` MFA paragraphs (all: None), one Record per url."""
    by_url: dict[str, list[dict[str, Any]]] = {}
    with MFA.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                break
            row = json.loads(line)
            by_url.setdefault(row["url"], []).append(row)
    records = []
    for url, rows in by_url.items():
        try:
            day = datetime.strptime(rows[0]["date"].strip(), "%B %d, %Y").date().isoformat()
        except ValueError:
            day = None
        text = "\n\n".join(r["text"] for r in sorted(rows, key=lambda r: r["para"]))
        records.append(Record(url, text, date=day, title=rows[0]["title"]))
    return records


def mfa_worker(step: str, path: str, limit: int | None) -> dict[str, Any]:
    """One cost step in this process: ``build`` the store, ``split`` (split and embed units)
    or ``fit-claim`` / ``fit-paragraph``."""
    from simdedup import Store

    started = time.perf_counter()
    if step == "build":
        records = mfa_records(limit)
        with Store.create(path) as store:
            read = time.perf_counter() - started
            store.add(records)
            return {
                "articles": len(records),
                "paragraphs": len(store.table()),
                "embed_paragraphs_s": round(time.perf_counter() - started - read, 1),
                "peak_rss_mb": peak_rss_mb(),
            }
    with Store.open(path) as store:
        if step == "split":
            from simdedup.units import UnitSplitter

            docs = [[p.text for p in paras] for _, paras in store.documents()]
            tick = time.perf_counter()
            split = UnitSplitter().split_articles(docs)
            split_s = time.perf_counter() - tick
            texts = [u.text for article in split for units in article for u in units]
            tick = time.perf_counter()
            store.encoder.encode(texts)
            n = sum(len(d) for d in docs)
            return {
                "paragraphs": n,
                "units": len(texts),
                "units_per_paragraph": r3(len(texts) / max(n, 1)),
                "split_s": round(split_s, 1),
                "embed_units_s": round(time.perf_counter() - tick, 1),
                "peak_rss_mb": peak_rss_mb(),
            }
        unit = step.removeprefix("fit-")
        seen: dict[str, float] = {}  # when each progress stage last reported

        def progress(stage: str, n: int) -> None:
            seen[stage] = time.perf_counter()

        tick = time.perf_counter()
        result = finder(unit, progress=progress).fit(store).result_
        done = time.perf_counter()
        out = {
            "fit_s": round(done - tick, 1),
            "talking_points": len(result.talking_points),
            "memberships": sum(tp.size for tp in result.talking_points),
            "in_talking_points": len({m.pid for tp in result.talking_points for m in tp.members}),
            "threshold": result.threshold,
            "min_outlets": result.min_outlets,
        }
        if unit == "claim":  # the stages, from the finder's progress calls
            cut = seen.get("cut", tick)
            embedded = seen.get("embed units", cut)
            out.update(
                cut_s=round(cut - tick, 1),
                embed_units_s=round(embedded - cut, 1),
                after_embedding_s=round(done - embedded, 1),
            )
            # again on the same store: parses and unit vectors now come from its cache
            tick = time.perf_counter()
            again = finder(unit).fit(store).result_
            out["warm_fit_s"] = round(time.perf_counter() - tick, 1)
            out["warm_talking_points"] = len(again.talking_points)
        return {**out, "peak_rss_mb": peak_rss_mb()}


def mfa_cost(limit: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"limit": limit}
    with tempfile.TemporaryDirectory(prefix="simdedup-units-mfa-") as tmp:
        path = str(Path(tmp) / "store")
        for step in ("build", "split", "fit-paragraph", "fit-claim"):
            cmd = [sys.executable, __file__, "--mfa-worker", step, "--mfa-store", path]
            if limit is not None:
                cmd += ["--mfa-limit", str(limit)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"MFA step {step} failed:\n{done.stderr[-3000:]}")
            out[step] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"MFA {step}: {json.dumps(out[step])}", flush=True)
    return out


# -- tables -------------------------------------------------------------------------------------


def tables(result: dict[str, Any]) -> str:
    lines = [f"commit {result['commit']}; {result['seconds']} s", ""]
    lines += [
        "Claim-unit sets: membership P / R / F1 over (paragraph, talking point) pairs; "
        "extended BCubed P / R / F1",
        "",
        "| split | unit | setting | threshold | min outlets | TPs (gold found/all, unmapped) "
        "| paragraphs in TPs | membership P / R / F1 | BCubed P / R / F1 | fit s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for split, rows in result.get("splits", {}).items():
        for x in rows["runs"]:
            m, b = x["membership"], x["bcubed"]
            setting = x["setting"]
            lines.append(
                f"| {split} | {x['unit']} | {setting} | {x['threshold']} | {x['min_outlets']} "
                f"| {x['talking_points']} ({x['gold_found']}/{x['gold_talking_points']}, "
                f"{x['unmapped']}) | {x['paragraphs_in_tps']}/{x['paragraphs']} "
                f"| {m['precision']} / {m['recall']} / {m['f1']} "
                f"| {b['precision']} / {b['recall']} / {b['f1']} | {x['fit_s']} |"
            )
    lines += [
        "",
        "Units and speakers (UnitSplitter.split_articles; texts as labelled, or as stored: "
        "datelines cut, what the finder splits)",
        "",
        "| split | texts | units/paragraph | recovered (F1>=0.6) | mean best F1 | found (F1>=0.5) "
        "| speaker accuracy | precision (non-null predicted) | recall (non-null gold) "
        "| split s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for split, rows in result.get("splits", {}).items():
        for texts, key in (("labelled", "speakers"), ("stored", "speakers_stored")):
            s = rows[key]
            lines.append(
                f"| {split} | {texts} | {s['units_per_paragraph']} "
                f"| {s['recovered']}/{s['gold_units']} ({s['recovery']}) | {s['mean_best_f1']} "
                f"| {s['found']}/{s['gold_units']} | {s['speaker_accuracy']} "
                f"| {s['speaker_precision']} (of {s['speaker_precision_of']}) "
                f"| {s['speaker_recall']} (of {s['speaker_recall_of']}) | {s['split_s']} |"
            )
    dev = result.get("splits", {}).get("dev", {})
    for texts, key in (("labelled", "speakers"), ("stored", "speakers_stored")):
        errors = dev.get(key, {}).get("errors", [])
        if errors:
            lines += ["", f"Dev speaker mistakes, texts {texts} ({len(errors)}; first 12)", ""]
            lines += [
                f"- {e['id']}: gold {e['gold']!r} (mention {e['mention']!r}) -> "
                f"{e['predicted']!r} (mention {e['predicted_mention']!r}); unit {e['unit']!r}"
                for e in errors[:12]
            ]
    if "seeds" in result:
        seeds = result["seeds"]
        lines += [
            "",
            "Seed lines (a line holds: a TP spanning >= 3 of the 5 articles, at least "
            "half its members saying it)",
            "",
            "| unit | setting | line | best TP | label | articles | saying / members "
            "| speakers | holds | same TP as |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for run in seeds["runs"]:
            setting = run["setting"]
            for name, x in run["lines"].items():
                if x["tp"] is None:
                    lines.append(
                        f"| {run['unit']} | {setting} | {name} | - | - | - | - | - | no | |"
                    )
                    continue
                who = ", ".join(f"{k} {v}" for k, v in x["speakers"]) or "-"
                lines.append(
                    f"| {run['unit']} | {setting} | {name} | {x['tp']} | {x['label']} "
                    f"| {x['articles']} | {x['saying']}/{x['members']} | {who} "
                    f"| {'yes' if x['holds'] else 'no'} | {', '.join(x['same_tp_as'])} |"
                )
        lines.append("")
        lines += [
            f"- {run['unit']}, {run['setting']}: {run['held']}/5 hold "
            f"({run['held_by_distinct_tps']} distinct TPs); "
            f"{run['talking_points']} TPs at threshold {run['threshold']}, "
            f"min outlets {run['min_outlets']}"
            for run in seeds["runs"]
        ]
        lines += [
            f"- pattern '{name}' matches stored paragraphs of {m['articles']} articles"
            for name, m in seeds["matched"].items()
        ]
    if "paragraph_sets" in result:
        lines += [
            "",
            "Labelled paragraph sets, strongest TP per paragraph, min_outlets=1: "
            "ARI / pair F1 (P, R)",
            "",
            "| set | claim | paragraph |",
            "|---|---|---|",
        ]
        for name, x in result["paragraph_sets"].items():
            cells = [
                f"{x[u]['ari']} / {x[u]['f1']} ({x[u]['precision']}, {x[u]['recall']}); "
                f"{x[u]['talking_points']} TPs"
                for u in MODES
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if "mfa" in result:
        mfa = result["mfa"]
        b, s = mfa["build"], mfa["split"]
        lines += [
            "",
            f"MFA cost ({b['paragraphs']} paragraphs in {b['articles']} articles; "
            f"limit {mfa['limit']})",
            "",
            "| step | seconds | peak RSS MB | notes |",
            "|---|---|---|---|",
            f"| embed paragraphs (store.add) | {b['embed_paragraphs_s']} | {b['peak_rss_mb']} | |",
            f"| split units (standalone) | {s['split_s']} | {s['peak_rss_mb']} "
            f"| {s['units']} units, {s['units_per_paragraph']} per paragraph |",
            f"| embed units (standalone) | {s['embed_units_s']} | | |",
        ]
        for unit in ("paragraph", "claim"):
            x = mfa[f"fit-{unit}"]
            lines.append(
                f"| fit, unit={unit} | {x['fit_s']} | {x['peak_rss_mb']} "
                f"| {x['talking_points']} TPs; {x['in_talking_points']} paragraphs in one or more, "
                f"{x['memberships']} memberships |"
            )
        x = mfa["fit-claim"]
        lines += [
            f"| of which: cut units (from the finder's progress calls) | {x['cut_s']} | | |",
            f"| of which: embed units | {x['embed_units_s']} | | |",
            f"| of which: clustering and the rest | {x['after_embedding_s']} | | |",
            f"| fit, unit=claim, again on the same store (parses and unit vectors cached) "
            f"| {x['warm_fit_s']} | | {x['warm_talking_points']} TPs |",
        ]
    return "\n".join(lines)


# -- the run ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds",
        action=argparse.BooleanOptionalAction,
        default=SEEDS.is_dir(),
        help="the seed-lines check (default: when ../shared/seeds exists)",
    )
    parser.add_argument(
        "--sets",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the labelled paragraph sets (default: on)",
    )
    parser.add_argument("--mfa", action="store_true", help="cost on the MFA corpus")
    parser.add_argument("--mfa-limit", type=int, help="only the first N MFA paragraphs")
    parser.add_argument("--mfa-worker", help=argparse.SUPPRESS)
    parser.add_argument("--mfa-store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mfa_worker:
        print(json.dumps(mfa_worker(args.mfa_worker, args.mfa_store, args.mfa_limit)))
        return 0
    started = time.perf_counter()
    result: dict[str, Any] = {"commit": git_commit(), "splits": {}}
    print(f"commit {result['commit']}", flush=True)
    for split, path in SPLITS.items():
        articles = read_split(path)
        store, stored = split_store(articles)
        runs = [
            score_split(store, articles, unit, setting) for unit in MODES for setting in SETTINGS
        ]
        labelled = [[r["text"] for r in rows] for rows in articles.values()]
        result["splits"][split] = {
            "runs": runs,
            # the labelled texts (datelines and all), and as stored: what the finder splits
            "speakers": speakers(articles, labelled, split == "dev"),
            "speakers_stored": speakers(articles, list(stored.values()), split == "dev"),
        }
        store.close()
        print(f"{split}: done", flush=True)
    if args.seeds:
        store, info = seed_store()
        runs = [seed_lines(store, unit, setting) for unit in MODES for setting in SETTINGS]
        result["seeds"] = {**info, "runs": runs}
        store.close()
        print("seeds: done", flush=True)
    if args.sets:
        result["paragraph_sets"] = paragraph_sets()
        print("paragraph sets: done", flush=True)
    if args.mfa:
        result["mfa"] = mfa_cost(args.mfa_limit)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["peak_rss_mb"] = peak_rss_mb()
    RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(tables(result))
    print(f"\nwritten to {RESULTS} in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

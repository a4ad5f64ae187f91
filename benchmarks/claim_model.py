"""The claim model against the bundled all-MiniLM-L6-v2, side by side on every quality set.

    python benchmarks/claim_model.py              # quality and speed (about 10 minutes)
    python benchmarks/claim_model.py --mfa        # + talking points on the MFA corpus (+ ~8 min)

Both models run as a user gets them: simdedup's encoder on its default backend (``onnx-int8`` on
a CPU), each at its own defaults (:func:`simdedup.cluster.linkage.model_defaults`,
:func:`simdedup.duplicates.groups.default_threshold`).

- **Talking points** (ARI, pair precision / recall / F1; negatives are singleton clusters):
  ``claims dev`` (the dev split of training/data, chosen on), ``benchmarks dev``
  (benchmarks/data/talking_points_dev.jsonl, chosen on), ``test`` (talking_points_test.jsonl:
  held out, never trained on or chosen on) and ``examples`` (the planted talking points of
  examples/, among the whole sample corpus; chosen on, never trained on). Beside each: the best
  ARI that any threshold gives on that set (an oracle no user has).
- **Wire-copy dedup** (pair precision / recall / F1 of ``Deduplicator`` at its defaults, on an
  in-memory store, the code path of ``simdedup dedup``): the claims dev wire-copy groups, and the
  copies of benchmarks dev and test (each copy belongs with the member it copies, found by
  character-level similarity, not by a model).
- **Public pairs**: MSRP test F1 (the cosine threshold tuned on MSRP train for each model) and
  STS-B news test Spearman.
- **Speed**: paragraphs/s of both encoders on the same 512 real paragraphs (UNGDC and MFA),
  alternated three times in one process; the ratio is what counts.
- ``--mfa``: both models' talking points of the whole MFA corpus (``../shared/data/mfa``): the
  top 20 and how many paragraphs land in any talking point.

Writes benchmarks/results/claim_model.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

import numpy as np  # noqa: E402
from training import evaluate  # noqa: E402
from training.corpus import load  # noqa: E402

from simdedup.cluster.linkage import model_defaults  # noqa: E402
from simdedup.embed.choose import make_encoder  # noqa: E402
from simdedup.embed.claim_model import BASE_MODEL, CLAIM_MODEL  # noqa: E402
from simdedup.embed.encoder import Encoder  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "claim_model.json"
DATA = ROOT / "benchmarks" / "data"
MODELS = (BASE_MODEL, CLAIM_MODEL)
SPEED_SAMPLE = 512


# -- the labelled sets --------------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / f"talking_points_{name}.jsonl").open()]


def copy_groups(rows: list[dict[str, Any]]) -> list[str]:
    """A wire-copy group for each row of a benchmarks set: every copy joins the member of its
    talking point whose text it matches best, character by character."""
    groups = [""] * len(rows)
    members = defaultdict(list)
    for i, r in enumerate(rows):
        if r["kind"] == "member":
            members[r["label"]].append(i)
    for i, r in enumerate(rows):
        if r["kind"] == "copy":
            ratio = [difflib.SequenceMatcher(None, r["text"], rows[j]["text"]).ratio()
                     for j in members[r["label"]]]  # fmt: skip
            source = members[r["label"]][int(np.argmax(ratio))]
            groups[i] = groups[source] = f"copy-of-{rows[source]['id']}"
    return groups


def labelled_sets() -> dict[str, evaluate.Labelled]:
    sets = {"claims dev": evaluate.corpus_set("claims dev", load("dev"))}
    for name, key in (("benchmarks dev", "dev"), ("test (held out)", "test")):
        rows = _rows(key)
        sets[name] = evaluate.Labelled(
            name, [r["text"] for r in rows], [r["label"] for r in rows], copy_groups(rows)
        )
    sets["examples"] = evaluate.sample_set()
    return sets


# -- scores -------------------------------------------------------------------------------------


def talking_points(s: evaluate.Labelled, vectors: np.ndarray, model: str) -> dict[str, Any]:
    """Scores at the model's defaults, and the oracle's best ARI over thresholds."""
    threshold, penalty = model_defaults(model)

    def at(t: float, p: float) -> dict[str, float]:
        return evaluate.scores(s, vectors, t, p)

    started = time.perf_counter()
    scores = at(threshold, penalty)
    seconds = time.perf_counter() - started
    oracle = max(
        ({**at(float(t), penalty), "threshold": float(t)} for t in evaluate.THRESHOLDS),
        key=lambda x: x["ari"],
    )
    return {**scores, "threshold": threshold, "penalty": penalty,
            "cluster_s": round(seconds, 3), "oracle": oracle}  # fmt: skip


def wire_dedup(s: evaluate.Labelled, encoder: Encoder) -> dict[str, Any]:
    """Pair scores of ``Deduplicator`` at its defaults against the wire-copy groups."""
    from simdedup import Deduplicator, Record, Store

    with Store.memory(encoder=encoder) as store:
        store.add([Record(f"t{i}", text) for i, text in enumerate(s.texts)])
        found = Deduplicator().fit(store)
    group = {}
    for g in found.result_.groups:
        for m in g.members:
            group[int(m.doc_id[1:])] = g.kept
    n = len(s.texts)
    iu = np.triu_indices(n, 1)
    said = np.array([i in group and group[i] == group.get(j) for i, j in zip(*iu)])
    same = np.array([bool(s.dups[i]) and s.dups[i] == s.dups[j] for i, j in zip(*iu)])
    threshold = found.result_.threshold
    return {**evaluate.prf(said, same), "threshold": threshold, "true_pairs": int(same.sum())}


def public_pairs(encode: Callable[[list[str]], np.ndarray]) -> dict[str, Any]:
    """MSRP test F1 (threshold tuned on train) and STS-B news test Spearman, plain cosine."""
    from scipy.stats import spearmanr

    out: dict[str, Any] = {}
    msrp = evaluate.SHARED / "msrp"
    if (msrp / "msr-para-test.tsv").is_file():
        grid = np.round(np.arange(0.40, 0.985, 0.01), 2)
        split: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name in ("train", "test"):
            rows = evaluate._tsv(msrp / f"msr-para-{name}.tsv")[1:]
            a, b = encode([r[3] for r in rows]), encode([r[4] for r in rows])
            split[name] = ((a * b).sum(axis=1), np.array([r[0] == "1" for r in rows]))
        cos, gold = split["train"]
        best = max(grid, key=lambda t: (evaluate.prf(cos >= t, gold)["f1"], -t))
        cos, gold = split["test"]
        out["msrp_test"] = {**evaluate.prf(cos >= best, gold), "threshold": float(best)}
    stsb = evaluate.SHARED / "stsb" / "sts-test.csv"
    if stsb.is_file():
        rows = [r for r in evaluate._tsv(stsb) if len(r) >= 7 and r[0] == "main-news"]
        a, b = encode([r[5] for r in rows]), encode([r[6] for r in rows])
        rho = spearmanr((a * b).sum(axis=1), [float(r[4]) for r in rows]).statistic
        out["stsb_news_test_spearman"] = round(float(rho), 4)
    return out


def speed(encoders: dict[str, Encoder]) -> dict[str, Any]:
    """Paragraphs/s of each encoder on one real sample, alternated three times."""
    from bench import data

    mixed = data.ungdc(SPEED_SAMPLE // 2).texts + data.mfa().texts[: SPEED_SAMPLE // 2]
    for encoder in encoders.values():
        encoder.encode(mixed[:8])  # load and warm up
    times: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(3):
        for name, encoder in encoders.items():
            started = time.perf_counter()
            encoder.encode(mixed)
            times[name].append(time.perf_counter() - started)
    rate = {name: len(mixed) / float(np.median(t)) for name, t in times.items()}
    first, second = list(rate)
    return {
        "texts": len(mixed),
        "mean_chars": round(float(np.mean([len(t) for t in mixed])), 1),
        "texts_per_s": {name: round(r, 1) for name, r in rate.items()},
        "ratio": round(rate[second] / rate[first], 3),
    }


def mfa_talking_points(encoder: Encoder, model: str) -> dict[str, Any]:
    """Talking points of the whole MFA corpus at the model's defaults: the top 20."""
    from simdedup import Store, TalkingPointFinder, read_records
    from simdedup.embed.cache import default_cache_path  # the MFA vectors are reused across runs

    started = time.perf_counter()
    path = evaluate.SHARED / "mfa" / "mfa_en_paragraphs.jsonl"
    with Store.memory(encoder=encoder, cache=default_cache_path()) as store:
        store.add(read_records([path]))
        embedded = time.perf_counter() - started
        tick = time.perf_counter()
        result = TalkingPointFinder(min_outlets=1).fit(store).result_
    points = result.talking_points
    return {
        "paragraphs": result.corpus["paragraphs"],
        "talking_points": len(points),
        "in_talking_points": sum(tp.size for tp in points),
        "index_s": round(embedded, 1),
        "talking_points_s": round(time.perf_counter() - tick, 1),
        "top20": [
            {"size": tp.size, "label": tp.label, "representative": _member_text(tp)[:160]}
            for tp in points[:20]
        ],
        "model": model,
    }


def _member_text(tp: Any) -> str:
    return next(m.text for m in tp.members if m.pid == tp.representative)


# -- the run ------------------------------------------------------------------------------------


def run(with_mfa: bool) -> dict[str, Any]:
    encoders = {model: make_encoder(model) for model in MODELS}
    sets = labelled_sets()
    out: dict[str, Any] = {"models": {}, "speed": {}}
    for model, encoder in encoders.items():
        started = time.perf_counter()
        entry: dict[str, Any] = {"backend": getattr(encoder, "backend", "custom")}
        entry["talking_points"] = {
            name: talking_points(s, encoder.encode(s.texts), model) for name, s in sets.items()
        }
        entry["wire_dedup"] = {name: wire_dedup(s, encoder) for name, s in sets.items() if s.dups}
        entry.update(public_pairs(encoder.encode))
        entry["seconds"] = round(time.perf_counter() - started, 1)
        out["models"][model] = entry
        print(f"{model}: {json.dumps(entry)}", flush=True)
    out["speed"] = speed(encoders)
    print(json.dumps({"speed": out["speed"]}), flush=True)
    if with_mfa:
        out["mfa"] = {model: mfa_talking_points(enc, model) for model, enc in encoders.items()}
    return out


def tables(result: dict[str, Any]) -> str:
    models = list(result["models"])
    head = "| set | " + " | ".join(models) + " |\n|---|" + "---|" * len(models)
    lines = ["Talking points at each model's defaults: ARI / pair F1 (P, R); oracle best ARI",
             "", head]  # fmt: skip
    first = result["models"][models[0]]
    for name in first["talking_points"]:
        cells = []
        for m in models:
            x = result["models"][m]["talking_points"][name]
            cells.append(f"{x['ari']} / {x['f1']} ({x['precision']}, {x['recall']}); "
                         f"{x['oracle']['ari']}")  # fmt: skip
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Wire-copy dedup at each model's default threshold: pair F1 (P, R)", "", head]
    for name in first["wire_dedup"]:
        scores = [result["models"][m]["wire_dedup"][name] for m in models]
        cells = ["{f1} ({precision}, {recall}) at {threshold}".format(**x) for x in scores]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", head]
    public = (("msrp_test", "MSRP test F1"), ("stsb_news_test_spearman", "STS-B news Spearman"))
    for key, label in public:
        cells = []
        for m in models:
            x = result["models"][m].get(key)
            cells.append("-" if x is None else str(x["f1"] if isinstance(x, dict) else x))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    rate = result["speed"]["texts_per_s"]
    lines.append("| embedding, paragraphs/s | " + " | ".join(str(rate[m]) for m in models) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mfa", action="store_true", help="also cluster the MFA corpus")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.mfa)
    result["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(tables(result))
    print(f"\nwritten to {RESULTS} in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

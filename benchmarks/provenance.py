"""Who said it first, scored: the copy links and dedup's kept paragraph on the labelled
provenance set (``benchmarks/data/provenance.jsonl``: 24 reprint chains with known origins,
credits present and absent; see ``data/provenance.md``) and on ``examples/``.

    python benchmarks/provenance.py

Every paragraph of a reprint with a near-verbatim source gets a copy link in its talking point
(``copies`` + ``provenance``). A link is *right* when it names a paragraph of the chain's
original, *wrong* when it points the other way or to another reprint, a *tie* when simdedup
says it cannot tell. On chains without evidence (``expect: tie``) the right answer is a tie.
Dedup (``keep="earliest"``) is right when a group keeps the original (or says tie where the
chain has no evidence). The default model, then the static model (``--fast``). Writes
``benchmarks/results/provenance.json``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import simdedup  # noqa: E402
from simdedup.duplicates.provenance import TIE  # noqa: E402
from simdedup.embed.choose import make_encoder  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "provenance.jsonl"
RESULTS = ROOT / "benchmarks" / "results" / "provenance.json"


def score(records: list[dict[str, Any]], backend: str = "auto") -> dict[str, Any]:
    chain = {r["id"]: r["chain"] for r in records}
    original = {r["chain"]: r["id"] for r in records if r["origin"]}
    expect = {r["id"]: r["expect"] for r in records}
    with simdedup.Store.memory(encoder=make_encoder(backend=backend)) as store:
        store.add([simdedup.Record(r["id"], r["text"], r["outlet"], r["date"]) for r in records])
        points = simdedup.TalkingPointFinder(min_outlets=1).fit(store).result_.talking_points
        groups = store.dedup().groups
    links: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    for tp in points:
        doc_of = {m.pid: m.doc_id for m in tp.members}
        for m in tp.members:
            if not m.copies:
                continue
            source = doc_of[m.copies]
            kind = expect[m.doc_id]
            if chain.get(source) != chain[m.doc_id]:
                verdict = "wrong"  # across chains: never a copy
            elif m.provenance == TIE:
                verdict = "right" if kind == "tie" else "tie"
            elif kind == "tie":
                verdict = "guessed"  # a direction without evidence
            elif source == original[chain[m.doc_id]]:
                verdict = "right"
            else:
                verdict = "wrong"
            links[verdict] += 1
            by_kind.setdefault(kind, Counter())[verdict] += 1
    kept: Counter[str] = Counter()
    for g in groups:
        chains = {chain[m.doc_id] for m in g.members}
        if len(chains) != 1:
            kept["mixed chains"] += 1
            continue
        (c,) = chains
        tie_chain = expect[original[c]] == "tie"
        if g.tie:
            kept["right" if tie_chain else "tie"] += 1
        elif tie_chain:
            kept["guessed"] += 1
        else:
            kept["right" if g.members[0].doc_id == original[c] else "wrong"] += 1
    total = sum(links.values())
    return {
        "documents": len(records),
        "chains": len(original),
        "links": dict(links),
        "link_accuracy": round(links["right"] / total, 3) if total else None,
        "links_by_expectation": {k: dict(v) for k, v in sorted(by_kind.items())},
        "dedup_kept": dict(kept),
    }


def examples(backend: str = "auto") -> dict[str, Any]:
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())
    origin_of = {d: g[0] for g in expected["wire_copies"] for d in g[1:]}
    with simdedup.Store.memory(encoder=make_encoder(backend=backend)) as store:
        store.add([ROOT / "examples" / "corpus.jsonl"])
        points = simdedup.TalkingPointFinder(min_outlets=1).fit(store).result_.talking_points
    out: Counter[str] = Counter()
    for tp in points:
        doc_of = {m.pid: m.doc_id for m in tp.members}
        for m in tp.members:
            if not m.copies or (m.doc_id not in origin_of and doc_of[m.copies] not in origin_of):
                continue
            if m.provenance == TIE:
                out["tie"] += 1
            elif origin_of.get(m.doc_id) == doc_of[m.copies]:
                out["to the true original"] += 1
            elif origin_of.get(doc_of[m.copies]) == m.doc_id:
                out["reversed"] += 1
            else:
                out["to another reprint"] += 1
    return dict(out)


def main() -> int:
    records = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    result = {"provenance set": score(records), "examples": examples()}
    # --fast: the static model, whose near-verbatim threshold is its dedup default (0.97)
    result["fast"] = {"provenance set": score(records, "static"), "examples": examples("static")}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

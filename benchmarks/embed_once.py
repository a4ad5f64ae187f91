"""Embed each text once? Dedup's paragraph vectors from the claim units' vectors, against
paragraphs embedded whole, and what embedding both costs.

    python benchmarks/embed_once.py                  # wire-copy F1 + cost on 2,000 MFA paragraphs
    python benchmarks/embed_once.py --cost-sample 0  # wire-copy F1 only

Talking points embed claim units; dedup and ``similar`` embed whole paragraphs. If a
paragraph's vector could be the (normalised) mean of its units' vectors, each text would be
embedded once. This measures:

- **Wire-copy F1**: pair precision / recall / F1 of ``Deduplicator`` at the claim model's
  default dedup threshold, and at the best threshold for each (an oracle), on the wire-copy
  groups of the claims dev set (training/data) and of benchmarks dev and test
  (benchmarks/claim_model.py ``labelled_sets``), with paragraph vectors (today) and with
  mean-of-units vectors (the same texts, the same Deduplicator, ``embeddings=``).
- **Cost** on the first ``--cost-sample`` MFA paragraphs (one process, one run each, 2 cores):
  seconds to embed the paragraphs, to cut them into units (spaCy), and to embed the units;
  units per paragraph.

Writes benchmarks/results/embed_once.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

import numpy as np  # noqa: E402
from training import evaluate  # noqa: E402

from claim_model import labelled_sets  # noqa: E402
from simdedup.embed.encoder import SentenceTransformerEncoder  # noqa: E402
from simdedup.units import UnitSplitter  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "embed_once.json"
GRID = np.round(np.arange(0.80, 0.995, 0.01), 2)


def mean_of_units(texts: list[str], encoder: Any, splitter: UnitSplitter) -> np.ndarray:
    """Each text's vector as the normalised mean of its units' vectors (the text's own vector
    when it has no unit)."""
    units = splitter.split_articles([[t] for t in texts])
    flat = [u.text for article in units for u in article[0]]
    vectors = encoder.encode(flat) if flat else np.zeros((0, 384), dtype=np.float32)
    whole = encoder.encode(texts)
    out = np.zeros_like(whole)
    at = 0
    for i, article in enumerate(units):
        n = len(article[0])
        out[i] = vectors[at : at + n].sum(axis=0) if n else whole[i]
        at += n
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def wire_scores(
    s: evaluate.Labelled, vectors: np.ndarray, threshold: float | None
) -> dict[str, Any]:
    """Pair scores of the Deduplicator on ``vectors`` against the wire-copy groups."""
    import simdedup

    result = simdedup.dedup(s.texts, embeddings=vectors, threshold=threshold)
    group: dict[int, str] = {}
    for g in result.groups:
        for m in g.members:
            group[int(m.doc_id)] = g.kept
    n = len(s.texts)
    iu = np.triu_indices(n, 1)
    said = np.array([i in group and group[i] == group.get(j) for i, j in zip(*iu)])
    same = np.array([bool(s.dups[i]) and s.dups[i] == s.dups[j] for i, j in zip(*iu)])
    return {**evaluate.prf(said, same), "threshold": result.threshold, "pairs": int(same.sum())}


def quality(encoder: Any, splitter: UnitSplitter) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, s in labelled_sets().items():
        if not any(s.dups):
            continue
        whole = encoder.encode(s.texts)
        units = mean_of_units(s.texts, encoder, splitter)
        row: dict[str, Any] = {}
        for kind, vectors in (("paragraph vectors", whole), ("mean of unit vectors", units)):
            default = wire_scores(s, vectors, None)
            best = max((wire_scores(s, vectors, float(t)) for t in GRID), key=lambda r: r["f1"])
            row[kind] = {"default": default, "oracle": best}
        out[name] = row
    return out


def cost(encoder: Any, splitter: UnitSplitter, sample: int) -> dict[str, Any]:
    path = ROOT.parent / "shared" / "data" / "mfa" / "mfa_en_paragraphs.jsonl"
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line)["text"])
            if len(texts) >= sample:
                break
    encoder.encode(texts[:16])  # load and warm up
    tick = time.perf_counter()
    encoder.encode(texts)
    paragraphs_s = time.perf_counter() - tick
    tick = time.perf_counter()
    units = [u.text for article in splitter.split_articles([texts]) for p in article for u in p]
    cut_s = time.perf_counter() - tick
    tick = time.perf_counter()
    encoder.encode(units)
    units_s = time.perf_counter() - tick
    return {
        "paragraphs": len(texts),
        "units": len(units),
        "units_per_paragraph": round(len(units) / len(texts), 2),
        "mean_chars": {
            "paragraph": round(float(np.mean([len(t) for t in texts])), 1),
            "unit": round(float(np.mean([len(u) for u in units])), 1),
        },
        "embed_paragraphs_s": round(paragraphs_s, 1),
        "cut_s": round(cut_s, 1),
        "embed_units_s": round(units_s, 1),
        "both_over_paragraphs": round((paragraphs_s + cut_s + units_s) / paragraphs_s, 2),
    }


def tables(result: dict[str, Any]) -> str:
    lines = [
        "| set | vectors | F1 at default (P, R) | oracle F1 (threshold) |",
        "|---|---|---|---|",
    ]
    for name, row in result["quality"].items():
        for kind, scores in row.items():
            d, o = scores["default"], scores["oracle"]
            lines.append(
                f"| {name} ({d['pairs']} copy pairs) | {kind} | {d['f1']:.3f} "
                f"({d['precision']:.3f}, {d['recall']:.3f}) | {o['f1']:.3f} ({o['threshold']}) |"
            )
    if result.get("cost"):
        c = result["cost"]
        lines += [
            "",
            f"Cost on {c['paragraphs']} MFA paragraphs ({c['units_per_paragraph']} units each, "
            f"{c['mean_chars']['paragraph']} vs {c['mean_chars']['unit']} characters): embed "
            f"paragraphs {c['embed_paragraphs_s']} s, cut {c['cut_s']} s, embed units "
            f"{c['embed_units_s']} s; both {c['both_over_paragraphs']}x paragraphs alone.",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cost-sample", type=int, default=2000)
    args = parser.parse_args(argv)
    encoder = SentenceTransformerEncoder()
    splitter = UnitSplitter()
    result: dict[str, Any] = {"quality": quality(encoder, splitter)}
    if args.cost_sample:
        result["cost"] = cost(encoder, splitter, args.cost_sample)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(tables(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

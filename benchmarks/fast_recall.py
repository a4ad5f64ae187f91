"""Fast mode's pair recall: how many of the default model's near-duplicate pairs a static model
finds, for a few ways of making and using the static model.

    python benchmarks/fast_recall.py [--n 20000]

Reference: the pairs the default path (the claim model, ONNX int8) puts at cosine >= its dedup
threshold, among ``n`` seeded UNGDC paragraphs (long ones: 670 characters on average), found
exactly (flat inner product). Each static variant embeds the same texts; for each threshold
its pairs are found the same way, and the row gives recall of the reference pairs, precision
against them, how many pairs it returns, and embedding paragraphs/s. Variants:

- ``minilm-256``: today's ``--fast`` (model2vec distilled from all-MiniLM-L6-v2, PCA 256);
- ``claim-256``: distilled from the claim model instead;
- ``claim-384``: the same without reducing dimensions (PCA to 384, the model's own width);
- each also ``centred`` (the corpus mean subtracted, normalised again), as talking points do.

Writes ``benchmarks/results/fast_recall.json``.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from bench import common, data
from bench.e2e_suite import models_dir

RESULTS = Path(__file__).resolve().parent / "results" / "fast_recall.json"
THRESHOLDS = (0.93, 0.95, 0.97, 0.98)
CENTRED_THRESHOLDS = (0.7, 0.8, 0.85, 0.9, 0.95)


def pairs_at(vectors: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, scores)`` of every pair ``i < j`` with cosine >= ``threshold`` (exact, in
    blocks), ``key = i * n + j``."""
    n = len(vectors)
    keys, scores = [], []
    for start in range(0, n, 2048):
        block = vectors[start : start + 2048] @ vectors.T
        rows, cols = np.nonzero(block >= threshold)
        keep = rows + start < cols
        keys.append((rows[keep] + start) * n + cols[keep])
        scores.append(block[rows[keep], cols[keep]])
    return np.concatenate(keys), np.concatenate(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    os.environ["SIMDEDUP_MODELS_DIR"] = str(models_dir())
    from simdedup.cluster.linkage import centred
    from simdedup.embed.claim_model import CLAIM_MODEL, defaults
    from simdedup.embed.static import StaticEncoder

    corpus = data.ungdc(args.n)
    reference = np.asarray(data.embeddings(corpus, backend="onnx-int8", quiet=True), np.float32)
    cut = defaults().dedup_threshold
    truth = pairs_at(reference, cut)[0]
    print(f"{len(truth):,} reference pairs at cosine >= {cut} among {len(corpus):,} paragraphs")
    rows: list[dict[str, Any]] = []
    variants = {
        "minilm-256": StaticEncoder(None, quiet=True),
        "claim-256": StaticEncoder(CLAIM_MODEL, quiet=True),
        "claim-384": StaticEncoder(CLAIM_MODEL, dims=384, quiet=True),
    }
    for name, encoder in variants.items():
        encoder.load()
        started = time.perf_counter()
        vectors = encoder.encode(corpus.texts)
        speed = len(corpus) / (time.perf_counter() - started)
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        for how, x, grid in (
            ("raw", vectors, THRESHOLDS),
            ("centred", centred(vectors), CENTRED_THRESHOLDS),
        ):
            keys, scores = pairs_at(x, min(grid))
            for threshold in grid:
                found = keys[scores >= threshold]
                hits = int(np.isin(found, truth).sum())
                row = {
                    "variant": name,
                    "vectors": how,
                    "threshold": threshold,
                    "pair_recall": round(hits / max(1, len(truth)), 3),
                    "pair_precision": round(hits / max(1, len(found)), 3),
                    "pairs": len(found),
                    "paragraphs_s": round(speed, 1),
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    payload = {
        "environment": common.environment(),
        "corpus": corpus.name,
        "reference": {
            "model": "simdedup-claim-v1 onnx-int8",
            "threshold": cut,
            "pairs": len(truth),
        },
        "variants": rows,
    }
    RESULTS.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"-> {RESULTS}")


if __name__ == "__main__":
    main()

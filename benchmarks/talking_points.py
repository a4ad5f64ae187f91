"""Talking-point quality and scale: simdedup's defaults against plain-cosine baselines.

    python benchmarks/talking_points.py                 # quality on the labelled sets
    python benchmarks/talking_points.py --mfa STORE     # + clustering time on an MFA store
    python benchmarks/talking_points.py --scale 300000  # + synthetic scale run (time, memory)

Quality sets: benchmarks/data/talking_points_dev.jsonl (tuning), talking_points_test.jsonl
(held out: never used to choose a setting), the planted talking points of examples/ (clustered
with the whole sample corpus around them), and STS-B news pairs from ../shared/data/stsb/
(score >= 4 same, <= 2 different). Scores: adjusted Rand index (ARI; negatives are singleton
clusters) and pair precision / recall / F1 over all pairs of labelled items.

Baselines on the same embeddings: average linkage on plain cosine at simdedup's threshold, the
same with its threshold tuned on each set itself (an oracle no user has), and single linkage
(connected components) at its own best threshold. Writes benchmarks/results/talking_points.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score

from simdedup.cluster.figures import figures, figures_conflict
from simdedup.cluster.linkage import DEFAULT_THRESHOLD, ClaimClusterer
from simdedup.embed.encoder import SentenceTransformerEncoder
from simdedup.segment import Segmenter

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
STSB = ROOT.parent / "shared" / "data" / "stsb" / "sts-test.csv"
RESULTS = ROOT / "benchmarks" / "results" / "talking_points.json"
GRID = np.round(np.arange(0.40, 0.92, 0.02), 2)


def decision_scores(said: np.ndarray, same: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 of boolean decisions ``said`` against the truth ``same``."""
    hit = int((said & same).sum())
    precision = hit / max(int(said.sum()), 1)
    recall = hit / max(int(same.sum()), 1)
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 3),
    }


def pair_scores(truth: list[str], pred: np.ndarray) -> dict[str, float]:
    t, p = np.asarray(truth), np.asarray(pred)
    iu = np.triu_indices(len(t), 1)
    same_t = (t[:, None] == t[None, :])[iu]
    same_p = (p[:, None] == p[None, :])[iu]
    return {
        "ari": round(float(adjusted_rand_score(t, p)), 3),
        **decision_scores(same_p, same_t),
    }


def labelled_set(name: str) -> tuple[list[str], list[str | None]]:
    rows = [json.loads(line) for line in (DATA / f"talking_points_{name}.jsonl").open()]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def examples_set() -> tuple[list[str], list[str | None]]:
    """Every paragraph of the sample corpus; labels on planted talking points and negatives."""
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())
    label: dict[tuple[str, int], str] = {}
    for tp in expected["talking_points"]:
        for doc, para in tp["members"]:
            label[(doc, para)] = tp["name"]
    for doc, para in expected["hard_negatives"]:
        label.setdefault((doc, para), f"negative {doc}:{para}")
    texts, labels = [], []
    segmenter = Segmenter()
    for line in (ROOT / "examples" / "corpus.jsonl").open():
        record = json.loads(line)
        for p in segmenter.split(record["id"], record["text"], record["title"]):
            texts.append(p.text)
            labels.append(label.get((record["id"], p.para)))
    return texts, labels


def evaluate(
    texts: list[str], labels: list[str | None], vectors: np.ndarray
) -> dict[str, dict[str, Any]]:
    idx = [i for i, label in enumerate(labels) if label is not None]
    truth = [str(labels[i]) for i in idx]
    out: dict[str, dict[str, Any]] = {}

    def cluster(**settings: Any) -> np.ndarray:
        found = ClaimClusterer(**settings).fit(vectors, lambda pos: [texts[p] for p in pos])
        return found.labels_[idx]

    started = time.perf_counter()
    out["simdedup defaults"] = {
        **pair_scores(truth, cluster()),
        "threshold": DEFAULT_THRESHOLD,
        "seconds": round(time.perf_counter() - started, 3),
    }
    plain = cluster(check_figures=False)
    out["average linkage, plain cosine, same threshold"] = {
        **pair_scores(truth, plain),
        "threshold": DEFAULT_THRESHOLD,
    }
    sim = vectors @ vectors.T
    dist = np.clip(1.0 - sim, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    condensed = squareform(dist, checks=False)
    for method in ("average", "single"):
        tree = linkage(condensed, method)
        best: dict[str, Any] = {}
        for t in GRID:
            scores = pair_scores(truth, fcluster(tree, 1.0 - t, "distance")[idx])
            if not best or scores["ari"] > best["ari"]:
                best = {**scores, "threshold": float(t)}
        out[f"{method} linkage, plain cosine, threshold tuned on this set (oracle)"] = best
    return out


def stsb_news(encoder: SentenceTransformerEncoder) -> dict[str, Any] | None:
    if not STSB.is_file():
        return None
    pairs = []
    with STSB.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 7 and row[0] == "main-news":
                pairs.append((float(row[4]), row[5], row[6]))
    a = encoder.encode([p[1] for p in pairs])
    b = encoder.encode([p[2] for p in pairs])
    cos = (a * b).sum(axis=1)
    gold = np.array([p[0] for p in pairs])
    conflict = np.array([figures_conflict(figures(p[1]), figures(p[2])) for p in pairs])
    rescored = cos - 1.0 * conflict
    clear = (gold >= 4) | (gold <= 2)
    same = gold[clear] >= 4

    def f1(scores: np.ndarray, threshold: float) -> dict[str, float]:
        return decision_scores(scores[clear] >= threshold, same)

    best_plain = max(GRID, key=lambda t: f1(cos, float(t))["f1"])
    return {
        "pairs": len(pairs),
        "clear_pairs": int(clear.sum()),
        "same_share": round(float(same.mean()), 3),
        "spearman_cosine": round(float(spearmanr(cos, gold).statistic), 3),
        "spearman_simdedup": round(float(spearmanr(rescored, gold).statistic), 3),
        "simdedup defaults": {**f1(rescored, DEFAULT_THRESHOLD), "threshold": DEFAULT_THRESHOLD},
        "plain cosine, same threshold": {**f1(cos, DEFAULT_THRESHOLD)},
        "plain cosine, tuned on this set (oracle)": {
            **f1(cos, float(best_plain)),
            "threshold": float(best_plain),
        },
        "everything is the same": f1(np.ones_like(cos), 0.5),
    }


def mfa_timing(store_dir: str) -> dict[str, Any]:
    from simdedup import Store, TalkingPointFinder

    store = Store.open(store_dir)
    started = time.perf_counter()
    result = TalkingPointFinder(min_outlets=1).fit(store).result_
    seconds = time.perf_counter() - started
    return {
        "paragraphs": result.corpus["paragraphs"],
        "talking_points": len(result.talking_points),
        "in_talking_points": sum(tp.size for tp in result.talking_points),
        "seconds_after_embedding": round(seconds, 2),
        "top10": [(tp.size, tp.label) for tp in result.talking_points[:10]],
        "peak_rss_mb": peak_rss_mb(),
    }


def scale_run(n: int, dim: int = 384, seed: int = 0) -> dict[str, Any]:
    """Synthetic unit vectors: n/10 planted claims of 2-18 members around random centres,
    plus noise, in an HNSW index (what a store of this size uses); figure check on short
    synthetic texts."""
    from simdedup.index.vectors import VectorIndex, choose_kind

    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 10, dim)).astype(np.float32)
    owner = rng.integers(0, len(centres), size=n)
    vectors = centres[owner] + rng.normal(scale=0.09, size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    index = VectorIndex(choose_kind(n)).build(vectors)
    build = time.perf_counter() - started
    started = time.perf_counter()
    clusterer = ClaimClusterer().fit(
        vectors, lambda pos: ["a synthetic paragraph"] * len(pos), index, np.arange(n)
    )
    seconds = time.perf_counter() - started
    labels = clusterer.labels_
    return {
        "n": n,
        "index": choose_kind(n),
        "index_build_s": round(build, 1),
        "cluster_s": round(seconds, 1),
        "edges": len(clusterer.edges_[0]),
        "ari_vs_planted": round(float(adjusted_rand_score(owner, labels)), 3),
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mfa", help="an MFA store (simdedup index ../shared/data/mfa/...)")
    parser.add_argument("--scale", type=int, help="run the synthetic scale test with N vectors")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    if not args.skip_quality:
        encoder = SentenceTransformerEncoder()
        encoder.load()
        quality = {}
        for name, (texts, labels) in {
            "dev": labelled_set("dev"),
            "test (held out)": labelled_set("test"),
            "examples": examples_set(),
        }.items():
            quality[name] = evaluate(texts, labels, encoder.encode(texts))
        results["quality"] = quality
        results["stsb_news"] = stsb_news(encoder)
        for name, rows in quality.items():
            print(f"\n{name}")
            for method, scores in rows.items():
                print(f"  {method:70s} {scores}")
        print("\nSTS-B news", json.dumps(results["stsb_news"], indent=1))
    if args.mfa:
        results["mfa"] = mfa_timing(args.mfa)
        print("\nMFA", json.dumps(results["mfa"], indent=1))
    if args.scale:
        results[f"scale_{args.scale}"] = scale_run(args.scale)
        print("\nscale", results[f"scale_{args.scale}"])
    results["environment"] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Scale-out measurements for the Ray engine: partition-border recall and per-worker throughput.

    python benchmarks/scaleout.py                 # recall on 100k UNGDC vectors + throughput
    python benchmarks/scaleout.py --part recall   # only the recall table
    python benchmarks/scaleout.py --part throughput

1. **Border recall.** The 100,000 UNGDC paragraph vectors of the index suite (all-MiniLM-L6-v2,
   torch) are split into k-means partitions as the Ray engine splits them
   (:mod:`simdedup.index.partition`), each vector joining its ``spill`` nearest partitions, and
   every partition is searched exactly. The pairs found are compared with an exact global
   self-join (dedup pairs at cosine >= 0.9 and >= 0.8), and the neighbour edges with an exact
   global k-NN graph (k = 20, cosine >= 0.62, the talking-point graph). One machine, no Ray:
   the engine runs the same functions per partition.
2. **Throughput per worker.** Embedding: one Ray actor with one CPU against the same encoder
   called in this process with one thread, on the same texts, in one run (the ratio is Ray's
   overhead). Search: the exact range search of one partition on one thread, in vectors per
   second. The Ray pairs stage end to end on 2 CPUs.

Writes ``benchmarks/results/scaleout.json``; the sizing table in ``benchmarks/README.md`` is
worked out from these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import common, data

RESULT = common.RESULTS / "scaleout.json"
N = 100_000


def _pair_keys(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    return np.unique(np.minimum(src, dst).astype(np.int64) * n + np.maximum(src, dst))


def _exact(vectors: np.ndarray) -> dict[str, np.ndarray]:
    """Exact global pairs at 0.8 and 0.9 and the exact k-NN edges (k=20, >= 0.62)."""
    from simdedup.index.partition import neighbours_within
    from simdedup.index.selfjoin import SelfJoin

    n = len(vectors)
    started = time.perf_counter()
    joined = SelfJoin(0.8, method="exact").fit(vectors)
    print(f"exact self-join >= 0.8: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    truth = {
        "pairs-0.8": _pair_keys(joined.src_, joined.dst_, n),
        "pairs-0.9": _pair_keys(
            joined.src_[joined.scores_ >= 0.9], joined.dst_[joined.scores_ >= 0.9], n
        ),
    }
    started = time.perf_counter()
    src, dst, _ = neighbours_within(np.arange(n), vectors, 20, 0.62)  # one flat search: exact
    print(f"exact k-NN graph: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    truth["knn-20"] = _pair_keys(src, dst, n)
    return truth


def recall(vectors: np.ndarray) -> list[dict[str, Any]]:
    from simdedup.index.partition import (
        assign,
        neighbours_within,
        pairs_within,
        sample_size,
        train_centroids,
    )
    from simdedup.index.selfjoin import unique_pairs

    n = len(vectors)
    truth = _exact(vectors)
    rows = []
    rng = np.random.default_rng(0)
    for partitions in (5, 20, 50):
        share = min(1.0, sample_size(partitions) / n)
        centroids = train_centroids(vectors[rng.random(n) < share], partitions)
        for spill in (1, 2) if partitions == 5 else (1, 2, 3):  # 5 x 3: 2x an exact join
            parts = assign(vectors, centroids, spill)
            members = [np.flatnonzero((parts == p).any(axis=1)) for p in range(partitions)]
            row: dict[str, Any] = {
                "partitions": partitions,
                "spill": spill,
                "largest_partition": int(max(len(m) for m in members)),
                # work against one exact all-pairs search: sum of partition sizes squared / n^2
                "work_vs_exact": round(sum(len(m) ** 2 for m in members) / n**2, 3),
            }
            started = time.perf_counter()
            found = unique_pairs([pairs_within(m, vectors[m], 0.8) for m in members], n)
            row["pairs_s"] = round(time.perf_counter() - started, 1)
            for threshold in (0.8, 0.9):
                keep = found[2] >= threshold
                keys = _pair_keys(found[0][keep], found[1][keep], n)
                expected = truth[f"pairs-{threshold}"]
                row[f"pair_recall_{threshold}"] = round(
                    len(np.intersect1d(keys, expected)) / max(len(expected), 1), 4
                )
                row[f"exact_pairs_{threshold}"] = len(expected)
            started = time.perf_counter()
            edges = unique_pairs([neighbours_within(m, vectors[m], 20, 0.62) for m in members], n)
            row["knn_s"] = round(time.perf_counter() - started, 1)
            keys = _pair_keys(edges[0], edges[1], n)
            row["knn_edge_recall"] = round(
                len(np.intersect1d(keys, truth["knn-20"])) / len(truth["knn-20"]), 4
            )
            row["exact_knn_edges"] = len(truth["knn-20"])
            print(json.dumps(row), file=sys.stderr)
            rows.append(row)
    return rows


def throughput(vectors: np.ndarray) -> dict[str, Any]:
    import faiss

    from simdedup.embed.choose import make_encoder
    from simdedup.engines.ray import RayEngine
    from simdedup.index.partition import pairs_within

    out: dict[str, Any] = {}
    corpus = data.ungdc(N)
    texts = [t for t in corpus.texts[:3000]]
    encoder = make_encoder(None, "auto", threads=1)
    encoder.encode(texts[:8])  # load (and export) outside the timing
    started = time.perf_counter()
    local = encoder.encode(texts)
    out["embed_local_1thread_per_s"] = round(len(texts) / (time.perf_counter() - started), 1)
    with RayEngine(num_cpus=2, embed_actors=1, object_store_memory=500 * 2**20) as engine:
        engine.embed(make_encoder(None, "auto"), texts[:64])  # cluster and actor warm-up
        started = time.perf_counter()
        remote = engine.embed(make_encoder(None, "auto"), texts)
        out["embed_ray_1actor_per_s"] = round(len(texts) / (time.perf_counter() - started), 1)
        out["embed_ray_vs_local_cosine_min"] = round(float((local * remote).sum(1).min()), 5)
        out["embed_texts"] = len(texts)
        out["embed_mean_chars"] = round(float(np.mean([len(t) for t in texts])), 0)
        engine.pairs([(np.arange(2000), vectors[:2000])], 2000, 0.9)  # warm-up
        started = time.perf_counter()
        engine.pairs([(np.arange(N), vectors)], N, 0.9)
        out["ray_pairs_100k_2cpu_s"] = round(time.perf_counter() - started, 1)
        out["ray_pairs_detail"] = engine.last_search_
    out.update(driver_ingest())
    faiss.omp_set_num_threads(1)
    block = np.ascontiguousarray(vectors[:40_000])
    started = time.perf_counter()
    pairs_within(np.arange(len(block)), block, 0.9)
    seconds = time.perf_counter() - started
    out["search_partition_40k_1thread_s"] = round(seconds, 2)
    out["search_1thread_vectors_per_s"] = round(len(block) / seconds, 0)
    print(json.dumps(out), file=sys.stderr)
    return out


class _Instant:
    """An encoder that costs nothing, to time what the driver does besides embedding."""

    name = "instant"
    fingerprint = "bench-instant-384"

    def encode(self, texts: list[str]) -> np.ndarray:
        rng = np.random.default_rng(len(texts))
        return rng.normal(size=(len(texts), 384)).astype(np.float32)


def driver_ingest(n: int = 30_000) -> dict[str, Any]:
    """Reading, splitting and storing on the driver (``index`` minus embedding): a fresh
    store on disk, paragraphs per second on one process."""
    import tempfile

    from simdedup.io.records import Record
    from simdedup.store.store import Store

    corpus = data.ungdc(N)
    records = [
        Record(doc_id=f"u{i}", text=t, outlet=o, date=d, title=None, source="bench")
        for i, (t, o, d) in enumerate(zip(corpus.texts[:n], corpus.outlets[:n], corpus.dates[:n]))
    ]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.create(Path(tmp) / "s", encoder=_Instant(), index="flat")
        started = time.perf_counter()
        stats = store.add(records)
        seconds = time.perf_counter() - started
        store.close()
        disk = sum(f.stat().st_size for f in (Path(tmp) / "s").glob("store.sqlite*"))
    return {
        "driver_ingest_paragraphs": stats.paragraphs,
        "driver_ingest_per_s": round(stats.paragraphs / seconds, 0),
        "catalog_bytes_per_paragraph": round(disk / stats.paragraphs, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("all", "recall", "throughput"), default="all")
    args = parser.parse_args()
    vectors = np.ascontiguousarray(data.embeddings(data.ungdc(N)), dtype=np.float32)
    result: dict[str, Any] = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    result["environment"] = common.environment()
    if args.part in ("all", "recall"):
        result["recall"] = recall(vectors)
    if args.part in ("all", "throughput"):
        result["throughput"] = throughput(vectors)
    RESULT.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()

"""Splitting a corpus's vectors into k-means partitions that can be searched one at a time.

The scale-out engine (:mod:`simdedup.engines.ray`) cannot compare every vector with every other
one, so it splits the vectors by their nearest centroids (spherical k-means trained on a sample)
and searches each partition on its own, in parallel. A pair of near-duplicates that straddles a
partition border would be lost, so every vector joins its ``spill`` nearest partitions: two
vectors are compared when they share any of them. Measured on real paragraph embeddings
(``benchmarks/README.md``, scale-out suite), one partition per vector loses pairs at the borders
and two keep nearly all of them.

These functions are engine-free: plain numpy and FAISS on one machine, so they are tested and
benchmarked directly, and the engine only moves their inputs and outputs around.
"""

from __future__ import annotations

import math

import numpy as np

from simdedup.checks import check_int
from simdedup.errors import InputError
from simdedup.index.selfjoin import SelfJoin, index_graph

DEFAULT_SPILL = 2  # partitions each vector joins
PARTITION_ROWS = 20_000  # vectors per partition aimed at (before spill): exact search of a
# partition of 40,000 vectors (20,000 homes plus as many guests) is ~1.6 s on one core
SAMPLE_PER_PARTITION = 64  # k-means training vectors per centroid


def partition_count(n: int, rows: int = PARTITION_ROWS) -> int:
    """How many partitions ``n`` vectors get: about ``rows`` each, at least one."""
    check_int(rows, "rows")
    return max(1, math.ceil(n / rows))


def sample_size(partitions: int) -> int:
    """Vectors to sample for training ``partitions`` centroids."""
    return partitions * SAMPLE_PER_PARTITION


def train_centroids(sample: np.ndarray, partitions: int, *, seed: int = 0) -> np.ndarray:
    """Unit centroids of ``partitions`` spherical k-means cells trained on ``sample`` (FAISS);
    fewer when the sample has fewer distinct rows."""
    import faiss

    x = np.ascontiguousarray(sample, dtype=np.float32)
    if x.ndim != 2 or not len(x):
        raise InputError("cannot train partitions on an empty sample")
    partitions = max(1, min(partitions, len(x)))
    if partitions == 1:
        centroid = x.mean(axis=0, keepdims=True)
        norm = np.linalg.norm(centroid)
        return np.asarray(centroid / norm if norm > 0 else x[:1], dtype=np.float32)
    kmeans = faiss.Kmeans(x.shape[1], partitions, niter=20, seed=seed, spherical=True)
    kmeans.cp.min_points_per_centroid = 1
    kmeans.cp.max_points_per_centroid = 1 << 20  # use the whole sample; no FAISS warning
    kmeans.train(x)
    return np.ascontiguousarray(kmeans.centroids, dtype=np.float32)


def assign(vectors: np.ndarray, centroids: np.ndarray, spill: int = DEFAULT_SPILL) -> np.ndarray:
    """Each vector's ``spill`` nearest partitions, nearest (its home) first: shape
    ``(n, min(spill, partitions))``."""
    check_int(spill, "spill")
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    take = min(spill, len(centroids))
    scores = x @ centroids.T
    if take < len(centroids):
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    else:
        part = np.broadcast_to(np.arange(len(centroids)), scores.shape).copy()
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1).astype(np.int32)


def pairs_within(
    rows: np.ndarray, vectors: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of one partition's vectors with cosine >= ``threshold``, exactly (FAISS flat
    range search): ``(src, dst, score)`` as the vectors' global ``rows``, ``src < dst``."""
    joined = SelfJoin(threshold, method="exact").fit(vectors)
    return _global(rows, joined.src_, joined.dst_, joined.scores_)


def neighbours_within(
    rows: np.ndarray, vectors: np.ndarray, k: int, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``k`` nearest neighbours of each of one partition's vectors within the partition,
    kept at cosine >= ``threshold``: edges ``(src, dst, score)`` as global ``rows``,
    ``src < dst``, each once (the local talking-point graph's search,
    :func:`simdedup.index.selfjoin.index_graph`, on a flat index of the partition)."""
    from simdedup.index.vectors import VectorIndex

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if not len(x):
        return _empty()
    found = index_graph(x, VectorIndex("flat").build(x), np.arange(len(x)), k, threshold)
    return _global(rows, *found)


def _global(
    rows: np.ndarray, src: np.ndarray, dst: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.asarray(rows, dtype=np.int64)
    a, b = rows[src], rows[dst]
    return np.minimum(a, b), np.maximum(a, b), score.astype(np.float32)


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)

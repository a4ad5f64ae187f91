"""The compiled average linkage merges exactly as the pure-Python heap it replaced."""

from __future__ import annotations

import numpy as np
import pytest

from linkage_reference import reference_average_linkage
from simdedup.cluster.linkage import average_linkage


def _graph(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(2, 250)), int(rng.integers(2, 12))
    centres = rng.normal(size=(max(1, n // 8), d))
    vectors = centres[rng.integers(0, len(centres), n)]
    vectors = vectors + rng.normal(scale=rng.uniform(0.1, 1.0), size=(n, d))
    if seed % 3 == 0:
        vectors = np.round(vectors, 1) + 0.05  # equal scores: the tie order must match too
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    a, b = rng.integers(0, n, 5 * n), rng.integers(0, n, 5 * n)
    a, b = a[a != b], b[a != b]
    src, dst = np.minimum(a, b), np.maximum(a, b)  # repeated pairs too: their conflicts add up
    conflict = (rng.random(len(src)) < 0.2).astype(np.float32)
    return vectors, src, dst, conflict, float(rng.uniform(0.2, 0.9))


@pytest.mark.parametrize("seed", range(40))
def test_compiled_linkage_matches_the_python_heap(seed: int) -> None:
    vectors, src, dst, conflict, threshold = _graph(seed)
    expected = reference_average_linkage(vectors, src, dst, conflict, threshold, 1.0)
    got = average_linkage(vectors, src, dst, conflict, threshold, 1.0)
    assert np.array_equal(got, expected)


def test_compiled_linkage_compacts_its_heap_and_arena_without_changing_merges() -> None:
    from simdedup.cluster import upgma

    vectors, src, dst, conflict, threshold = _graph(7)
    expected = reference_average_linkage(vectors, src, dst, conflict, threshold, 1.0)
    roots = upgma._upgma(
        *_csr(vectors, src, dst, conflict),
        threshold=threshold,
        penalty=1.0,
        heap_slack=0,
        arena_slack=0,
    )
    assert np.array_equal(np.unique(roots, return_inverse=True)[1], expected)
    assert len(np.unique(expected)) < len(vectors)  # something merged


def _csr(
    vectors: np.ndarray, src: np.ndarray, dst: np.ndarray, conflict: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(vectors)
    pairs: dict[tuple[int, int], float] = {}
    for a, b, c in zip(src.tolist(), dst.tolist(), conflict.tolist()):
        for key in ((a, b), (b, a)):
            pairs[key] = pairs.get(key, 0.0) + c
    ordered = sorted(pairs)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount([a for a, _ in ordered], minlength=n), out=indptr[1:])
    cols = np.array([b for _, b in ordered], dtype=np.int64)
    conf = np.array([pairs[k] for k in ordered], dtype=np.float64)
    return vectors.astype(np.float32).copy(), indptr, cols, conf


def test_empty_and_edgeless_graphs() -> None:
    none = np.zeros(0, dtype=np.int64)
    assert average_linkage(np.zeros((0, 4), np.float32), none, none, none, 0.5, 1.0).size == 0
    labels = average_linkage(np.eye(3, dtype=np.float32), none, none, none, 0.5, 1.0)
    assert labels.tolist() == [0, 1, 2]

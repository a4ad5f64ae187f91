from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simdedup.errors import InputError, StoreError
from simdedup.index.vectors import FLAT_MAX, HNSW_MAX, VectorIndex, choose_kind


def clustered(n: int, dim: int = 64, centers: int = 50, seed: int = 0) -> np.ndarray:
    """Unit vectors around random centres, with some tight near-duplicates: like embeddings."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centers, dim)).astype(np.float32)
    x = c[rng.integers(0, centers, n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    x[: n // 10] = x[n // 10 : 2 * (n // 10)] + 0.05 * rng.standard_normal((n // 10, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def brute_knn(x: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(q @ x.T), axis=1, kind="stable")[:, :k]


def test_choose_kind_cutoffs() -> None:
    assert choose_kind(10) == "flat"
    assert choose_kind(FLAT_MAX) == "flat"
    assert choose_kind(FLAT_MAX + 1) == "hnsw"
    assert choose_kind(HNSW_MAX + 1) == "ivf"
    assert choose_kind(FLAT_MAX + 1, static=True) == "flat"  # --fast: no graph to wait for
    assert choose_kind(HNSW_MAX, static=True) == "flat"
    assert choose_kind(HNSW_MAX + 1, static=True) == "ivf"


def test_flat_is_exact() -> None:
    x = clustered(2000)
    index = VectorIndex("flat").build(x)
    scores, ids = index.search(x[:50], 10)
    np.testing.assert_array_equal(ids, brute_knn(x, x[:50], 10))
    np.testing.assert_allclose(scores[:, 0], 1.0, atol=1e-5)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_knn_recall_against_exact(kind: str) -> None:
    x = clustered(5000)
    q = x[::50]
    truth = brute_knn(x, q, 10)
    _, ids = VectorIndex(kind).build(x).search(q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, truth)])
    assert recall >= 0.95, recall


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_range_search_against_brute_force(kind: str) -> None:
    x = clustered(3000)
    threshold = 0.9
    sims = x @ x.T
    truth = {(i, j) for i, j in zip(*np.nonzero(sims >= threshold))}
    lims, scores, ids = VectorIndex(kind).build(x).range_search(x, threshold)
    found = {(i, int(j)) for i in range(len(x)) for j in ids[lims[i] : lims[i + 1]]}
    assert np.all(scores >= threshold - 1e-6)
    if kind == "flat":
        assert found == truth
    else:
        assert len(found & truth) / len(truth) >= 0.97
        assert found <= truth


def test_hnsw_range_search_of_thousands_of_queries() -> None:
    # faiss 1.15 aborts the whole process on HNSW range searches past ~1,000 queries at d=384;
    # VectorIndex splits them into safe batches and stitches the results together.
    x = clustered(5000, dim=384)
    threshold = 0.9
    lims, scores, ids = VectorIndex("hnsw").build(x).range_search(x[:4096], threshold)
    exact_lims, _, exact_ids = VectorIndex("flat").build(x).range_search(x[:4096], threshold)
    assert len(lims) == 4097 and lims[-1] == len(ids) == len(scores)
    found = {(i, int(j)) for i in range(4096) for j in ids[lims[i] : lims[i + 1]]}
    truth = {(i, int(j)) for i in range(4096) for j in exact_ids[exact_lims[i] : exact_lims[i + 1]]}
    assert found <= truth and len(found) / len(truth) >= 0.97


def test_range_search_includes_scores_equal_to_threshold() -> None:
    x = np.eye(4, dtype=np.float32)
    q = np.array([[0.6, 0.8, 0.0, 0.0]], dtype=np.float32)
    threshold = float(q[0, 1])
    lims, _, ids = VectorIndex("flat").build(x).range_search(q, threshold)
    assert list(ids[lims[0] : lims[1]]) == [1]


def test_add_save_load_roundtrip(tmp_path: Path) -> None:
    x = clustered(600)
    index = VectorIndex("hnsw").build(x[:400])
    index.add(x[400:])
    assert index.ntotal == 600
    index.save(tmp_path / "i.faiss")
    loaded = VectorIndex.load(tmp_path / "i.faiss")
    assert (loaded.kind_, loaded.ntotal, loaded.dim) == ("hnsw", 600, 64)
    np.testing.assert_array_equal(loaded.search(x[500:510], 1)[1][:, 0], np.arange(500, 510))
    assert not (tmp_path / "i.faiss.tmp").exists()


def test_bad_arguments_and_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="index kind must be one of"):
        VectorIndex("annoy")
    index = VectorIndex("flat").build(clustered(20))
    with pytest.raises(InputError, match="k must be an integer >= 1"):
        index.search(clustered(1), 0)
    with pytest.raises(InputError, match="dimension"):
        index.add(np.ones((2, 3), dtype=np.float32))
    bad = tmp_path / "bad.faiss"
    bad.write_bytes(b"not an index")
    with pytest.raises(StoreError, match="cannot read FAISS index"):
        VectorIndex.load(bad)

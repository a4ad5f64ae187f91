"""The dedup self-join: every pair of rows whose cosine similarity reaches a threshold.

Two methods, picked by size with ``method="auto"``:

``exact``
    FAISS flat range search in blocks: all ``n^2 / 2`` inner products through BLAS. Used up to
    :data:`EXACT_MAX` rows, where it takes well under a second or two.
``ivf``
    The rows are split into ``nlist`` k-means cells (trained on a seeded sample) and each row is
    compared only with the rows living in its ``nprobe`` nearest cells, one matrix product per
    cell (the rows probing a cell against the cell's rows). Near-duplicates lie close together,
    so they share a cell or sit in one of each other's nearest cells, and a pair counts if either
    of its rows finds the other. On real paragraph embeddings this keeps >= 99.9 % of the exact
    pairs at cosine 0.8 and 0.9 while doing ``nprobe / nlist`` of the work
    (``benchmarks/README.md``, index suite).

Every pair is returned once, ``src < dst``, with its score (the inner product, i.e. the cosine
of unit vectors).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from simdedup.checks import check_optional_int
from simdedup.errors import InputError
from simdedup.index.vectors import VectorIndex

METHODS = ("auto", "exact", "ivf")
EXACT_MAX = 20_000  # rows; above this "auto" uses the IVF join
QUERY_BATCH = 4096  # rows per range-search call; bounds the memory of one call's results
KNN_QUERY_BATCH = 4096  # rows per k-NN search call of index_graph
TRAIN_PER_CELL = 64  # k-means training rows per cell (a seeded sample)
DEFAULT_NPROBE = 8
BLOCK_CELLS = 1 << 24  # query rows x cell rows per range search (bounds what one returns)


class SelfJoin:
    """All pairs of rows with inner product >= ``threshold``.

    Parameters
    ----------
    threshold:
        Minimum cosine similarity (inner product of unit rows) of a pair.
    method:
        ``"auto"`` (exact up to :data:`EXACT_MAX` rows, else ``"ivf"``), ``"exact"`` or ``"ivf"``.
    nlist:
        IVF cells; ``None`` picks ``sqrt(n)``. More cells make each probe cheaper but put more
        near-duplicate pairs in different cells.
    nprobe:
        IVF cells each row searches; ``None`` picks 8. Time grows in proportion; 4 already
        finds >= 99.7 % of the pairs at cosine >= 0.8 on paragraph embeddings.
    seed:
        Seed of the k-means training sample, so a run is repeatable.

    Attributes
    ----------
    src_, dst_, scores_:
        The pairs after :meth:`fit`, ``src_ < dst_``, sorted by ``(src_, dst_)``.
    method_:
        The method used.
    """

    def __init__(
        self,
        threshold: float,
        *,
        method: str = "auto",
        nlist: int | None = None,
        nprobe: int | None = None,
        seed: int = 0,
    ) -> None:
        self.threshold = threshold
        self.method = method
        self.nlist = nlist
        self.nprobe = nprobe
        self.seed = seed

    def fit(self, vectors: np.ndarray) -> SelfJoin:
        """Find the pairs of ``vectors`` (unit rows, shape ``(n, dim)``)."""
        if self.method not in METHODS:
            raise InputError(f"method must be one of {', '.join(METHODS)}; got {self.method!r}")
        if not -1.0 <= float(self.threshold) <= 1.0:
            raise InputError(f"threshold must be in [-1, 1]; got {self.threshold}")
        for name in ("nlist", "nprobe"):
            check_optional_int(getattr(self, name), name)
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        if x.ndim != 2:
            raise InputError(f"vectors must be a 2-D array; got shape {x.shape}")
        n = len(x)
        method = self.method
        if method == "auto":
            method = "exact" if n <= EXACT_MAX else "ivf"
        self.method_ = method
        threshold = float(self.threshold)
        if n < 2:
            found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        elif method == "exact":
            found = list(range_pairs(VectorIndex("flat").build(x), x, threshold))
        else:
            found = list(_cell_pairs(self._probes(x), x, threshold))
        self.src_, self.dst_, self.scores_ = unique_pairs(found, n)
        return self

    def _probes(self, x: np.ndarray) -> np.ndarray:
        """Each row's ``nprobe`` nearest k-means cells, nearest (its own cell) first."""
        import faiss

        n, dim = x.shape
        nlist = min(self.nlist or max(1, int(math.sqrt(n))), n)
        size = min(n, nlist * TRAIN_PER_CELL)
        sample = x[np.sort(np.random.default_rng(self.seed).choice(n, size=size, replace=False))]
        kmeans = faiss.Kmeans(dim, nlist, niter=10, seed=self.seed, spherical=True)
        kmeans.cp.min_points_per_centroid = 1
        kmeans.train(sample)
        quantizer = faiss.IndexFlatIP(dim)
        quantizer.add(np.ascontiguousarray(kmeans.centroids, dtype=np.float32))
        _, probes = quantizer.search(x, min(self.nprobe or DEFAULT_NPROBE, nlist))
        return np.asarray(probes, dtype=np.int64)


def knn_join(
    vectors: np.ndarray,
    k: int,
    *,
    nlist: int | None = None,
    nprobe: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate ``k`` nearest neighbours of every row among the rows, the IVF way.

    Each row is compared with the rows of its ``nprobe`` nearest k-means cells, one matrix
    product per cell as in :class:`SelfJoin`, keeping a running top ``k`` per row. Returns
    ``(ids, scores)`` of shape ``(n, k)``, best first; a row's own id is left out, and ``-1``
    fills rows with fewer than ``k`` candidates. Far cheaper than ``n`` index searches for
    the k-NN graph of a whole corpus.
    """
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(x)
    best_ids = np.full((n, k), -1, dtype=np.int64)
    best = np.full((n, k), -np.inf, dtype=np.float32)
    if n < 2:
        return best_ids, best
    import faiss

    probes = SelfJoin(0.0, nlist=nlist, nprobe=nprobe, seed=seed)._probes(x)
    for src, members in _cells(probes):
        # the cell's k + 1 best of each row (FAISS: BLAS products and a heap in C++, 2.8x numpy's
        # product and argpartition), then the row itself dropped: its k best but itself
        take = min(k + 1, len(members))
        scores, found = faiss.knn(x[src], x[members], take, metric=faiss.METRIC_INNER_PRODUCT)
        ids = np.where(found >= 0, members[found], -1)
        scores[(ids == src[:, None]) | (found < 0)] = -np.inf
        merged = np.concatenate([best[src], scores], axis=1)
        merged_ids = np.concatenate([best_ids[src], ids], axis=1)
        top = np.argpartition(-merged, k - 1, axis=1)[:, :k]
        best[src] = np.take_along_axis(merged, top, axis=1)
        best_ids[src] = np.take_along_axis(merged_ids, top, axis=1)
    order = np.argsort(-best, axis=1, kind="stable")
    best, best_ids = (
        np.take_along_axis(best, order, axis=1),
        np.take_along_axis(best_ids, order, axis=1),
    )
    best_ids[~np.isfinite(best)] = -1
    return best_ids, best


def range_pairs(
    index: VectorIndex, queries: np.ndarray, threshold: float
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(src, dst, score)`` of a range search of ``queries`` against ``index``, in batches
    of :data:`QUERY_BATCH` queries; ``src`` is the query's position (the exact join when the
    queries are the index's own rows)."""
    for start in range(0, len(queries), QUERY_BATCH):
        lims, scores, found = index.range_search(queries[start : start + QUERY_BATCH], threshold)
        src = np.repeat(np.arange(start, start + len(lims) - 1, dtype=np.int64), np.diff(lims))
        yield src, found, scores


def _cell_pairs(
    probes: np.ndarray, x: np.ndarray, threshold: float
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(src, dst, score)`` of every row against the rows living in each of its probed cells,
    for the pairs scoring at least ``threshold``: a FAISS range search of the rows that probe
    a cell against its rows (BLAS products, filtered in C++; 1.7x numpy's product and
    ``nonzero`` on 292k UNGDC texts, the same pairs)."""
    import faiss

    for src, members in _cells(probes):
        cell = faiss.IndexFlatIP(x.shape[1])
        cell.add(x[members])
        step = max(1, BLOCK_CELLS // len(members))
        for start in range(0, len(src), step):
            queries = src[start : start + step]
            lims, scores, found = cell.range_search(x[queries], threshold)
            yield np.repeat(queries, np.diff(lims).astype(np.int64)), members[found], scores


def _cells(probes: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(queries, members)`` cell by cell: the rows that probe the cell and the rows whose own
    cell it is, in ascending row order. A row meets each cell at most once."""
    n, nprobe = probes.shape
    nlist = int(probes.max()) + 1 if n else 0
    home = probes[:, 0]
    by_home = np.argsort(home, kind="stable")
    home_bounds = np.searchsorted(home[by_home], np.arange(nlist + 1))
    flat = probes.ravel()
    by_probe = np.argsort(flat, kind="stable")
    probe_bounds = np.searchsorted(flat[by_probe], np.arange(nlist + 1))
    for cell in range(nlist):
        members = by_home[home_bounds[cell] : home_bounds[cell + 1]]
        queries = by_probe[probe_bounds[cell] : probe_bounds[cell + 1]] // nprobe
        if len(members) and len(queries):
            yield queries, members


def unique_pairs(
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unordered pair of ``(src, dst, score)`` parts once (``src < dst``, sorted by it,
    the score of its first occurrence), self-pairs and ``dst < 0`` dropped; ``n`` rows."""
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    src = np.concatenate([f[0] for f in found]).astype(np.int64)
    dst = np.concatenate([f[1] for f in found]).astype(np.int64)
    scores = np.concatenate([f[2] for f in found]).astype(np.float32)
    keep = (dst >= 0) & (dst != src)
    key = np.minimum(src[keep], dst[keep]) * n + np.maximum(src[keep], dst[keep])
    unique, first = np.unique(key, return_index=True)
    return unique // n, unique % n, scores[keep][first]


def index_graph(
    vectors: np.ndarray, index: VectorIndex, index_rows: np.ndarray, k: int, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges ``(src, dst, cosine)`` (positions in ``vectors``, ``src < dst``, each once) from the
    ``k`` nearest neighbours of each vector in ``index``, whose row ``index_rows[i]`` holds
    ``vectors[i]``, kept at cosine >= ``threshold``; searched :data:`KNN_QUERY_BATCH` at a time."""
    n = len(vectors)
    if n == 0 or index.ntotal == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    lookup = np.full(max(int(index_rows.max()) + 1, index.ntotal), -1, dtype=np.int64)
    lookup[index_rows] = np.arange(n)
    k = min(k + 1, index.ntotal)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, n, KNN_QUERY_BATCH):
        scores, found = index.search(vectors[start : start + KNN_QUERY_BATCH], k)
        src = np.repeat(np.arange(start, start + len(found)), found.shape[1])
        found, scores = found.reshape(-1), scores.reshape(-1)
        dst = np.where(found >= 0, lookup[np.clip(found, 0, None)], -1)
        keep = scores >= threshold
        parts.append((src[keep], dst[keep], scores[keep]))
    return unique_pairs(parts, n)

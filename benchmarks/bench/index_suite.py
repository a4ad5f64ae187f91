"""Index suite: build time, k-NN throughput and recall@10, and the dedup self-join.

For each corpus size every method runs in its own process (its peak memory is its own) and gives
two rows:

- ``params.task = "knn"``: ``build_s`` (create, train, add all rows), ``search_s`` for the
  1,000 held-out query paragraphs in one batch call, ``qps``, ``recall_at_10`` against exact
  top-10, ``index_bytes`` (the serialised index).
- ``params.task = "self-join"``: every pair of rows with cosine >= the dedup threshold (0.9).
  ``build_s`` is the index build the join needs (repeated from the k-NN row; simdedup's join
  builds its own cells and reports 0), ``search_s`` the join itself; ``extra.total_s`` is both.
  ``pair_recall`` / ``pair_precision`` are against the exact pairs (FAISS flat range search).
  Graph libraries with no range search (hnswlib, usearch) join by a k-NN query of every row
  (``k = JOIN_K``) filtered by the threshold.

Sizes past the real corpus use :func:`bench.data.synthetic` vectors; where an exact join of all
rows would take hours, pair recall is measured on the exact pairs of a seeded sample of rows.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import common, data

THRESHOLD = 0.9  # simdedup's dedup default
K = 10
N_QUERIES = 1_000
JOIN_K = 32
HNSW = {"M": 32, "ef_construction": 80, "ef_search": 128}  # simdedup's HNSW settings
EXACT_JOIN_MAX = 150_000  # above this, pair recall is measured on a sample of rows
SAMPLE_ROWS = 2_000
TRAIN_MAX = 50_000  # IVF / PQ training rows
QUICK_SIZES = (10_000, 100_000)
TASKS = ("knn", "self-join")
FULL_SIZES = (10_000, 100_000, 1_000_000)


# -- methods: each returns (build_s, knn function, join function, index_bytes) -----------------


def _faiss_bytes(index: Any) -> int:
    import faiss

    return int(faiss.serialize_index(index).size)


def _faiss_common(index: Any, x: np.ndarray, train: bool = False) -> float:
    started = time.perf_counter()
    if train:  # on a seeded sample, as FAISS itself advises (256 rows a centroid at most)
        rows = np.random.default_rng(0).choice(len(x), min(len(x), TRAIN_MAX), replace=False)
        index.train(x[np.sort(rows)])
    index.add(x)
    return time.perf_counter() - started


def _faiss_join(index: Any, kind: str) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Join by FAISS range search of every row, through simdedup's wrapper (HNSW in batches of
    512: faiss 1.15 aborts past ~1,000 queries)."""
    from simdedup.index.selfjoin import range_pairs
    from simdedup.index.vectors import VectorIndex

    wrapped = VectorIndex(kind)
    wrapped.kind_, wrapped.index_ = kind, index

    def join(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = list(range_pairs(wrapped, x, THRESHOLD))
        return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])

    return join


def _knn_join(search: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]) -> Any:
    """Join by the k nearest neighbours of every row, filtered by the threshold."""

    def join(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        srcs, dsts = [], []
        for start in range(0, len(x), 8192):
            scores, found = search(x[start : start + 8192], JOIN_K)
            i, j = np.nonzero(scores >= THRESHOLD)
            srcs.append(i + start)
            dsts.append(found[i, j])
        return np.concatenate(srcs), np.concatenate(dsts)

    return join


def build(method: str, x: np.ndarray) -> dict[str, Any]:
    """Build ``method``'s index on ``x``: ``build_s``, ``search(q, k) -> (scores, ids)``,
    ``join(x) -> (src, dst)``, ``index_bytes`` and ``params``."""
    import faiss

    n, dim = x.shape
    nlist = max(1, min(int(4 * math.sqrt(n)), n // 39))
    nprobe = max(8, nlist // 16)
    out: dict[str, Any] = {"params": {}}
    if method == "faiss-flat":
        index = faiss.IndexFlatIP(dim)
        out["build_s"] = _faiss_common(index, x)
    elif method == "faiss-hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW["M"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW["ef_construction"]
        out["build_s"] = _faiss_common(index, x)
        index.hnsw.efSearch = HNSW["ef_search"]
        out["params"] = dict(HNSW)
    elif method in ("faiss-ivf-flat", "faiss-ivf-sq8", "faiss-ivf-pq"):
        quantizer = faiss.IndexFlatIP(dim)
        if method == "faiss-ivf-flat":
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        elif method == "faiss-ivf-sq8":
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
        else:
            index = faiss.IndexIVFPQ(quantizer, dim, nlist, 48, 8, faiss.METRIC_INNER_PRODUCT)
            index.pq.cp.niter = 10
        index.cp.min_points_per_centroid = 1
        out["build_s"] = _faiss_common(index, x, train=True)
        index.nprobe = nprobe
        out["params"] = {"nlist": nlist, "nprobe": nprobe} | (
            {"pq_m": 48, "pq_bits": 8} if method == "faiss-ivf-pq" else {}
        )
    elif method == "simdedup":
        from simdedup.index.vectors import VectorIndex, choose_kind

        started = time.perf_counter()
        vindex = VectorIndex("auto").build(x)
        out["build_s"] = time.perf_counter() - started
        index = vindex.index_
        out["params"] = {"kind": choose_kind(n), "join": "SelfJoin(auto)"}
    elif method == "sklearn-brute":
        from sklearn.neighbors import NearestNeighbors

        started = time.perf_counter()
        nn = NearestNeighbors(algorithm="brute", metric="cosine").fit(x)
        out["build_s"] = time.perf_counter() - started

        def sk_search(q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            dist, ids = nn.kneighbors(q, n_neighbors=k)
            return 1.0 - dist, ids

        def sk_join(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            _, ids = nn.radius_neighbors(q, radius=1.0 - THRESHOLD + 1e-6)
            counts = np.array([len(r) for r in ids], dtype=np.int64)
            src = np.repeat(np.arange(len(q)), counts)
            return src, np.concatenate(ids).astype(np.int64) if len(ids) else src

        out.update(search=sk_search, join=sk_join, index_bytes=int(x.nbytes))
        return out
    elif method == "hnswlib":
        import hnswlib

        started = time.perf_counter()
        h = hnswlib.Index(space="ip", dim=dim)
        h.init_index(max_elements=n, M=HNSW["M"], ef_construction=HNSW["ef_construction"])
        h.add_items(x, np.arange(n))
        out["build_s"] = time.perf_counter() - started
        h.set_ef(HNSW["ef_search"])

        def h_search(q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            if k > HNSW["ef_search"]:
                h.set_ef(k)
            ids, dist = h.knn_query(q, k=k)
            return 1.0 - dist, ids.astype(np.int64)

        with tempfile.TemporaryDirectory() as tmp:
            h.save_index(os.path.join(tmp, "h.bin"))
            size = os.path.getsize(os.path.join(tmp, "h.bin"))
        out.update(search=h_search, join=_knn_join(h_search), index_bytes=size, params=dict(HNSW))
        out["params"]["join_k"] = JOIN_K
        return out
    elif method == "usearch":
        from usearch.index import Index

        started = time.perf_counter()
        u = Index(
            ndim=dim,
            metric="ip",
            dtype="f32",
            connectivity=HNSW["M"],
            expansion_add=HNSW["ef_construction"],
            expansion_search=HNSW["ef_search"],
        )
        u.add(np.arange(n), x)
        out["build_s"] = time.perf_counter() - started

        def u_search(q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            found = u.search(q, k)
            keys = np.asarray(found.keys, dtype=np.int64).reshape(len(q), -1)
            dist = np.asarray(found.distances, dtype=np.float32).reshape(len(q), -1)
            return 1.0 - dist, keys

        with tempfile.TemporaryDirectory() as tmp:
            u.save(os.path.join(tmp, "u.usearch"))
            size = os.path.getsize(os.path.join(tmp, "u.usearch"))
        out.update(
            search=u_search,
            join=_knn_join(u_search),
            index_bytes=size,
            params=dict(HNSW) | {"dtype": "f32", "join_k": JOIN_K},
        )
        return out
    else:
        raise ValueError(f"unknown method {method!r}")
    out["search"] = lambda q, k: index.search(np.ascontiguousarray(q), k)
    kind = "hnsw" if method == "faiss-hnsw" else "ivf" if "ivf" in method else "flat"
    out["join"] = _faiss_join(index, kind)
    out["index_bytes"] = _faiss_bytes(index)
    return out


METHODS = (
    "simdedup",
    "faiss-flat",
    "faiss-hnsw",
    "faiss-ivf-flat",
    "faiss-ivf-sq8",
    "faiss-ivf-pq",
    "sklearn-brute",
    "hnswlib",
    "usearch",
)
# methods whose self-join is skipped above this many rows (hours at 1M on 2 cores)
JOIN_MAX = {"faiss-flat": 150_000, "sklearn-brute": 150_000, "faiss-hnsw": 150_000}
# --quick: the slowest alternative joins (1-2.5 min each at 100k) only up to 10k
QUICK_JOIN_MAX = {
    "sklearn-brute": 10_000,
    "usearch": 10_000,
    "hnswlib": 10_000,
    "faiss-ivf-flat": 10_000,
}
KNN_MAX = {"sklearn-brute": 150_000}


def measure(
    method: str,
    vectors_path: str,
    queries_path: str,
    truth_path: str,
    join_max: int,
    tasks: tuple[str, ...] = TASKS,
) -> dict[str, Any]:
    """Runs in a fresh process: build, k-NN, self-join (up to ``join_max`` rows); returns the
    numbers."""
    x = np.load(vectors_path)
    q = np.load(queries_path)
    truth = np.load(truth_path)
    n = len(x)
    if "knn" in tasks or method != "simdedup":  # simdedup's join needs no index
        built = build(method, x)
        out: dict[str, Any] = {
            "build_s": built["build_s"],
            "index_bytes": built["index_bytes"],
            "params": built["params"],
        }
    else:
        built, out = {}, {"build_s": 0.0, "index_bytes": None, "params": {}}
    if "knn" in tasks and n <= KNN_MAX.get(method, n):
        built["search"](q[:10], K)  # warm up
        started = time.perf_counter()
        _, found = built["search"](q, K)
        out["search_s"] = time.perf_counter() - started
        out["recall_at_10"] = float(
            np.mean([len(set(f[:K]) & set(t[:K])) / K for f, t in zip(found, truth["knn"])])
        )
    if "self-join" in tasks and n <= join_max:
        started = time.perf_counter()
        if method == "simdedup":
            from simdedup.index.selfjoin import SelfJoin

            joined = SelfJoin(THRESHOLD).fit(x)
            src, dst = joined.src_, joined.dst_
            out["join_params"] = {"method": joined.method_}
        else:
            src, dst = built["join"](x)
        out["join_s"] = time.perf_counter() - started
        out["pair_recall"], out["pair_precision"], out["pairs"] = _pair_scores(src, dst, n, truth)
    return out


def _pair_keys(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    keep = (dst >= 0) & (dst != src)
    a, b = src[keep].astype(np.int64), dst[keep].astype(np.int64)
    return np.unique(np.minimum(a, b) * n + np.maximum(a, b))


def _pair_scores(src: np.ndarray, dst: np.ndarray, n: int, truth: Any) -> tuple[float, float, int]:
    """Pair recall and precision against the exact pairs (of all rows, or of the sampled rows)."""
    found = _pair_keys(src, dst, n)
    exact = truth["pairs"]
    if "sample" in truth.files:
        sample = truth["sample"]
        a, b = found // n, found % n
        found = found[np.isin(a, sample) | np.isin(b, sample)]
    hit = int(np.isin(found, exact).sum())
    recall = hit / len(exact) if len(exact) else 1.0
    precision = hit / len(found) if len(found) else 1.0
    return round(recall, 4), round(precision, 4), len(found)


def ground_truth(x: np.ndarray, q: np.ndarray, path: Path) -> None:
    """Exact top-10 of the queries and exact pairs >= THRESHOLD (all rows, or a sample)."""
    from simdedup.index.selfjoin import SelfJoin, range_pairs
    from simdedup.index.vectors import VectorIndex

    index = VectorIndex("flat").build(x)
    _, knn = index.search(q, K)
    n = len(x)
    if n <= EXACT_JOIN_MAX:
        joined = SelfJoin(THRESHOLD, method="exact").fit(x)
        pairs = joined.src_ * n + joined.dst_
        np.savez(path, knn=knn, pairs=pairs)
        return
    sample = np.sort(np.random.default_rng(0).choice(n, SAMPLE_ROWS, replace=False))
    found = list(range_pairs(index, x[sample], THRESHOLD))
    src = sample[np.concatenate([f[0] for f in found])]
    pairs = _pair_keys(src, np.concatenate([f[1] for f in found]), n)
    np.savez(path, knn=knn, pairs=pairs, sample=sample)


def corpus_vectors(n: int) -> tuple[np.ndarray, str]:
    """Real UNGDC embeddings for sizes the corpus has, else synthetic ones shaped like them."""
    real = 100_000
    if n <= real:
        return np.asarray(data.embeddings(data.ungdc(n))), "ungdc (real)"
    base = np.asarray(data.embeddings(data.ungdc(real)))
    return data.synthetic(n, base), "synthetic (seeded, from 100k real)"


def run(
    quick: bool,
    methods: tuple[str, ...] = METHODS,
    sizes: tuple[int, ...] | None = None,
    tasks: tuple[str, ...] = TASKS,
) -> list[dict[str, Any]]:
    sizes = sizes or (QUICK_SIZES if quick else FULL_SIZES)
    queries = np.asarray(data.embeddings(data.ungdc_queries(N_QUERIES)), dtype=np.float32)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=data.cache_dir()) as tmp:
        q_path = os.path.join(tmp, "queries.npy")
        np.save(q_path, queries)
        for n in sizes:
            x, source = corpus_vectors(n)
            x_path = os.path.join(tmp, f"x{n}.npy")
            np.save(x_path, np.ascontiguousarray(x, dtype=np.float32))
            truth_path = data.cache_dir() / f"truth-{n}-{THRESHOLD}-{source.split()[0]}.npz"
            if not truth_path.exists():
                print(f"  exact ground truth for n={n:,} ...", flush=True)
                ground_truth(np.asarray(x, dtype=np.float32), queries, truth_path)
            del x
            for method in methods:
                print(f"  index {method} n={n:,} ...", flush=True)
                join_max = min(
                    JOIN_MAX.get(method, n), (QUICK_JOIN_MAX if quick else {}).get(method, n)
                )
                got = common.isolated(
                    measure, method, x_path, q_path, str(truth_path), join_max, tasks
                )
                rows.extend(_rows(method, n, source, got))
    return rows


def _rows(method: str, n: int, source: str, got: dict[str, Any]) -> list[dict[str, Any]]:
    dim = 384
    if "error" in got:
        print(f"    failed: {got['error']}")
        return [common.row("index", method, n=n, dim=dim, extra={"error": got["error"]})]
    base = {"n": n, "dim": dim, "peak_rss_mb": got["peak_rss_mb"]}
    rows = []
    if "search_s" in got:
        rows.append(
            common.row(
                "index",
                method,
                **base,
                params={"task": "knn", "k": K, **got["params"]},
                build_s=got["build_s"],
                search_s=got["search_s"],
                qps=N_QUERIES / got["search_s"],
                recall_at_10=round(got["recall_at_10"], 4),
                index_bytes=got["index_bytes"],
                extra={"data": source, "queries": N_QUERIES},
            )
        )
    if "join_s" in got:
        build_s = 0.0 if method == "simdedup" else got["build_s"]
        rows.append(
            common.row(
                "index",
                method,
                **base,
                params={"task": "self-join", "threshold": THRESHOLD, **got["params"]}
                | got.get("join_params", {}),
                build_s=build_s,
                search_s=got["join_s"],
                qps=n / got["join_s"],
                pair_recall=got["pair_recall"],
                pair_precision=got["pair_precision"],
                index_bytes=None if method == "simdedup" else got["index_bytes"],
                extra={
                    "data": source,
                    "total_s": round(build_s + got["join_s"], 2),
                    "pairs": got["pairs"],
                },
            )
        )
    return rows

"""A FAISS wrapper: exact (flat) and approximate (HNSW, IVF) inner-product search on unit vectors.

Rows are numbered in the order they were added; callers map row numbers to their own ids. With
unit-length vectors the inner product is the cosine similarity, so every score is in [-1, 1].

``kind="auto"`` picks by size (see :func:`choose_kind`):

========================  ==========  ==================================================
rows                      kind        why
========================  ==========  ==================================================
<= 50,000                 flat        exact; a query scans 50k x 384 floats in ~5 ms
50,001 - 1,000,000        hnsw        M=32 graph, sub-millisecond queries, adds cheaply
> 1,000,000               ivf         IVF-Flat, nlist ~ 4 sqrt(n): builds fast, less memory
========================  ==========  ==================================================

A store of static (``--fast``) vectors stays ``flat`` up to 1,000,000 rows: its first look
should not wait for a graph (HNSW took 45 s on 292k UNGDC paragraphs and found 93 % of the
exact top 10), and its 256 dimensions keep an exact query at 20 ms there.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from simdedup.checks import check_int
from simdedup.errors import InputError, StoreError

KINDS = ("auto", "flat", "hnsw", "ivf")
FLAT_MAX = 50_000
HNSW_MAX = 1_000_000
HNSW_RANGE_BATCH = 512  # queries per HNSW range-search call (see range_search)


def choose_kind(n: int, static: bool = False) -> str:
    """The index kind ``auto`` picks for ``n`` rows (of a static model's vectors: ``static``)."""
    if n <= (HNSW_MAX if static else FLAT_MAX):
        return "flat"
    if n <= HNSW_MAX:
        return "hnsw"
    return "ivf"


def _faiss() -> Any:
    import faiss

    return faiss


class VectorIndex:
    """Inner-product k-NN and range search over unit vectors.

    Parameters
    ----------
    kind:
        ``auto``, ``flat`` (exact), ``hnsw`` or ``ivf``.
    hnsw_m:
        HNSW graph degree; memory grows by ``2 x M x 4`` bytes a row.
    ef_construction, ef_search:
        HNSW candidate-list sizes when building and searching; larger is slower and more exact.
    nlist:
        IVF cells; ``None`` picks ``4 sqrt(n)`` (at least 39 training rows a cell).
    nprobe:
        IVF cells visited per query; ``None`` picks ``max(8, nlist // 16)``.
    """

    def __init__(
        self,
        kind: str = "auto",
        *,
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 128,
        nlist: int | None = None,
        nprobe: int | None = None,
    ) -> None:
        if kind not in KINDS:
            raise InputError(f"index kind must be one of {', '.join(KINDS)}; got {kind!r}")
        self.kind = kind
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.nlist = nlist
        self.nprobe = nprobe
        self.kind_: str | None = None
        self.index_: Any = None

    # -- building -----------------------------------------------------------------------------

    def build(self, vectors: np.ndarray) -> VectorIndex:
        """Create the index for ``vectors`` (training IVF on them) and add them."""
        x = _as_matrix(vectors)
        faiss = _faiss()
        n, dim = x.shape
        kind = choose_kind(n) if self.kind == "auto" else self.kind
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = self.ef_construction
        else:
            nlist = self.nlist or max(1, min(int(4 * math.sqrt(n)), n // 39))
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.cp.min_points_per_centroid = 1
            index.train(x if n > 0 else np.zeros((1, dim), dtype=np.float32))
        self.kind_, self.index_ = kind, index
        self._tune()
        if n:
            index.add(x)
        return self

    def add(self, vectors: np.ndarray) -> None:
        """Append rows; they get the next row numbers."""
        x = _as_matrix(vectors)
        if x.shape[1] != self.dim:
            raise InputError(f"vectors have dimension {x.shape[1]}; the index has {self.dim}")
        if len(x):
            self._index().add(x)

    def _tune(self) -> None:
        index = self.index_
        if self.kind_ == "hnsw":
            index.hnsw.efSearch = self.ef_search
        elif self.kind_ == "ivf":
            index.nprobe = min(self.nprobe or max(8, index.nlist // 16), index.nlist)

    # -- properties ---------------------------------------------------------------------------

    @property
    def ntotal(self) -> int:
        return int(self._index().ntotal)

    @property
    def dim(self) -> int:
        return int(self._index().d)

    def _index(self) -> Any:
        if self.index_ is None:
            raise RuntimeError("the index is not built; call build() or load() first")
        return self.index_

    # -- searching ----------------------------------------------------------------------------

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(D, I)`` of the ``k`` nearest rows of each query; missing neighbours are ``-1``."""
        check_int(k, "k")
        q = _as_matrix(queries)
        k = min(k, max(self.ntotal, 1))
        distances, ids = self._index().search(q, k)
        return distances, ids

    def range_search(
        self, queries: np.ndarray, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(lims, D, I)``: rows with similarity >= ``threshold``; query i owns
        ``D[lims[i]:lims[i+1]]`` and ``I[lims[i]:lims[i+1]]``."""
        q = _as_matrix(queries)
        # FAISS keeps inner products strictly above the radius; step just below the threshold.
        radius = float(np.nextafter(np.float32(threshold), np.float32(-np.inf)))
        # faiss 1.15's HNSW range search aborts the process (RangeSearchResult::do_allocation)
        # for batches past about 1,000 queries; smaller batches are safe and as fast.
        step = HNSW_RANGE_BATCH if self.kind_ == "hnsw" else max(len(q), 1)
        parts = [
            self._index().range_search(q[s : s + step], radius) for s in range(0, len(q), step)
        ]
        if len(parts) == 1:
            lims, distances, ids = parts[0]
            return lims.astype(np.int64), distances, ids.astype(np.int64)
        counts = np.concatenate([np.diff(p[0].astype(np.int64)) for p in parts])
        lims = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        distances = np.concatenate([p[1] for p in parts])
        ids = np.concatenate([p[2] for p in parts]).astype(np.int64)
        return lims, distances, ids

    def stored_vectors(self, view: bool = False) -> np.ndarray:
        """Every row's vector as the index holds it, in row order (``simdedup check --full``
        compares them with the embedding cache). With ``view``, a flat index's rows are
        returned in place, read-only: valid while this index lives, and no copy."""
        index = self._index()
        if view and self.kind_ == "flat":
            faiss = _faiss()
            held = faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d)
            held = np.asarray(held).reshape(index.ntotal, index.d)
            held.flags.writeable = False
            return held
        if self.kind_ == "ivf":
            _faiss().extract_index_ivf(index).make_direct_map()
        return np.asarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32)

    # -- persistence --------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` atomically (a temporary file, then a rename)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        _faiss().write_index(self._index(), str(tmp))
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path, **settings: Any) -> VectorIndex:
        """Read an index written by :meth:`save`; raises :class:`StoreError` if unreadable."""
        faiss = _faiss()
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
            raise StoreError(f"{path}: cannot read FAISS index ({first[:200]})") from None
        if isinstance(index, faiss.IndexHNSWFlat):
            kind = "hnsw"
        elif isinstance(index, faiss.IndexIVFFlat):
            kind = "ivf"
        elif isinstance(index, faiss.IndexFlatIP):
            kind = "flat"
        else:
            raise StoreError(f"{path}: unsupported FAISS index type {type(index).__name__}")
        out = cls(kind, **settings)
        out.kind_, out.index_ = kind, index
        out._tune()
        return out


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2:
        raise InputError(f"vectors must be a 2-D array; got shape {x.shape}")
    return x

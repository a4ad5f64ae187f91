"""Clustering of paragraphs that make the same claim, from the index's sparse neighbour graph.

1. Candidate graph: every distinct text's ``k`` nearest neighbours in the vector index, kept
   when their cosine reaches ``threshold``. No dense N x N matrix is ever built.
2. Details: a candidate pair whose texts state different figures (another anniversary, another
   sum, another count) is marked as a conflict.
3. Average linkage (UPGMA) on that graph: clusters merge, best first, while the mean score over
   all their cross pairs stays at or above ``threshold``; a conflicting pair scores its cosine
   minus ``penalty``. Unlike single-linkage components, a cluster must hang together as a
   whole, so one stray edge cannot chain two claims into one.

Measured on benchmarks/data (see benchmarks/README.md): Leiden (constant Potts model) on the
same graph scored far lower on the sample corpus, because pairs missing from the sparse graph
count as zero there; a conflict check on names (another country or forum) helped the
adversarial development set but split real multi-sentence paragraphs, so it is not used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from simdedup.checks import check_int, check_number
from simdedup.cluster.figures import figures, figures_conflict
from simdedup.embed import claim_model
from simdedup.embed.claim_model import CLAIM_MODEL
from simdedup.errors import InputError
from simdedup.index.selfjoin import index_graph, knn_join, unique_pairs

if TYPE_CHECKING:
    from simdedup.engines.base import Engine
    from simdedup.index.vectors import VectorIndex

KNN_JOIN_MIN = 50_000  # above this many texts the graph comes from an IVF k-NN self-join, not
# one index search per text (at 2,600 HNSW queries/s, 292k texts would take 110 s; the join
# builds the 100k UNGDC graph in 19 s)
KNN_NPROBE = 16  # cells each text searches in that join
# all-MiniLM-L6-v2's defaults (benchmarks/README.md); the claim model's are chosen for it on dev
DEFAULT_THRESHOLD = 0.62  # mean cosine a talking point keeps
DEFAULT_PENALTY = 1.0  # taken off the cosine of a pair whose figures conflict
# for claim units (shorter texts, one claim each), chosen on benchmarks/data/units/dev.jsonl
UNIT_THRESHOLD = 0.48  # the claim model (benchmarks/README.md: chosen on the claim-unit dev set)
UNIT_BASE_THRESHOLD = 0.62  # all-MiniLM-L6-v2's: its paragraph default, not tuned for units
# the static (--fast) model's, on centred vectors (:func:`centred`), chosen on talking points
# dev (ARI 0.453 against 0.406 at its best raw threshold, 0.62; benchmarks/README.md)
STATIC_THRESHOLD = 0.26
_Work = TypeVar("_Work")
_Here = TypeVar("_Here")


class ClaimClusterer:
    """Cluster unit vectors by the claim their texts make; ``fit`` sets ``labels_`` (one
    cluster number per vector) and ``edges_`` (the candidate graph, ``src < dst``)."""

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        k: int = 20,
        penalty: float = DEFAULT_PENALTY,
        check_figures: bool = True,
        engine: Engine | None = None,
    ) -> None:
        self.threshold = threshold
        self.engine = engine
        self.k = k
        self.penalty = penalty
        self.check_figures = check_figures

    def fit(
        self,
        vectors: np.ndarray,
        texts: Sequence[str] | Callable[[Sequence[int]], list[str]],
        index: VectorIndex | None = None,
        index_rows: np.ndarray | None = None,
        meanwhile: Callable[[Callable[[], bool]], object] | None = None,
    ) -> ClaimClusterer:
        """Cluster ``vectors``. ``texts`` are their texts (for the figure check): a list, or a
        function of positions returning the texts at those positions (a store's texts stay on
        disk). ``index``, whose row ``index_rows[i]`` holds ``vectors[i]``, is searched for
        neighbours; without one, a flat index is built here. ``meanwhile(busy)`` runs on this
        thread while the compiled linkage runs on another (it needs no GIL); ``busy()`` says
        whether the linkage still runs."""
        if not callable(texts):
            listed = list(texts)
            if len(listed) != len(vectors):
                raise InputError(f"texts must have one entry per vector ({len(vectors)})")
            texts = lambda positions: [listed[i] for i in positions]  # noqa: E731
        check_number(self.threshold, "threshold", 0.0, 1.0, low_open=True)
        check_int(self.k, "k")
        n = len(vectors)
        if self.check_figures and n > KNN_JOIN_MIN and self.engine is None:
            # the k-NN join runs in FAISS without the GIL: every text's figures are read here
            # meanwhile, not after it (the figures of texts on no edge are read for nothing)
            (src, dst, sim), stated = _beside(
                lambda: self.graph(vectors, index, index_rows),
                lambda busy: figures_of(texts, np.arange(n)),
            )
            conflict = figure_conflicts(src, dst, stated)
        else:
            src, dst, sim = self.graph(vectors, index, index_rows)
            conflict = np.zeros(len(src), dtype=np.float32)
            if self.check_figures and len(src):
                involved = np.unique(np.concatenate([src, dst]))
                conflict = figure_conflicts(src, dst, figures_of(texts, involved))
        self.edges_ = (src, dst, sim)

        def link() -> np.ndarray:
            return average_linkage(vectors, src, dst, conflict, self.threshold, self.penalty)

        self.labels_ = link() if meanwhile is None else _beside(link, meanwhile)[0]
        return self

    def graph(
        self,
        vectors: np.ndarray,
        index: VectorIndex | None = None,
        index_rows: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate edges ``(src, dst, cosine)``, one per pair with ``src < dst``: the ``k``
        nearest neighbours of each vector with cosine >= ``threshold`` (two clusters whose
        mean cross-pair cosine reaches the threshold have at least one such pair). Above
        :data:`KNN_JOIN_MIN` vectors the neighbours come from an approximate IVF join instead
        of ``index``; with an ``engine`` (:class:`~simdedup.engines.ray.RayEngine`) they come
        from its cluster, each vector searched within its k-means partitions."""
        n = len(vectors)
        if self.engine is not None:  # the k-NN search runs partition by partition on Ray
            chunks = [(np.arange(n, dtype=np.int64), vectors)]
            return self.engine.neighbours(chunks, n, self.k, self.threshold)
        if n > KNN_JOIN_MIN:
            return self._joined_graph(vectors)
        if index is None or index_rows is None:
            from simdedup.index.vectors import VectorIndex

            index = VectorIndex("flat").build(vectors)
            index_rows = np.arange(n)
        return index_graph(vectors, index, index_rows, self.k, self.threshold)

    def _joined_graph(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The graph from the IVF k-NN self-join (:func:`simdedup.index.selfjoin.knn_join`)."""
        n = len(vectors)
        ids, scores = knn_join(vectors, self.k, nprobe=KNN_NPROBE)
        src = np.repeat(np.arange(n, dtype=np.int64), ids.shape[1])
        dst, sim = ids.reshape(-1), scores.reshape(-1)
        keep = sim >= self.threshold
        return unique_pairs([(src[keep], dst[keep], sim[keep])], n)


def model_defaults(model: str, unit: str = "paragraph") -> tuple[float, float]:
    """The talking-point ``(threshold, penalty)`` for vectors of ``model`` clustering ``unit``
    (``"claim"`` units or whole ``"paragraph"``s): those chosen on dev for the claim model
    (:func:`simdedup.embed.claim_model.defaults`), else all-MiniLM-L6-v2's."""
    if model == CLAIM_MODEL:
        chosen = claim_model.defaults()
        if unit == "claim":
            return UNIT_THRESHOLD, chosen.figure_penalty
        return chosen.talking_point_threshold, chosen.figure_penalty
    return (UNIT_BASE_THRESHOLD if unit == "claim" else DEFAULT_THRESHOLD), DEFAULT_PENALTY


def centred(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` less their mean, normalised again. A static model's vectors of long texts
    share one dominant direction (random UNGDC paragraphs meet at cosine 0.68), so any
    threshold that splits claims chains whole corpora; centred, they meet at about 0."""
    x = np.asarray(vectors, dtype=np.float32)
    out: np.ndarray = x - x.mean(axis=0)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


Figures = tuple[np.ndarray, list[frozenset[float]]]  # positions, and the figures of each


def figures_of(texts: Callable[[Sequence[int]], list[str]], positions: np.ndarray) -> Figures:
    """The figures stated by the texts at ``positions`` (ascending), with those positions."""
    return positions, [figures(t) for t in texts([int(i) for i in positions])]


def figure_conflicts(src: np.ndarray, dst: np.ndarray, stated: Figures) -> np.ndarray:
    """1.0 on each edge whose two texts state different figures, else 0.0; ``stated`` covers
    every position on an edge."""
    positions, found = stated
    conflict = np.zeros(len(src), dtype=np.float32)
    if not len(src):
        return conflict
    a, b = np.searchsorted(positions, src), np.searchsorted(positions, dst)
    some = np.array([bool(f) for f in found], dtype=bool)
    both = np.flatnonzero(some[a] & some[b])  # a conflict needs figures on both sides
    conflict[both] = [
        figures_conflict(found[i], found[j]) for i, j in zip(a[both].tolist(), b[both].tolist())
    ]
    return conflict


def _beside(
    work: Callable[[], _Work], here: Callable[[Callable[[], bool]], _Here]
) -> tuple[_Work, _Here]:
    """``work()`` on a worker thread while ``here(busy)`` runs on this one; ``busy()`` says
    whether ``work`` still runs."""
    import threading

    done: list[_Work] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # re-raised on this thread
            failed.append(exc)

    worker = threading.Thread(target=run, name="simdedup-cluster", daemon=True)
    worker.start()
    got = here(worker.is_alive)
    worker.join()
    if failed:
        raise failed[0]
    return done[0], got


def average_linkage(
    vectors: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    conflict: np.ndarray,
    threshold: float,
    penalty: float,
) -> np.ndarray:
    """Average linkage (UPGMA) restricted to the candidate graph, exact and sparse.

    For unit vectors the mean cosine over all pairs across clusters ``A`` and ``B`` is
    ``sum(A) . sum(B) / (|A| |B|)``, so each cluster keeps only its sum vector. Clusters joined
    by a candidate edge merge, best first, while their mean pairwise score stays at or above
    ``threshold``; the score is the mean cosine minus ``penalty`` times the share of cross
    pairs in conflict (known on candidate edges). Returns one label per vector. The loop is
    compiled (:mod:`simdedup.cluster.upgma`, numba)."""
    from simdedup.cluster.upgma import upgma

    if len(vectors) == 0:
        return np.zeros(0, dtype=np.int64)
    roots = upgma(vectors, src, dst, conflict, threshold, penalty)
    return np.unique(roots, return_inverse=True)[1].reshape(-1).astype(np.int64)

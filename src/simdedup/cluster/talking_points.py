"""Talking points: the same claim reworded by many outlets, with who said it and first.

:class:`TalkingPointFinder` cuts every paragraph of a store into claim units
(:mod:`simdedup.units`), clusters the whole paragraphs and the units by claim
(:class:`~simdedup.cluster.linkage.ClaimClusterer`), merges the two
(:mod:`simdedup.cluster.claims`), and reports each cluster with every paragraph that joined it
as a whole or through one of its units: a paragraph that makes three claims can be a member of
three talking points. Each is then described (:mod:`simdedup.cluster.describe`): its keywords
(:mod:`simdedup.cluster.keywords`), its representative (the medoid: the member with the highest
mean cosine to the others), outlets, speakers, first and last sighting, a timeline, and each
member's provenance (the earliest earlier member it most likely copies). ``unit="paragraph"``
clusters whole paragraphs only (each in at most one talking point), as before claim units.

Ids are stable: a store remembers which talking point each text (unit or paragraph) belonged
to, and a new run gives a cluster the id that most of its members had before. A cluster with no
history gets an id made from the text of its earliest member, so re-running on the same input
without a store gives the same ids too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from typing import TYPE_CHECKING

import numpy as np

from simdedup.checks import check_date, check_int, check_number
from simdedup.cluster.describe import assign_ids, corpus_summary, describe
from simdedup.cluster.linkage import STATIC_THRESHOLD, ClaimClusterer, centred, model_defaults
from simdedup.cluster.result import TalkingPoint, TalkingPointsResult
from simdedup.duplicates.groups import default_threshold, members_by_label
from simdedup.errors import InputError
from simdedup.paragraph import ClaimUnit
from simdedup.store.inputs import Corpus, load, make_encoder_for

_log = logging.getLogger("simdedup")

if TYPE_CHECKING:
    from simdedup.cluster.keywords import TermRows
    from simdedup.embed.encoder import Encoder
    from simdedup.engines.base import Engine
    from simdedup.index.vectors import VectorIndex
    from simdedup.store.catalog import ParagraphTable, StoredParagraph
    from simdedup.store.store import Store
    from simdedup.units.split import UnitSplitter
    from simdedup.units.table import UnitTable

PERIODS = ("auto", "week", "month")
UNITS = ("auto", "claim", "paragraph")
# Default fewest outlets: a line three outlets repeat is a talking point; a corpus with fewer
# outlets (one ministry's transcripts) asks for as many as it has. On examples/, paragraph mode
# reports 21 talking points instead of 45, all 8 planted ones among them (benchmarks/README.md).
AUTO_OUTLETS = 3
BACKGROUND = 5000  # unclustered texts sampled as "the rest of the corpus" for keywords
# from this many texts, the labels' terms are read while the linkage runs (on another core);
# 292k UNGDC texts: 33 s of reading beside 61 s of linkage, labels 50 -> 25 s
READ_AHEAD_MIN = 50_000
READ_AHEAD_BATCH = 5000  # texts read at a time (the reading stops when the linkage does)

__all__ = ["TalkingPoint", "TalkingPointFinder", "TalkingPointsResult"]


@dataclass
class _Items:
    """What was clustered, one entry per item (in claim mode the units, then the paragraphs
    as wholes; in paragraph mode the paragraphs): its paragraph (a table position), its row in
    ``vectors`` (one per distinct text), its text's hash and whether it is in scope (the
    filters); ``text_of`` gives the texts of rows of ``vectors``, and ``after`` holds the rows
    that follow them (claim mode: the whole paragraphs' vectors after the units', kept apart
    rather than copied into one array)."""

    paragraph: np.ndarray
    vector: np.ndarray
    hashes: list[str]
    scope: np.ndarray
    vectors: np.ndarray
    text_of: Callable[[Sequence[int]], list[str]]
    units: UnitTable | None = None
    after: np.ndarray | None = None

    @property
    def n_vectors(self) -> int:
        return len(self.vectors) + (0 if self.after is None else len(self.after))

    def rows(self, at: np.ndarray) -> np.ndarray:
        """The vectors of rows ``at`` (of ``vectors``, then ``after``)."""
        if self.after is None:
            return np.asarray(self.vectors[at], dtype=np.float32)
        n = len(self.vectors)
        out = np.empty((len(at), self.vectors.shape[1]), dtype=np.float32)
        low = at < n
        out[low] = self.vectors[at[low]]
        out[~low] = self.after[at[~low] - n]
        return out


class TalkingPointFinder:
    """Find talking points in a store; ``fit`` sets ``result_`` and ``labels_``.

    ``unit`` is what is clustered: ``"claim"`` the claim units of each paragraph
    (:mod:`simdedup.units`; a paragraph joins every talking point one of its units joins),
    ``"paragraph"`` whole paragraphs (each in one talking point at most), or ``"auto"`` (the
    default): claim units, but whole paragraphs on a static (``--fast``) store without a
    speaker filter, whose first look should not wait for the parser; ``unit_`` says which
    ran. Claim mode clusters
    both and merges them (:mod:`simdedup.cluster.claims`). ``labels_`` holds one number per
    paragraph of ``store.table()``: its strongest talking point, the one its whole text joined
    (an index into ``result_.talking_points``; -1 when its whole text joined none, though its
    units may be members of some). In
    claim mode ``units_`` (a :class:`~simdedup.units.table.UnitTable`) and ``unit_labels_`` give
    every unit and its talking point. The filters (``since``, ``until``, ``only_outlets``,
    ``speakers``: units said by one of these people, a full name or a part such as "Lavrov")
    pick the members that count; clustering always runs on the whole store, so ids do not depend
    on filters.
    ``threshold`` (the mean cosine a talking point keeps) and ``penalty`` (taken off the cosine
    of two paragraphs stating conflicting figures) default to those chosen for the store's
    model (:func:`simdedup.cluster.linkage.model_defaults`). A talking point is reported when it
    has ``min_size`` members in scope from ``min_outlets`` outlets (default: :data:`AUTO_OUTLETS`,
    or every outlet of a corpus with fewer; ``result_.min_outlets`` says which).
    ``fit`` never changes its input's contents (claim mode keeps the units' parses and vectors
    in the store's embedding cache, for the next run): :meth:`save` stores the ids in a store,
    so that later runs keep them (the CLI does so for ``--store``). ``encoder`` embeds a list
    of texts (default: the claim model); ``engine`` (a
    :class:`~simdedup.engines.ray.RayEngine`) builds the neighbour graph on a Ray cluster; the
    clustering and everything after it run here, as without one. ``splitter`` cuts units
    (default: :class:`~simdedup.units.split.UnitSplitter`); ``progress(stage, n)`` is called
    as units are cut and embedded.
    """

    def __init__(
        self,
        threshold: float | None = None,
        *,
        penalty: float | None = None,
        min_size: int = 2,
        min_outlets: int | None = None,
        since: str | None = None,
        until: str | None = None,
        only_outlets: list[str] | None = None,
        period: str = "auto",
        check_figures: bool = True,
        encoder: Encoder | str | None = None,
        engine: Engine | None = None,
        unit: str = "auto",
        speakers: list[str] | None = None,
        splitter: UnitSplitter | None = None,
        progress: Callable[[str, int], None] | None = None,
    ) -> None:
        self.unit = unit
        self._static = False  # set per fit: the store's vectors are a static model's
        self.speakers = speakers
        self.splitter = splitter
        self.progress = progress
        self.threshold = threshold
        self.penalty = penalty
        self.engine = engine
        self.min_size = min_size
        self.min_outlets = min_outlets
        self.since = since
        self.until = until
        self.only_outlets = only_outlets
        self.period = period
        self.check_figures = check_figures
        self.encoder = encoder

    def _check(self, store: Store) -> tuple[float, float, str | None, str | None]:
        model = store.model
        if self.unit not in UNITS:
            raise InputError(f"unit must be one of {', '.join(UNITS)}; got {self.unit!r}")
        self._static = store.backend == "static"
        self.unit_ = self.unit
        if self.unit == "auto":  # the static model's first look skips the parser's cut
            self.unit_ = "paragraph" if self._static and not self.speakers else "claim"
        if self.speakers is not None and (
            isinstance(self.speakers, str)
            or not all(isinstance(s, str) and s.strip() for s in self.speakers)
        ):
            raise InputError(f"speakers must be a list of names; got {self.speakers!r}")
        default_threshold, default_penalty = model_defaults(model, self.unit_)
        if self._static:
            default_threshold = STATIC_THRESHOLD
        threshold = default_threshold
        if self.threshold is not None:  # a mean cosine a cluster keeps: above 0, at most 1
            threshold = check_number(self.threshold, "threshold", 0.0, 1.0, low_open=True)
        penalty = check_number(
            default_penalty if self.penalty is None else self.penalty, "penalty", 0.0
        )
        check_int(self.min_size, "min_size", minimum=2)
        if self.min_outlets is not None:
            check_int(self.min_outlets, "min_outlets")
        if self.period not in PERIODS:
            raise InputError(f"period must be one of {', '.join(PERIODS)}; got {self.period!r}")
        since, until = check_date(self.since, "since"), check_date(self.until, "until")
        return threshold, float(penalty), since, until

    def fit(
        self,
        data: Corpus,
        *,
        outlets: Sequence[str | None] | None = None,
        dates: Sequence[str | None] | None = None,
        embeddings: np.ndarray | None = None,
    ) -> TalkingPointFinder:
        """Find the talking points of ``data``: a list (or pandas / polars Series) of strings,
        each one paragraph, with optional ``outlets`` and ``dates`` (one per text) and
        ``embeddings``; a list of Records; or a :class:`~simdedup.store.store.Store`. Sets
        ``result_``, ``labels_`` and ``ids_``."""
        encoder = make_encoder_for(self.encoder)
        with load(
            data, encoder=encoder, embeddings=embeddings, outlets=outlets, dates=dates
        ) as got:
            if got.embeddings_only:
                raise InputError(
                    "talking points need texts (for keywords and figures), not only embeddings"
                )
            with got.store.snapshot():
                self._fit(got.store)
        return self

    def save(self, store: Store) -> None:
        """Remember the fitted talking-point ids in ``store`` (the one :meth:`fit` was given),
        so later runs give the same clusters the same ids."""
        if not hasattr(self, "ids_"):
            raise InputError("save: call fit first")
        why = store.remember_talking_points(self.ids_)
        if why is not None:
            _log.warning(f"talking-point ids not saved ({why}); the next run numbers them afresh")

    def _fit(self, store: Store) -> None:
        threshold, penalty, since, until = self._check(store)
        self._terms: TermRows | None = None  # the paragraphs' terms, if read while linking
        table = store.table()
        if not len(table):
            raise InputError("the corpus has no paragraphs to cluster")
        in_scope = table.within(since, until, self.only_outlets)
        if self.unit_ == "claim":
            items, clusters = self._claim_clusters(store, table, threshold, penalty)
        else:
            items = self._paragraphs(store, table)
            if self.speakers:
                raise InputError("speakers: a speaker filter needs claim units (unit='claim')")
            index = store.index if self.engine is None else None
            labels = self._cluster(
                items, threshold, penalty, index, self._live_rows, read_ahead=True
            )
            clusters = [m for m in members_by_label(labels) if len(m) >= 2]
        items.scope &= in_scope[items.paragraph]
        dates = table.dates.astype(str)
        keys = [[(items.hashes[i], dates[items.paragraph[i]]) for i in m] for m in clusters]
        ids = assign_ids(keys, store.catalog.talking_point_ids())
        self.ids_ = {items.hashes[i]: tp for tp, m in zip(ids, clusters) for i in m}
        kept = self._kept(ids, clusters, items, table, in_scope)
        self._report(store, table, items, kept, in_scope, threshold)

    def _cluster(
        self,
        items: _Items,
        threshold: float,
        penalty: float,
        index: VectorIndex | None,
        rows: np.ndarray | None,
        read_ahead: bool = False,
    ) -> np.ndarray:
        """One cluster label per item (items that share a text share a label); with
        ``read_ahead``, the texts' terms are read while the linkage runs (:meth:`_read_terms`)."""
        clusterer = ClaimClusterer(
            threshold, penalty=penalty, check_figures=self.check_figures, engine=self.engine
        )
        vectors = items.vectors
        if self._static:  # its cosines all run high: cluster around the corpus mean instead
            vectors, index, rows = centred(vectors), None, None
        meanwhile = None
        if read_ahead and len(vectors) >= READ_AHEAD_MIN:
            meanwhile = lambda busy: self._read_terms(items, busy)  # noqa: E731
        clusterer.fit(vectors, items.text_of, index, rows, meanwhile=meanwhile)
        return clusterer.labels_[items.vector]  # type: ignore[no-any-return]

    def _read_terms(self, items: _Items, busy: Callable[[], bool]) -> None:
        """Read the terms of every text of ``items.vectors`` for the labels, batch by batch while
        ``busy()``; if the linkage ends first, the labels read their clusters' texts instead."""
        from simdedup.cluster.keywords import TermRows
        from simdedup.cluster.naming import stop_words

        terms, n = TermRows(stop_words()), len(items.vectors)
        for start in range(0, n, READ_AHEAD_BATCH):
            if not busy():
                return
            terms.read(items.text_of(range(start, min(start + READ_AHEAD_BATCH, n))))
        terms.alphabetical()  # sorted here too, while the linkage runs
        self._terms = terms

    def _claim_clusters(
        self, store: Store, table: ParagraphTable, threshold: float, penalty: float
    ) -> tuple[_Items, list[np.ndarray]]:
        """Units and whole paragraphs clustered apart, then merged
        (:func:`simdedup.cluster.claims.merge_claims`); the items are the units, then the
        paragraphs (a whole paragraph counts in no speaker's scope)."""
        from simdedup.cluster.claims import merge_claims

        whole = self._paragraphs(store, table)
        units = self._claims(store, table)
        index = store.index if self.engine is None else None
        paragraph_threshold = _paragraph_threshold(store.model, threshold)
        paragraph_labels = self._cluster(
            whole, paragraph_threshold, penalty, index, self._live_rows
        )
        unit_labels = self._cluster(units, threshold, penalty, None, None)
        clusters = merge_claims(paragraph_labels, unit_labels, units.paragraph)
        n_texts, unit_text = len(units.vectors), units.text_of
        if self.speakers:
            whole.scope[:] = False

        def text_of(pos: Sequence[int]) -> list[str]:
            low = [p for p in pos if p < n_texts]
            high = [p - n_texts for p in pos if p >= n_texts]
            got = dict(zip(low, unit_text(low)))
            got.update(zip((h + n_texts for h in high), whole.text_of(high)))
            return [got[p] for p in pos]

        items = _Items(
            paragraph=np.concatenate([units.paragraph, whole.paragraph]),
            vector=np.concatenate([units.vector, whole.vector + n_texts]),
            hashes=units.hashes + whole.hashes,
            scope=np.concatenate([units.scope, whole.scope]),
            vectors=units.vectors,
            text_of=text_of,
            units=units.units,
            after=whole.vectors,
        )
        return items, clusters

    def _paragraphs(self, store: Store, table: ParagraphTable) -> _Items:
        """Each paragraph an item, with the store's paragraph vectors."""
        live_rows, position = np.unique(table.rows, return_inverse=True)
        self._live_rows = live_rows
        hashes = store.catalog.hashes_of_rows([int(r) for r in live_rows])
        return _Items(
            paragraph=np.arange(len(table)),
            vector=position.reshape(-1),
            hashes=[hashes[p] for p in position.reshape(-1)],
            scope=np.ones(len(table), dtype=bool),
            vectors=store.vectors(live_rows),
            text_of=lambda pos: store.catalog.texts_of_rows([int(live_rows[p]) for p in pos]),
        )

    def _claims(self, store: Store, table: ParagraphTable) -> _Items:
        """Each claim unit an item, with its vector (embedded once per distinct unit text)."""
        from simdedup.units.speakers import speaks
        from simdedup.units.table import claim_units

        units, vectors = claim_units(store, table, self.splitter, self.progress)
        if not len(units):
            raise InputError("the corpus has no claim units to cluster")
        scope = np.ones(len(units), dtype=bool)
        if self.speakers:
            scope = np.array([speaks(s, self.speakers) for s in units.speakers], dtype=bool)
        texts = units.texts
        return _Items(
            paragraph=units.paragraph,
            vector=units.text_id,
            hashes=[units.hashes[t] for t in units.text_id],
            scope=scope,
            vectors=vectors,
            text_of=lambda pos: [texts[p] for p in pos],
            units=units,
        )

    def _kept(
        self,
        ids: list[str],
        clusters: list[np.ndarray],
        items: _Items,
        table: ParagraphTable,
        in_scope: np.ndarray,
    ) -> list[tuple[str, np.ndarray]]:
        """The clusters reported: ``min_size`` paragraphs in scope from ``min_outlets``
        outlets; each as its items in scope."""
        min_outlets = self.min_outlets
        if min_outlets is None:  # as many as the corpus has, up to AUTO_OUTLETS
            codes = table.outlet_codes[in_scope]
            min_outlets = max(1, min(AUTO_OUTLETS, len(set(codes[codes >= 0].tolist()))))
        self._min_outlets = min_outlets
        kept: list[tuple[str, np.ndarray]] = []
        for tp_id, members in zip(ids, clusters):
            members = members[items.scope[members]]
            paragraphs = np.unique(items.paragraph[members])
            codes = table.outlet_codes[paragraphs]
            n_outlets = len(set(codes[codes >= 0].tolist()))
            if len(paragraphs) < self.min_size or (min_outlets > 1 and n_outlets < min_outlets):
                continue
            kept.append((tp_id, members))
        return kept

    def _report(
        self,
        store: Store,
        table: ParagraphTable,
        items: _Items,
        kept: list[tuple[str, np.ndarray]],
        in_scope: np.ndarray,
        threshold: float,
    ) -> None:
        """Describe the kept clusters into ``result_``; set ``labels_`` (and ``unit_labels_``)."""
        in_point = np.zeros(len(table), dtype=bool)
        for _, members in kept:
            in_point[items.paragraph[members]] = True
        details = store.paragraphs(int(table.ids[i]) for i in np.flatnonzero(in_point))
        credits = store.catalog.credits(p.doc_seq for p in details.values())
        named = self._names(store, table, items, kept)
        period = self._unit(table.dates[in_scope])
        summary = corpus_summary(table, in_scope, store)
        if items.units is not None:
            summary["units"] = int((items.scope & in_scope[items.paragraph]).sum())
        result = TalkingPointsResult(
            threshold=threshold,
            model=store.model,
            timeline_unit=period,
            corpus=summary,
            unclustered=int((in_scope & ~in_point).sum()),
            min_outlets=self._min_outlets,
            unit=self.unit_,
        )
        n_units = len(items.units) if items.units is not None else 0  # items past: paragraphs
        copy_threshold = default_threshold(store.backend, store.model)  # near-verbatim: dedup's
        for (tp_id, members), label in zip(kept, named):
            paragraphs, groups = np.unique(items.paragraph[members], return_inverse=True)
            vectors = np.zeros((len(paragraphs), items.vectors.shape[1]), dtype=np.float32)
            np.add.at(vectors, groups.reshape(-1), items.rows(items.vector[members]))
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            paras = [details[int(table.ids[i])] for i in paragraphs]
            units = None
            if items.units is not None:
                units = _member_units(items.units, paragraphs, groups.reshape(-1), members, paras)
            tp = describe(tp_id, paras, vectors, label, period, credits, units, copy_threshold)
            result.talking_points.append(tp)
        order = sorted(
            range(len(kept)),
            key=lambda i: (
                -result.talking_points[i].size,
                result.talking_points[i].first_seen.date or "~",
            ),
        )
        result.talking_points = [result.talking_points[i] for i in order]
        # each paragraph's strongest talking point: in claim mode the one its whole text joined
        # (its paragraph cluster), in paragraph mode its only one
        self.labels_ = np.full(len(table), -1, dtype=np.int64)
        number_of = {i: number for number, i in enumerate(order)}
        for i, (_, members) in enumerate(kept):
            whole = items.paragraph[members[members >= n_units]]
            self.labels_[whole] = number_of[i]
        if items.units is not None:
            self.units_ = items.units
            self.unit_labels_ = np.full(n_units, -1, dtype=np.int64)
            for number, i in enumerate(order):
                mine = kept[i][1]
                self.unit_labels_[mine[mine < n_units]] = number
        self.result_ = result

    def _names(
        self,
        store: Store,
        table: ParagraphTable,
        items: _Items,
        kept: list[tuple[str, np.ndarray]],
    ) -> list[tuple[str | None, list[str]]]:
        """Each kept cluster's label and keywords, against a sample of the other texts. A member
        paragraph counts once: its whole text when it joined as a whole, else its units'."""
        from simdedup.cluster.naming import cluster_labels

        clustered = np.zeros(items.n_vectors, dtype=bool)
        for _, members in kept:
            clustered[items.vector[members]] = True
        rng = np.random.default_rng(0)
        rest = np.flatnonzero(~clustered)
        sample = np.sort(rng.choice(rest, size=min(BACKGROUND, len(rest)), replace=False))
        background = items.text_of([int(i) for i in sample])
        n_units = len(items.units) if items.units is not None else 0
        needed = np.flatnonzero(clustered).tolist()  # read at once, not cluster by cluster
        text_at = dict(zip(needed, items.text_of(needed)))
        texts: list[list[str]] = []
        for _, members in kept:  # one text per member paragraph: what it says in this point
            said = {i: text_at[v] for i, v in zip(members.tolist(), items.vector[members].tolist())}
            by_paragraph: dict[int, list[int]] = {}
            for i in members.tolist():
                by_paragraph.setdefault(int(items.paragraph[i]), []).append(i)
            texts.append(
                [
                    said[max(group)] if max(group) >= n_units else " ".join(said[i] for i in group)
                    for group in by_paragraph.values()
                ]
            )
        if self._terms is None or items.units is not None:
            return cluster_labels(texts, background)
        # paragraph mode: each member's text is its paragraph's, whose terms were read ahead
        rows = [items.vector[members] for _, members in kept]
        return cluster_labels(texts, background, read=(self._terms, rows, sample))

    def _unit(self, dates: np.ndarray) -> str:
        """``week`` for corpora spanning half a year or less, else ``month``."""
        if self.period != "auto":
            return self.period
        dated = sorted(d for d in dates.tolist() if d)
        if not dated:
            return "month"
        span = Date.fromisoformat(dated[-1][:10]) - Date.fromisoformat(dated[0][:10])
        return "week" if span.days <= 183 else "month"


def _paragraph_threshold(model: str, threshold: float) -> float:
    """The whole paragraphs' threshold in claim mode: the model's paragraph default, moved by
    as much as ``threshold`` is from the model's unit default."""
    unit_default, _ = model_defaults(model, "claim")
    paragraph_default, _ = model_defaults(model, "paragraph")
    return float(min(1.0, max(1e-3, paragraph_default + threshold - unit_default)))


def _member_units(
    units: UnitTable,
    paragraphs: np.ndarray,
    groups: np.ndarray,
    members: np.ndarray,
    paras: list[StoredParagraph],
) -> list[tuple[ClaimUnit, ...]]:
    """Each member paragraph's units in a talking point: those that joined it, else (the
    paragraph joined as a whole) one unit spanning the paragraph, said by the speaker of all
    its units when they have one."""
    n_units = len(units)
    found: list[dict[int, ClaimUnit]] = [{} for _ in paragraphs]
    for g, u in zip(groups.tolist(), members.tolist()):
        if u < n_units:
            found[g][int(units.start[u])] = units.unit(u)
    out: list[tuple[ClaimUnit, ...]] = []
    for g, p in enumerate(paras):
        if found[g]:
            out.append(tuple(found[g][k] for k in sorted(found[g])))
            continue
        lo, hi = np.searchsorted(units.paragraph, [paragraphs[g], paragraphs[g] + 1])
        said = {units.speakers[u] for u in range(int(lo), int(hi))}  # units are in table order
        speaker = said.pop() if len(said) == 1 else None
        out.append((ClaimUnit(0, len(p.text), p.text, speaker, None),))
    return out

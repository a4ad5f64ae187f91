"""Talking points: the same claim reworded by many outlets, with who said it first.

:class:`TalkingPointFinder` clusters every paragraph of a store by claim
(:class:`~simdedup.cluster.linkage.ClaimClusterer`), then describes each cluster: its keywords
(:mod:`simdedup.cluster.keywords`), its representative paragraph (the medoid: the member with the
highest mean cosine to the others), outlets, first and last sighting, a timeline, and each
member's provenance (the earliest earlier member it most likely copies).

Ids are stable: a store remembers which talking point each text belonged to, and a new run
gives a cluster the id that most of its members had before. A cluster with no history gets an
id made from the text of its earliest member, so re-running on the same input without a store
gives the same ids too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from typing import TYPE_CHECKING, Any

import numpy as np

from simdedup.checks import check_date, check_int, check_number
from simdedup.cluster.linkage import ClaimClusterer, model_defaults
from simdedup.duplicates import provenance
from simdedup.duplicates.groups import members_by_label
from simdedup.duplicates.provenance import Source
from simdedup.errors import InputError
from simdedup.paragraph import TALKING_POINT_KEYS, Paragraph
from simdedup.store.inputs import Corpus, load, make_encoder_for

_log = logging.getLogger("simdedup")

if TYPE_CHECKING:
    from simdedup.embed.encoder import Encoder
    from simdedup.engines.base import Engine
    from simdedup.store.catalog import ParagraphTable, StoredParagraph
    from simdedup.store.store import Store

COPY_THRESHOLD = 0.9  # a member this close to an earlier one is a copy of it (dedup default)
PERIODS = ("auto", "week", "month")
TALKING_POINT = "talking point"
REPRINTS = "reprints"  # one text reprinted, not a claim told in other words: reported apart
# Default fewest outlets: a line three outlets repeat is a talking point; a corpus with fewer
# outlets (one ministry's transcripts) asks for as many as it has. On examples/ this reports 21
# talking points instead of 45, all 8 planted ones among them (benchmarks/README.md).
AUTO_OUTLETS = 3
BACKGROUND = 5000  # unclustered paragraphs sampled as "the rest of the corpus" for keywords
CSV_COLUMNS = (
    "talking_point", "label", "pid", "doc_id", "para", "outlet", "date", "score", "copies",
    "provenance", "text",
)  # fmt: skip


@dataclass(frozen=True)
class Sighting:
    """Where and when a talking point was seen; ``tie`` is true when another outlet's member
    shares that date and no evidence says which came first."""

    date: str | None
    outlet: str | None
    pid: str
    tie: bool = False


@dataclass(frozen=True)
class TalkingPoint:
    """One claim and every paragraph that makes it, members sorted by date."""

    id: str
    label: str
    keywords: list[str]
    representative: str
    outlets: dict[str, int]
    first_seen: Sighting
    last_seen: Sighting
    outlet_order: list[str]
    timeline: list[dict[str, Any]]
    members: list[Paragraph]
    kind: str = "talking point"  # or "reprints": every member a near-verbatim copy of one text

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def n_outlets(self) -> int:
        return len(self.outlets)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("members")
        members = [m.to_dict(TALKING_POINT_KEYS) for m in self.members]
        data.update(size=self.size, n_outlets=self.n_outlets, members=members)
        return data


@dataclass
class TalkingPointsResult:
    """Talking points of a corpus, biggest first."""

    threshold: float
    model: str
    timeline_unit: str
    corpus: dict[str, Any]
    talking_points: list[TalkingPoint] = field(default_factory=list)
    unclustered: int = 0
    min_outlets: int = 1  # the fewest outlets a reported talking point has (auto or as set)

    def to_dict(self) -> dict[str, Any]:
        return {
            "talking_points": [tp.to_dict() for tp in self.talking_points],
            "unclustered": self.unclustered,
            "min_outlets": self.min_outlets,
            "timeline_unit": self.timeline_unit,
            "threshold": self.threshold,
            "model": self.model,
            "corpus": self.corpus,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_pandas(self) -> Any:
        """The :meth:`to_csv` rows (one per member) as a pandas DataFrame (needs pandas)."""
        from simdedup.duplicates.result import pandas_module

        rows = [
            [
                tp.id,
                tp.label,
                m.pid,
                m.doc_id,
                m.para,
                m.outlet,
                m.date,
                m.score,
                m.copies,
                m.provenance,
                m.text,
            ]
            for tp in self.talking_points
            for m in tp.members
        ]
        return pandas_module().DataFrame(rows, columns=list(CSV_COLUMNS))

    def to_csv(self) -> str:
        """One row per member."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for tp in self.talking_points:
            for m in tp.members:
                writer.writerow(
                    [tp.id, tp.label, m.pid, m.doc_id, m.para, m.outlet or "", m.date or "",
                     f"{m.score:.4f}", m.copies or "", m.provenance or "", m.text]
                )  # fmt: skip
        return out.getvalue()


class TalkingPointFinder:
    """Find talking points in a store; ``fit`` sets ``result_`` and ``labels_``.

    ``labels_`` holds one cluster number per paragraph of ``store.table()`` (-1: in no
    reported talking point). The filters (``since``, ``until``, ``only_outlets``) pick the members
    that count; clustering always runs on the whole store, so ids do not depend on filters.
    ``threshold`` (the mean cosine a talking point keeps) and ``penalty`` (taken off the cosine
    of two paragraphs stating conflicting figures) default to those chosen for the store's
    model (:func:`simdedup.cluster.linkage.model_defaults`). A talking point is reported when it
    has ``min_size`` members in scope from ``min_outlets`` outlets (default: :data:`AUTO_OUTLETS`,
    or every outlet of a corpus with fewer; ``result_.min_outlets`` says which).
    ``fit`` never writes to its input: :meth:`save` stores the ids in a store, so that later
    runs keep them (the CLI does so for ``--store``). ``encoder`` embeds a list of texts
    (default: the claim model); ``engine`` (a
    :class:`~simdedup.engines.ray.RayEngine`) builds the neighbour graph on a Ray cluster; the
    clustering and everything after it run here, as without one.
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
    ) -> None:
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

    def _check(self, model: str) -> tuple[float, float, str | None, str | None]:
        default_threshold, default_penalty = model_defaults(model)
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
        threshold, penalty, since, until = self._check(store.model)
        table = store.table()
        if not len(table):
            raise InputError("the corpus has no paragraphs to cluster")
        live_rows, position = np.unique(table.rows, return_inverse=True)
        position = position.reshape(-1)
        vectors = store.vectors(live_rows)
        clusterer = ClaimClusterer(
            threshold, penalty=penalty, check_figures=self.check_figures, engine=self.engine
        ).fit(
            vectors,
            lambda pos: store.catalog.texts_of_rows([int(live_rows[p]) for p in pos]),
            store.index if self.engine is None else None,
            live_rows,
        )
        labels = clusterer.labels_[position]
        clusters = [m for m in members_by_label(labels) if len(m) >= 2]
        hashes = store.catalog.hashes_of_rows([int(r) for r in live_rows])
        ids = _assign_ids(clusters, table, position, hashes, store.catalog.talking_point_ids())
        self.ids_ = {hashes[position[i]]: tp for tp, m in zip(ids, clusters) for i in m}
        in_scope = self._scope(table, since, until)
        unit = self._unit(table.dates[in_scope])
        kept: list[tuple[str, np.ndarray]] = []
        min_outlets = self.min_outlets
        if min_outlets is None:  # as many as the corpus has, up to AUTO_OUTLETS
            codes = table.outlet_codes[in_scope]
            min_outlets = max(1, min(AUTO_OUTLETS, len(set(codes[codes >= 0].tolist()))))
        for tp_id, members in zip(ids, clusters):
            members = members[in_scope[members]]
            codes = table.outlet_codes[members]
            n_outlets = len(set(codes[codes >= 0].tolist()))
            if len(members) < self.min_size or (min_outlets > 1 and n_outlets < min_outlets):
                continue
            kept.append((tp_id, members))
        in_point = np.zeros(len(table), dtype=bool)
        for _, members in kept:
            in_point[members] = True
        details = store.paragraphs(int(table.ids[i]) for _, m in kept for i in m)
        credits = store.catalog.credits(p.doc_seq for p in details.values())
        named = _labels(store, table, kept, details, clustered=in_point)
        result = TalkingPointsResult(
            threshold=threshold,
            model=store.model,
            timeline_unit=unit,
            corpus=_corpus_summary(table, in_scope, store),
            unclustered=int(in_scope.sum()) - sum(len(m) for _, m in kept),
            min_outlets=min_outlets,
        )
        for (tp_id, members), (phrase, words) in zip(kept, named):
            paras = [details[int(table.ids[i])] for i in members]
            rows = position[members]
            result.talking_points.append(
                _describe(tp_id, paras, vectors[rows], (phrase, words), unit, credits)
            )
        order = sorted(
            range(len(kept)),
            key=lambda i: (-len(kept[i][1]), result.talking_points[i].first_seen.date or "~"),
        )
        result.talking_points = [result.talking_points[i] for i in order]
        self.labels_ = np.full(len(table), -1, dtype=np.int64)  # index into talking_points
        for number, i in enumerate(order):
            self.labels_[kept[i][1]] = number
        self.result_ = result

    def _scope(self, table: ParagraphTable, since: str | None, until: str | None) -> np.ndarray:
        """Which paragraphs pass the date and outlet filters."""
        scope = np.ones(len(table), dtype=bool)
        dates = table.dates.astype(str)
        if since:
            scope &= (dates != "") & (dates >= since)
        if until:
            scope &= (dates != "") & (dates <= until)
        if self.only_outlets:
            only = set(self.only_outlets)
            wanted = [i for i, name in enumerate(table.outlets) if name in only]
            scope &= np.isin(table.outlet_codes, wanted)
        return scope

    def _unit(self, dates: np.ndarray) -> str:
        """``week`` for corpora spanning half a year or less, else ``month``."""
        if self.period != "auto":
            return self.period
        dated = sorted(d for d in dates.tolist() if d)
        if not dated:
            return "month"
        span = Date.fromisoformat(dated[-1][:10]) - Date.fromisoformat(dated[0][:10])
        return "week" if span.days <= 183 else "month"


def _assign_ids(
    clusters: list[np.ndarray],
    table: ParagraphTable,
    position: np.ndarray,
    hashes: list[str],
    previous: dict[str, str],
) -> list[str]:
    """A stable id per cluster: the remembered id most of its texts had (each id goes to the
    cluster holding most of its texts), else one made from its earliest member's text."""
    votes: list[tuple[int, int, str]] = []
    for c, members in enumerate(clusters):
        counted = Counter(previous.get(hashes[position[i]]) for i in members)
        votes.extend((n, c, tp) for tp, n in counted.items() if tp)
    ids: list[str | None] = [None] * len(clusters)
    taken: set[str] = set()
    for _, c, tp in sorted(votes, key=lambda v: (-v[0], v[1], v[2])):
        if ids[c] is None and tp not in taken:
            ids[c] = tp
            taken.add(tp)
    dates = table.dates.astype(str)
    for c, members in enumerate(clusters):
        if ids[c] is not None:
            continue
        first = min(members, key=lambda i: (dates[i] or "~", hashes[position[i]]))
        seed = hashes[position[first]]
        while (tp := "tp-" + hashlib.blake2b(seed.encode(), digest_size=4).hexdigest()) in taken:
            seed += "+"
        ids[c] = tp
        taken.add(tp)
    return [tp for tp in ids if tp is not None]


def _labels(
    store: Store,
    table: ParagraphTable,
    kept: list[tuple[str, np.ndarray]],
    details: dict[int, StoredParagraph],
    clustered: np.ndarray,
) -> list[tuple[str | None, list[str]]]:
    from simdedup.cluster.keywords import cluster_labels

    rng = np.random.default_rng(0)
    rest = np.flatnonzero(~clustered)
    sample = np.sort(rng.choice(rest, size=min(BACKGROUND, len(rest)), replace=False))
    background = [p.text for p in store.paragraphs(int(table.ids[i]) for i in sample).values()]
    texts = [[details[int(table.ids[i])].text for i in members] for _, members in kept]
    return cluster_labels(texts, background)


def _describe(
    tp_id: str,
    paras: list[StoredParagraph],
    vectors: np.ndarray,
    label: tuple[str | None, list[str]],
    unit: str,
    credits: dict[int, list[str]],
) -> TalkingPoint:
    """A talking point from its paragraphs (any order), their unit vectors and the names their
    documents credit (by document seq)."""
    order = sorted(range(len(paras)), key=lambda i: (paras[i].date or "~", paras[i].pid))
    paras = [paras[i] for i in order]
    vectors = vectors[order]
    sources = [Source(p.doc_id, p.outlet, p.date, credits.get(p.doc_seq, [])) for p in paras]
    links = provenance.copies(sources, _near_copies(paras, vectors))
    first, tie = provenance.first_seen(sources, links)
    # within a day, a paragraph the evidence puts after another comes after it
    order = sorted(
        range(len(paras)),
        key=lambda i: (paras[i].date or "~", i != first, links[i][1] == provenance.CREDIT, i),
    )
    copied = [(paras[j].pid if j >= 0 else None, why or None) for j, why in links]
    paras, vectors, copied = [paras[i] for i in order], vectors[order], [copied[i] for i in order]
    total = vectors.sum(axis=0)
    medoid = int(np.argmax(vectors @ total))
    scores = vectors @ vectors[medoid]
    members = [
        Paragraph(
            pid=p.pid, doc_id=p.doc_id, para=p.para, outlet=p.outlet, date=p.date,
            score=round(float(s), 4), text=p.text,
            copies=source, provenance=why,
        )
        for p, s, (source, why) in zip(paras, scores, copied)
    ]  # fmt: skip
    outlets = Counter(p.outlet for p in paras if p.outlet)
    return TalkingPoint(
        id=tp_id,
        label=label[0] or ", ".join(label[1][:3]) or _short(paras[medoid].text),
        keywords=label[1],
        representative=paras[medoid].pid,
        outlets=dict(outlets.most_common()),
        first_seen=Sighting(paras[0].date, paras[0].outlet, paras[0].pid, tie=tie),
        last_seen=_last(paras),
        outlet_order=list(dict.fromkeys(p.outlet for p in paras if p.outlet)),
        timeline=_timeline([p.date for p in paras], unit),
        members=members,
        kind=REPRINTS if float(scores.min()) >= COPY_THRESHOLD else TALKING_POINT,
    )


def _last(paras: list[StoredParagraph]) -> Sighting:
    dated = [p for p in paras if p.date]
    last = dated[-1] if dated else paras[-1]
    return Sighting(last.date, last.outlet, last.pid)


def _near_copies(paras: list[StoredParagraph], vectors: np.ndarray) -> list[list[int]]:
    """For each member, the members of other documents it is a near-verbatim match of
    (cosine >= COPY_THRESHOLD); one row at a time, so memory stays O(n)."""
    out: list[list[int]] = []
    for i, p in enumerate(paras):
        close = np.flatnonzero(vectors @ vectors[i] >= COPY_THRESHOLD)
        out.append([int(j) for j in close if paras[j].doc_id != p.doc_id])
    return out


def _timeline(dates: list[str | None], unit: str) -> list[dict[str, Any]]:
    """Member counts per week (``2024-W07``) or month (``2024-02``), gaps filled with 0."""
    days = sorted(Date.fromisoformat(d[:10]) for d in dates if d)
    if not days:
        return []
    counts = Counter(_period(day, unit) for day in days)
    periods: list[str] = []
    day = days[0]
    while True:
        label = _period(day, unit)
        if not periods or periods[-1] != label:
            periods.append(label)
        if day >= days[-1]:
            break
        day = Date.fromordinal(day.toordinal() + (7 if unit == "week" else 28))
        day = min(day, days[-1])
    return [{"period": p, "count": counts.get(p, 0)} for p in periods]


def _period(day: Date, unit: str) -> str:
    if unit == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def _short(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _corpus_summary(table: ParagraphTable, scope: np.ndarray, store: Store) -> dict[str, Any]:
    dates = sorted(d for d in table.dates[scope].tolist() if d)
    codes = table.outlet_codes[scope]
    return {
        "paragraphs": int(scope.sum()),
        "documents": store.catalog.scalar("SELECT COUNT(*) FROM documents"),
        "outlets": len(set(codes[codes >= 0].tolist())),
        "first_date": dates[0] if dates else None,
        "last_date": dates[-1] if dates else None,
    }

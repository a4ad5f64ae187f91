"""Similarity search over a store: "where else was this said?"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from simdedup.checks import check_date, check_int, check_threshold
from simdedup.paragraph import Paragraph

if TYPE_CHECKING:
    from simdedup.index.vectors import VectorIndex
    from simdedup.store.catalog import Catalog


class Searchable(Protocol):
    """What a search needs of a store: its query encoder, its index and its catalog."""

    @property
    def index(self) -> VectorIndex: ...

    @property
    def catalog(self) -> Catalog: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def find_similar(
    store: Searchable,
    query: str | np.ndarray,
    *,
    k: int = 10,
    threshold: float | None = None,
    only_outlets: Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[Paragraph]:
    """The ``k`` paragraphs most similar to ``query`` (a text or a unit vector), best first.

    Filters apply before ranking: ``threshold`` (minimum cosine), ``only_outlets`` (any of),
    ``since``/``until`` (inclusive dates; paragraphs without a date are excluded by either).
    Paragraphs that share one text (exact duplicates) are all returned with the same score.

    Raises
    ------
    InputError
        For an empty query, ``k < 1``, a threshold outside [-1, 1] or a bad date.
    """
    check_int(k, "k")
    threshold = check_threshold(threshold)
    since, until = check_date(since, "since"), check_date(until, "until")
    vector = query_vector(store, query)
    index = store.index
    total = index.ntotal
    want = min(total, max(4 * k, 32))
    while True:
        scores, rows = index.search(vector, want)
        found = [(float(s), int(r)) for s, r in zip(scores[0], rows[0]) if r >= 0]
        if threshold is not None:
            found = [(s, r) for s, r in found if s >= threshold]
        score_of = {r: s for s, r in found}
        paragraphs = store.catalog.paragraphs_for_rows(
            list(score_of), outlets=only_outlets, since=since, until=until
        )
        exhausted = want >= total or len(found) < len(rows[0])
        if len(paragraphs) >= k or exhausted:
            break
        want = min(total, want * 4)
    paragraphs.sort(key=lambda p: -score_of[p.row])  # stable: input order among equal scores
    return [
        Paragraph(
            rank=i + 1,
            score=round(score_of[p.row], 6),
            pid=p.pid,
            doc_id=p.doc_id,
            para=p.para,
            outlet=p.outlet,
            date=p.date,
            text=p.text,
        )
        for i, p in enumerate(paragraphs[:k])
    ]


def query_vector(store: Searchable, query: str | np.ndarray) -> np.ndarray:
    """``query`` as a ``(1, dim)`` unit vector: a text embedded with the store's encoder, or a
    vector as given."""
    if isinstance(query, str):
        return store.embed_query(query)
    return np.asarray(query, dtype=np.float32).reshape(1, -1)

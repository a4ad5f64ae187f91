"""Similarity search over claim units: "who else made this claim?", unit by unit.

Paragraph search (:func:`simdedup.store.search.find_similar`) ranks whole paragraphs, so a
paragraph that makes the claim among three others ranks below one that only makes it. This
ranks every claim unit of the store instead (their vectors come from the embedding cache; the
first search of a store cuts and embeds them) by exact cosine, and returns each hit as its
paragraph with the matched unit in ``units``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from simdedup.checks import check_date, check_int, check_threshold
from simdedup.paragraph import Paragraph
from simdedup.store.search import query_vector
from simdedup.units.speakers import speaks
from simdedup.units.table import claim_units

if TYPE_CHECKING:
    from simdedup.store.store import Store


def find_similar_units(
    store: Store,
    query: str | np.ndarray,
    *,
    k: int = 10,
    threshold: float | None = None,
    only_outlets: Sequence[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    speakers: Sequence[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> list[Paragraph]:
    """The ``k`` claim units most similar to ``query`` (a text or a unit vector), best first,
    each as its paragraph with ``units`` holding the unit. The filters are those of
    :func:`~simdedup.store.search.find_similar`, and ``speakers`` (units said by one of them).
    Units that share one text (wire copies) are all returned with the same score."""
    check_int(k, "k")
    threshold = check_threshold(threshold)
    since, until = check_date(since, "since"), check_date(until, "until")
    vector = query_vector(store, query)
    with store.snapshot():
        table = store.table()
        units, vectors = claim_units(store, table, progress=progress)
        scores = (vectors @ vector.reshape(-1))[units.text_id] if len(units) else np.zeros(0)
        keep = table.within(since, until, only_outlets)[units.paragraph]
        if speakers:
            keep &= np.array([speaks(s, speakers) for s in units.speakers], dtype=bool)
        if threshold is not None:
            keep &= scores >= threshold
        candidates = np.flatnonzero(keep)
        best = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        ids = [int(table.ids[units.paragraph[u]]) for u in best]
        details = store.paragraphs(ids)
    return [
        Paragraph(
            rank=rank,
            score=round(float(scores[u]), 6),
            pid=p.pid,
            doc_id=p.doc_id,
            para=p.para,
            outlet=p.outlet,
            date=p.date,
            text=p.text,
            units=(units.unit(int(u)),),
        )
        for rank, (u, p) in enumerate(((u, details[i]) for u, i in zip(best, ids)), start=1)
    ]

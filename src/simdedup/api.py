"""The recipes: one call for each job on a list of strings, and a Store that does them too.

>>> import simdedup
>>> r = simdedup.dedup(texts)                                  # doctest: +SKIP
>>> r.selected, r.filtered, r.groups                           # doctest: +SKIP
>>> simdedup.talking_points(texts, outlets=outlets, dates=dates)  # doctest: +SKIP
>>> simdedup.similar("query", texts, k=5)                      # doctest: +SKIP

Each function is a thin call of the class behind it (:class:`Deduplicator`,
:class:`TalkingPointFinder`, :meth:`Store.similar`), with the same settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simdedup.checks import check_int, check_threshold
from simdedup.cluster.talking_points import TalkingPoint, TalkingPointFinder
from simdedup.duplicates.groups import Deduplicator
from simdedup.duplicates.result import DedupResult, Duplicate
from simdedup.errors import InputError
from simdedup.paragraph import Paragraph
from simdedup.store import store as base
from simdedup.store.inputs import Corpus, as_texts, load, make_encoder_for
from simdedup.store.search import find_similar

if TYPE_CHECKING:
    from simdedup.embed.encoder import Encoder


def dedup(
    data: Corpus,
    *,
    threshold: float | None = None,
    keep: str = "earliest",
    cross_outlet: bool = False,
    check_numbers: bool = True,
    containment: float | None = 0.8,
    encoder: Encoder | str | None = None,
    embeddings: np.ndarray | None = None,
) -> DedupResult:
    """Deduplicate ``data``: a list or Series of strings (one paragraph each), an ``(n, dim)``
    array of embeddings, records, or a Store. ``selected`` are the texts kept, ``filtered``
    the duplicates with the text each duplicates and the score, ``groups`` the groups. The
    settings are :class:`Deduplicator`'s; ``embeddings`` may give a list of strings its
    vectors (nothing is embedded then)."""
    found = Deduplicator(
        threshold,
        keep=keep,
        cross_outlet=cross_outlet,
        check_numbers=check_numbers,
        containment=containment,
        encoder=encoder,
    )
    return found.fit(data, embeddings=embeddings).result_


def talking_points(
    data: Corpus,
    *,
    outlets: Sequence[str | None] | None = None,
    dates: Sequence[str | None] | None = None,
    threshold: float | None = None,
    min_size: int = 2,
    min_outlets: int | None = None,
    check_figures: bool = True,
    unit: str = "auto",
    speakers: list[str] | None = None,
    encoder: Encoder | str | None = None,
    embeddings: np.ndarray | None = None,
) -> list[TalkingPoint]:
    """The talking points of ``data`` (a list or Series of strings, with one outlet and one
    date per text when known; records; or a Store), biggest first. ``unit`` is ``"claim"``
    (a text joins every talking point one of its claims joins; each member's ``units`` say
    which), ``"paragraph"`` (each text in one at most) or ``"auto"`` (claim units, whole
    paragraphs with the static model); ``speakers`` keeps the claims said by
    these people. The settings are :class:`TalkingPointFinder`'s (its filters too: use the
    class for ``since``, ``until``, ``only_outlets`` and ``period``)."""
    finder = TalkingPointFinder(
        threshold,
        min_size=min_size,
        min_outlets=min_outlets,
        check_figures=check_figures,
        encoder=encoder,
        unit=unit,
        speakers=speakers,
    )
    finder.fit(data, outlets=outlets, dates=dates, embeddings=embeddings)
    return finder.result_.talking_points


def similar(
    query: str,
    data: Corpus,
    *,
    k: int = 10,
    threshold: float | None = None,
    units: bool = False,
    speakers: list[str] | None = None,
    encoder: Encoder | str | None = None,
) -> list[Paragraph]:
    """The ``k`` texts of ``data`` most similar to ``query``, best first (a :class:`Paragraph`
    has ``rank``, ``score`` and ``text``; for a list of strings ``doc_id`` is the text's
    position, as a string). With ``units`` (or ``speakers``: claims said by these people) the
    claim units are ranked instead, each hit's ``units`` holding the unit it matched."""
    if not isinstance(query, str):
        raise InputError(f"query must be a string; got {type(query).__name__}")
    check_int(k, "k")
    check_threshold(threshold)
    with load(data, encoder=make_encoder_for(encoder)) as got:
        if units or speakers:
            from simdedup.units.search import find_similar_units

            return find_similar_units(got.store, query, k=k, threshold=threshold, speakers=speakers)
        return find_similar(got.store, query, k=k, threshold=threshold)


class Store(base.Store):
    """The persistent store (:class:`simdedup.store.store.Store`), with the recipes as methods.

    >>> store = simdedup.Store.open_or_create("news.store")         # doctest: +SKIP
    >>> store.add(["examples/corpus.jsonl"])                      # doctest: +SKIP
    >>> store.dedup(), store.talking_points()                     # doctest: +SKIP
    """

    def dedup(self, threshold: float | None = None, **settings: Any) -> DedupResult:
        """The duplicate groups of the store's paragraphs (:class:`Deduplicator`)."""
        return Deduplicator(threshold, **settings).fit(self).result_

    def talking_points(self, threshold: float | None = None, **settings: Any) -> list[TalkingPoint]:
        """The talking points of the store (:class:`TalkingPointFinder`); the store is not
        changed (``TalkingPointFinder(...).fit(store).save(store)`` keeps the ids)."""
        return TalkingPointFinder(threshold, **settings).fit(self).result_.talking_points

    def deduplicate(
        self,
        texts: Sequence[str] | Any,
        *,
        threshold: float | None = None,
        check_numbers: bool = True,
    ) -> DedupResult:
        """``texts`` deduplicated against the store (and among themselves): ``selected`` are
        the new texts that duplicate nothing stored or earlier in ``texts``; ``filtered``
        those that do, each with what it duplicates (a stored paragraph, ``duplicate_of_pid``
        its pid and ``duplicate_of_index`` -1, or an earlier new text). The store is not
        changed. Embedded with the store's encoder."""
        from simdedup.duplicates.against import deduplicate_against

        new = as_texts(texts)
        if new is None:
            raise InputError("texts must be a list or Series of strings")
        return deduplicate_against(self, new, threshold, check_numbers)


__all__ = ["Duplicate", "Store", "dedup", "similar", "talking_points"]

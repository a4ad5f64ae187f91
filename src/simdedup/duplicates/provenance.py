"""Who said it first, from evidence only: dates, then the wire credits a document carries.

Two near-verbatim paragraphs of different documents are a copy and its source. The earlier
date is the source. On the same day, a document that credits the other's outlet (``(VNA)``,
``-- Reuters``, ``Source: Xinhua``, "the Valdoria News Agency reported") is the copy; failing
that, an agency's own story (it credits its own outlet, as an agency dateline does) is the
source. Anything else is a ``tie``: simdedup says so and never invents a direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simdedup.io.credits import matches

DATE = "date"  # the source is dated earlier
CREDIT = "credit"  # same day: the wire credits decide
TIE = "tie"  # same day (or undated) and nothing decides


@dataclass(frozen=True)
class Source:
    """What provenance reads of a paragraph's document."""

    doc_id: str
    outlet: str | None
    date: str | None
    credits: Sequence[str]


def origin(a: Source, b: Source) -> tuple[int, str]:
    """Which of two copies is the source: ``(0, why)`` for ``a``, ``(1, why)`` for ``b``,
    ``(-1, TIE)`` when the evidence cannot decide."""
    if a.date and b.date and a.date != b.date:
        return (0 if a.date < b.date else 1), DATE
    if not (a.date and b.date):
        return -1, TIE
    a_credits_b = matches(list(a.credits), b.outlet) and a.outlet != b.outlet
    b_credits_a = matches(list(b.credits), a.outlet) and a.outlet != b.outlet
    if a_credits_b != b_credits_a:
        return (1 if a_credits_b else 0), CREDIT
    if not a_credits_b:
        a_own, b_own = matches(list(a.credits), a.outlet), matches(list(b.credits), b.outlet)
        if a_own != b_own:
            return (0 if a_own else 1), CREDIT
    return -1, TIE


def copies(sources: Sequence[Source], near: Sequence[Sequence[int]]) -> list[tuple[int, str]]:
    """For each paragraph, the one it copies and why: ``(j, DATE | CREDIT)``; or ``(j, TIE)``
    for a same-day twin whose direction nothing decides; or ``(-1, "")``. ``near[i]`` lists
    the near-verbatim partners of ``i`` (other documents). Of several sources, the one it
    credits wins, then one that copies nobody itself (the original, not another reprint),
    then the earliest."""
    verdicts = [
        [(j, *origin(sources[i], sources[j])) for j in partners] for i, partners in enumerate(near)
    ]
    is_copy = [any(winner == 1 for _, winner, _ in v) for v in verdicts]
    out: list[tuple[int, str]] = []
    for i, verdict in enumerate(verdicts):
        decided = [
            (not matches(list(sources[i].credits), sources[j].outlet), is_copy[j],
             sources[j].date or "~", j, why)
            for j, winner, why in verdict
            if winner == 1
        ]  # fmt: skip
        tied = [j for j, winner, _ in verdict if winner == -1]
        if decided:
            *_, j, why = min(decided)
            out.append((j, why))
        elif tied:
            out.append((tied[0], TIE))
        else:
            out.append((-1, ""))
    return out


def first_seen(sources: Sequence[Source], links: Sequence[tuple[int, str]]) -> tuple[int, bool]:
    """The paragraph seen first, and whether that is a tie: another outlet's paragraph shares
    the earliest date and no copy link puts it after."""
    dated = [i for i, s in enumerate(sources) if s.date]
    if not dated:
        return 0, len({s.outlet for s in sources}) > 1
    earliest = min(sources[i].date or "" for i in dated)
    day = [i for i in dated if sources[i].date == earliest]
    candidates = [i for i in day if links[i][1] != CREDIT] or day
    outlets = {sources[i].outlet for i in candidates}
    return candidates[0], len(outlets) > 1

"""The one paragraph type users see: in duplicate groups, talking points and search results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# the keys each result writes for its paragraphs (the JSON and CSV schemas in the README)
MEMBER_KEYS = ("pid", "doc_id", "para", "outlet", "date", "score", "text")
TALKING_POINT_KEYS = (*MEMBER_KEYS, "copies", "provenance", "units")
MATCH_KEYS = ("rank", "score", "pid", "doc_id", "para", "outlet", "date", "text")


@dataclass(frozen=True)
class ClaimUnit:
    """One claim of a paragraph (:mod:`simdedup.units`): ``text`` is the paragraph's
    ``text[start:end]``; ``speaker`` is who the text says made it (a full name or an
    institution, resolved within the article; ``None`` for the outlet's own narrative or an
    unnamed group) and ``mention`` how the paragraph names them ("Xi", "the spokesperson")."""

    start: int
    end: int
    text: str
    speaker: str | None = None
    mention: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "speaker": self.speaker,
            "mention": self.mention,
        }


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the corpus, as a result reports it.

    ``pid`` is ``"{doc_id}:{para}"`` (for a list of strings ``doc_id`` is the string's
    position). ``score`` is the cosine to what the result compares it with: the query
    (:func:`simdedup.similar`), the kept paragraph of its duplicate group, or the
    representative of its talking point. ``rank`` is set in search results (1 = best);
    In talking points, ``copies`` is the pid of the member it is a near-verbatim copy of, and
    ``provenance`` says how that was decided: ``"date"`` (the source is dated earlier),
    ``"credit"`` (same day; a wire credit or an agency's own dateline decides) or ``"tie"``
    (same day, nothing decides: ``copies`` then names its twin, not its source).
    ``units`` are the paragraph's claim units that put it in its talking point (in claim
    mode), or the unit a unit search matched.
    """

    pid: str
    doc_id: str
    para: int
    outlet: str | None
    date: str | None
    text: str
    score: float = 1.0
    rank: int | None = None
    copies: str | None = None
    provenance: str | None = None
    units: tuple[ClaimUnit, ...] = ()

    def to_dict(self, keys: Sequence[str] | None = None) -> dict[str, Any]:
        """The fields named by ``keys`` (default: those of a search result when ``rank`` is
        set, else those of a duplicate-group member)."""
        chosen = keys or (MATCH_KEYS if self.rank is not None else MEMBER_KEYS)
        out = {k: getattr(self, k) for k in chosen}
        if "units" in out or (keys is None and self.units):  # a unit search's hit says its unit
            out["units"] = [u.to_dict() for u in self.units]
        return out

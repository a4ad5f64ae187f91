"""What talking points are reported as: :class:`TalkingPoint` (one claim, its member paragraphs
and units, outlets, speakers, first sighting, timeline) and :class:`TalkingPointsResult`, with
JSON, CSV and pandas output."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from simdedup.io.jsonout import Writer, write_json
from simdedup.paragraph import TALKING_POINT_KEYS, Paragraph

TALKING_POINT = "talking point"
REPRINTS = "reprints"  # one text reprinted, not a claim told in other words: reported apart
CSV_COLUMNS = (
    "talking_point", "label", "pid", "doc_id", "para", "outlet", "date", "score", "copies",
    "provenance", "unit_start", "unit_end", "speaker", "unit", "text",
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
    """One claim and every paragraph that makes it, members sorted by date.

    In claim mode (the default) a member's ``units`` are the claim units that put it here (a
    paragraph may be a member of several talking points, one per claim it makes), ``claim`` is
    the representative unit's text and ``speakers`` counts the member units by speaker. ``size``
    counts paragraphs; ``n_units``, ``n_articles`` and ``n_outlets`` the rest.
    """

    id: str
    label: str
    keywords: list[str]
    representative: str
    outlets: dict[str, int]
    first_seen: Sighting
    last_seen: Sighting
    outlet_order: list[str]
    timeline: Sequence[dict[str, Any]]  # a Timeline: {"period", "count"} dicts made as read
    members: list[Paragraph]
    kind: str = "talking point"  # or "reprints": every member a near-verbatim copy of one text
    claim: str | None = None
    speakers: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def n_units(self) -> int:
        return sum(len(m.units) for m in self.members) or len(self.members)

    @property
    def n_articles(self) -> int:
        return len({m.doc_id for m in self.members})

    @property
    def n_outlets(self) -> int:
        return len(self.outlets)

    def to_dict(self) -> dict[str, Any]:
        return self._dict(copy=True)

    def _dict(self, copy: bool) -> dict[str, Any]:
        """:meth:`to_dict`; ``copy=False`` shares this talking point's lists and dicts (for
        output written at once: ``asdict``'s deep copy of a long timeline took most of the
        time of a whole-corpus ``--json``)."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Sighting):
                value = asdict(value)
            elif f.name == "timeline":  # a Timeline makes its dicts as they are read
                value = list(value)
            elif copy and isinstance(value, (list, dict)):
                value = type(value)(value)
            data[f.name] = value
        data.pop("members")
        members = [m.to_dict(TALKING_POINT_KEYS) for m in self.members]
        data.update(
            size=self.size,
            n_units=self.n_units,
            n_articles=self.n_articles,
            n_outlets=self.n_outlets,
            members=members,
        )
        return data


@dataclass
class TalkingPointsResult:
    """Talking points of a corpus, biggest first; ``unit`` says what was clustered
    (``"claim"``: claim units, ``"paragraph"``: whole paragraphs)."""

    threshold: float
    model: str
    timeline_unit: str
    corpus: dict[str, Any]
    talking_points: list[TalkingPoint] = field(default_factory=list)
    unclustered: int = 0
    min_outlets: int = 1  # the fewest outlets a reported talking point has (auto or as set)
    unit: str = "claim"

    def to_dict(self) -> dict[str, Any]:
        return {**self._fields(), "talking_points": [tp.to_dict() for tp in self.talking_points]}

    def _fields(self) -> dict[str, Any]:
        return {
            "talking_points": None,  # the list, written in its place
            "unclustered": self.unclustered,
            "min_outlets": self.min_outlets,
            "timeline_unit": self.timeline_unit,
            "threshold": self.threshold,
            "model": self.model,
            "unit": self.unit,
            "corpus": self.corpus,
        }

    def to_json(self, indent: int = 2) -> str:
        out = io.StringIO()
        self.write_json(out, indent)
        return out.getvalue()

    def write_json(self, out: Writer, indent: int = 2) -> None:
        """:meth:`to_json`'s text, written to ``out`` one talking point at a time."""
        items = (tp._dict(copy=False) for tp in self.talking_points)
        write_json(out, self._fields(), "talking_points", items, indent)

    def rows(self) -> list[list[Any]]:
        """The :meth:`to_csv` rows: one per member unit (one per member paragraph in paragraph
        mode)."""
        return [row for tp in self.talking_points for row in self._rows(tp)]

    @staticmethod
    def _rows(tp: TalkingPoint) -> list[list[Any]]:
        out: list[list[Any]] = []
        for m in tp.members:
            head = [tp.id, tp.label, m.pid, m.doc_id, m.para, m.outlet, m.date, m.score,
                    m.copies, m.provenance]  # fmt: skip
            if not m.units:
                out.append([*head, None, None, None, None, m.text])
            for u in m.units:
                out.append([*head, u.start, u.end, u.speaker, u.text, m.text])
        return out

    def to_pandas(self) -> Any:
        """The :meth:`to_csv` rows as a pandas DataFrame (needs pandas)."""
        from simdedup.duplicates.result import pandas_module

        return pandas_module().DataFrame(self.rows(), columns=list(CSV_COLUMNS))

    def to_csv(self) -> str:
        """One row per member unit (per member paragraph in paragraph mode)."""
        out = io.StringIO()
        self.write_csv(out)
        return out.getvalue()

    def write_csv(self, out: Writer) -> None:
        """:meth:`to_csv`'s text, written to ``out`` one talking point at a time."""
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for tp in self.talking_points:
            for row in self._rows(tp):
                row[7] = f"{row[7]:.4f}"
                writer.writerow(["" if v is None else v for v in row])

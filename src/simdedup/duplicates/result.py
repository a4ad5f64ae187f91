"""What dedup reports: duplicate groups, their members, the removed paragraphs, and the
result's JSON, CSV and pandas forms."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simdedup.errors import InputError
from simdedup.io.jsonout import Writer, write_json
from simdedup.paragraph import MEMBER_KEYS, Paragraph

CSV_COLUMNS = ("group", "kept", "pid", "doc_id", "para", "outlet", "date", "score", "text")


@dataclass(frozen=True)
class DuplicateGroup:
    """Paragraphs that say the same thing; ``members[0]`` is the kept one. ``tie`` is true when
    ``keep="earliest"`` found several members of that earliest date and no evidence (a wire
    credit, an agency's own dateline) said which came first: the kept one is then the first in
    input order, not a known original."""

    group: int
    kept: str
    members: list[Paragraph]
    tie: bool = False

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def outlets(self) -> list[str]:
        """Distinct outlets in the group, in member order."""
        return list(dict.fromkeys(m.outlet for m in self.members if m.outlet))


@dataclass(frozen=True)
class Duplicate:
    """A paragraph dedup removes, with the kept paragraph it duplicates. ``index`` and
    ``duplicate_of_index`` are positions in the input (the list of texts, or the store's
    :meth:`~simdedup.store.store.Store.table` order); ``text`` fields are ``None`` when the
    input was embeddings only."""

    index: int
    pid: str
    text: str | None
    duplicate_of_index: int
    duplicate_of_pid: str
    duplicate_of_text: str | None
    score: float


@dataclass
class DedupResult:
    """Duplicate groups of a corpus, and what deduplicating it keeps.

    ``selected_indices`` are the input positions kept, in input order; ``selected`` their texts
    (read from the store for a Store input, so while it is open); ``filtered`` every removed
    paragraph with the one it duplicates and the cosine between them."""

    threshold: float
    model: str
    paragraphs: int
    groups: list[DuplicateGroup] = field(default_factory=list)
    filtered: list[Duplicate] = field(default_factory=list)
    selected_indices: list[int] = field(default_factory=list)
    _texts: Callable[[list[int]], list[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def selected(self) -> list[str]:
        """The texts kept, in input order (every text that duplicates no earlier kept one)."""
        if self._texts is None:
            raise InputError("selected: the input was embeddings, not texts (use selected_indices)")
        return self._texts(self.selected_indices)

    def to_pandas(self) -> Any:
        """The :meth:`to_csv` rows as a pandas DataFrame (needs pandas)."""
        pd = pandas_module()
        rows = [
            {"group": g.group, "kept": m.pid == g.kept, **m.to_dict(MEMBER_KEYS)}
            for g in self.groups
            for m in g.members
        ]
        return pd.DataFrame(rows, columns=list(CSV_COLUMNS))

    @property
    def duplicates(self) -> int:
        """Paragraphs that would be removed: every member but the kept one."""
        return sum(g.size - 1 for g in self.groups)

    @property
    def duplicate_ratio(self) -> float:
        return self.duplicates / self.paragraphs if self.paragraphs else 0.0

    @property
    def removed(self) -> set[str]:
        """pids of the duplicates (all members except each group's kept paragraph)."""
        return {m.pid for g in self.groups for m in g.members[1:]}

    def to_dict(self) -> dict[str, Any]:
        return {**self._fields(), "groups": [_group_dict(g) for g in self.groups]}

    def _fields(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "model": self.model,
            "paragraphs": self.paragraphs,
            "groups": None,  # the list, written in its place
        }

    def to_json(self, indent: int = 2) -> str:
        out = io.StringIO()
        self.write_json(out, indent)
        return out.getvalue()

    def write_json(self, out: Writer, indent: int = 2) -> None:
        """:meth:`to_json`'s text, written to ``out`` one group at a time."""
        items = (_group_dict(g) for g in self.groups)
        write_json(out, self._fields(), "groups", items, indent)

    def to_csv(self) -> str:
        """One row per member: group, kept (1/0), pid, doc_id, para, outlet, date, score, text."""
        out = io.StringIO()
        self.write_csv(out)
        return out.getvalue()

    def write_csv(self, out: Writer) -> None:
        """:meth:`to_csv`'s text, written to ``out`` one row at a time."""
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for g in self.groups:
            for m in g.members:
                writer.writerow(
                    [g.group, int(m.pid == g.kept), m.pid, m.doc_id, m.para, m.outlet or "",
                     m.date or "", f"{m.score:.4f}", m.text]
                )  # fmt: skip


def _group_dict(g: DuplicateGroup) -> dict[str, Any]:
    members = [m.to_dict(MEMBER_KEYS) for m in g.members]
    return {"group": g.group, "kept": g.kept, "members": members}


def pandas_module() -> Any:
    """pandas, or an ImportError naming the extra that installs it."""
    try:
        import pandas
    except ImportError:
        raise ImportError('to_pandas needs pandas: pip install "simdedup[pandas]"') from None
    return pandas

"""Readable terminal output: tables and group listings sized to the terminal width."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simdedup.cluster.talking_points import TalkingPointsResult
    from simdedup.duplicates.result import DedupResult
    from simdedup.paragraph import Paragraph

_SPACE = re.compile(r"\s+")


def terminal_width() -> int:
    return max(60, shutil.get_terminal_size(fallback=(120, 24)).columns)


def excerpt(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    return flat[: max(1, width - 1)].rstrip() + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str:
    """Left-aligned columns; the last column takes the remaining width and is cut to fit.

    When that would leave the last column less than 40 % of ``width``, the widest other column
    (long ids, say) is shortened in the middle with an ellipsis.
    """
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(cell))
    gaps = 2 * (len(headers) - 1)
    wanted = max(20, int(0.4 * width))
    if len(widths) > 1 and sum(widths[:-1]) + gaps + wanted > width:
        widest = max(range(len(widths) - 1), key=lambda i: widths[i])
        others = sum(widths[:-1]) - widths[widest]
        widths[widest] = max(len(headers[widest]), 12, width - wanted - gaps - others)
    last = max(20, width - sum(widths[:-1]) - gaps)
    lines = []
    for row in [list(headers), *rows]:
        cells = [_middle(cell, widths[i]).ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, excerpt(row[-1], last)]).rstrip())
    return "\n".join(lines)


def _middle(text: str, width: int) -> str:
    """``text`` cut to ``width`` by an ellipsis in the middle (ids keep both ends)."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def matches_table(matches: Sequence[Paragraph], width: int | None = None) -> str:
    rows = [
        [str(m.rank), f"{m.score:.3f}", m.outlet or "-", m.date or "-", m.pid, m.text]
        for m in matches
    ]
    return table(
        ["rank", "score", "outlet", "date", "pid", "excerpt"], rows, width or terminal_width()
    )


def matches_csv(matches: Sequence[Paragraph]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rank", "score", "pid", "doc_id", "para", "outlet", "date", "text"])
    for m in matches:
        writer.writerow(
            [
                m.rank,
                f"{m.score:.4f}",
                m.pid,
                m.doc_id,
                m.para,
                m.outlet or "",
                m.date or "",
                m.text,
            ]
        )
    return out.getvalue()


def dedup_listing(result: DedupResult, width: int | None = None) -> str:
    """Each group (kept paragraph first, then its duplicates), then a summary line. A member
    takes two lines: score, outlet, date and pid, then an excerpt of its text."""
    width = width or terminal_width()
    blocks = []
    for g in result.groups:
        outlets = len(g.outlets)
        lines = [f"group {g.group} · {g.size} paragraphs · {outlets} outlet{'s' * (outlets != 1)}"]
        if g.tie:
            lines[0] += " · first seen: a tie (kept: first in input)"
        outlet_width = max(len(m.outlet or "-") for m in g.members)
        for i, m in enumerate(g.members):
            score = "kept " if i == 0 else f"{m.score:.3f}"
            outlet = (m.outlet or "-").ljust(outlet_width)
            lines.append(f"  {score}  {outlet}  {m.date or '-':<10}  {m.pid}")
            lines.append("         " + excerpt(m.text, width - 9))
        blocks.append("\n".join(lines))
    blocks.append(dedup_summary(result))
    return "\n\n".join(blocks)


def dedup_summary(result: DedupResult) -> str:
    return (
        f"{result.paragraphs} paragraphs, {len(result.groups)} duplicate groups, "
        f"{result.duplicates} duplicates ({100 * result.duplicate_ratio:.1f} %) "
        f"at threshold {result.threshold:g} [{result.model}]"
    )


def talking_points_table(result: TalkingPointsResult) -> str:
    """One line per talking point: id, size, outlets, first seen, label and representative."""
    headers = ("id", "size", "outlets", "first seen", "first outlet", "label: representative")
    rows = []
    for tp in result.talking_points:
        text = next(m.text for m in tp.members if m.pid == tp.representative)
        first = (tp.first_seen.outlet or "-") + (" (tie)" if tp.first_seen.tie else "")
        rows.append(
            (tp.id, str(tp.size), str(tp.n_outlets), tp.first_seen.date or "-", first,
             f"[{tp.label}] {text}")
        )  # fmt: skip
    clustered = sum(tp.size for tp in result.talking_points)
    footer = (
        f"\n{len(result.talking_points)} talking points, {clustered} paragraphs; "
        f"{result.unclustered} paragraphs in none (threshold {result.threshold:g})"
    )
    return table(headers, rows, terminal_width()) + footer

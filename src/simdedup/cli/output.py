"""Readable terminal output: tables and group listings sized to the terminal width."""

from __future__ import annotations

import csv
import io
import re
import shutil
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from simdedup.segment import normalize_text

if TYPE_CHECKING:
    from simdedup.cluster.talking_points import TalkingPointsResult
    from simdedup.duplicates.result import DedupResult
    from simdedup.paragraph import Paragraph

_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
INDENT = "    "


class _Stdout:
    """A writer for streamed results: each piece through ``click.echo`` (its encoding rules)."""

    def write(self, text: str) -> None:
        import click

        click.echo(text, nl=False)


STDOUT = _Stdout()


def terminal_width() -> int:
    return max(60, shutil.get_terminal_size(fallback=(120, 24)).columns)


def safe(text: str) -> str:
    """``text`` with control and bidi characters shown as U+FFFD, never sent raw."""
    return _CONTROL.sub("\ufffd", text.replace("\t", " ").replace("\n", " "))


def excerpt(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    flat = _SPACE.sub(" ", safe(text)).strip()
    if len(flat) <= width:
        return flat
    return flat[: max(1, width - 1)].rstrip() + "…"


def body(text: str, width: int, full: bool, lead: str = "") -> str:
    """The indented text line(s) under a heading: ``lead`` and an excerpt cut to ``width``, or
    with ``full`` the whole text wrapped to it."""
    flat = _SPACE.sub(" ", safe(lead + text)).strip()
    if full:
        return textwrap.fill(
            flat, width, initial_indent=INDENT, subsequent_indent=INDENT, break_long_words=True
        )
    return INDENT + excerpt(flat, width - len(INDENT))


COPY_OVERLAP = 0.8  # word-trigram Jaccard at which two results are one text (a wire copy)


def same_text_as(matches: Sequence[Paragraph]) -> list[int | None]:
    """For each result, the position of the first earlier result with the same text
    (normalised) or a near-verbatim copy of it (word trigrams overlapping by at least
    :data:`COPY_OVERLAP`: a changed dateline, a trimmed clause), or ``None``: what the table
    folds and the JSON flags. A unit search's hits compare their units' texts."""
    grams = [_trigrams(normalize_text(_shown(m))) for m in matches]
    out: list[int | None] = []
    for i, mine in enumerate(grams):
        out.append(next((j for j in range(i) if out[j] is None and _overlap(mine, grams[j])), None))
    return out


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def _overlap(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> bool:
    return a == b or len(a & b) >= COPY_OVERLAP * len(a | b)


def matches_table(
    matches: Sequence[Paragraph], width: int | None = None, full: bool = False
) -> str:
    """Each result on a heading line (rank, score, date, the whole pid), then the outlet and the
    text below it; results with the same text as one above fold into it ("+N copies")."""
    width = width or terminal_width()
    folded: dict[int, list[Paragraph]] = {}
    for i, (m, j) in enumerate(zip(matches, same_text_as(matches))):
        folded.setdefault(i if j is None else j, []).append(m)
    blocks = []
    for same in folded.values():
        m = same[0]
        more = f"  +{len(same) - 1} {'copy' if len(same) == 2 else 'copies'}" * (len(same) > 1)
        head = f"{m.rank:>3}  {m.score:.3f}  {m.date or '-':<10}  {safe(m.pid)}{more}"
        outlets = ", ".join(dict.fromkeys(x.outlet or "-" for x in same))
        said = f"{m.units[0].speaker}: " if m.units and m.units[0].speaker else ""
        blocks.append(head + "\n" + body(_shown(m), width, full, lead=f"{outlets} · {said}"))
    return "\n".join(blocks)


def _shown(m: Paragraph) -> str:
    """What a result shows: the unit a unit search matched, else the paragraph."""
    return m.units[0].text if m.units else m.text


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


def dedup_listing(result: DedupResult, width: int | None = None, full: bool = False) -> str:
    """Each group (kept paragraph first, then its duplicates), then a summary line. A member
    takes a heading line (score, date, the whole pid) and its outlet and text below."""
    width = width or terminal_width()
    blocks = []
    for g in result.groups:
        outlets = len(g.outlets)
        lines = [f"group {g.group} · {g.size} paragraphs · {outlets} outlet{'s' * (outlets != 1)}"]
        if g.tie:
            lines[0] += " · first seen: a tie (kept: first in input)"
        for i, m in enumerate(g.members):
            score = "kept " if i == 0 else f"{m.score:.3f}"
            lines.append(f"  {score}  {m.date or '-':<10}  {safe(m.pid)}")
            lines.append(body(m.text, width, full, lead=f"{m.outlet or '-'} · "))
        blocks.append("\n".join(lines))
    blocks.append(textwrap.fill(dedup_summary(result), width))
    return "\n\n".join(blocks)


def dedup_summary(result: DedupResult) -> str:
    return (
        f"{result.paragraphs} paragraphs, {len(result.groups)} duplicate groups, "
        f"{result.duplicates} duplicates ({100 * result.duplicate_ratio:.1f} %) "
        f"at threshold {result.threshold:g} [{result.model}]"
    )


def talking_points_table(
    result: TalkingPointsResult, width: int | None = None, full: bool = False
) -> str:
    """Each talking point on a heading line (the whole id, size, outlets, first seen), then its
    label and representative paragraph below."""
    width = width or terminal_width()
    blocks = []
    for tp in result.talking_points:
        text = tp.claim or next(m.text for m in tp.members if m.pid == tp.representative)
        first = (tp.first_seen.outlet or "-") + (" (tie)" if tp.first_seen.tie else "")
        seen = f"first {tp.first_seen.date or '-'} {first}"
        what = "reprints of one text" if tp.kind == "reprints" else "paragraphs"
        claims = f" · {tp.n_units} claims" if result.unit == "claim" else ""
        head = (
            f"{tp.id}  {tp.size} {what}{claims} · {tp.n_articles} articles · {tp.n_outlets} outlets"
        )
        block = head + "\n" + body(text, width, full, lead=f"[{tp.label}] ")
        said = ", ".join(f"{name} ({n})" for name, n in tp.speakers.items())
        block += "\n" + body(seen + (f" · said by {said}" if said else ""), width, full)
        blocks.append(block)
    clustered = len({m.pid for tp in result.talking_points for m in tp.members})
    reprints = sum(tp.kind == "reprints" for tp in result.talking_points)
    footer = (
        f"{len(result.talking_points) - reprints} talking points"
        + (f" and {reprints} reprint groups" if reprints else "")
        + f", {clustered} paragraphs; "
        f"{result.unclustered} paragraphs in none (threshold {result.threshold:g})"
    )
    return "\n".join([*blocks, "", textwrap.fill(footer, width)])

"""A self-contained HTML report of talking points: one file, inline CSS and JS, works offline.

:func:`render_report` takes the dict that ``simdedup talking-points --json`` prints. Python
prepares a compact view of it (members capped, shared phrases split out for ``<mark>``, a common
timeline axis, the heatmap's rows and columns) and embeds it as JSON; a small vanilla script
builds the sortable table, the heatmap, the timelines and, on demand, each drill-down. Every
piece of data reaches the page through ``textContent`` or an escaping function, never as markup.

Open ``report.html#tp-…`` to land on one talking point with its drill-down open.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from simdedup.checks import check_int
from simdedup.errors import InputError
from simdedup.report.assets import CSS, JS
from simdedup.report.highlight import shared_spans

__all__ = ["render_report"]

HEATMAP_ROWS = 40
"""Talking points (the largest) shown as heatmap rows."""
UNKNOWN_OUTLET = "(unknown outlet)"
_MAX_AXIS = 5000  # periods; a longer day-by-day axis keeps only the periods that occur


def render_report(
    data: Mapping[str, Any], *, title: str = "simdedup report", max_members: int = 200
) -> str:
    """One self-contained HTML document for the talking points in ``data``.

    ``data`` is the dict written by ``simdedup talking-points --json`` (``talking_points``,
    ``unclustered``, ``timeline_unit`` and optionally ``corpus``); dates, outlets and timelines
    may be missing. ``max_members`` caps the paragraphs listed per talking point (the page says
    "showing N of M"): every listed paragraph is in the page's embedded data, so the cap bounds
    the file size and the time a drill-down takes to open. Shared phrases are found among all
    members, listed or not (pure Python, about 2 s per million words of member text).

    Raises
    ------
    InputError
        When ``data`` has no ``talking_points`` list or ``max_members`` is not an integer >= 1.
    """
    check_int(max_members, "max_members")
    if not isinstance(data, Mapping) or not isinstance(data.get("talking_points"), list):
        raise InputError("data must be a dict with a 'talking_points' list (talking-points --json)")
    view = _view(data, max_members)
    page = [
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<meta name="generator" content="simdedup">\n<title>{html.escape(title)}</title>\n',
        f"<style>{CSS}</style>\n</head>\n<body>\n",
        _header(title, view["overview"]),
        '<main class="wrap">\n',
        _body(view),
        "</main>\n",
        '<script type="application/json" id="sd-data">',
        _embed_json({k: v for k, v in view.items() if k != "overview"}),
        "</script>\n",
        f"<script>{JS}</script>\n</body>\n</html>\n",
    ]
    return "".join(page)


def _view(data: Mapping[str, Any], max_members: int) -> dict[str, Any]:
    """The report's data: what the page script needs, nothing more."""
    raw = [tp for tp in data["talking_points"] if isinstance(tp, Mapping)]
    axis = _period_axis(raw, data.get("timeline_unit"), data.get("corpus"))
    where = {period: i for i, period in enumerate(axis)}
    points = [_point(tp, n, where, max_members) for n, tp in enumerate(raw)]
    top = sorted(range(len(points)), key=lambda i: (-points[i]["size"], points[i]["id"]))
    top = top[:HEATMAP_ROWS]
    totals: Counter[str] = Counter()
    for i in top:
        totals.update(points[i]["outlets"])
    outlets = sorted(totals, key=lambda o: (-totals[o], o))
    cells = [c for i in top for c in points[i]["outlets"].values()]
    return {
        "overview": _overview(data, points),
        "unit": str(data.get("timeline_unit") or "period"),
        "axis": axis,
        "points": points,
        "heatmap": {"rows": top, "outlets": outlets, "max": max(cells, default=0)},
    }


def _point(
    tp: Mapping[str, Any], n: int, where: Mapping[str, int], max_members: int
) -> dict[str, Any]:
    members = [m for m in tp.get("members") or [] if isinstance(m, Mapping)]
    texts = [str(m.get("text") or "") for m in members]
    claims = [_unit_spans(m, len(t)) for m, t in zip(members, texts)]
    # claim mode marks the units that put each member here; paragraph mode the shared wording
    spans = claims if any(claims) else shared_spans(texts)
    keywords = [str(k) for k in tp.get("keywords") or []]
    pid = str(tp.get("id") or f"tp-{n}")
    rep = next((m for m in members if m.get("pid") == tp.get("representative")), None)
    outlets: dict[str, int] = {}
    for outlet, count in (tp.get("outlets") or {}).items():
        outlets[_outlet(outlet)] = outlets.get(_outlet(outlet), 0) + int(count or 0)
    if not outlets:
        outlets = dict(Counter(_outlet(m.get("outlet")) for m in members))
    timeline = []
    for entry in tp.get("timeline") or []:
        if not isinstance(entry, Mapping):
            continue
        period, count = str(entry.get("period")), int(entry.get("count") or 0)
        if count and period in where:
            timeline.append([where[period], count])
    size = int(tp.get("size") or len(members))
    return {
        "id": pid,
        "label": str(tp.get("label") or ", ".join(keywords[:3]) or pid),
        "keywords": keywords,
        "size": size,
        "n_outlets": int(tp.get("n_outlets") or len(outlets)),
        "outlets": outlets,
        "order": [_outlet(o) for o in tp.get("outlet_order") or []],
        "first": _seen(tp.get("first_seen")),
        "last": _seen(tp.get("last_seen")),
        "tl": sorted(timeline),
        "rep": None
        if rep is None
        else _member(
            rep, str(rep.get("text") or ""), _unit_spans(rep, len(str(rep.get("text") or "")))
        ),
        "claims": any(claims),
        "total": max(size, len(members)),
        "members": [
            _member(m, text, sp) for m, text, sp in zip(members, texts, spans[:max_members])
        ],
    }


def _member(m: Mapping[str, Any], text: str, spans: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """A member with its text cut into parts: odd-numbered parts are shared phrases."""
    parts, at = [], 0
    for start, end in spans:
        parts += [text[at:start], text[start:end]]
        at = end
    parts.append(text[at:])
    score = m.get("score")
    if not isinstance(score, (int, float)) or not math.isfinite(score):
        score = None
    return {
        "pid": str(m.get("pid") or ""),
        "outlet": _outlet(m.get("outlet")),
        "date": _text_or_none(m.get("date")),
        "score": None if score is None else round(float(score), 4),
        "copies": _text_or_none(m.get("copies")),
        "provenance": _text_or_none(m.get("provenance")),
        "parts": parts,
    }


def _unit_spans(m: Mapping[str, Any], length: int) -> list[tuple[int, int]]:
    """A member's claim units as sorted, non-overlapping ``(start, end)`` within its text."""
    spans: list[tuple[int, int]] = []
    for u in m.get("units") or []:
        if not isinstance(u, Mapping):
            continue
        start, end = u.get("start"), u.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
            spans.append((start, end))
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            start = out[-1][1]
        if start < end:
            out.append((start, end))
    return out


def _seen(seen: Any) -> dict[str, Any] | None:
    if not isinstance(seen, Mapping):
        return None
    outlet = seen.get("outlet")
    return {
        "date": _text_or_none(seen.get("date")),
        "outlet": None if outlet is None else _outlet(outlet),
        "pid": _text_or_none(seen.get("pid")),
        "tie": seen.get("tie") is True,
    }


def _outlet(outlet: Any) -> str:
    return UNKNOWN_OUTLET if outlet is None or outlet == "" else str(outlet)


def _text_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _overview(data: Mapping[str, Any], points: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    corpus: Mapping[str, Any] = data.get("corpus") or {}
    if not isinstance(corpus, Mapping):
        corpus = {}
    # paragraphs in some talking point, each once (in claim mode one may be in several)
    pids = {
        str(m.get("pid"))
        for tp in data.get("talking_points") or []
        if isinstance(tp, Mapping)
        for m in tp.get("members") or []
        if isinstance(m, Mapping) and m.get("pid")
    }
    in_points = len(pids) or sum(int(p["size"]) for p in points)
    unclustered = data.get("unclustered")
    paragraphs = corpus.get("paragraphs")
    if paragraphs is None and isinstance(unclustered, int):
        paragraphs = in_points + unclustered
    outlets = corpus.get("outlets")
    if outlets is None and points:
        outlets = len({o for p in points for o in p["outlets"]} - {UNKNOWN_OUTLET})
    firsts = [p["first"]["date"] for p in points if p["first"] and p["first"]["date"]]
    lasts = [p["last"]["date"] for p in points if p["last"] and p["last"]["date"]]
    return {
        "paragraphs": paragraphs,
        "documents": corpus.get("documents"),
        "outlets": outlets,
        "talking_points": len(points),
        "in_points": in_points,
        "unclustered": unclustered,
        "first_date": corpus.get("first_date") or min(firsts, default=None),
        "last_date": corpus.get("last_date") or max(lasts, default=None),
    }


_FORMS = {
    "year": re.compile(r"\d{4}"),
    "month": re.compile(r"\d{4}-\d{2}"),
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
}


def _period_axis(points: Sequence[Mapping[str, Any]], unit: Any, corpus: Any) -> list[str]:
    """Every period of the timelines in order, gaps filled for years, months and days (and
    stretched to the corpus's date range), so that all sparklines share one time axis."""
    entries = [e for tp in points for e in tp.get("timeline") or [] if isinstance(e, Mapping)]
    periods = {str(e.get("period")) for e in entries}
    periods.discard("None")
    if not periods:
        return []
    form = next((f for f, rx in _FORMS.items() if all(rx.fullmatch(p) for p in periods)), None)
    if form is None:
        return sorted(periods)
    lo, hi = min(periods), max(periods)
    if isinstance(corpus, Mapping) and unit == form:
        first, last = str(corpus.get("first_date") or ""), str(corpus.get("last_date") or "")
        width = len(lo)
        if _FORMS["day"].fullmatch(first) and _FORMS["day"].fullmatch(last):
            lo, hi = min(lo, first[:width]), max(hi, last[:width])
    try:
        filled = _fill(form, lo, hi)
    except ValueError:  # not a real date ("2024-13")
        return sorted(periods)
    return filled if len(filled) <= _MAX_AXIS else sorted(periods)


def _fill(form: str, lo: str, hi: str) -> list[str]:
    if form == "year":
        return [str(y) for y in range(int(lo), int(hi) + 1)]
    if form == "month":
        start, end = int(lo[:4]) * 12 + int(lo[5:]) - 1, int(hi[:4]) * 12 + int(hi[5:]) - 1
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(start, end + 1)]
    first, last = date.fromisoformat(lo), date.fromisoformat(hi)
    days = min((last - first).days, _MAX_AXIS)
    return [(first + timedelta(days=d)).isoformat() for d in range(days + 1)]


def _embed_json(view: Mapping[str, Any]) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>`` or ``&`` survives, so neither ``</script>``
    nor ``<!--`` can end or confuse the block."""
    text = json.dumps(view, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else "–"


def _header(title: str, o: Mapping[str, Any]) -> str:
    share = ""
    if isinstance(o["paragraphs"], int) and o["paragraphs"] > 0:
        share = f"{100 * o['in_points'] / o['paragraphs']:.1f} % of all"
    first, last = o["first_date"], o["last_date"]
    span = f"{first} – {last}" if first and last else first or last or "undated"
    cards = [
        ("Paragraphs", _number(o["paragraphs"]), ""),
        ("Documents", _number(o["documents"]), ""),
        ("Outlets", _number(o["outlets"]), ""),
        ("Talking points", _number(o["talking_points"]), ""),
        ("In talking points", _number(o["in_points"]), share),
        ("Unclustered", _number(o["unclustered"]), "in no talking point"),
    ]
    out = ['<header class="top"><div class="wrap">\n<div class="eyebrow">simdedup · talking points'
           f'</div>\n<h1>{html.escape(title)}</h1>\n<div class="cards">\n']  # fmt: skip
    for key, value, sub in cards:
        out.append(
            f'<div class="card"><div class="k">{key}</div><div class="v">{value}</div>'
            f'<div class="s">{html.escape(sub)}</div></div>\n'
        )
    out.append(
        '<div class="card wide"><div class="k">Date range</div>'
        f'<div class="v date">{html.escape(span)}</div><div class="s"></div></div>\n'
    )
    out.append("</div>\n</div></header>\n")
    return "".join(out)


def _body(view: Mapping[str, Any]) -> str:
    if not view["points"]:
        return (
            '<section class="empty"><div class="empty-icon">∅</div>'
            "<h2>No talking points found</h2><p>No statement recurs often enough across the "
            "corpus to form a talking point. Try a lower threshold or a smaller minimum size."
            "</p></section>\n"
        )
    n, rows = len(view["points"]), len(view["heatmap"]["rows"])
    which = f"the {rows} largest of {n:,}" if rows < n else f"all {n}"
    unit = html.escape(view["unit"])
    return (
        '<section id="sd-points">\n<div class="section-head"><h2>Talking points</h2>'
        '<a class="jump" href="#sd-heat">Outlets × talking points ↓</a>'
        '<input type="search" id="sd-filter" placeholder="Filter by label, keyword, outlet or id…"'
        ' aria-label="Filter talking points" autocomplete="off">'
        '<span id="sd-count" class="muted"></span></div>\n'
        '<div class="panel"><table id="sd-table" class="points"><thead><tr>'
        '<th data-key="label" class="c-label"><button type="button">Talking point</button></th>'
        '<th data-key="size" class="num"><button type="button">Paragraphs</button></th>'
        '<th data-key="n_outlets" class="num"><button type="button">Outlets</button></th>'
        '<th data-key="first" class="when"><button type="button">First seen</button></th>'
        '<th data-key="last" class="when"><button type="button">Last seen</button></th>'
        f'<th class="c-spark" title="paragraphs per {unit}">Timeline</th>'
        '</tr></thead></table>\n<p id="sd-none" class="none" hidden>No talking point matches '
        'the filter.</p><button type="button" id="sd-more" class="more" hidden></button></div>\n'
        "</section>\n"
        '<section id="sd-heat">\n<div class="section-head"><h2>Outlets × talking points</h2>'
        f'<span class="muted">paragraphs per outlet in {which} talking points</span></div>\n'
        '<div class="panel scroll" id="sd-heatmap"></div>\n</section>\n'
        '<noscript><p class="none">This report builds its tables with JavaScript; '
        "please enable it.</p></noscript>\n"
    )

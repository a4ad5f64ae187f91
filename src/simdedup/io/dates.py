"""Dates: normalise the many ways news pages write a date to ISO ``YYYY-MM-DD``.

Parsing is done by :mod:`dateutil`; this module only decides what is a date. A value must name a
year, a month and a day ("November 19, 2024", "19 Nov 2024", "2024.09.11", "09-Apr-2024",
ISO 8601 with or without a time); anything less ("Nov. 18", "2024") is not a date.

A numeric date with the year last (``11.12.2024``, ``11/12/2024``) can be day first or month
first. :func:`day_month` finds such dates, :func:`date_order` decides the order from a file's
dates (a first number over 12 says day first, a second one over 12 month first), and
:func:`normalize_date` reads them in the order it is given.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# Candidate date substrings inside a longer line (a dateline, a "Published:" line).
_DATE_IN_TEXT = re.compile(
    r"\b(?:"
    r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{4}[./]\d{1,2}[./]\d{1,2}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[\s-]+{_MONTH}[\s,-]+\d{{4}}"
    r")",
    re.IGNORECASE,
)
_HAS_YEAR = re.compile(r"\b\d{4}\b")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_YEAR_LAST = re.compile(r"\s*(\d{1,2})[./-](\d{1,2})[./-]\d{4}(?!\d)")
ORDERS = ("auto", "dmy", "mdy")


def day_month(value: object) -> tuple[int, int] | None:
    """The first two numbers of a numeric date written with its year last (``11.12.2024`` ->
    ``(11, 12)``), else ``None``."""
    if not isinstance(value, str):
        return None
    match = _YEAR_LAST.match(value)
    return (int(match.group(1)), int(match.group(2))) if match else None


def is_ambiguous(value: object) -> bool:
    """Whether ``value`` is a year-last numeric date that reads as a valid but different date
    day first and month first (``11.12.2024``; not ``13.12.2024`` or ``05.05.2024``)."""
    pair = day_month(value)
    return pair is not None and pair[0] != pair[1] and min(pair) >= 1 and max(pair) <= 12


def date_order(values: Iterable[object]) -> str | None:
    """The day/month order the year-last numeric dates among ``values`` share: ``"dmy"`` when
    some first number is over 12, ``"mdy"`` when some second one is, ``"mixed"`` when both
    happen, ``None`` when nothing decides."""
    day_first = month_first = False
    for value in values:
        pair = day_month(value)
        if pair is None:
            continue
        day_first = day_first or 12 < pair[0] <= 31
        month_first = month_first or 12 < pair[1] <= 31
    if day_first and month_first:
        return "mixed"
    return "dmy" if day_first else "mdy" if month_first else None


def normalize_date(value: object, dayfirst: bool = False) -> str | None:
    """Return ``value`` as ``YYYY-MM-DD``, or ``None`` when it is empty or not a full date.

    Accepts ``date``/``datetime`` objects, Unix timestamps are not guessed at. Strings are parsed
    with :func:`dateutil.parser.parse` after checking they carry a four-digit year; a year-last
    numeric date is read day first when ``dayfirst`` is set (month first otherwise).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    if len(value) > 200:  # no date is that long; dateutil would take its time to say so
        return None
    return _normalize_text_date(value.strip(), dayfirst and day_month(value) is not None)


@lru_cache(maxsize=4096)
def _normalize_text_date(text: str, dayfirst: bool = False) -> str | None:
    """:func:`normalize_date` of a stripped string; memoised, as a corpus repeats its dates."""
    if not text or not _HAS_YEAR.search(text):
        return None
    if _ISO_DAY.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    from dateutil import parser

    try:
        with warnings.catch_warnings():  # an unknown zone name ("ZBST") does not change the day
            warnings.simplefilter("ignore", parser.UnknownTimezoneWarning)
            # Two different defaults: a component missing from the text shows up as a difference.
            first = parser.parse(text, default=datetime(2000, 1, 1), dayfirst=dayfirst)
            second = parser.parse(text, default=datetime(2001, 2, 2), dayfirst=dayfirst)
    except (ValueError, OverflowError):
        match = _DATE_IN_TEXT.search(text)
        return _normalize_text_date(match.group(0)) if match and match.group(0) != text else None
    if first.date() != second.date():
        return None
    return str(first.date().isoformat())


def find_date(text: str) -> str | None:
    """Return the first full date found inside ``text`` (e.g. a dateline) as ``YYYY-MM-DD``."""
    for match in _DATE_IN_TEXT.finditer(text):
        found = normalize_date(match.group(0))
        if found:
            return found
    return None


def undecided_dates(file: str, values: list[str], order: str | None, single: bool) -> str:
    """The warning for the ``values`` of ``file`` left out because their day/month order was
    not decided (``order`` ``"mixed"``: the file writes both; ``single``: a one-document file)."""
    if order == "mixed":
        why = "the file writes dates both day first and month first"
    elif single:
        why = "a text file has no other dates to decide by"
    else:
        why = "no date in the file has a day or month over 12 to decide by"
    first = json.dumps(values[0], ensure_ascii=False)
    what = f"{len(values)} dates such as {first}" if len(values) > 1 else first
    return (
        f"{file}: {what} may be day.month or month.day and {why}; left out (choose with "
        "--dayfirst or --monthfirst)"
    )


class DayMonth:
    """The day/month order of year-last numeric dates, file by file: fixed by ``order``
    (``dmy``, ``mdy``), or with ``auto`` decided from all of a file's dates (read through
    ``scan(file)``, once per file, when its first ambiguous date turns up)."""

    def __init__(self, order: str, scan: Callable[[Any], list[object]]) -> None:
        self.order = order
        self.scan = scan
        self._orders: dict[Any, str | None] = {}
        self._left_out: dict[Any, list[str]] = {}

    def dayfirst(self, raw: object, file: Any) -> bool | None:
        """Whether to read ``raw`` day first; ``None`` when its file cannot decide (it is
        then left out, and counted for :meth:`end_file`)."""
        if self.order != "auto" or not is_ambiguous(raw):
            return self.order == "dmy"
        if file not in self._orders:
            self._orders[file] = date_order(self.scan(file))
        order = self._orders[file]
        if order in ("dmy", "mdy"):
            return order == "dmy"
        self._left_out.setdefault(file, []).append(str(raw))
        return None

    def end_file(self, file: Any, single: bool) -> tuple[int, str]:
        """How many of ``file``'s dates were left out, and the warning that says so."""
        left_out = self._left_out.pop(file, [])
        if not left_out:
            return 0, ""
        name = "<stdin>" if file is None else str(file)
        return len(left_out), undecided_dates(name, left_out, self._orders.get(file), single)

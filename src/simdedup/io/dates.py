"""Dates: normalise the many ways news pages write a date to ISO ``YYYY-MM-DD``.

Parsing is done by :mod:`dateutil`; this module only decides what is a date. A value must name a
year, a month and a day ("November 19, 2024", "19 Nov 2024", "2024.09.11", "09-Apr-2024",
ISO 8601 with or without a time); anything less ("Nov. 18", "2024") is not a date.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

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


def normalize_date(value: object) -> str | None:
    """Return ``value`` as ``YYYY-MM-DD``, or ``None`` when it is empty or not a full date.

    Accepts ``date``/``datetime`` objects, Unix timestamps are not guessed at. Strings are parsed
    with :func:`dateutil.parser.parse` after checking they carry a four-digit year.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    return _normalize_text_date(value.strip())


@lru_cache(maxsize=4096)
def _normalize_text_date(text: str) -> str | None:
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
        # Two different defaults: a component missing from the text shows up as a difference.
        first = parser.parse(text, default=datetime(2000, 1, 1))
        second = parser.parse(text, default=datetime(2001, 2, 2))
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

"""Validation of user-supplied settings: one helper per kind of value, errors naming the
parameter (``k=``, ``threshold=``) and showing the bad value. Booleans are never numbers here."""

from __future__ import annotations

import math

from simdedup.errors import InputError
from simdedup.io.dates import normalize_date


def check_int(value: object, name: str, minimum: int = 1) -> int:
    """``value`` as an ``int`` >= ``minimum``, or an :class:`InputError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return value


def check_optional_int(value: object, name: str, minimum: int = 1) -> int | None:
    """:func:`check_int`, letting ``None`` through."""
    return None if value is None else check_int(value, name, minimum)


def check_number(
    value: object, name: str, low: float, high: float | None = None, *, low_open: bool = False
) -> float:
    """``value`` as a ``float`` in ``[low, high]`` (``(low, high]`` with ``low_open``; no upper
    bound when ``high`` is ``None``). ``nan`` is never in range."""
    sign, bracket = (">", "(") if low_open else (">=", "[")
    bounds = f"{sign} {low:g}" if high is None else f"in {bracket}{low:g}, {high:g}]"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{name} must be a number {bounds}; got {value!r}")
    below = value <= low if low_open else value < low
    if math.isnan(value) or below or (high is not None and value > high):
        raise InputError(f"{name} must be {bounds}; got {value!r}")
    return float(value)


def check_threshold(value: object, name: str = "threshold") -> float | None:
    """A cosine threshold: ``None`` or a number in [-1, 1]."""
    return None if value is None else check_number(value, name, -1.0, 1.0)


def check_date(value: str | None, name: str) -> str | None:
    """A ``since``/``until`` bound normalised to ISO ``YYYY-MM-DD`` (``None`` for none)."""
    if value is None or value == "":
        return None
    iso = normalize_date(value)
    if iso is None:
        raise InputError(f"{name} {value!r} is not a date (use YYYY-MM-DD)")
    return iso

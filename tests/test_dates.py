from __future__ import annotations

from datetime import date, datetime

import pytest

from simdedup.io.dates import find_date, normalize_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("November 19, 2024", "2024-11-19"),
        ("Nov. 19, 2024", "2024-11-19"),
        ("19 Nov 2024", "2024-11-19"),
        ("2024.09.11", "2024-09-11"),
        ("2024/9/1", "2024-09-01"),
        ("2024-09-11", "2024-09-11"),
        ("2024-09-11T23:30:00+08:00", "2024-09-11"),
        ("09-Apr-2024", "2024-04-09"),
        (date(2024, 1, 2), "2024-01-02"),
        (datetime(2024, 1, 2, 3, 4), "2024-01-02"),
    ],
)
def test_normalize_date_accepts_common_formats(value: object, expected: str) -> None:
    assert normalize_date(value) == expected


@pytest.mark.parametrize("value", ["", None, "Nov. 18", "2024", "yesterday", "2024-13-45", 17])
def test_normalize_date_rejects_partial_or_invalid(value: object) -> None:
    assert normalize_date(value) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published: 19:55, February 8, 2024 | Updated: 09:50, February 9, 2024", "2024-02-08"),
        ("Updated 2024.09.11 11:30 GMT+8", "2024-09-11"),
        ("17:32, 09-Apr-2024", "2024-04-09"),
        ("Agency) 18:45, November 19, 2024", "2024-11-19"),
        ("no date in 2024 here", None),
    ],
)
def test_find_date_in_datelines(line: str, expected: str | None) -> None:
    assert find_date(line) == expected

"""Property-based fuzzing of reading, dates and segmenting: whatever the input, only a
one-line ``SimdedupError`` naming the file escapes, records hold the values their lines hold,
and segments are the text at their offsets (the properties: ``tests/fuzz_strategies.py``).

Bounded and derandomized, so a run is the same every time. Every hostile input found so far
is tried on every run: those the reader was fixed for as ``@example`` s of the property tests,
those fuzzing found since in ``test_inputs_found_by_fuzzing`` and
``test_no_input_takes_super_linear_time``. ``python benchmarks/fuzz.py`` runs the same
strategies for minutes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, Phase, example, given, settings

import fuzz_strategies as fz
from fuzz_strategies import FileSpec, ReadCase, SegmentCase, StdinCase, make_file
from simdedup.io.records import Fields

LIMIT = 10.0  # seconds one case may take; a case past it fails (TooSlow)
TEXT = "The ministers agreed on Tuesday to reopen the border crossing for trade and travel."


def fuzz(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no explain: it traces, slowly
    )


def jsonl(*objects: dict[str, Any] | str) -> bytes:
    """JSONL of objects (dumped, ASCII-only, so lone surrogates are escapes) or raw lines."""
    lines = [o if isinstance(o, str) else json.dumps(o) for o in objects]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def one(path: str, data: bytes, **settings: Any) -> ReadCase:
    return ReadCase((make_file(path, data),), **settings)


def both(case: ReadCase) -> list[ReadCase]:
    """``case`` read strictly and with ``skip_bad``."""
    return [ReadCase(case.files, case.fields, skip_bad, case.folder) for skip_bad in (False, True)]


BIG = "9" * 5000  # past Python's 4300-digit limit for int <-> str
MANY = jsonl(*({"id": f"r{i}", "text": f"{TEXT} ({i})"} for i in range(400)))  # > 8 KiB
GZ_MANY = make_file("many.jsonl.gz", MANY).data

# The hostile inputs the reader was fixed for (issue: hostile input), tried on every run.
KNOWN = [
    # a lone surrogate escape: half an emoji, which UTF-8 cannot encode (hashing, SQLite)
    *both(one("s.jsonl", jsonl({"id": "a\ud83d", "text": TEXT + " \ud83d", "title": "\udc00"}))),
    # nesting deeper than Python's recursion limit
    *both(one("deep.jsonl", jsonl('{"id": "a", "text": ' + "[" * 100_000 + "}"))),
    *both(one("deep.json", b"[" * 100_000)),
    # integers of more than 4300 digits, as id and as date
    *both(one("big.jsonl", jsonl('{"id": ' + BIG + ', "text": "' + TEXT + '"}'))),
    *both(one("big.jsonl", jsonl('{"id": "a", "text": "' + TEXT + '", "date": ' + BIG + "}"))),
    # a .jsonl.gz cut short after the first 8 KiB: its records must not be read in silence
    *both(ReadCase((make_file("cut.jsonl.gz", MANY, cut=len(GZ_MANY) // 2),))),
    # lists, objects and booleans where a string belongs: never a Python repr
    *both(one("v.jsonl", jsonl({"id": [1, 2], "text": TEXT}))),
    *both(one("v.jsonl", jsonl({"id": {"a": 1}, "text": TEXT}))),
    *both(one("v.jsonl", jsonl({"id": True, "text": TEXT}))),
    *both(one("v.jsonl", jsonl({"id": "a", "outlet": ["X", "Y"], "text": TEXT}))),
    *both(one("v.jsonl", jsonl({"id": "a", "outlet": {"name": "X"}, "text": TEXT}))),
    *both(one("v.jsonl", jsonl({"id": "a", "title": False, "text": TEXT}))),
    *both(one("v.json", json.dumps([{"id": "a", "title": {"en": "T"}, "text": TEXT}]).encode())),
]


def with_examples(cases: list[Any], name: str = "case") -> Any:
    def decorate(test: Any) -> Any:
        for case in reversed(cases):
            test = example(**{name: case})(test)
        return test

    return decorate


@with_examples(KNOWN)
@fuzz(30)
@given(case=fz.read_cases())
def test_reading_files_and_folders(case: ReadCase) -> None:
    fz.check_read(case, LIMIT)


@with_examples(KNOWN[:2])
@fuzz(15)
@given(case=fz.store_cases())
def test_reading_then_storing(case: ReadCase) -> None:
    fz.check_store(case, LIMIT)


@fuzz(40)
@given(case=fz.stdin_cases())
def test_reading_stdin_as_a_file_reads(case: StdinCase) -> None:
    fz.check_stdin(case, LIMIT)


@example(value="11.12.2024")
@example(value=BIG)
@example(value="2024-02-30")
@example(value="\ud83d 2024-11-18")
@fuzz(300)
@given(value=fz.date_values())
def test_dates(value: object) -> None:
    fz.check_date(value, LIMIT)


SCRAPED = "\n\n".join(
    [
        "Accept all cookies",
        "Ministers pledge deeper cooperation on grain corridor",
        "Published: 10:15, November 18, 2024 | Updated: 11:02, November 18, 2024",
        "PORT ELSIN, Nov. 18 (VNA) -- " + TEXT,
        "  • Both sides said the corridor would stay open throughout the winter season.",
        "Share this article",
        "Related Articles",
        "Valdoria hosts coastal council summit and welcomes new observer members",
    ]
)


@example(case=SegmentCase(SCRAPED, "Ministers pledge deeper cooperation on grain corridor"))
@example(case=SegmentCase(SCRAPED.replace("\n\n", "\r\n"), None, min_chars=1))
@example(case=SegmentCase(SCRAPED.replace("\n\n", "\u2028"), None, "a:b", 10, False, True))
@example(case=SegmentCase("BEIJING, Nov. 18 (Xinhua) -- " + TEXT * 3, TEXT, min_chars=300))
@example(case=SegmentCase("", "", ""))
@fuzz(300)
@given(case=fz.segment_cases())
def test_segmenting(case: SegmentCase) -> None:
    fz.check_segments(case, LIMIT)


def _parquet() -> bytes:
    """A valid one-row Parquet file (eight zero bytes without pyarrow)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return b"\x00" * 8
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([{"id": "a", "text": TEXT}]), out)
    return out.getvalue()


def _damaged(data: bytes, at: int) -> bytes:
    return data[:at] + b"\x00" * 4 + data[at + 4 :]


PARQUET = _parquet()
FOOTER = len(PARQUET) - 8 - int.from_bytes(PARQUET[-8:-4], "little")  # where its footer starts


def _csv(path: str, *rows: tuple[str, ...]) -> FileSpec:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode("utf-8")
    return FileSpec(path, data, data, rows=rows)


def _folder(*files: tuple[str, bytes], **settings: Any) -> ReadCase:
    return ReadCase(tuple(make_file(p, d) for p, d in files), **settings)


FRONT = b"---\nid: same\n---\n" + TEXT.encode()
AMBIGUOUS = b"---\ndate: 11.12.2024\n---\n" + TEXT.encode()

# Inputs the fuzzer found that break a property, each the smallest form of one bug.
FOUND = {
    # a field name holding a newline is printed raw in "fields found: ..."
    "key-with-newline": one("k.jsonl", jsonl({"text": TEXT, "a\nb": 1}), fields=Fields("body")),
    "csv-header-with-newline": one("h.csv", b'"te\nxt",id\nhello,1\n'),
    # ... and in the "--id-field id.<key>" hint for an object id
    "object-id-key-with-newline": one("h.jsonl", jsonl({"text": TEXT, "id": {"a\nb": 1}})),
    # two .txt files with the same front-matter id: with skip_bad the second is "skipped"
    # in the warning, yet read
    "txt-duplicate-id": _folder(("one.txt", FRONT), ("two.txt", FRONT), skip_bad=True),
    # a .jsonl.gz cut within its first 8 KiB is "unreadable file skipped": a warning only
    "small-truncated-gz": ReadCase((make_file("s.jsonl.gz", jsonl({"text": TEXT}), cut=15),)),
    # a file read as text by its path (no known suffix) with an ambiguous front-matter date:
    # the day/month scan reads it as text again, which scans again ... RecursionError
    "ambiguous-date-in-untyped-file": one("notes.dat", AMBIGUOUS, folder=False),
    "ambiguous-date-in-txt-gz": one("notes.txt.gz", AMBIGUOUS, folder=False),
    # an upper-case .GZ is known as JSONL but not decompressed: "binary file skipped"
    "upper-case-gz": one("X.JSONL.GZ", jsonl({"text": TEXT})),
    # a Parquet file whose first page is damaged opens, then pyarrow's OSError (or
    # ArrowInvalid, a ValueError) escapes while its rows are read
    "damaged-parquet-pages": one("d.parquet", _damaged(PARQUET, 4), skip_bad=True),
    # a damaged Parquet footer: "unreadable Parquet file skipped (<pyarrow's two lines>)"
    "damaged-parquet-footer": one("d.parquet", _damaged(PARQUET, FOOTER), skip_bad=True),
    # each CSV line is decoded on its own as utf-8-sig: a cell's line that starts with U+FEFF
    # loses it
    "csv-bom-in-multiline-cell": ReadCase((_csv("b.csv", ("text",), ("one\n\ufefftwo",)),)),
}
FOUND_STDIN = {
    # "\r" between JSON tokens: stdin splits lines on it (bytes.splitlines), files do not
    "stdin-cr-in-json": StdinCase(b'{"id": "a",\r"text": "' + TEXT.encode() + b'"}\n', "jsonl"),
}


@pytest.mark.parametrize("case", FOUND.values(), ids=FOUND.keys())
def test_inputs_found_by_fuzzing(case: ReadCase) -> None:
    fz.check_read(case, LIMIT)


@pytest.mark.parametrize("case", FOUND_STDIN.values(), ids=FOUND_STDIN.keys())
def test_stdin_inputs_found_by_fuzzing(case: StdinCase) -> None:
    fz.check_stdin(case, LIMIT)


NEWS = " ".join(["News"] * 27)


@pytest.mark.parametrize(
    "check",
    [
        # "-- News News ... News x": the credit patterns' name part matches "News" two ways
        # (a capitalised word, or the word "News"), so a failing match takes 2^n steps
        lambda: fz.check_read(one("r.jsonl", jsonl({"text": f"Ministers met -- {NEWS} x."})), 0.5),
        lambda: fz.check_read(one("r.jsonl", jsonl({"text": f"({NEWS} x"})), 0.5),
        # a long run of blank lines: the credit patterns that start "^\s*" (re.M) try every
        # line start and scan the whole run from each (quadratic)
        lambda: fz.check_read(one("r.jsonl", jsonl({"text": "x\n" + "\n" * 60_000 + "y"})), 0.5),
        # "More from" then a long run of spaces: the related-articles heading pattern
        # backtracks through the run once per space (quadratic)
        lambda: fz.check_segments(SegmentCase("More from " + " " * 60_000 + "x!"), 0.5),
    ],
    ids=["credit-dash-news", "credit-paren-news", "credit-blank-lines", "related-heading-spaces"],
)
def test_no_input_takes_super_linear_time(check: Any) -> None:
    check()


def test_strategies_make_what_they_say() -> None:
    """The file strategy's bookkeeping the checks rely on."""
    cut = make_file("a.jsonl.gz", MANY, cut=100)
    assert cut.truncated and cut.plain == MANY and len(cut.data) == 100
    assert not make_file("a.jsonl.gz", MANY).truncated
    assert make_file("a.jsonl", MANY) == FileSpec("a.jsonl", MANY, MANY)
    assert fz.error_kind("/x/a.jsonl:3: field 'id' is a list ([1, 2]), expected") == (
        "field Q is a list"
    )
    assert GZ_MANY.startswith(b"\x1f\x8b")

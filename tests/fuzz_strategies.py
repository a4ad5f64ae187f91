"""Hypothesis strategies and property checks for fuzzing how simdedup reads and segments input,
shared by ``tests/test_fuzz.py`` (bounded, in the default suite) and ``benchmarks/fuzz.py``
(a long run that counts what it finds).

Each ``check_*`` function runs one generated case through simdedup and returns an
:class:`Outcome` (records read, segments made, the kind of simdedup error raised, if any).
The properties:

* the only exceptions that escape are :class:`~simdedup.errors.SimdedupError`, each a single
  line naming the file (or ``<stdin>``, or the parameter) at fault; any other exception
  propagates as it is, a broken property raises :class:`PropertyViolation`, and a case that
  runs past its time limit raises :class:`TooSlow`;
* every :class:`~simdedup.io.records.Record` holds a ``str`` id and text, the values its line
  holds (never a Python repr of a list, object or boolean), UTF-8-encodable strings (no lone
  surrogate) and unique ids;
* every :class:`~simdedup.segment.Segment` and :class:`~simdedup.segment.Removed` is the
  original text at its offsets, kept and removed spans never overlap, and what neither covers
  is whitespace or bullet characters (the invariants of ``src/simdedup/segment.py``);
* a truncated ``.jsonl.gz`` is an error (a warning with ``skip_bad``), never read in silence.
"""

from __future__ import annotations

import csv
import gzip
import inspect
import io
import itertools
import json
import re
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from hypothesis import strategies as st

from simdedup.errors import SimdedupError
from simdedup.io.dates import find_date, normalize_date
from simdedup.io.records import Fields, Record, RecordReader
from simdedup.segment import RULES, Segmenter, text_hash

# -- limits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How big generated cases get: small for the test suite, larger for the benchmark."""

    files: int = 4  # files in one input folder
    lines: int = 6  # JSONL lines / CSV rows in one file
    pieces: int = 12  # text pieces joined into one text
    repeat: int = 6  # the most times one piece is repeated in a row
    long_run: int = 0  # length of a long run of one character (0: none)


SMALL = Scale()
LARGE = Scale(files=8, lines=20, pieces=40, repeat=60, long_run=60_000)

# -- outcomes and failures ----------------------------------------------------------------------


class PropertyViolation(AssertionError):
    """simdedup returned something a property forbids; ``rule`` names the property."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"[{rule}] {detail}")
        self.rule = rule


class TooSlow(PropertyViolation):
    """A case ran past its time limit (``where``: the simdedup frame it was stopped in)."""

    def __init__(self, seconds: float, where: str) -> None:
        super().__init__("time-limit", f"still running after {seconds:g} s in {where}")
        self.where = where


class _Alarm(BaseException):  # a BaseException, so that no ``except Exception`` swallows it
    pass


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TooSlow` when the body runs longer than ``seconds`` (main thread, POSIX;
    no limit elsewhere). Regular expressions are interrupted too."""
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def fire(signum: int, frame: Any) -> None:
        raise _Alarm

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield
    except _Alarm:
        raise TooSlow(float(seconds or 0), simdedup_frame(sys.exc_info()[2])) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def simdedup_frame(tb: Any) -> str:
    """``module.py:function`` of the innermost simdedup frame of a traceback."""
    where = "?"
    for frame, _line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename.replace("\\", "/")
        if "/simdedup/" in filename and "/tests/" not in filename:
            where = f"{filename.rsplit('/simdedup/', 1)[1]}:{frame.f_code.co_name}"
    return where


@dataclass
class Outcome:
    """What one case did."""

    records: int = 0
    segments: int = 0
    removed: int = 0
    warnings: int = 0
    error: str | None = None  # the kind of simdedup error raised (see error_kind)


def fail(rule: str, detail: str) -> NoReturn:
    raise PropertyViolation(rule, detail)


def error_kind(message: str) -> str:
    """A simdedup error message without its location and values: ``invalid JSON``,
    ``field Q is a list``, ``no such file or directory``."""
    text = message.split(": ", 1)[1] if ": " in message else message
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "Q", text)
    text = re.sub(r"\d+", "N", text)
    return re.split(r" \(|;", text)[0].strip()[:60] or "?"


def check_error(exc: SimdedupError, names: tuple[str, ...]) -> str:
    """A simdedup error must be one non-empty line naming one of ``names``; its kind."""
    message = str(exc)
    if not message.strip():
        fail("error-message", f"{type(exc).__name__} with an empty message")
    if "\n" in message or "\r" in message:
        fail("error-one-line", f"{type(exc).__name__} message spans lines: {message!r}")
    if not any(name in message for name in names):
        fail("error-names-source", f"message names none of {names}: {message!r}")
    return error_kind(message)


def check_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        if "\n" in warning or "\r" in warning:
            fail("warning-one-line", f"warning spans lines: {warning!r}")


def encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def desurrogate(value: str) -> str:
    return re.sub("[\ud800-\udfff]", "\ufffd", value)


def is_iso_day(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# -- text ---------------------------------------------------------------------------------------

SENTENCES = [
    "Valdorian Foreign Minister Arlen Kost met his Norvanian counterpart in Port Elsin on "
    "Monday, and the two agreed to expand cooperation on fisheries and grain shipments.",
    "The ministers agreed on Tuesday to reopen the border crossing for trade and travel.",
    "Heavy rain flooded the lower market district overnight, and the council closed schools.",
    "Kost noted that this year marks the 30th anniversary of diplomatic relations.",
    "“We will not accept any interference,” the spokesperson said at a regular briefing.",
    "Officials said 1,200 people were evacuated; no casualties were reported.",
    "Ministers pledge deeper cooperation on grain corridor",
    "U.S. - China dialogue takes place in Iowa",
    "SXSW: the festival opens with a record crowd",
    "More from the minister's office followed later in the day.",
    "By Tuesday, staff were evacuated from the building.",
    "Copyright specialists said the ruling would change little.",
]
BOILERPLATE = [
    "Share this article", "Share", "Tweet", "Print", "Email", "Accept all cookies",
    "We use cookies to improve your experience. By continuing to browse you agree.",
    "© 2024 Reuters", "Copyright © 2024 Meridian Post. All rights reserved.",
    "Source(s): Valdoria News Agency", "Source: Xinhua", "Related Articles", "Related:",
    "More from Meridian Post", "Read more", "ALSO READ: Valdoria hosts coastal summit",
    "Published: 10:15, November 18, 2024 | Updated: 11:02, November 18, 2024",
    "Leave a Reply", "Your email address will not be published.", "(PHOTO / XINHUA)",
    "(Photo: Reuters)", "Photo: OECD/Julien Marchal", "By Renee Castillo", "By AFP",
    "Tips | Corrections | About", "Tags: diplomacy, trade", "Sign up for our newsletter",
    "Media: Sofia Brandt, sofia@example.org", "(Adds quotes from minister)", "Menu", "Home",
]  # fmt: skip
DATELINES = [
    "BEIJING, Nov. 18 (Xinhua) -- ", "PORT ELSIN, Nov. 18 (VNA) -- ", "MOSCOW, May 5 /TASS/ - ",
    "AUSTIN, Texas — ", "SAN FRANCISCO--(BUSINESS WIRE)--", "UNITED NATIONS, Sept. 3 (IANS): ",
    "GENEVA - ", "U.N. — ", "(Xinhua) 18:45, November 19, 2024 ",
]  # fmt: skip
CREDITS = [
    " -- Reuters", "(Xinhua)", "(With input from Xinhua)", "Source: Xinhua News Agency",
    "By Xinhua", "CGTN", " News", "News ", "the Valdoria News Agency reported",
]  # fmt: skip
DATE_STRINGS = [
    "2024-11-18", "November 19, 2024", "19 Nov 2024", "2024.09.11", "09-Apr-2024",
    "2024-11-18T10:15:00Z", "2024-11-18 10:15:00+08:00", "11.12.2024", "13.12.2024",
    "12/13/2024", "05.05.2024", "Nov. 18", "2024", "2024-02-30", "0000-01-01", "9999-12-31",
    "Monday, 18 November 2024 10:15 GMT", "18th November 2024", "1 1 2024", "31/31/2024",
    "2024-13-01", "Published: 10:15, November 18, 2024", "yesterday", "",
]  # fmt: skip
WHITESPACE = [
    " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r\n\r\n", "\r", "\u00a0", "\u2009", "\u3000",
    "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x85", "\u200b", "\n \n",
]  # fmt: skip
ODD = [
    "\ufeff", "\x00", "\u0301", "\u202e", "🙂", "\x7f", "\\", '"', "'", ",", "|", ":", "---",
    "•", "* ", "- ", "— ", "> ", "ﬁ", "İ", "ß", "\U0010ffff", "\ufffd", "{", "}", "[", "]",
]  # fmt: skip
SURROGATES = ["\ud83d", "\ude00", "\udc00", "\ud800", "\udfff"]


def _chars(surrogates: bool) -> st.SearchStrategy[str]:
    """Any character; with ``surrogates``, lone surrogates too (what a JSON escape can hold)."""
    if not surrogates:
        return st.characters(codec="utf-8")
    return st.one_of(st.characters(codec="utf-8"), st.characters(categories=["Cs"]))


def news_text(scale: Scale = SMALL, *, surrogates: bool = False) -> st.SearchStrategy[str]:
    """Text built from realistic pieces (sentences, boilerplate, datelines, credits, dates),
    whitespace of every kind, odd characters and arbitrary short strings."""
    piece = st.one_of(
        st.sampled_from(SENTENCES),
        st.sampled_from(BOILERPLATE),
        st.sampled_from(DATELINES),
        st.sampled_from(CREDITS),
        st.sampled_from(DATE_STRINGS),
        st.sampled_from(WHITESPACE),
        st.sampled_from(ODD + (SURROGATES if surrogates else [])),
        st.text(_chars(surrogates), max_size=12),
    )
    repeated = st.tuples(piece, st.integers(2, scale.repeat)).map(lambda t: t[0] * t[1])
    parts = [piece, piece, piece, repeated]
    if scale.long_run:
        run = st.tuples(
            st.sampled_from([" ", "a", "-", "\n", "."]),
            st.sampled_from([1_000, 10_000, scale.long_run]),
        ).map(lambda t: t[0] * t[1])
        parts.append(run)
    return st.lists(st.one_of(*parts), max_size=scale.pieces).map("".join)


def titles(text: str) -> st.SearchStrategy[str | None]:
    """No title, a line of the text (a repeated headline), or something else."""
    lines = [line for line in text.splitlines() if line.strip()]
    options: list[st.SearchStrategy[str | None]] = [
        st.none(),
        st.sampled_from(SENTENCES),
        st.text(max_size=30),
    ]
    if lines:
        options.append(st.sampled_from(lines))
    return st.one_of(*options)


# -- JSON values and records --------------------------------------------------------------------

FIELD_NAMES = ["text", "id", "outlet", "date", "title", "body", "uid", "meta", "source.name",
               "a\nb", "", " text", "TEXT", "ID"]  # fmt: skip


def json_scalars(scale: Scale) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**18, max_value=10**300),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(DATE_STRINGS),
        news_text(scale, surrogates=True),
        st.text(_chars(True), max_size=20),
    )


def json_values(scale: Scale = SMALL) -> st.SearchStrategy[Any]:
    keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(_chars(True), max_size=8))
    return st.recursive(
        json_scalars(scale),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=8,
    )


@st.composite
def field_mappings(draw: st.DrawFn) -> Fields:
    if draw(st.integers(0, 3)) < 3:  # mostly the default mapping
        return Fields()
    choose = st.sampled_from(FIELD_NAMES)
    return Fields(
        text=draw(st.sampled_from(["text", "body", "meta.text", "a\nb"]) | choose),
        id=draw(st.sampled_from(["id", "uid", "meta.id"]) | choose),
        outlet=draw(st.sampled_from(["outlet", "source.name"]) | choose),
        date=draw(st.sampled_from(["date", "meta.when"]) | choose),
        title=draw(st.sampled_from(["title", "headline"]) | choose),
    )


def _put(obj: dict[str, Any], name: str, value: Any, dotted: bool) -> None:
    if dotted and "." in name:
        head, _, rest = name.partition(".")
        inner = obj.setdefault(head, {})
        if isinstance(inner, dict):
            _put(inner, rest, value, dotted)
            return
    obj[name] = value


@st.composite
def record_objects(draw: st.DrawFn, fields: Fields, scale: Scale = SMALL) -> dict[str, Any]:
    """A JSON object with (mostly) the mapped fields, each a realistic value or any JSON."""
    values = {
        fields.text: st.one_of(news_text(scale, surrogates=True), json_values(scale)),
        fields.id: st.one_of(
            st.sampled_from(["a", "b", "a ", " ", "", "id-1", "a\ud83d", "0"]),
            st.integers(-3, 3),
            json_values(scale),
        ),
        fields.outlet: st.one_of(
            st.sampled_from(["Xinhua", "Meridian Post", " ", "", "Valdoria News Agency"]),
            json_values(scale),
        ),
        fields.date: st.one_of(st.sampled_from(DATE_STRINGS), json_values(scale)),
        fields.title: st.one_of(st.sampled_from([*SENTENCES, " ", ""]), json_values(scale)),
    }
    obj: dict[str, Any] = {}
    for name, strategy in values.items():
        if draw(st.integers(0, 5)) > 0:
            _put(obj, name, draw(strategy), dotted=draw(st.booleans()))
    extra = draw(st.dictionaries(st.sampled_from(FIELD_NAMES), json_values(scale), max_size=2))
    for key, value in extra.items():
        obj.setdefault(key, value)
    return obj


def _dumps(obj: Any, ascii_only: bool, separators: tuple[str, str]) -> bytes:
    try:
        text = json.dumps(obj, ensure_ascii=ascii_only, separators=separators)
    except ValueError:  # an int too long for str()
        text = "{}"
    return text.encode("utf-8", "surrogatepass")


@st.composite
def json_lines(draw: st.DrawFn, fields: Fields, scale: Scale = SMALL) -> bytes:
    """One JSONL line (without its newline): a record object written one of several ways, or
    something that is not one."""
    kind = draw(st.integers(0, 9))
    if kind <= 5:
        obj = draw(record_objects(fields, scale))
        seps = draw(st.sampled_from([(", ", ": "), (",", ":"), (",\r", ":\t"), (" ,", " :")]))
        line = _dumps(obj, draw(st.booleans()), seps)
        if kind == 5:  # damaged on the way
            cut = draw(st.integers(0, len(line)))
            line = line[:cut] + draw(st.sampled_from([b"", b"\x00", b"\xff", b'"', b"\\"]))
    elif kind == 6:
        line = _dumps(draw(json_values(scale)), draw(st.booleans()), (", ", ": "))
    elif kind == 7:
        depth = draw(st.sampled_from([10, 999, 5_000, 100_000]))
        line = b'{"id": "deep", "text": ' + b"[" * depth + b"]" * draw(st.sampled_from([0, depth]))
        line += b"}"
    elif kind == 8:
        digits = draw(st.sampled_from([4299, 4300, 4301, 5000]))
        where = draw(st.sampled_from([fields.id, fields.date, fields.text, "other"]))
        line = (
            b'{"text": "Ministers met.", '
            + json.dumps(where).encode()
            + b": "
            + b"9" * digits
            + b"}"
        )
    else:
        line = draw(st.binary(max_size=40))
    prefix = draw(st.sampled_from([b"", b"", b"", b"\xef\xbb\xbf", b"  "]))
    suffix = draw(st.sampled_from([b"", b"", b"\r", b" ", b"\t"]))
    return prefix + line + suffix


# -- files --------------------------------------------------------------------------------------

SUFFIXES = (
    ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".md", ".text", ".jsonl.gz",
    ".ndjson.gz", ".csv.gz", ".tsv.gz", ".parquet", ".JSONL", ".Txt", ".dat", "", ".txt.gz",
    ".json.gz", ".JSONL.GZ",
)  # fmt: skip
STORE_SUFFIXES = (".jsonl", ".json", ".csv", ".tsv", ".txt", ".md", ".jsonl.gz", ".csv.gz")
FOLDERS = ["", "", "meridian-post/", "sub/deeper/", "x y/", "Ünï/"]


@dataclass(frozen=True)
class FileSpec:
    """One input file: its path under the input root, its bytes, and what they were made of.

    ``plain`` is the uncompressed content of a ``.gz`` (``data`` for other files);
    ``truncated``: a compressed file cut short; ``rows``: a well-formed CSV's cells.
    """

    path: str
    data: bytes
    plain: bytes = b""
    truncated: bool = False
    rows: tuple[tuple[str, ...], ...] | None = None


def make_file(path: str, plain: bytes, *, cut: int | None = None) -> FileSpec:
    """A :class:`FileSpec` of ``plain``, gzip-compressed for a ``.gz`` name (any case) and then,
    with ``cut``, cut to its first ``cut`` bytes."""
    if not path.lower().endswith(".gz"):
        return FileSpec(path, plain, plain)
    data = gzip.compress(plain, mtime=0)
    truncated = cut is not None and cut < len(data)
    return FileSpec(path, data[:cut] if truncated else data, plain, truncated=truncated)


@st.composite
def jsonl_payloads(draw: st.DrawFn, fields: Fields, scale: Scale = SMALL) -> bytes:
    lines = draw(st.lists(json_lines(fields, scale), max_size=scale.lines))
    blank = draw(st.sampled_from([b"", b"", b"\n", b"   \n"]))
    body = b"\n".join(lines)
    end = draw(st.sampled_from([b"", b"\n", b"\r\n"]))
    return blank + body + end


@st.composite
def json_payloads(draw: st.DrawFn, fields: Fields, scale: Scale = SMALL) -> bytes:
    kind = draw(st.integers(0, 4))
    if kind <= 1:
        items = draw(st.lists(record_objects(fields, scale), max_size=scale.lines))
        value: Any = items if kind == 0 or len(items) != 1 else items[0]
        return _dumps(value, draw(st.booleans()), (", ", ": "))
    if kind == 2:
        return _dumps(draw(json_values(scale)), draw(st.booleans()), (", ", ": "))
    if kind == 3:
        return b"[" * draw(st.sampled_from([10, 100_000])) + b"{}"
    return draw(jsonl_payloads(fields, scale))  # JSONL under a .json name


@st.composite
def csv_payloads(
    draw: st.DrawFn, fields: Fields, delimiter: str, scale: Scale = SMALL
) -> tuple[bytes, tuple[tuple[str, ...], ...] | None]:
    """A CSV/TSV file; well-formed ones (written by :mod:`csv`) come with their cells."""
    names = [fields.text, fields.id, fields.outlet, fields.date, fields.title]
    header = draw(
        st.lists(st.sampled_from([*names, *FIELD_NAMES]), min_size=1, max_size=6).map(tuple)
    )
    cell = st.one_of(
        news_text(scale), st.sampled_from(DATE_STRINGS), st.text(max_size=10), st.just("")
    )
    if draw(st.booleans()):
        rows = draw(
            st.lists(st.lists(cell, min_size=len(header), max_size=len(header)).map(tuple),
                     max_size=scale.lines)
        )  # fmt: skip
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(
            ["\r\n", "\n"])))  # fmt: skip
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8"), (header, *rows)
    ragged = draw(st.lists(st.lists(cell, max_size=len(header) + 2), max_size=scale.lines))
    quote = draw(st.sampled_from(['"', "", "'"]))
    lines = [delimiter.join(header)]
    for row in ragged:
        lines.append(delimiter.join(quote + c + quote if quote and c else c for c in row))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 5)) == 5:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"\xff\xfe", b'"', b"\n\n"])) + data[at:]
    return data, None


@st.composite
def txt_payloads(draw: st.DrawFn, scale: Scale = SMALL) -> bytes:
    body = draw(news_text(scale))
    if draw(st.booleans()):
        keys = st.sampled_from(["id", "title", "outlet", "date", "url", "Title", "other", ""])
        values = st.one_of(
            st.sampled_from(DATE_STRINGS), st.sampled_from(SENTENCES), st.text(max_size=10)
        )
        meta = draw(st.lists(st.tuples(keys, values), max_size=5))
        sep = draw(st.sampled_from(["\n", "\r\n"]))
        fence = draw(st.sampled_from(["---", "---", "--- ", "----"]))
        head = [fence, *(f"{k}: {v}" for k, v in meta), draw(st.sampled_from(["---", "", "x"]))]
        body = sep.join(head) + sep + body
    data = body.encode("utf-8")
    if draw(st.integers(0, 4)) == 4:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\xbd"]))
        data += body.encode("utf-8")[at:]
    if draw(st.integers(0, 6)) == 6:
        data = b"\xef\xbb\xbf" + data
    return data


def _parquet_bytes(rows: list[dict[str, Any]]) -> bytes | None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return None
    try:
        table = pa.Table.from_pylist(rows)
        out = io.BytesIO()
        pq.write_table(table, out)
    except Exception:  # a mix of types pyarrow will not put in one column
        return None
    return out.getvalue()


@st.composite
def file_specs(
    draw: st.DrawFn, fields: Fields, scale: Scale = SMALL, suffixes: tuple[str, ...] = SUFFIXES
) -> FileSpec:
    """One file: a payload for its suffix (sometimes another suffix's, or random bytes), and
    for ``.gz`` names a compressed copy, sometimes truncated or corrupted."""
    suffix = draw(st.sampled_from(suffixes))
    stem = draw(st.sampled_from(["f0", "f1", "f2", "doc", "2024-11-18", "---", "a.b"]))
    path = draw(st.sampled_from(FOLDERS)) + stem + suffix
    base = suffix.lower().removesuffix(".gz")
    rows = None
    mismatch = draw(st.integers(0, 7)) == 7  # another kind's content
    kind = draw(st.sampled_from([".jsonl", ".json", ".csv", ".txt", ".bin"])) if mismatch else base
    if kind in (".jsonl", ".ndjson"):
        plain = draw(jsonl_payloads(fields, scale))
    elif kind == ".json":
        plain = draw(json_payloads(fields, scale))
    elif kind in (".csv", ".tsv"):
        plain, rows = draw(csv_payloads(fields, "\t" if kind == ".tsv" else ",", scale))
    elif kind == ".parquet":
        objs = draw(st.lists(record_objects(fields, scale), max_size=scale.lines))
        made = _parquet_bytes(objs)
        plain = made if made is not None else draw(st.binary(max_size=200))
        if made is not None and draw(st.booleans()):  # damage a valid file
            at = draw(st.integers(0, len(plain) - 1))
            plain = plain[:at] + draw(st.binary(min_size=1, max_size=8)) + plain[at + 8 :]
    elif kind in (".txt", ".md", ".text", ".dat", ""):
        plain = draw(txt_payloads(scale))
    else:
        plain = draw(st.binary(max_size=300))
    if not suffix.endswith(".gz"):
        return FileSpec(path, plain, plain, rows=rows if not mismatch else None)
    data = gzip.compress(plain, mtime=0)
    damage = draw(st.integers(0, 3))
    truncated = False
    if damage == 1:
        cut = draw(st.integers(1, len(data) - 1))
        data, truncated = data[:cut], True
    elif damage == 2:
        at = draw(st.integers(10, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return FileSpec(path, data, plain, truncated=truncated, rows=rows if not mismatch else None)


@dataclass(frozen=True)
class ReadCase:
    """Files written under a fresh folder, then read: the folder itself (``folder``) or each
    file by path (plus, with ``missing``, a path that does not exist)."""

    files: tuple[FileSpec, ...]
    fields: Fields = field(default_factory=Fields)
    skip_bad: bool = False
    folder: bool = True
    missing: bool = False


@st.composite
def read_cases(
    draw: st.DrawFn, scale: Scale = SMALL, suffixes: tuple[str, ...] = SUFFIXES
) -> ReadCase:
    # flags first: a draw past Hypothesis's buffer gets the simplest value (0, False)
    skip_bad, folder = draw(st.booleans()), draw(st.booleans())
    missing = draw(st.integers(0, 9)) == 9
    fields = draw(field_mappings())
    files = draw(
        st.lists(file_specs(fields, scale, suffixes), min_size=1, max_size=scale.files,
                 unique_by=lambda f: f.path.lower())
    )  # fmt: skip
    return ReadCase(tuple(files), fields, skip_bad=skip_bad, folder=folder, missing=missing)


def store_cases(scale: Scale = SMALL) -> st.SearchStrategy[ReadCase]:
    """Folders of the kinds of files a store is usually fed."""
    return read_cases(scale, STORE_SUFFIXES)


@dataclass(frozen=True)
class StdinCase:
    """Bytes read from stdin in ``fmt`` (compared with the same bytes read from a file)."""

    data: bytes
    fmt: str = "auto"
    fields: Fields = field(default_factory=Fields)
    skip_bad: bool = False


@st.composite
def stdin_cases(draw: st.DrawFn, scale: Scale = SMALL) -> StdinCase:
    fields = draw(field_mappings())
    fmt = draw(st.sampled_from(["auto", "jsonl", "csv", "txt"]))
    payload = {
        "jsonl": jsonl_payloads(fields, scale),
        "csv": csv_payloads(fields, ",", scale).map(lambda t: t[0]),
        "txt": txt_payloads(scale),
        "auto": st.one_of(jsonl_payloads(fields, scale), txt_payloads(scale)),
    }[fmt]
    return StdinCase(draw(payload), fmt, fields, draw(st.booleans()))


# -- reading: checks ----------------------------------------------------------------------------

_ORIGINS = {"metadata", "folder", "byline", "credit"}
_PROBE = 8192  # the reader looks for NUL bytes in this much of a file
_READ_IN_FOLDERS = (".jsonl.gz", ".ndjson.gz", ".csv.gz", ".tsv.gz")


def _value(obj: Any, name: str) -> Any:
    """``obj[name]``, or for a dotted name not in ``obj`` the value it reaches (``Fields``)."""
    if not isinstance(obj, dict):
        return None
    if name in obj or "." not in name:
        return obj.get(name)
    value: Any = obj
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _parse(data: bytes) -> Any:
    """What a JSON document says, or ``ValueError`` (the oracle: :mod:`json` itself)."""
    try:
        return json.loads(data.decode("utf-8-sig", errors="replace"))
    except RecursionError:
        raise ValueError("too deep") from None


def _check_value(rule: str, got: str | None, raw: Any, where: str) -> None:
    """A record's id/outlet/title against the raw value its line holds."""
    if isinstance(raw, (bool, list, dict)):
        fail("no-repr", f"{where}: {rule} {raw!r} (a {type(raw).__name__}) read as {got!r}")
    if isinstance(raw, str) and raw.strip() and got is not None:
        allowed = {desurrogate(raw), desurrogate(raw.strip())}
        if got not in allowed:
            fail("field-value", f"{where}: {rule} {raw!r} read as {got!r}")
    if isinstance(raw, int) and not isinstance(raw, bool) and got not in (None, str(raw)):
        fail("field-value", f"{where}: {rule} {raw!r} read as {got!r}")


def _check_mapped(record: Record, obj: Any, fields: Fields, default_id: str) -> None:
    """A record read from one JSON object carries that object's values."""
    where = record.source
    if not isinstance(obj, dict):
        fail("record-from-non-object", f"{where}: record {record!r} from {obj!r}")
    text = _value(obj, fields.text)
    if not isinstance(text, str):
        fail("text-value", f"{where}: text {text!r} read as {record.text!r}")
    if record.text != desurrogate(text):
        fail("text-value", f"{where}: text {text!r} read as {record.text!r}")
    raw_id = _value(obj, fields.id)
    _check_value("id", record.doc_id, raw_id, where)
    no_id = raw_id is None or (isinstance(raw_id, str) and not raw_id.strip())
    if no_id and record.doc_id != default_id:
        fail("default-id", f"{where}: no id, read as {record.doc_id!r} not {default_id!r}")
    raw_outlet = _value(obj, fields.outlet)
    if isinstance(raw_outlet, str) and raw_outlet.strip():
        _check_value("outlet", record.outlet, raw_outlet, where)
        if record.outlet_source != "metadata":
            fail("outlet-source", f"{where}: outlet {record.outlet!r} from {record.outlet_source}")
    else:
        _check_value("outlet", record.outlet, raw_outlet, where)
    raw_title = _value(obj, fields.title)
    _check_value("title", record.title, raw_title, where)
    no_title = raw_title is None or (isinstance(raw_title, str) and not raw_title.strip())
    if no_title and record.title is not None:
        fail("field-value", f"{where}: title {raw_title!r} read as {record.title!r}")


def check_record(record: Record) -> None:
    """What every record holds, wherever it came from."""
    if not isinstance(record.doc_id, str) or not record.doc_id:
        fail("record-types", f"doc_id {record.doc_id!r} in {record!r}")
    if not isinstance(record.text, str):
        fail("record-types", f"text {record.text!r} in {record!r}")
    for name in ("outlet", "title", "date", "outlet_source"):
        value = getattr(record, name)
        if value is not None and (not isinstance(value, str) or not value):
            fail("record-types", f"{name} {value!r} in {record!r}")
    for name, value in vars(record).items():
        if isinstance(value, str) and not encodable(value):
            fail("utf8-encodable", f"{name} {value!r} of {record.source} is not UTF-8")
    if record.date is not None and not is_iso_day(record.date):
        fail("iso-date", f"date {record.date!r} of {record.source}")
    if (record.outlet is None) != (record.outlet_source is None):
        fail("outlet-source", f"outlet {record.outlet!r} from {record.outlet_source!r}")
    if record.outlet_source is not None and record.outlet_source not in _ORIGINS:
        fail("outlet-source", f"outlet_source {record.outlet_source!r}")


def _check_records(records: list[Record]) -> None:
    seen: dict[str, str] = {}
    for record in records:
        check_record(record)
        if record.doc_id in seen:
            fail("unique-ids", f"id {record.doc_id!r} read twice: {seen[record.doc_id]} and "
                 f"{record.source}")  # fmt: skip
        seen[record.doc_id] = record.source


def _read_all(reader: RecordReader, paths: list[str]) -> tuple[list[Record], SimdedupError | None]:
    records: list[Record] = []
    try:
        for record in reader.read(paths):
            records.append(record)
    except SimdedupError as exc:
        return records, exc
    return records, None


def check_read(case: ReadCase, limit: float | None = None) -> Outcome:
    """Write ``case``'s files, read them, check every property; see the module doc."""
    with tempfile.TemporaryDirectory(prefix="simdedup-fuzz-") as tmp:
        root = Path(tmp) / "in"
        root.mkdir()
        for spec in case.files:
            target = root / spec.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(spec.data)
        paths = [str(root)] if case.folder else [str(root / f.path) for f in case.files]
        if case.missing:
            paths.append(str(root / "missing.jsonl"))
        reader = RecordReader(case.fields, skip_bad=case.skip_bad)
        with time_limit(limit):
            records, error = _read_all(reader, paths)
        return _judge_read(case, root, reader, records, error)


def _rel(case: ReadCase, root: Path, spec: FileSpec) -> str:
    return spec.path if case.folder else Path(spec.path).name


def _judge_read(
    case: ReadCase,
    root: Path,
    reader: RecordReader,
    records: list[Record],
    error: SimdedupError | None,
) -> Outcome:
    outcome = Outcome(records=len(records), warnings=len(reader.stats.warnings))
    if error is not None:
        outcome.error = check_error(error, (str(root),))
    check_warnings(reader.stats.warnings)
    _check_records(records)
    if error is None and reader.stats.records != len(records):
        fail("stats-records", f"stats.records {reader.stats.records}, {len(records)} read")
    by_path = {str(root / spec.path): spec for spec in case.files}
    for record in records:
        path, _, rest = record.source.rpartition(":")
        spec = by_path.get(record.source) or by_path.get(path)
        if spec is None:
            match = re.fullmatch(r"(.*)\[(\d+)\]", record.source)
            spec = by_path.get(match.group(1)) if match else None
            if spec is None:
                spec = by_path.get(record.source.rsplit(":row ", 1)[0])
            if spec is None:
                fail("record-source", f"source {record.source!r} names no input file")
            if match:
                _judge_json_item(case, root, spec, record, int(match.group(2)))
            continue
        _judge_file_record(case, root, spec, record, rest)
    _judge_damaged(case, root, reader, error)
    return outcome


def _judge_json_item(
    case: ReadCase, root: Path, spec: FileSpec, record: Record, index: int
) -> None:
    try:
        doc = _parse(spec.plain)
    except ValueError:
        fail("record-from-invalid-json", f"{record.source}: {record!r} from invalid JSON")
    items = doc if isinstance(doc, list) else [doc]
    if index >= len(items):
        fail("record-source", f"{record.source}: no item {index}")
    _check_mapped(record, items[index], case.fields, f"{_rel(case, root, spec)}:{index}")


def _judge_file_record(
    case: ReadCase, root: Path, spec: FileSpec, record: Record, rest: str
) -> None:
    name = spec.path.lower()
    if record.source == str(root / spec.path):  # a whole file: one text document
        text = spec.plain.decode("utf-8-sig", errors="replace")
        if not text.endswith(record.text):
            fail("txt-body", f"{record.source}: text {record.text!r} is not the end of the file")
        head = text[: len(text) - len(record.text)]
        if record.doc_id != _rel(case, root, spec) and record.doc_id not in head:
            fail("txt-id", f"{record.source}: id {record.doc_id!r} from neither path nor header")
        return
    if not rest.isdigit():
        return  # a parquet row
    lineno = int(rest)
    if name.removesuffix(".gz").endswith((".jsonl", ".ndjson")):
        lines = spec.plain.split(b"\n")
        if lineno > len(lines):
            fail("record-source", f"{record.source}: the file has {len(lines)} lines")
        try:
            obj = _parse(lines[lineno - 1])
        except ValueError:
            fail("record-from-invalid-json", f"{record.source}: {record!r} from invalid JSON")
        _check_mapped(record, obj, case.fields, f"{_rel(case, root, spec)}:{lineno}")
    elif spec.rows is not None and not spec.truncated:
        header = [h.strip() for h in spec.rows[0]]
        cells = {row[i] for row in spec.rows[1:] for i, h in enumerate(header)
                 if h == case.fields.text}  # fmt: skip
        if record.text not in cells:
            fail("csv-text", f"{record.source}: text {record.text!r} is no cell of the "
                 f"{case.fields.text!r} column")  # fmt: skip


def _judge_damaged(
    case: ReadCase, root: Path, reader: RecordReader, error: SimdedupError | None
) -> None:
    """A truncated ``.gz`` is an error (a warning with skip_bad); a ``.gz`` is never binary."""
    for spec in case.files:
        path = str(root / spec.path)
        said = [w for w in reader.stats.warnings if w.startswith(path + ":")]
        binary = any("binary file" in w for w in said)
        if binary and spec.path.lower().endswith(".gz") and b"\x00" not in spec.plain[:_PROBE]:
            fail("gz-read-as-binary", f"{spec.path}: compressed file skipped as binary")
        if not spec.truncated or error is not None:
            continue
        known = spec.path.lower().endswith(_READ_IN_FOLDERS)
        if case.folder and not known:
            continue  # not read at all
        if not case.skip_bad:
            fail("truncated-gz", f"{spec.path} (cut short) read without an error; warnings: "
                 f"{said}")  # fmt: skip
        if not said:
            fail("truncated-gz", f"{spec.path} (cut short) read without a word with skip_bad")


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


@contextmanager
def fake_stdin(data: bytes) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = _Stdin(data)  # type: ignore[assignment,unused-ignore]
    try:
        yield
    finally:
        sys.stdin = saved


def _comparable(records: list[Record], rel: str) -> list[tuple[Any, ...]]:
    out = []
    for r in records:
        doc_id = r.doc_id.replace(rel, "<rel>", 1) if r.doc_id.startswith(rel) else r.doc_id
        out.append((doc_id, r.text, r.outlet, r.date, r.title))
    return out


def check_stdin(case: StdinCase, limit: float | None = None) -> Outcome:
    """Read ``case.data`` from stdin; with an explicit format it must read as the same bytes
    in a file of that kind do (same records, same error or none)."""
    reader = RecordReader(case.fields, skip_bad=case.skip_bad, stdin_format=case.fmt)
    with time_limit(limit), fake_stdin(case.data):
        records, error = _read_all(reader, ["-"])
    outcome = Outcome(records=len(records), warnings=len(reader.stats.warnings))
    if error is not None:
        outcome.error = check_error(error, ("<stdin>",))
    check_warnings(reader.stats.warnings)
    _check_records(records)
    if case.fmt == "auto":
        return outcome
    with tempfile.TemporaryDirectory(prefix="simdedup-fuzz-") as tmp:
        path = Path(tmp) / f"stdin.{case.fmt}"
        path.write_bytes(case.data)
        twin = RecordReader(case.fields, skip_bad=case.skip_bad)
        with time_limit(limit):
            file_records, file_error = _read_all(twin, [str(path)])
        if any("binary file skipped" in w for w in twin.stats.warnings):
            return outcome  # files are checked for NUL bytes, stdin is not
        got = _comparable(records, "stdin")
        want = _comparable(file_records, "stdin." + case.fmt)
        if case.fmt == "txt":  # one document: its id is the file name or "stdin"
            got, want = [g[1:] for g in got], [w[1:] for w in want]
        kinds = (outcome.error, None if file_error is None else error_kind(str(file_error)))
        if got != want or kinds[0] != kinds[1]:
            fail(
                f"stdin-as-{case.fmt}-file",
                f"stdin ({case.fmt}) read {got!r} / error {kinds[0]!r}; the same bytes in a "
                f"file read {want!r} / error {kinds[1]!r}",
            )
    return outcome


# -- dates --------------------------------------------------------------------------------------


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    token = st.one_of(
        st.sampled_from(DATE_STRINGS),
        st.sampled_from(["Nov.", "November", "sept", "Mon", "GMT", "+08:00", "T", "Z", "a.m.",
                         "p.m.", "th", "of", "at", "on", "Published:", "Updated", "UTC", "BST"]),
        st.integers(0, 99999).map(str),
        st.sampled_from(["-", "/", ".", ",", " ", ":", "  ", "\u00a0", "\t"]),
        st.text(max_size=4),
    )  # fmt: skip
    return "".join(draw(st.lists(token, max_size=12)))


def date_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        date_texts(),
        st.text(_chars(True), max_size=40),
        st.text(max_size=300),
        st.dates(),
        st.datetimes(),
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.binary(max_size=10),
        st.lists(st.sampled_from(DATE_STRINGS), max_size=2),
        st.dictionaries(st.sampled_from(["date", "$date"]), st.sampled_from(DATE_STRINGS)),
    )


_DAYFIRST = "dayfirst" in inspect.signature(normalize_date).parameters


def check_date(value: Any, limit: float | None = None) -> Outcome:
    """``normalize_date`` returns ``None`` or a real ISO day (the same again when fed its own
    answer), ``date``/``datetime`` objects as themselves; ``find_date`` likewise."""
    with time_limit(limit):
        options: list[dict[str, Any]] = [{}, *([{"dayfirst": True}] if _DAYFIRST else [])]
        for kw in options:
            got = normalize_date(value, **kw)
            if got is None:
                continue
            if not is_iso_day(got):
                fail("iso-date", f"normalize_date({value!r}, {kw}) = {got!r}")
            if normalize_date(got, **kw) != got:
                fail("date-idempotent", f"normalize_date({got!r}) != {got!r}")
            if isinstance(value, date):
                want = (value.date() if isinstance(value, datetime) else value).isoformat()
                if got != want:
                    fail("date-object", f"normalize_date({value!r}) = {got!r}")
            elif not isinstance(value, str):
                fail("date-non-string", f"normalize_date({value!r}) = {got!r}")
        if isinstance(value, str):
            found = find_date(value)
            if found is not None and not is_iso_day(found):
                fail("iso-date", f"find_date({value!r}) = {found!r}")
    return Outcome()


# -- segmenting ---------------------------------------------------------------------------------

BULLETS = set("•·*▪►■◆●>-–—")


@dataclass(frozen=True)
class SegmentCase:
    text: str
    title: str | None = None
    doc_id: str = "doc"
    min_chars: Any = 40
    strip_boilerplate: bool = True
    strip_datelines: bool = True


@st.composite
def segment_cases(draw: st.DrawFn, scale: Scale = SMALL) -> SegmentCase:
    text = draw(news_text(scale))
    bad_min = draw(st.integers(0, 15)) == 15
    min_chars: Any = (
        draw(st.sampled_from([0, -1, True, 1.5, "40", None]))
        if bad_min
        else draw(st.sampled_from([40, 40, 1, 2, 10, 80, 300]))
    )
    return SegmentCase(
        text,
        draw(titles(text)),
        draw(st.sampled_from(["doc", "a:b", "", "ü"])),
        min_chars,
        draw(st.booleans()),
        draw(st.booleans()),
    )


def check_segments(case: SegmentCase, limit: float | None = None) -> Outcome:
    """``Segmenter.explain``: each segment and removal is the text at its offsets, in order,
    never overlapping; what neither covers is whitespace or bullets; see ``segment.py``."""
    with time_limit(limit):
        try:
            segmenter = Segmenter(
                case.min_chars,
                strip_boilerplate=case.strip_boilerplate,
                strip_datelines=case.strip_datelines,
            )
        except SimdedupError as exc:
            return Outcome(error=check_error(exc, ("min_chars",)))
        kept, removed = segmenter.explain(case.doc_id, case.text, case.title)
        again = segmenter.split(case.doc_id, case.text, case.title)
    check_explained(case.text, case.doc_id, kept, removed, case.min_chars)
    if again != kept:
        fail("split-is-explain", "split() differs from explain()[0]")
    rules = {r.rule for r in removed}
    if not case.strip_boilerplate and rules - {"dateline", "too short"}:
        fail("rules-off", f"strip_boilerplate=False removed by {sorted(rules)}")
    if not case.strip_datelines and "dateline" in rules:
        fail("rules-off", "strip_datelines=False removed a dateline")
    return Outcome(segments=len(kept), removed=len(removed))


def check_explained(
    text: str, doc_id: str, kept: list[Any], removed: list[Any], min_chars: int
) -> None:
    """The invariants of ``Segmenter.explain`` on ``text``."""
    spans: list[tuple[int, int, str]] = []
    for para, seg in enumerate(kept):
        what = f"segment {para} {seg!r}"
        if not 0 <= seg.start < seg.end <= len(text):
            fail("segment-offsets", what)
        if seg.text != text[seg.start : seg.end]:
            fail("segment-text", f"{what}: text is not original[start:end]")
        if seg.end - seg.start < min_chars:
            fail("segment-min-chars", f"{what}: shorter than min_chars={min_chars}")
        if text[seg.start].isspace() or text[seg.end - 1].isspace():
            fail("segment-stripped", f"{what}: starts or ends with whitespace")
        if (seg.para, seg.doc_id, seg.pid) != (para, doc_id, f"{doc_id}:{para}"):
            fail("segment-ids", what)
        if seg.hash != text_hash(seg.text):
            fail("segment-hash", what)
        if not encodable(seg.text):
            fail("utf8-encodable", what)
        spans.append((seg.start, seg.end, "kept"))
    if [s.start for s in kept] != sorted(s.start for s in kept):
        fail("segment-order", "segments are not in text order")
    for cut in removed:
        what = f"removed {cut!r}"
        if not 0 <= cut.start < cut.end <= len(text):
            fail("removed-offsets", what)
        if cut.text != text[cut.start : cut.end]:
            fail("removed-text", f"{what}: text is not original[start:end]")
        if cut.rule not in RULES or cut.doc_id != doc_id:
            fail("removed-rule", what)
        spans.append((cut.start, cut.end, cut.rule))
    if [r.start for r in removed] != sorted(r.start for r in removed):
        fail("removed-order", "removed items are not in text order")
    spans.sort()
    for (s1, e1, r1), (s2, e2, r2) in itertools.pairwise(spans):
        if s2 < e1:
            fail("overlap", f"{r1} [{s1}, {e1}) overlaps {r2} [{s2}, {e2}): {text[s2:e1]!r}")
    covered = bytearray(len(text))
    for s, e, _ in spans:
        covered[s:e] = b"\x01" * (e - s)
    for i, ch in enumerate(text):
        if not covered[i] and not ch.isspace() and ch not in BULLETS:
            fail("coverage", f"character {i} {ch!r} ({text[max(0, i - 20) : i + 20]!r}) is "
                 "neither kept nor removed")  # fmt: skip


# -- reading, segmenting and storing ------------------------------------------------------------


def check_store(case: ReadCase, limit: float | None = None) -> Outcome:
    """Records that read fine segment fine and store fine (SQLite text, hashing, the index):
    ``Store.memory(...).add`` takes every record, its paragraphs are the segmenter's, and
    what is stored is UTF-8. (How reading itself behaves is :func:`check_read`'s business.)"""
    from conftest import HashingEncoder  # tests/conftest.py's fake encoder
    from simdedup import Store

    with tempfile.TemporaryDirectory(prefix="simdedup-fuzz-") as tmp:
        root = Path(tmp) / "in"
        root.mkdir()
        for spec in case.files:
            (root / spec.path).parent.mkdir(parents=True, exist_ok=True)
            (root / spec.path).write_bytes(spec.data)
        reader = RecordReader(case.fields, skip_bad=True)
        with time_limit(limit):
            records, error = _read_all(reader, [str(root)])
    outcome = Outcome(records=len(records), warnings=len(reader.stats.warnings))
    if error is not None:
        outcome.error = error_kind(str(error))
    for record in records:
        check_record(record)
    segmenter = Segmenter()
    with time_limit(limit):
        expected = 0
        for record in records:
            kept, removed = segmenter.explain(record.doc_id, record.text, record.title)
            check_explained(record.text, record.doc_id, kept, removed, segmenter.min_chars)
            expected += len(kept)
        with Store.memory(encoder=HashingEncoder()) as store:
            try:
                stats = store.add(records)
            except SimdedupError as exc:
                outcome.error = check_error(exc, ("",))
                return outcome
            stored = store.paragraphs(store.table().ids)
    unique = len({r.doc_id for r in records}) == len(records)
    if unique and (stats.documents != len(records) or stats.paragraphs != expected):
        fail("store-counts", f"{len(records)} records, {expected} paragraphs; stored "
             f"{stats.documents} and {stats.paragraphs}")  # fmt: skip
    if unique and len(stored) != expected:
        fail("store-counts", f"{expected} paragraphs added, {len(stored)} stored")
    for p in stored.values():
        if not encodable(p.text):
            fail("utf8-encodable", f"stored paragraph {p.text!r}")
    outcome.segments = expected
    return outcome


# -- registry -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    strategy: Callable[[Scale], st.SearchStrategy[Any]]
    check: Callable[[Any, float | None], Outcome]
    what: str


TARGETS = [
    Target("read", read_cases, check_read, "RecordReader.read on folders and files"),
    Target("stdin", stdin_cases, check_stdin, "RecordReader.read(['-']) against the same file"),
    Target("dates", lambda scale: date_values(), check_date, "normalize_date / find_date"),
    Target("segment", segment_cases, check_segments, "Segmenter.explain / split"),
    Target("store", store_cases, check_store, "read, segment, Store.memory().add"),
]

"""Read records from ``.txt`` files and folders, JSONL, CSV/TSV and stdin, one at a time.

A :class:`Record` is one article (or one row of an export). Records from JSONL and CSV map their
fields through :class:`Fields`; plain-text files take their id from the path relative to the input
root, and their title, outlet and date from an optional front-matter block::

    ---
    title: Ministers meet in Port Elsin
    outlet: Meridian Post
    date: November 18, 2024
    ---

Without front matter, the outlet is the first folder under the input root
(``articles/meridian-post/x.txt`` -> ``meridian-post``) and the date is the first full date in the
first lines of the page (a dateline).

Problems with one file (binary, unreadable, invalid UTF-8) are warnings: the file is skipped or
decoded with replacement characters and counted in :class:`ReadStats`. Problems with one line of a
JSONL/CSV file are errors naming ``file:line``, unless ``skip_bad`` is set: a line that is not
JSON (or nests too deeply, or holds an integer too long to read), a field that holds a list,
an object or a boolean where a string belongs. A file that breaks off part way (a truncated
``.jsonl.gz``) is an error too; with ``skip_bad`` its records before the break are used and a
warning says so. Lone surrogates (``"\\ud83d"``, half an emoji) become U+FFFD, as invalid
UTF-8 does.

Day/month order of numeric dates (``11.12.2024``) is decided per file from the file's own
dates unless ``date_order`` fixes it; a file whose dates cannot decide gets a warning and no
dates for the ambiguous values (see :func:`simdedup.io.dates.date_order`).

Folders are walked recursively, in sorted order, following symbolic links to folders once each
(a link back up the tree is reported, not followed).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from simdedup.errors import InputError
from simdedup.io.credits import byline_outlet, wire_credits
from simdedup.io.dates import ORDERS, date_order, find_date, is_ambiguous, normalize_date

TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
JSON_SUFFIXES = (".json",)
CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
PARQUET_BATCH = 1024  # Parquet rows decoded at a time
STDIN = "-"
FORMATS = ("auto", "txt", "jsonl", "csv")

_FRONT_MATTER_KEYS = ("id", "title", "outlet", "date", "url")
_HEADER_LINES = 12  # how far into a plain-text page to look for a dateline
_BINARY_PROBE = 8192
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHOW = 60  # characters of a bad value shown in a message
_DAMAGE = (OSError, EOFError, zlib.error)  # a file that cannot be read (on, or any more)
_SCALARS = (str, int, float)


@dataclass(frozen=True)
class Fields:
    """Which record field holds what (JSONL/CSV). A dotted name (``source.name``) reaches into
    an object when the record has no field of that exact name."""

    text: str = "text"
    id: str = "id"
    outlet: str = "outlet"
    date: str = "date"
    title: str = "title"


@dataclass(frozen=True)
class Record:
    """One input document.

    ``date`` is ISO ``YYYY-MM-DD`` or ``None``; ``source`` is where it came from (``path`` or
    ``path:line``), for messages.
    """

    doc_id: str
    text: str
    outlet: str | None = None
    date: str | None = None
    title: str | None = None
    source: str = ""
    outlet_source: str | None = None  # metadata | folder | byline | credit (see outlet_from_text)


@dataclass
class ReadStats:
    """What a :class:`RecordReader` read, skipped and warned about."""

    files: int = 0
    records: int = 0
    skipped_files: int = 0
    bad_lines: int = 0
    decode_errors: int = 0
    outlets_from_text: int = 0  # records whose outlet was read from a byline or wire credit
    damaged_files: int = 0  # files that broke off part way (read up to the break with skip_bad)
    ambiguous_dates: int = 0  # day/month dates left out because nothing decided their order
    warnings: list[str] = field(default_factory=list)


class RecordReader:
    """Stream :class:`Record` objects from files, folders and stdin.

    Parameters
    ----------
    fields:
        Field mapping for JSONL/CSV records.
    skip_bad:
        Skip (and count) malformed JSONL/CSV lines and records without text instead of raising.
    stdin_format:
        How to read ``-``: ``auto`` (JSONL when the first character is ``{``, else one text
        document), ``txt``, ``jsonl`` or ``csv``.
    on_warning:
        Called with each warning line as it happens (the CLI prints them to stderr). Warnings are
        also kept in ``stats.warnings``.
    date_order:
        How to read numeric dates with the year last (``11.12.2024``): ``auto`` decides per file
        from its dates, ``dmy`` reads them day first, ``mdy`` month first.
    """

    def __init__(
        self,
        fields: Fields | None = None,
        *,
        skip_bad: bool = False,
        stdin_format: str = "auto",
        on_warning: Callable[[str], None] | None = None,
        date_order: str = "auto",
    ) -> None:
        if stdin_format not in FORMATS:
            raise InputError(
                f"stdin_format must be one of {', '.join(FORMATS)}; got {stdin_format!r}"
            )
        if date_order not in ORDERS:
            raise InputError(f"date_order must be one of {', '.join(ORDERS)}; got {date_order!r}")
        self.fields = fields or Fields()
        self.skip_bad = skip_bad
        self.stdin_format = stdin_format
        self.on_warning = on_warning
        self.date_order = date_order
        self.stats = ReadStats()
        self._seen_ids: dict[str, str] = {}
        self._file: Path | None = None  # the file being read (None: stdin)
        self._stdin: bytes = b""
        self._orders: dict[Path | None, str | None] = {}  # day/month order decided per file
        self._ambiguous: dict[Path | None, list[str]] = {}  # dates left out, per file
        self._scanning: list[object] | None = None  # set while collecting a file's dates

    # -- public -------------------------------------------------------------------------------

    def check_paths(self, paths: Iterable[str | Path]) -> list[str]:
        """Return the paths as strings; raise :class:`InputError` for the first that is missing."""
        out = [str(p) for p in paths]
        if not out:
            raise InputError("no input paths given")
        for p in out:
            if p != STDIN and not Path(p).exists():
                raise InputError(f"{p}: no such file or directory")
        return out

    def read(self, paths: Iterable[str | Path]) -> Iterator[Record]:
        """Yield the records of every path in order; folders are walked recursively, sorted."""
        for p in self.check_paths(paths):
            if p == STDIN:
                yield from self._read_stdin()
                continue
            path = Path(p)
            if path.is_dir():
                for child in self._walk(path):
                    yield from self._read_file(child, root=path)
            else:
                yield from self._read_file(path, root=path.parent)

    def _walk(self, root: Path) -> list[Path]:
        """The readable files under ``root``, sorted, through symbolic links to folders (each
        real folder once: a link back up the tree is reported and not followed)."""
        found: list[Path] = []
        seen: set[tuple[int, int]] = set()
        for top, dirs, files in os.walk(root, followlinks=True):
            st = os.stat(top)
            if (st.st_dev, st.st_ino) in seen:
                self._warn(f"{top}: folder already read through another link; skipped")
                dirs[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
            for name in files:
                child = Path(top) / name
                if _kind(child) is None:
                    continue
                if child.is_file():
                    found.append(child)
                elif child.is_symlink():
                    self._warn(f"{child}: broken symbolic link skipped")
        return sorted(found)

    # -- files --------------------------------------------------------------------------------

    def _read_file(self, path: Path, root: Path) -> Iterator[Record]:
        kind = _kind(path) or "txt"
        rel = path.relative_to(root).as_posix() if root in path.parents else path.name
        self._file = path
        if kind == "parquet":
            yield from self._parquet_records(path, rel)
            self._end_file(path)
            return
        read = 0
        opened = False
        try:
            with _open_binary(path) as fh:
                head = fh.read(_BINARY_PROBE)
                opened = True
                if b"\x00" in head:
                    self._warn(f"{path}: binary file skipped")
                    self.stats.skipped_files += 1
                    return
                self.stats.files += 1
                if kind == "txt":
                    records: Iterator[Record] = iter(
                        [self._text_record(path, rel, head + fh.read())]
                    )
                elif kind == "jsonl":
                    records = self._jsonl_records(str(path), rel, _lines(head, fh))
                elif kind == "json":
                    records = self._json_records(str(path), rel, head + fh.read())
                else:
                    delimiter = "\t" if ".tsv" in path.suffixes else ","
                    records = self._csv_records(str(path), rel, head, fh, delimiter)
                for record in records:
                    read += 1
                    yield record
        except _DAMAGE as exc:
            reason = _reason(exc)
            if not opened:
                self._warn(f"{path}: unreadable file skipped ({reason})")
                self.stats.skipped_files += 1
                return
            message = f"{path}: file breaks off after {read} records ({reason})"
            if not self.skip_bad:
                raise InputError(
                    message + "; nothing from it is used (skip_bad=True, or --skip-bad, uses "
                    "the records before the break)"
                ) from None
            self.stats.damaged_files += 1
            self._warn(message + f"; the {read} records before the break are used")
        self._end_file(path)

    def _parquet_records(self, path: Path, rel: str) -> Iterator[Record]:
        """Rows of a Parquet file, read in batches (needs pyarrow: the ``ray`` extra)."""
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(
                f'{path}: reading Parquet needs pyarrow: pip install "simdedup[parquet]"'
            ) from None
        try:
            parquet = pq.ParquetFile(path)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            self._warn(f"{path}: unreadable Parquet file skipped ({exc})")
            self.stats.skipped_files += 1
            return
        self.stats.files += 1
        row = 0
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH):
            for obj in batch.to_pylist():
                where = f"{path}:row {row}"
                record = self._map_record(obj, where, default_id=f"{rel}:{row}")
                row += 1
                if record is not None:
                    yield record

    def _read_stdin(self) -> Iterator[Record]:
        self._stdin = data = sys.stdin.buffer.read()
        self._file = None
        self.stats.files += 1
        yield from self._stdin_records(data)
        self._end_file(None)

    def _stdin_records(self, data: bytes) -> Iterator[Record]:
        fmt = self.stdin_format
        if fmt == "auto":
            fmt = "jsonl" if data.lstrip()[:1] == b"{" else "txt"
        if fmt == "txt":
            yield self._text_record(Path("<stdin>"), "stdin", data)
        elif fmt == "jsonl":
            yield from self._jsonl_records("<stdin>", "stdin", iter(data.splitlines(True)))
        else:
            yield from self._csv_records("<stdin>", "stdin", data, io.BytesIO(b""), ",")

    def _decode(self, data: bytes, where: str) -> str:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.stats.decode_errors += 1
            self._warn(f"{where}: invalid UTF-8, decoded with replacement characters")
            return data.decode("utf-8-sig", errors="replace")

    def _text_record(self, path: Path, rel: str, data: bytes) -> Record:
        text = self._decode(data, str(path))
        meta, body = split_front_matter(text)
        outlet = meta.get("outlet") or (rel.split("/")[0] if "/" in rel else None)
        origin = "metadata" if meta.get("outlet") else "folder" if outlet else None
        date = self._date(meta.get("date"), f"{path}: front matter")
        if date is None and not meta.get("date"):
            date = find_date("\n".join(body.splitlines()[:_HEADER_LINES]))
        doc_id = meta.get("id") or rel
        self._check_unique(doc_id, str(path))
        self.stats.records += 1
        return self._with_outlet(
            Record(
                doc_id=doc_id,
                text=body,
                outlet=outlet,
                date=date,
                title=meta.get("title") or None,
                source=str(path),
                outlet_source=origin,
            )
        )

    def _with_outlet(self, record: Record) -> Record:
        """``record``, its outlet read from its text when no metadata or folder named one."""
        if record.outlet is not None:
            return record
        found = outlet_from_text(record.text)
        if found is None:
            return record
        self.stats.outlets_from_text += 1
        outlet, origin = found
        return replace(record, outlet=outlet, outlet_source=origin)

    def _jsonl_records(self, name: str, rel: str, lines: Iterator[bytes]) -> Iterator[Record]:
        for lineno, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            where = f"{name}:{lineno}"
            line = self._decode(raw, where)
            try:
                obj = _load_json(line)
            except ValueError as exc:
                self._bad(f"{where}: {exc}")
                continue
            if not isinstance(obj, dict):
                self._bad(f"{where}: expected a JSON object, got {type(obj).__name__}")
                continue
            record = self._map_record(obj, where, default_id=f"{rel}:{lineno}")
            if record is not None:
                yield record

    def _json_records(self, name: str, rel: str, data: bytes) -> Iterator[Record]:
        try:
            obj = _load_json(self._decode(data, name))
        except ValueError as exc:
            raise InputError(f"{name}: {exc}") from None
        items = obj if isinstance(obj, list) else [obj]
        for i, item in enumerate(items):
            where = f"{name}[{i}]"
            if not isinstance(item, dict):
                self._bad(f"{where}: expected a JSON object, got {type(item).__name__}")
                continue
            record = self._map_record(item, where, default_id=f"{rel}:{i}")
            if record is not None:
                yield record

    def _csv_records(
        self, name: str, rel: str, head: bytes, rest: IO[bytes], delimiter: str
    ) -> Iterator[Record]:
        csv.field_size_limit(2**31 - 1)
        text_lines = (
            self._decode(raw, f"{name}:{n}") for n, raw in enumerate(_lines(head, rest), start=1)
        )
        reader = csv.reader(text_lines, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{name}:1: malformed CSV header ({exc})") from None
        header = [h.strip() for h in header]
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._bad(f"{name}:{reader.line_num}: malformed CSV ({exc})")
                continue
            where = f"{name}:{reader.line_num}"
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                self._bad(f"{where}: expected {len(header)} CSV fields, got {len(row)}")
                continue
            record = self._map_record(
                dict(zip(header, row)), where, default_id=f"{rel}:{reader.line_num}"
            )
            if record is not None:
                yield record

    # -- mapping ------------------------------------------------------------------------------

    def _map_record(self, obj: dict[str, Any], where: str, default_id: str) -> Record | None:
        f = self.fields
        if self._scanning is not None:  # only collecting the file's dates (see _order_of)
            self._scanning.append(_field(obj, f.date))
            return None
        if _field(obj, f.text) is None and f.text not in obj:
            found = ", ".join(sorted(map(str, obj))) or "none"
            self._bad(
                f"{where}: no text field {f.text!r} (fields found: {found}); "
                "choose one with --text-field"
            )
            return None
        text = _field(obj, f.text)
        if not isinstance(text, str):
            self._bad(f"{where}: text field {f.text!r} is {_kind_of(text)}, expected a string")
            return None
        values: dict[str, str | None] = {}
        for name, option in ((f.id, "id"), (f.outlet, "outlet"), (f.title, "title")):
            value = _field(obj, name)
            if value is not None and not _is_scalar(value):
                hint = (
                    f"; choose a field inside it with --{option}-field {name}.{next(iter(value))}"
                    if isinstance(value, dict) and value
                    else ""
                )
                self._bad(f"{where}: field {name!r} is {_kind_of(value)}, expected a string{hint}")
                return None
            values[option] = _str_or_none(value)
        doc_id = self._clean(values["id"] or default_id, where)
        date = self._date(_field(obj, f.date), where)
        if not self._check_unique(doc_id, where):
            return None
        self.stats.records += 1
        outlet = self._clean(values["outlet"], where)
        return self._with_outlet(
            Record(
                doc_id=doc_id,
                text=self._clean(text, where),
                outlet=outlet,
                date=date,
                title=self._clean(values["title"], where),
                source=where,
                outlet_source="metadata" if outlet else None,
            )
        )

    def _clean(self, value: str | None, where: str) -> Any:
        """``value`` with any lone surrogate (half an emoji from a JSON escape) as U+FFFD."""
        if value is None or not has_surrogates(value):
            return value
        self.stats.decode_errors += 1
        self._warn(f"{where}: invalid Unicode (a lone surrogate), replaced with U+FFFD")
        return _SURROGATE.sub("\ufffd", value)

    def _date(self, raw: object, where: str) -> str | None:
        """A record's date as ISO, read in its file's day/month order; ``None`` (with a warning)
        when it is not a full date or its order cannot be decided."""
        if raw in (None, ""):
            return None
        dayfirst = self.date_order == "dmy"
        if self.date_order == "auto" and is_ambiguous(raw):
            order = self._order_of(self._file)
            if order not in ("dmy", "mdy"):
                self._ambiguous.setdefault(self._file, []).append(str(raw))
                return None
            dayfirst = order == "dmy"
        date = normalize_date(raw, dayfirst=dayfirst)
        if date is None:
            self._warn(f"{where}: date {_show(raw)} is not a full date; ignored")
        return date

    def _order_of(self, file: Path | None) -> str | None:
        """The day/month order of ``file``'s dates (read again for them, once per file)."""
        if file not in self._orders:
            scanner = RecordReader(self.fields, skip_bad=True, stdin_format=self.stdin_format)
            scanner._scanning = []
            try:
                if file is None:
                    for _ in scanner._stdin_records(self._stdin):
                        pass
                elif file.suffix.lower() in (".txt", ".text", ".md"):
                    pass  # one document: nothing beside its own date to decide by
                else:
                    for _ in scanner._read_file(file, file.parent):
                        pass
            except InputError:
                pass  # whatever could be read decides; the real pass reports the damage
            self._orders[file] = date_order(scanner._scanning)
        return self._orders[file]

    def _end_file(self, file: Path | None) -> None:
        """Warn once for the dates of ``file`` whose day/month order nothing decided."""
        left_out = self._ambiguous.pop(file, [])
        if not left_out:
            return
        self.stats.ambiguous_dates += len(left_out)
        name = "<stdin>" if file is None else str(file)
        if self._orders.get(file) == "mixed":
            why = "the file writes dates both day first and month first"
        elif file is not None and _kind(file) == "txt":
            why = "a text file has no other dates to decide by"
        else:
            why = "no date in the file has a day or month over 12 to decide by"
        what = f"{len(left_out)} dates such as" if len(left_out) > 1 else "the date"
        self._warn(
            f"{name}: {what} {_show(left_out[0])} may be day.month or month.day and {why}; "
            "left out (choose with --dayfirst or --monthfirst)"
        )

    def _check_unique(self, doc_id: str, where: str) -> bool:
        first = self._seen_ids.get(doc_id)
        if first is not None:
            self._bad(
                f"{where}: duplicate id {doc_id!r} (first seen at {first}); "
                "choose a unique field with --id-field"
            )
            return False
        self._seen_ids[doc_id] = where
        return True

    def _bad(self, message: str) -> None:
        if not self.skip_bad:
            raise InputError(message + " (skip_bad=True, or --skip-bad, skips such lines)")
        self.stats.bad_lines += 1
        self._warn(message + "; skipped")

    def _warn(self, message: str) -> None:
        self.stats.warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)


def read_records(
    paths: Iterable[str | Path],
    *,
    fields: Fields | None = None,
    skip_bad: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> Iterator[Record]:
    """Stream the records of ``paths`` (files, folders, ``-``); see :class:`RecordReader`."""
    return RecordReader(fields, skip_bad=skip_bad, on_warning=on_warning).read(paths)


def outlet_from_text(text: str) -> tuple[str, str] | None:
    """The outlet a text names, and how: its byline or masthead line near the top
    (``"byline"``: ``By Xinhua``, a ``CGTN`` line), else the first wire credit it carries
    (``"credit"``: ``(Xinhua)``, ``Source: Xinhua News Agency``), else ``None``."""
    byline = byline_outlet(text)
    if byline:
        return byline, "byline"
    credits = wire_credits(text, prose=False)
    return (credits[0], "credit") if credits else None


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a ``---``-fenced ``key: value`` block off the top of ``text``.

    Returns the known keys (``id``, ``title``, ``outlet``, ``date``, ``url``) and the body. Text
    without a well-formed block is returned unchanged with no metadata.
    """
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, "\n".join(lines[i + 1 :])
        key, sep, value = line.partition(":")
        if not sep or i > 40:
            return {}, text
        key = key.strip().lower()
        if key in _FRONT_MATTER_KEYS:
            meta[key] = value.strip()
    return {}, text


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(TEXT_SUFFIXES):
        return "txt"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(JSON_SUFFIXES):
        return "json"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    return None


def _open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _lines(head: bytes, rest: IO[bytes]) -> Iterator[bytes]:
    """Yield the lines of a binary stream whose first bytes were already read into ``head``."""
    parts = head.split(b"\n")
    carry = parts.pop()
    for part in parts:
        yield part + b"\n"
    for line in rest:
        if carry:
            line, carry = carry + line, b""
        if line.endswith(b"\n"):
            yield line
        else:
            carry = line
    if carry:
        yield carry


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate, which no UTF-8 file or database can store."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def valid_record(record: Record) -> Record:
    """``record`` with every lone surrogate in its strings replaced by U+FFFD (for records
    made in code; the reader does this itself, with a warning)."""
    changed = {
        name: _SURROGATE.sub("\ufffd", value)
        for name, value in vars(record).items()
        if isinstance(value, str) and has_surrogates(value)
    }
    return replace(record, **changed) if changed else record


def _str_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _field(obj: dict[str, Any], name: str) -> Any:
    """``obj[name]``, or for a dotted ``name`` absent from ``obj`` the value it reaches."""
    if name in obj or "." not in name:
        return obj.get(name)
    value: Any = obj
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _is_scalar(value: object) -> bool:
    """A value that reads as a string: text, or a finite number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _kind_of(value: object) -> str:
    names = {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}
    kind = names.get(type(value), f"a {type(value).__name__}")
    return f"{kind} ({_show(value)})"


def _show(value: object) -> str:
    """``value`` for a message: its JSON form, cut to a few dozen characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= _SHOW else text[: _SHOW - 1] + "…"


def _load_json(text: str) -> Any:
    """``json.loads``, its failures as one ``ValueError`` line: invalid JSON, nesting too deep
    for Python, an integer too long to convert."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise ValueError("invalid JSON (nested too deeply to read)") from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string ..."
        raise ValueError(f"invalid JSON ({str(exc).split(';')[0]})") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__

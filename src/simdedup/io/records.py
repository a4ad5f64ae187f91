"""Read records from ``.txt`` files and folders, JSONL, CSV/TSV, Parquet and stdin, one at a time.

A :class:`Record` is one article (or one row of an export). Records from JSONL and CSV map their
fields through :class:`Fields`; plain-text files take their id from the path relative to the input
root, and their title, outlet and date from an optional ``---`` front-matter block
(:func:`~simdedup.io.files.split_front_matter`), else the outlet from the first folder under the
input root and the date from a dateline.

Problems with one file (binary, unreadable, invalid UTF-8) are warnings: the file is skipped or
decoded with replacement characters and counted in :class:`ReadStats`. Problems with one line of a
JSONL/CSV file are errors naming ``file:line``, unless ``skip_bad`` is set: JSON Python cannot
read (:func:`~simdedup.io.values.load_json`), a list, object or boolean where a string belongs.
A file that breaks off part way (a truncated ``.jsonl.gz``) is an error too; with ``skip_bad``
its records before the break are used, and a warning says so. Lone surrogates become U+FFFD.
Day/month order of numeric dates is decided per file (:func:`simdedup.io.dates.date_order`)
unless ``date_order`` fixes it. Folders are walked through symbolic links
(:func:`~simdedup.io.files.walk`).
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from simdedup.errors import InputError
from simdedup.io.credits import outlet_from_text
from simdedup.io.dates import (
    ORDERS,
    DayMonth,
    find_date,
    normalize_date,
)  # fmt: skip
from simdedup.io.files import (
    CSV_SUFFIXES,
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    TEXT_SUFFIXES,
    file_kind,
    lines,
    open_binary,
    reason,
    split_front_matter,
    walk,
)
from simdedup.io.values import (
    describe,
    field_value,
    has_surrogates,
    is_scalar,
    load_json,
    one_line,
    replace_surrogates,
    show,
    str_or_none,
)

__all__ = [
    "CSV_SUFFIXES", "JSONL_SUFFIXES", "JSON_SUFFIXES", "TEXT_SUFFIXES", "Fields", "ReadStats",
    "Record", "RecordReader", "outlet_from_text", "read_records", "split_front_matter",
]  # fmt: skip

PARQUET_BATCH = 1024  # Parquet rows decoded at a time
STDIN = "-"
FORMATS = ("auto", "txt", "jsonl", "csv")

_HEADER_LINES = 12  # how far into a plain-text page to look for a dateline
_BINARY_PROBE = 8192
_DAMAGE = (OSError, EOFError, zlib.error)  # a file that cannot be read (on, or any more)
_BROKEN = (EOFError, zlib.error, gzip.BadGzipFile)  # damage to the file itself, not access


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
        self._day_month = DayMonth(date_order, self._scan_dates)
        self._scanning: list[object] | None = None  # set while collecting a file's dates

    # -- public -------------------------------------------------------------------------------

    def check_paths(self, paths: Iterable[str | Path]) -> list[str]:
        """Return the paths as strings; raise :class:`InputError` for the first that is missing."""
        out = [str(p) for p in paths]
        if not out:
            raise InputError("no input paths given")
        for p in out:
            if p != STDIN and not Path(p).exists():
                raise InputError(one_line(f"{p}: no such file or directory"))
        return out

    def read(self, paths: Iterable[str | Path]) -> Iterator[Record]:
        """Yield the records of every path in order; folders are walked recursively, sorted."""
        for p in self.check_paths(paths):
            if p == STDIN:
                yield from self._read_stdin()
                continue
            path = Path(p)
            if path.is_dir():
                for child in walk(path, self._warn):
                    yield from self._read_file(child, root=path)
            else:
                yield from self._read_file(path, root=path.parent)

    # -- files --------------------------------------------------------------------------------

    def _read_file(self, path: Path, root: Path) -> Iterator[Record]:
        kind = file_kind(path) or "txt"
        rel = path.relative_to(root).as_posix() if root in path.parents else path.name
        self._file = path
        if kind == "parquet":
            yield from self._parquet_records(path, rel)
            self._end_file(path)
            return
        read = 0
        opened = False
        try:
            with open_binary(path) as fh:
                head = fh.read(_BINARY_PROBE)
                opened = True
                if b"\x00" in head:
                    self._warn(f"{path}: binary file skipped")
                    self.stats.skipped_files += 1
                    return
                self.stats.files += 1
                if kind == "txt":
                    record = self._text_record(path, rel, head + fh.read())
                    records: Iterator[Record] = iter([record] if record else [])
                elif kind == "jsonl":
                    records = self._jsonl_records(str(path), rel, lines(head, fh))
                elif kind == "json":
                    records = self._json_records(str(path), rel, head + fh.read())
                else:
                    delimiter = "\t" if ".tsv" in path.suffixes else ","
                    records = self._csv_records(str(path), rel, head, fh, delimiter)
                for record in records:
                    read += 1
                    yield record
        except _DAMAGE as exc:
            if not opened and not isinstance(exc, _BROKEN):  # permissions, a folder, ...
                self._warn(f"{path}: unreadable file skipped ({reason(exc)})")
                self.stats.skipped_files += 1
                return
            self._broken(path, read, reason(exc))
        self._end_file(path)

    def _broken(self, path: Path, read: int, why: str) -> None:
        """A file that breaks off after ``read`` records: an error, or with ``skip_bad`` a
        warning that its records before the break are used."""
        message = one_line(f"{path}: file breaks off after {read} records ({why})")
        if not self.skip_bad:
            raise InputError(
                message + "; nothing from it is used (skip_bad=True, or --skip-bad, uses "
                "the records before the break)"
            )
        self.stats.damaged_files += 1
        self._warn(message + f"; the {read} records before the break are used")

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
        batches = parquet.iter_batches(batch_size=PARQUET_BATCH)
        while True:
            try:
                batch = next(batches, None)
            except (OSError, ValueError) as exc:  # a damaged page further on
                self._broken(path, row, str(exc))
                return
            if batch is None:
                return
            for obj in batch.to_pylist():
                where = f"{path}:row {row}"
                record = self._map_record(obj, where, default_id=f"{rel}:{row}")
                row += 1
                if record is not None:
                    yield record

    def _read_stdin(self) -> Iterator[Record]:
        self._stdin = data = sys.stdin.buffer.read()
        self._file = None
        if b"\x00" in data[:_BINARY_PROBE]:
            raise InputError("<stdin>: binary input, not text (NUL bytes in its first 8 KB)")
        self.stats.files += 1
        yield from self._stdin_records(data)
        self._end_file(None)

    def _stdin_records(self, data: bytes) -> Iterator[Record]:
        fmt = self.stdin_format
        if fmt == "auto":
            fmt = "jsonl" if data.lstrip()[:1] == b"{" else "txt"
        if fmt == "txt":
            record = self._text_record(Path("<stdin>"), "stdin", data)
            yield from [record] if record else []
        elif fmt == "jsonl":
            yield from self._jsonl_records("<stdin>", "stdin", lines(data, io.BytesIO(b"")))
        else:
            yield from self._csv_records("<stdin>", "stdin", data, io.BytesIO(b""), ",")

    def _decode(self, data: bytes, where: str, bom: bool = True) -> str:
        """``data`` as text; ``bom``: drop a byte-order mark at its start (a file's first
        line; inside a CSV file it is data)."""
        codec = "utf-8-sig" if bom else "utf-8"
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            self.stats.decode_errors += 1
            self._warn(f"{where}: invalid UTF-8, decoded with replacement characters")
            return data.decode(codec, errors="replace")

    def _text_record(self, path: Path, rel: str, data: bytes) -> Record | None:
        text = self._decode(data, str(path))
        meta, body = split_front_matter(text)
        outlet = meta.get("outlet") or (rel.split("/")[0] if "/" in rel else None)
        origin = "metadata" if meta.get("outlet") else "folder" if outlet else None
        date = self._date(meta.get("date"), f"{path}: front matter")
        if date is None and not meta.get("date"):
            date = find_date("\n".join(body.splitlines()[:_HEADER_LINES]))
        doc_id = meta.get("id") or rel
        if not self._check_unique(doc_id, str(path)):
            return None
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
                obj = load_json(line)
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
            obj = load_json(self._decode(data, name))
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
            self._decode(raw, f"{name}:{n}", bom=n == 1)
            for n, raw in enumerate(lines(head, rest), start=1)
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
            self._scanning.append(field_value(obj, f.date))
            return None
        if field_value(obj, f.text) is None and f.text not in obj:
            found = ", ".join(sorted(map(str, obj))) or "none"
            self._bad(
                f"{where}: no text field {f.text!r} (fields found: {found}); "
                "choose one with --text-field"
            )
            return None
        text = field_value(obj, f.text)
        if not isinstance(text, str):
            self._bad(f"{where}: text field {f.text!r} is {describe(text)}, expected a string")
            return None
        values: dict[str, str | None] = {}
        for name, option in ((f.id, "id"), (f.outlet, "outlet"), (f.title, "title")):
            value = field_value(obj, name)
            if value is not None and not is_scalar(value):
                hint = (
                    f"; choose a field inside it with --{option}-field {name}.{next(iter(value))}"
                    if isinstance(value, dict) and value
                    else ""
                )
                self._bad(f"{where}: field {name!r} is {describe(value)}, expected a string{hint}")
                return None
            values[option] = str_or_none(value)
        doc_id = self._clean(values["id"] or default_id, where)
        date = self._date(field_value(obj, f.date), where)
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
        return replace_surrogates(value)

    def _date(self, raw: object, where: str) -> str | None:
        """A record's date as ISO, read in its file's day/month order; ``None`` (with a warning)
        when it is not a full date or its order cannot be decided."""
        if raw in (None, ""):
            return None
        if self._scanning is not None:  # only collecting this file's dates
            self._scanning.append(raw)
            return None
        dayfirst = self._day_month.dayfirst(raw, self._file)
        date = None if dayfirst is None else normalize_date(raw, dayfirst=dayfirst)
        if date is None and dayfirst is not None:
            self._warn(f"{where}: date {show(raw)} is not a full date; ignored")
        return date

    def _scan_dates(self, file: Path | None) -> list[object]:
        """Every date of ``file`` as written (read again for them; a text file is one
        document: nothing beside its own date to decide by)."""
        scanner = RecordReader(self.fields, skip_bad=True, stdin_format=self.stdin_format)
        scanner._scanning = []
        try:
            if file is None:
                for _ in scanner._stdin_records(self._stdin):
                    pass
            elif file_kind(file) not in (None, "txt"):
                for _ in scanner._read_file(file, file.parent):
                    pass
        except InputError:
            pass  # whatever could be read decides; the real pass reports the damage
        return scanner._scanning

    def _end_file(self, file: Path | None) -> None:
        """Warn once for the dates of ``file`` whose day/month order nothing decided."""
        left_out, warning = self._day_month.end_file(
            file, file is not None and file_kind(file) == "txt"
        )
        if left_out:
            self.stats.ambiguous_dates += left_out
            self._warn(warning)

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
            raise InputError(
                one_line(message) + " (skip_bad=True, or --skip-bad, skips such lines)"
            )
        self.stats.bad_lines += 1
        self._warn(message + "; skipped")

    def _warn(self, message: str) -> None:
        message = one_line(message)  # a file name or field name may hold a newline
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

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
JSONL/CSV file are errors naming ``file:line``, unless ``skip_bad`` is set.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from simdedup.errors import InputError
from simdedup.io.credits import byline_outlet, wire_credits
from simdedup.io.dates import find_date, normalize_date

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


@dataclass(frozen=True)
class Fields:
    """Which record field holds what (JSONL/CSV)."""

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
    """

    def __init__(
        self,
        fields: Fields | None = None,
        *,
        skip_bad: bool = False,
        stdin_format: str = "auto",
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        if stdin_format not in FORMATS:
            raise InputError(
                f"stdin_format must be one of {', '.join(FORMATS)}; got {stdin_format!r}"
            )
        self.fields = fields or Fields()
        self.skip_bad = skip_bad
        self.stdin_format = stdin_format
        self.on_warning = on_warning
        self.stats = ReadStats()
        self._seen_ids: dict[str, str] = {}

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
                for child in sorted(path.rglob("*")):
                    if child.is_file() and _kind(child) is not None:
                        yield from self._read_file(child, root=path)
            else:
                yield from self._read_file(path, root=path.parent)

    # -- files --------------------------------------------------------------------------------

    def _read_file(self, path: Path, root: Path) -> Iterator[Record]:
        kind = _kind(path) or "txt"
        rel = path.relative_to(root).as_posix() if root in path.parents else path.name
        if kind == "parquet":
            yield from self._parquet_records(path, rel)
            return
        try:
            with _open_binary(path) as fh:
                head = fh.read(_BINARY_PROBE)
                if b"\x00" in head:
                    self._warn(f"{path}: binary file skipped")
                    self.stats.skipped_files += 1
                    return
                self.stats.files += 1
                if kind == "txt":
                    yield self._text_record(path, rel, head + fh.read())
                elif kind == "jsonl":
                    yield from self._jsonl_records(str(path), rel, _lines(head, fh))
                elif kind == "json":
                    yield from self._json_records(str(path), rel, head + fh.read())
                else:
                    delimiter = "\t" if ".tsv" in path.suffixes else ","
                    yield from self._csv_records(str(path), rel, head, fh, delimiter)
        except (OSError, EOFError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._warn(f"{path}: unreadable file skipped ({reason})")
            self.stats.skipped_files += 1

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
        data = sys.stdin.buffer.read()
        self.stats.files += 1
        fmt = self.stdin_format
        if fmt == "auto":
            fmt = "jsonl" if data.lstrip()[:1] == b"{" else "txt"
        if fmt == "txt":
            yield self._text_record(Path("<stdin>"), "stdin", data)
        elif fmt == "jsonl":
            yield from self._jsonl_records("<stdin>", "stdin", iter(data.splitlines(True)))
        else:
            import io as _io

            yield from self._csv_records("<stdin>", "stdin", data, _io.BytesIO(b""), ",")

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
        date = normalize_date(meta["date"]) if meta.get("date") else None
        if meta.get("date") and date is None:
            self._warn(f"{path}: front matter date {meta['date']!r} is not a full date; ignored")
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
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                self._bad(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(obj, dict):
                self._bad(f"{where}: expected a JSON object, got {type(obj).__name__}")
                continue
            record = self._map_record(obj, where, default_id=f"{rel}:{lineno}")
            if record is not None:
                yield record

    def _json_records(self, name: str, rel: str, data: bytes) -> Iterator[Record]:
        try:
            obj = json.loads(self._decode(data, name))
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{exc.lineno}: invalid JSON ({exc.msg})") from None
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
        if f.text not in obj:
            found = ", ".join(sorted(map(str, obj))) or "none"
            self._bad(
                f"{where}: no text field {f.text!r} (fields found: {found}); "
                "choose one with --text-field"
            )
            return None
        text = obj[f.text]
        if not isinstance(text, str):
            self._bad(f"{where}: text field {f.text!r} is {type(text).__name__}, expected a string")
            return None
        raw_id = obj.get(f.id)
        doc_id = str(raw_id) if raw_id not in (None, "") else default_id
        raw_date = obj.get(f.date)
        date = normalize_date(raw_date)
        if raw_date not in (None, "") and date is None:
            self._warn(f"{where}: date {raw_date!r} is not a full date; ignored")
        if not self._check_unique(doc_id, where):
            return None
        self.stats.records += 1
        outlet = _str_or_none(obj.get(f.outlet))
        return self._with_outlet(
            Record(
                doc_id=doc_id,
                text=text,
                outlet=outlet,
                date=date,
                title=_str_or_none(obj.get(f.title)),
                source=where,
                outlet_source="metadata" if outlet else None,
            )
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


def _str_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

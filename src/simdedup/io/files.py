"""Files of a corpus: which reader a file name calls for, opening (gzip included) and reading
lines from a stream whose start was already read, walking folders through symbolic links, and
the front matter of a text file."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
JSON_SUFFIXES = (".json",)
CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
_FRONT_MATTER_KEYS = ("id", "title", "outlet", "date", "url")


def file_kind(path: Path) -> str | None:
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


def open_binary(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def lines(head: bytes, rest: IO[bytes]) -> Iterator[bytes]:
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


def walk(root: Path, warn: Callable[[str], None]) -> list[Path]:
    """The readable files under ``root``, sorted, through symbolic links to folders (each
    real folder once: a link back up the tree is reported and not followed)."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for top, dirs, files in os.walk(root, followlinks=True):
        st = os.stat(top)
        if (st.st_dev, st.st_ino) in seen:
            warn(f"{top}: folder already read through another link; skipped")
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        for name in files:
            child = Path(top) / name
            if file_kind(child) is None:
                continue
            if child.is_file():
                found.append(child)
            elif child.is_symlink():
                warn(f"{child}: broken symbolic link skipped")
    return sorted(found)


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


def reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__

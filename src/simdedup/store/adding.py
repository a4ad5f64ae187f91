"""What :meth:`Store.add <simdedup.store.store.Store.add>` takes and reports: records or paths
in any mix, the content hash that tells an unchanged document, and the counts of an add."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from simdedup.errors import InputError
from simdedup.io.records import Record, read_records
from simdedup.io.values import has_surrogates, replace_surrogates


@dataclass
class AddStats:
    """What :meth:`Store.add` did."""

    documents: int = 0
    unchanged: int = 0
    replaced: int = 0
    empty: int = 0
    paragraphs: int = 0
    new_texts: int = 0
    embedded: int = 0
    embed_seconds: float = 0.0
    rebuilt: bool = False
    seconds: float = 0.0
    index_kind: str = ""
    totals: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)  # Segmenter rule -> texts it removed


def records_of(items: Iterable[Record | str | os.PathLike[str]]) -> Iterator[Record]:
    """Records as given, and the records read from each path, in order."""
    for item in items:
        if isinstance(item, Record):
            yield valid_record(item)
        elif isinstance(item, (str, os.PathLike)):
            yield from read_records([os.fspath(item)])
        else:
            raise InputError(f"records must be Record objects or paths; got {type(item).__name__}")


def content_hash(record: Record) -> str:
    parts = (record.text, record.outlet or "", record.date or "", record.title or "")
    return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def valid_record(record: Record) -> Record:
    """``record`` with every lone surrogate in its strings replaced by U+FFFD (for records
    made in code; the reader does this itself, with a warning)."""
    changed = {
        name: replace_surrogates(value)
        for name, value in vars(record).items()
        if isinstance(value, str) and has_surrogates(value)
    }
    return replace(record, **changed) if changed else record

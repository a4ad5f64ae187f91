"""Read records: .txt files, folders, JSONL, CSV, Parquet and stdin, with their dates."""

from __future__ import annotations

from simdedup.io.records import Record, RecordReader, read_records

__all__ = ["Record", "RecordReader", "read_records"]

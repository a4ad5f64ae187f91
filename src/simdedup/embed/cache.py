"""The embedding cache: float32 vectors in SQLite, keyed by (model fingerprint, text hash).

Vectors are stored as raw little-endian float32 bytes (never pickled). Each :meth:`put` commits on
its own, so the cache keeps whatever was encoded before an interruption. A store keeps its cache in
``embeddings.sqlite`` beside its database; runs without a store use one in the user cache
directory (``$SIMDEDUP_CACHE_DIR``, else ``$XDG_CACHE_HOME/simdedup``, else ``~/.cache/simdedup``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simdedup.errors import StoreError

_BATCH = 500  # SQLite host parameters per query
_NORM_BLOCK = 8192  # vectors whose lengths are checked in one step
UNIT_TOLERANCE = 1e-3  # how far from 1 a stored vector's length may be (float32 rounding: 1e-6)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    hash TEXT NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (model, hash)
);
"""
_PARSES = """CREATE TABLE IF NOT EXISTS parses (
    version TEXT NOT NULL,
    hash TEXT NOT NULL,
    parse TEXT NOT NULL,
    PRIMARY KEY (version, hash)
)"""


def default_cache_path() -> Path:
    """Path of the per-user embedding cache used by runs without a store."""
    base = os.environ.get("SIMDEDUP_CACHE_DIR")
    if base:
        root = Path(base)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (Path(xdg) if xdg else Path.home() / ".cache") / "simdedup"
    return root / "embeddings.sqlite"


class EmbeddingCache:
    """Vectors by (model fingerprint, text hash). ``path=None`` keeps them in memory."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path) if self.path else ":memory:",
                timeout=30,
                check_same_thread=False,  # Store.add embeds on a worker thread, one at a time
            )
            self._db.execute("PRAGMA page_size=8192")  # 1.5 KB vectors: 5 a page, little slack
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path}: cannot open embedding cache ({exc})") from None

    def close(self) -> None:
        self._db.close()

    # -- claim-unit parses (simdedup.units): JSON text by (splitter version, paragraph hash) --

    def parses(self, version: str, hashes: Sequence[str]) -> dict[str, str]:
        """The cached parses of ``hashes`` (those that have one) for splitter ``version``."""
        sql = "SELECT hash, parse FROM parses WHERE version = ? AND hash IN ({})"
        try:
            return dict(self._rows(sql, version, hashes))
        except sqlite3.OperationalError:  # no table yet: a cache from before claim units
            return {}

    def put_parses(self, version: str, parses: dict[str, str]) -> bool:
        """Keep parses for the next run; ``False`` when the cache cannot be written (a
        read-only store), in which case they are simply made again next time."""
        try:
            with self._db:
                self._db.execute(_PARSES)
                self._db.executemany(
                    "INSERT OR REPLACE INTO parses VALUES (?, ?, ?)",
                    ((version, h, text) for h, text in parses.items()),
                )
        except sqlite3.OperationalError:
            return False
        return True

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    def _rows(self, sql: str, key: str, hashes: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """The rows of ``sql`` (``?`` for ``key``, then ``IN ({})`` for hashes), chunked."""
        for start in range(0, len(hashes), _BATCH):
            chunk = list(hashes[start : start + _BATCH])
            yield from self._db.execute(sql.format(",".join("?" * len(chunk))), [key, *chunk])

    def missing(self, model: str, hashes: Sequence[str]) -> list[str]:
        """The hashes of ``hashes`` that have no vector for ``model``, in input order."""
        sql = "SELECT hash FROM embeddings WHERE model = ? AND hash IN ({})"
        have = {r[0] for r in self._rows(sql, model, hashes)}
        return [h for h in dict.fromkeys(hashes) if h not in have]

    def put(self, model: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per hash and commit."""
        data = np.ascontiguousarray(vectors, dtype="<f4")
        rows = ((model, h, data[i].tobytes()) for i, h in enumerate(hashes))
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows)

    def get(self, model: str, hashes: Sequence[str], dim: int | None = None) -> np.ndarray:
        """Vectors of ``hashes`` in order, shape ``(len(hashes), dim)``; all must be cached.
        With ``dim`` (a store's cache) each vector is checked as it is read: ``dim`` floats,
        all finite, unit length (or zero: a text with nothing to embed); :class:`StoreError`
        names the first that is not. Rows are copied into the result as they are read (no
        blob of the whole result is held beside it: 1.6 M unit vectors are 2.5 GB)."""
        if not hashes:
            return np.zeros((0, dim or 0), dtype=np.float32)
        sql = "SELECT hash, vec FROM embeddings WHERE model = ? AND hash IN ({})"
        # with no dim, as long as the first text's vector
        size = 4 * dim if dim else next((len(v) for _, v in self._rows(sql, model, hashes[:1])), 4)
        first: dict[str, int] = {}  # each hash's first position
        for i, h in enumerate(hashes):
            first.setdefault(h, i)
        vectors = np.zeros((len(hashes), size // 4), dtype=np.float32)
        read = np.zeros(len(hashes), dtype=bool)
        wrong: dict[int, int] = {}  # position: bytes, for vectors of another length
        for h, vec in self._rows(sql, model, list(first)):
            i = first[h]
            read[i] = True
            if len(vec) != size:
                wrong[i] = len(vec)
            else:
                vectors[i] = np.frombuffer(vec, dtype="<f4")
        at = np.fromiter((first[h] for h in hashes), dtype=np.int64, count=len(hashes))
        again = np.flatnonzero(at != np.arange(len(hashes)))  # a hash asked for twice
        vectors[again] = vectors[at[again]]
        lost = int((~read[at]).sum())
        if lost:
            raise StoreError(
                f"{self.path or 'embedding cache'}: {lost} vectors are missing "
                "(the cache was deleted or damaged); rebuild the store"
            )
        if wrong:
            i = min(wrong)
            raise self._damaged(hashes[i], f"has {wrong[i]} bytes, not {size}")
        if dim:
            with np.errstate(all="ignore"):  # by blocks: no squared copy of every vector
                norms = np.concatenate(
                    [
                        np.linalg.norm(vectors[i : i + _NORM_BLOCK], axis=1)
                        for i in range(0, len(vectors), _NORM_BLOCK)
                    ]
                )
            bad = np.flatnonzero(~((np.abs(norms - 1.0) <= UNIT_TOLERANCE) | (norms == 0)))
            if len(bad):
                raise self._damaged(hashes[int(bad[0])], f"has length {norms[bad[0]]:.4g}, not 1")
        return vectors

    def _damaged(self, text_hash: str, why: str) -> StoreError:
        store = self.path.parent if self.path is not None else "STORE"
        return StoreError(
            f"{self.path or 'embedding cache'}: the vector of text {text_hash[:12]} {why} "
            f"(damaged); `simdedup check --store {store} --repair` embeds it again"
        )

    def delete(self, model: str, hashes: Sequence[str]) -> None:
        """Forget the vectors of ``hashes`` (damaged ones, before embedding them again)."""
        with self._db:
            self._db.executemany(
                "DELETE FROM embeddings WHERE model = ? AND hash = ?", ((model, h) for h in hashes)
            )

    def valid(self, model: str, hashes: Sequence[str], dim: int) -> list[str]:
        """The hashes of ``hashes`` whose vector is missing or damaged (for ``check --full``)."""
        bad: list[str] = []
        for start in range(0, len(hashes), _BATCH):
            chunk = list(hashes[start : start + _BATCH])
            try:
                self.get(model, chunk, dim=dim)
            except StoreError:
                bad.extend(h for h in chunk if not self._sound(model, h, dim))
        return bad

    def _sound(self, model: str, text_hash: str, dim: int) -> bool:
        try:
            self.get(model, [text_hash], dim=dim)
        except StoreError:
            return False
        return True

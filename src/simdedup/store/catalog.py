"""The catalog: a store's SQLite database of documents, paragraphs, text hashes and index rows.

All SQL lives here. Each distinct paragraph text (by normalised hash) owns one row of the vector
index (table ``vectors``); paragraphs reference their text by hash. The catalog runs in autocommit
mode; :class:`~simdedup.store.store.Store` brackets a whole update in :meth:`Catalog.begin` /
:meth:`Catalog.commit`, and a whole read in :meth:`Catalog.begin_read` / :meth:`Catalog.end_read`
(SQLite's shared lock, so that a writer cannot commit between two statements of one reader).
Every write transaction adds one to the ``serial`` setting, which the manifest records beside the
database's checksum.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simdedup.errors import StoreError
from simdedup.io.records import Record
from simdedup.segment import Segment

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    seq INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    source TEXT,
    outlet TEXT,
    date TEXT,
    title TEXT,
    content_hash TEXT NOT NULL,
    outlet_source TEXT
);
CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY,
    doc_seq INTEGER NOT NULL REFERENCES documents(seq),
    para INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (doc_seq, para)
);
CREATE INDEX paragraphs_hash ON paragraphs(hash);
CREATE TABLE vectors (row INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE);
"""
# the names a document credits as its source (simdedup.io.credits); stores made before it lack
# the table until their next add, and read as crediting nothing
CREDITS = "CREATE TABLE IF NOT EXISTS credits (doc_seq INTEGER NOT NULL, credit TEXT NOT NULL)"
_COLUMNS = "p.id, d.doc_id, p.para, d.outlet, d.date, d.title, p.text, v.row, d.seq, p.start, p.end"
_FROM = "paragraphs p JOIN documents d ON d.seq = p.doc_seq JOIN vectors v ON v.hash = p.hash"
_ORPHAN = "NOT EXISTS (SELECT 1 FROM paragraphs p WHERE p.hash = vectors.hash)"
_CHUNK = 500  # SQLite host parameters per IN (...) list
BUSY_TIMEOUT = 60  # seconds a statement waits for another connection's lock before failing
TABLES = ("meta", "documents", "paragraphs", "vectors")
_log = logging.getLogger("simdedup")


@dataclass(frozen=True)
class StoredParagraph:
    """A paragraph as the store holds it, with its document's metadata and its index row."""

    id: int
    doc_id: str
    para: int
    outlet: str | None
    date: str | None
    title: str | None
    text: str
    row: int
    doc_seq: int
    start: int
    end: int

    @property
    def pid(self) -> str:
        return f"{self.doc_id}:{self.para}"


@dataclass
class ParagraphTable:
    """Columns of every paragraph, in input order, for whole-corpus passes (dedup, clustering).

    ``ids`` are paragraph ids (for :meth:`Catalog.paragraphs`), ``rows`` their index rows,
    ``outlet_codes`` index into ``outlets`` (-1 for none), ``dates`` are ISO strings or ``""``.
    """

    ids: np.ndarray
    rows: np.ndarray
    outlet_codes: np.ndarray
    outlets: list[str]
    dates: np.ndarray
    lengths: np.ndarray
    doc_seqs: np.ndarray  # the document of each paragraph (paragraphs of one are contiguous)

    def __len__(self) -> int:
        return len(self.ids)

    def within(
        self,
        since: str | None = None,
        until: str | None = None,
        outlets: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Which paragraphs pass the date filters (inclusive ISO bounds; undated paragraphs
        fail them) and the outlet filter (any of ``outlets``)."""
        scope = np.ones(len(self), dtype=bool)
        dates = self.dates.astype(str)
        if since:
            scope &= (dates != "") & (dates >= since)
        if until:
            scope &= (dates != "") & (dates <= until)
        if outlets:
            only = set(outlets)
            wanted = [i for i, name in enumerate(self.outlets) if name in only]
            scope &= np.isin(self.outlet_codes, wanted)
        return scope


class Catalog:
    """The SQLite database of a store (``path=None``: in memory)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._upgraded = False
        self._reading = False  # in a read transaction (begin_read)
        try:
            self._db = sqlite3.connect(
                str(path) if path else ":memory:", timeout=BUSY_TIMEOUT, isolation_level=None
            )
            self._db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open store database ({exc})") from None

    def close(self) -> None:
        self._db.close()

    # -- schema, settings, transactions -----------------------------------------------------

    def create(self, meta: dict[str, str]) -> None:
        """Create the tables and the settings in one transaction."""
        with self._db:
            self._db.executescript(SCHEMA)
            self.set_meta(**meta)

    def check(self) -> None:
        """Raise :class:`StoreError` if the file is not a readable store database: its tables
        are there and its settings that are numbers are numbers."""
        try:
            self._db.execute("SELECT key, value FROM meta").fetchall()
            found = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
            missing = [t for t in TABLES if t not in found]
            if missing:
                raise StoreError(f"{self.path}: damaged store database (no table {missing[0]})")
            self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: damaged store database ({exc})") from None
        for key in ("generation", "dim", "serial", "format_version"):
            self.int_meta(key)

    def meta(self, key: str, default: str) -> str:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: damaged store database ({exc})") from None
        return str(row[0]) if row else default

    def int_meta(self, key: str, default: int = 0) -> int:
        """A setting that is a number (``generation``, ``dim``, ``serial``)."""
        value = self.meta(key, str(default))
        try:
            number = int(value)
        except ValueError:
            number = -1
        if number < 0:
            raise StoreError(f"{self.path}: damaged store database ({key} is {value[:40]!r})")
        return number

    def set_meta(self, **values: str) -> None:
        self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def bump_serial(self) -> None:
        """Count one more write (inside the write transaction)."""
        self.set_meta(serial=str(self.int_meta("serial") + 1))

    def begin(self) -> None:
        """Start the write transaction (taking the write lock now, not at the first write)."""
        self.end_read()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: store is busy or read-only ({exc})") from None

    def commit(self) -> None:
        """Commit, waiting for readers that hold the database to finish (however long)."""
        while True:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                _log.info(f"{self.path}: waiting for readers of the store to finish")

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        self._upgraded = False  # an upgrade made in the rolled-back transaction is gone too

    def begin_read(self) -> None:
        """Hold the database at its current state (SQLite's shared lock) until
        :meth:`end_read`: every statement in between reads one generation."""
        if self.path is None or self._db.in_transaction:
            return
        try:
            self._db.execute("BEGIN")
            self._reading = True
            self._db.execute("SELECT COUNT(*) FROM meta").fetchone()  # takes the shared lock
        except sqlite3.DatabaseError as exc:
            self.end_read()
            what = "store is busy" if "locked" in str(exc) else "damaged store database"
            raise StoreError(f"{self.path}: {what} ({exc})") from None

    def end_read(self) -> None:
        if self._reading:
            self._reading = False
            if self._db.in_transaction:
                self._db.execute("COMMIT")  # a read transaction: nothing to write

    @property
    def in_read(self) -> bool:
        return self._reading

    def verify(self, full: bool = False) -> list[str]:
        """SQLite's own check of the file (``quick_check``, or ``integrity_check`` when
        ``full``): the problems it reports, none for a sound file."""
        pragma = "integrity_check" if full else "quick_check"
        try:
            rows = [str(r[0]) for r in self._db.execute(f"PRAGMA {pragma}(20)")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if rows == ["ok"] else rows

    # -- counts -------------------------------------------------------------------------------

    def scalar(self, sql: str) -> int:
        return int(self._db.execute(sql).fetchone()[0])

    def counts(self) -> dict[str, int]:
        """Numbers of documents, paragraphs, distinct texts and index rows."""
        return {
            "documents": self.scalar("SELECT COUNT(*) FROM documents"),
            "paragraphs": self.scalar("SELECT COUNT(*) FROM paragraphs"),
            "distinct_texts": self.scalar("SELECT COUNT(DISTINCT hash) FROM paragraphs"),
            "index_rows": self.scalar("SELECT COUNT(*) FROM vectors"),
        }

    # -- writing documents --------------------------------------------------------------------

    def document_state(self, doc_id: str) -> tuple[int, str] | None:
        """``(seq, content_hash)`` of a stored document, or ``None``."""
        row = self._db.execute(
            "SELECT seq, content_hash FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def put_document(
        self,
        record: Record,
        content_hash: str,
        paragraphs: Sequence[Segment],
        seq: int | None,
        credits: Sequence[str] = (),
    ) -> None:
        """Insert a document (``seq=None``) or replace document ``seq``, its paragraphs and the
        names it credits as its source."""
        self._upgrade()
        values = (
            record.source, record.outlet, record.date, record.title, content_hash,
            record.outlet_source,
        )  # fmt: skip
        if seq is None:
            cursor = self._db.execute(
                "INSERT INTO documents (doc_id, source, outlet, date, title, content_hash, "
                "outlet_source) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.doc_id, *values),
            )
            seq = int(cursor.lastrowid or 0)
        else:
            self._db.execute(
                "UPDATE documents SET source=?, outlet=?, date=?, title=?, content_hash=?, "
                "outlet_source=? WHERE seq=?",
                (*values, seq),
            )
            self._db.execute("DELETE FROM paragraphs WHERE doc_seq = ?", (seq,))
        self._db.execute("DELETE FROM credits WHERE doc_seq = ?", (seq,))
        self._db.executemany(
            "INSERT INTO credits (doc_seq, credit) VALUES (?, ?)", ((seq, c) for c in credits)
        )
        self._db.executemany(
            "INSERT INTO paragraphs (doc_seq, para, start, end, text, hash) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ((seq, p.para, p.start, p.end, p.text, p.hash) for p in paragraphs),
        )

    # -- index rows ---------------------------------------------------------------------------

    def row_hashes(self) -> list[str]:
        """The text hash of every index row, in row order."""
        return [r[0] for r in self._db.execute("SELECT hash FROM vectors ORDER BY row")]

    def hashes_of_rows(self, rows: Sequence[int]) -> list[str]:
        by_row = dict(self._select_in("SELECT row, hash FROM vectors WHERE row IN ({})", rows))
        return [by_row[r] for r in rows]

    def texts_of_rows(self, rows: Sequence[int]) -> list[str]:
        """One paragraph text for each index row (paragraphs of a row share their text)."""
        sql = "SELECT v.row, p.text FROM vectors v JOIN paragraphs p ON p.hash = v.hash " + (
            "WHERE v.row IN ({}) GROUP BY v.row"
        )
        by_row = dict(self._select_in(sql, rows))
        return [by_row[r] for r in rows]

    def texts_of_hashes(self, hashes: Sequence[str]) -> dict[str, str]:
        """One paragraph text for each text hash that a paragraph still has."""
        sql = "SELECT hash, text FROM paragraphs WHERE hash IN ({}) GROUP BY hash"
        return dict(self._select_in(sql, list(hashes)))

    def iter_row_texts(self) -> Iterator[tuple[int, str]]:
        """``(row, text)`` of every index row that still has a paragraph, streamed."""
        yield from self._db.execute(
            "SELECT v.row, p.text FROM vectors v JOIN paragraphs p ON p.hash = v.hash "
            "GROUP BY v.row ORDER BY v.row"
        )

    def append_rows(self, hashes: Sequence[str]) -> None:
        """Give each new text hash the next index row."""
        first = self.scalar("SELECT COUNT(*) FROM vectors")
        self._db.executemany(
            "INSERT INTO vectors (row, hash) VALUES (?, ?)",
            ((first + i, h) for i, h in enumerate(hashes)),
        )

    def orphan_rows(self) -> int:
        """Index rows whose text no paragraph uses any more (replaced documents)."""
        return self.scalar(f"SELECT COUNT(*) FROM vectors WHERE {_ORPHAN}")

    def drop_orphans(self) -> None:
        """Delete orphan rows and renumber the rest 0..n-1 in their old order."""
        self._db.execute(f"DELETE FROM vectors WHERE {_ORPHAN}")
        hashes = self.row_hashes()
        self._db.execute("DELETE FROM vectors")
        self._db.executemany("INSERT INTO vectors VALUES (?, ?)", enumerate(hashes))

    # -- talking-point ids --------------------------------------------------------------------

    def talking_point_ids(self) -> dict[str, str]:
        """Text hash -> talking-point id from the last run (empty if none was remembered)."""
        try:
            return dict(self._db.execute("SELECT hash, tp FROM talking_points").fetchall())
        except sqlite3.OperationalError:  # no table: a store from before talking points
            return {}

    def set_talking_point_ids(self, ids: dict[str, str]) -> None:
        """Replace the remembered talking-point ids in one transaction (ending any read)."""
        self.end_read()
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self.bump_serial()
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS talking_points "
                    "(hash TEXT PRIMARY KEY, tp TEXT NOT NULL)"
                )
                self._db.execute("DELETE FROM talking_points")
                self._db.executemany("INSERT INTO talking_points VALUES (?, ?)", ids.items())
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: cannot save talking-point ids ({exc})") from None

    # -- reading ------------------------------------------------------------------------------

    def table(self) -> ParagraphTable:
        """Every paragraph's id, row, outlet, date and length, in input order."""
        rows = self._db.execute(
            f"SELECT p.id, v.row, d.outlet, d.date, length(p.text), d.seq FROM {_FROM} "
            "ORDER BY d.seq, p.para"
        ).fetchall()
        outlets: dict[str, int] = {}
        codes = [outlets.setdefault(r[2], len(outlets)) if r[2] else -1 for r in rows]
        return ParagraphTable(
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            rows=np.array([r[1] for r in rows], dtype=np.int64),
            outlet_codes=np.array(codes, dtype=np.int64),
            outlets=list(outlets),
            dates=np.array([r[3] or "" for r in rows], dtype=object),
            lengths=np.array([r[4] for r in rows], dtype=np.int64),
            doc_seqs=np.array([r[5] for r in rows], dtype=np.int64),
        )

    def _upgrade(self) -> None:
        """What later versions added to format 1 (the ``credits`` table, the documents'
        ``outlet_source``), made once, on a store's first write by this version; an older store
        reads as having none of it until then."""
        if self._upgraded:
            return
        self._db.execute(CREDITS)
        if "outlet_source" not in self._columns("documents"):
            self._db.execute("ALTER TABLE documents ADD COLUMN outlet_source TEXT")
        self._upgraded = True

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}

    def credits(self, doc_seqs: Iterable[int]) -> dict[int, list[str]]:
        """The names each document credits as its source (none for a document without)."""
        seqs = sorted(set(doc_seqs))
        out: dict[int, list[str]] = {seq: [] for seq in seqs}
        try:
            sql = "SELECT doc_seq, credit FROM credits WHERE doc_seq IN ({})"
            rows = list(self._select_in(sql, seqs))
        except sqlite3.OperationalError:  # no table: a store from before credits were read
            return out
        for seq, credit in rows:
            out[seq].append(credit)
        return out

    def paragraphs(self, ids: Iterable[int]) -> dict[int, StoredParagraph]:
        """Paragraphs by id (see :attr:`ParagraphTable.ids`)."""
        sql = f"SELECT {_COLUMNS} FROM {_FROM} WHERE p.id IN ({{}})"
        wanted = [int(i) for i in ids]  # numpy integers would bind as blobs and match nothing
        return {r[0]: StoredParagraph(*r) for r in self._select_in(sql, wanted)}

    def paragraphs_for_rows(
        self,
        rows: Iterable[int],
        *,
        outlets: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[StoredParagraph]:
        """Paragraphs whose text is one of the index ``rows``, in input order, optionally
        filtered by outlet and by date (inclusive ISO bounds; undated paragraphs fail them)."""
        where: list[str] = []
        params: list[Any] = []
        if outlets:
            where.append(f"d.outlet IN ({','.join('?' * len(outlets))})")
            params.extend(outlets)
        if since:
            where.append("d.date >= ?")
            params.append(since)
        if until:
            where.append("d.date <= ?")
            params.append(until)
        extra = "".join(f" AND {w}" for w in where)
        sql = f"SELECT {_COLUMNS} FROM {_FROM} WHERE v.row IN ({{}}){extra} ORDER BY d.seq, p.para"
        wanted = [int(r) for r in rows]
        found = [StoredParagraph(*r) for r in self._select_in(sql, wanted, params)]
        found.sort(key=lambda p: (p.doc_seq, p.para))  # chunks each come back sorted
        return found

    def documents(self) -> Iterator[tuple[Record, list[StoredParagraph]]]:
        """Each document (as a :class:`Record` without its original text) with its paragraphs."""
        origin = "outlet_source" if "outlet_source" in self._columns("documents") else "NULL"
        docs = self._db.execute(
            f"SELECT seq, doc_id, outlet, date, title, source, {origin} FROM documents ORDER BY seq"
        ).fetchall()
        for seq, doc_id, outlet, date, title, source, outlet_source in docs:
            paras = self._db.execute(
                f"SELECT {_COLUMNS} FROM {_FROM} WHERE p.doc_seq = ? ORDER BY p.para", (seq,)
            )
            record = Record(doc_id, "", outlet, date, title, source or "", outlet_source)
            yield record, [StoredParagraph(*r) for r in paras]

    def _select_in(
        self, sql: str, values: Sequence[Any], params: Sequence[Any] = ()
    ) -> Iterator[tuple[Any, ...]]:
        """Run ``sql`` (with one ``IN ({})`` slot, before any other parameter) in chunks."""
        for start in range(0, len(values), _CHUNK):
            chunk = list(values[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(sql.format(marks), [*chunk, *params])

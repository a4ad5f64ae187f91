"""The persistent store: a directory with a FAISS index, a SQLite database and a manifest.

::

    news.store/
      manifest.json       format version, model name and fingerprint, dimension, metric,
                          index kind, counts, and the size and SHA-256 of each file
                          (see :mod:`simdedup.store.integrity`)
      store.sqlite        documents, paragraphs, text hashes, index rows, settings
      embeddings.sqlite   the embedding cache: vectors by (model fingerprint, text hash)
      index-<gen>.faiss   the FAISS index of generation <gen>
      store.lock          the write lock (:mod:`simdedup.store.lock`)

Every distinct paragraph text (by normalised hash) is one index row, embedded once; paragraphs
that share a text share its row.

Writes are all-or-nothing. :meth:`Store.add` does its work inside one SQLite transaction, writes
the new index under a new generation's file name, and only then commits; the commit is the moment
the new state becomes visible. An interrupted or failed add leaves the previous generation
readable and correct. Embeddings are committed to the cache as they are computed, so a rerun
after an interruption does not embed the same text again. One writer at a time holds the store's
write lock; a reader sees one generation (:meth:`Store.snapshot`), and a writer's commit waits for
the readers in progress.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simdedup.embed.cache import EmbeddingCache
from simdedup.embed.choose import encoder_backend, make_encoder
from simdedup.embed.claim_model import BASE_MODEL
from simdedup.embed.encoder import (
    Encoder,
    encode_checked,
    encoder_fingerprint,
    encoder_name,
)
from simdedup.errors import InputError, SimdedupError, StoreError
from simdedup.index.vectors import KINDS, VectorIndex
from simdedup.io.records import Record
from simdedup.paragraph import Paragraph
from simdedup.segment import Removed, Segmenter, WholeText
from simdedup.store import writing
from simdedup.store.adding import AddStats
from simdedup.store.catalog import Catalog, ParagraphTable, StoredParagraph
from simdedup.store.integrity import (
    CACHE,
    DATABASE,
    FORMAT_VERSION,
    MANIFEST,
    has_files,
    index_name,
    leftovers,
    make_dir,
    read_manifest,
    verify_database,
    verify_index,
)
from simdedup.store.lock import write_lock
from simdedup.store.search import find_similar

if TYPE_CHECKING:
    from simdedup.engines.base import Engine

__all__ = [
    "CACHE",
    "DATABASE",
    "MANIFEST",
    "AddStats",
    "ParagraphTable",
    "Store",
    "StoredParagraph",
]


class Store:
    """Documents, paragraphs and their embeddings, searchable through a FAISS index.

    Use :meth:`create`, :meth:`open`, :meth:`open_or_create` for a store directory, or
    :meth:`memory` for a throw-away store (its embeddings still go to the user's cache).

    Parameters
    ----------
    encoder:
        The encoder; ``None`` uses the store's recorded model (the bundled default for new
        stores). An encoder whose fingerprint differs from the store's is refused.
    index:
        ``auto``, ``flat``, ``hnsw`` or ``ivf``; ``auto`` re-chooses as the store grows
        (see :mod:`simdedup.index.vectors`). Passing another kind to :meth:`open` switches the store
        to it on the next :meth:`add`.
    """

    def __init__(
        self,
        path: Path | None,
        catalog: Catalog,
        cache: EmbeddingCache,
        *,
        encoder: Encoder | None = None,
        index: str | None = None,
    ) -> None:
        _check_kind(index)
        self.path = path
        self.catalog = catalog
        self._cache = cache
        self._index: VectorIndex | None = None
        self._index_generation = -1
        self._encoder = encoder
        self._fingerprint: str | None = None
        self.index_setting = index or catalog.meta("index_setting", "auto")

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def create(
        cls, path: str | Path, *, encoder: Encoder | None = None, index: str = "auto"
    ) -> Store:
        """Create an empty store in ``path`` (which must not exist or be an empty directory)."""
        path = Path(path)
        if path.exists() and (not path.is_dir() or has_files(path)):
            raise StoreError(f"{path}: exists and is not an empty directory")
        _check_kind(index)
        encoder = encoder if encoder is not None else make_encoder()
        make_dir(path)
        with write_lock(path):
            if has_files(path):  # another writer made it while this one waited
                raise StoreError(f"{path}: exists and is not an empty directory")
            return cls._create_locked(path, encoder, index)

    @classmethod
    def _create_locked(cls, path: Path, encoder: Encoder, index: str) -> Store:
        meta = _new_meta(encoder, index)
        try:
            for leftover in leftovers(path):  # of a creation stopped half way
                leftover.unlink()
            tmp = path / (DATABASE + ".tmp")
            catalog = Catalog(tmp)
            catalog.create({**meta, "created": writing.now()})
            catalog.close()
            tmp.replace(path / DATABASE)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create store ({exc.strerror or exc})") from None
        store = cls(path, Catalog(path / DATABASE), EmbeddingCache(path / CACHE), encoder=encoder)
        store._fingerprint = meta["fingerprint"]
        store._write_manifest()
        return store

    @classmethod
    def open(
        cls, path: str | Path, *, encoder: Encoder | None = None, index: str | None = None
    ) -> Store:
        """Open an existing store; raises :class:`StoreError` if it is missing, corrupt, newer
        than this version of simdedup, or built with a different model than ``encoder``."""
        path = Path(path)
        if not path.exists():
            raise StoreError(
                f"{path}: no such store (build one with: simdedup index PATH... --store {path})"
            )
        if not (path / MANIFEST).is_file() or not (path / DATABASE).is_file():
            raise StoreError(
                f"{path}: not a simdedup store (no {MANIFEST} or {DATABASE}); if it was one, "
                f"`simdedup check --store {path}` says more"
            )
        manifest = read_manifest(path)
        versions = [int(manifest["format_version"])]
        catalog = Catalog(path / DATABASE)
        try:
            catalog.begin_read()  # the file cannot change while it is checked
            catalog.check()
            versions.append(catalog.int_meta("format_version"))
            if max(versions) > FORMAT_VERSION:
                raise StoreError(
                    f"{path}: store format {max(versions)} is newer than this simdedup "
                    f"supports ({FORMAT_VERSION}); upgrade simdedup"
                )
            verify_database(path, manifest, catalog)
            catalog.end_read()
            store = cls(path, catalog, EmbeddingCache(path / CACHE), encoder=encoder, index=index)
        except BaseException:
            catalog.close()
            raise
        try:
            store._check_encoder()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open_or_create(
        cls, path: str | Path, *, encoder: Encoder | None = None, index: str | None = None
    ) -> Store:
        """:meth:`open` the store in ``path``, or :meth:`create` it if the path does not exist
        or is empty. A store whose creation was stopped half way (a database but no manifest)
        is finished here; two processes doing this at once make one store between them."""
        path = Path(path)
        if (path / MANIFEST).is_file() or (path.exists() and not path.is_dir()):
            return cls.open(path, encoder=encoder, index=index)
        make_dir(path)
        with write_lock(path):
            if (path / MANIFEST).is_file():  # another process made it while this one waited
                pass
            elif (path / DATABASE).is_file():
                cls._finish_creation(path)
            elif has_files(path):
                raise StoreError(f"{path}: exists and is not a simdedup store")
            else:
                encoder = encoder if encoder is not None else make_encoder()
                return cls._create_locked(path, encoder, index or "auto")
        return cls.open(path, encoder=encoder, index=index)

    @classmethod
    def _finish_creation(cls, path: Path) -> None:
        """Write the manifest of a store whose database is whole but whose creation (or the
        manifest after a write) was stopped (under the write lock)."""
        catalog = Catalog(path / DATABASE)
        try:
            catalog.check()
            problems = catalog.verify()
            if problems:
                raise StoreError(f"{path / DATABASE}: damaged store database ({problems[0]})")
            store = cls(path, catalog, EmbeddingCache(path / CACHE))
        except BaseException:
            catalog.close()
            raise
        with store:
            store._write_manifest()

    @classmethod
    def memory(
        cls,
        *,
        encoder: Encoder | None = None,
        index: str = "auto",
        cache: str | Path | None = None,
    ) -> Store:
        """A store that lives in memory, embeddings included: nothing is written to disk unless
        ``cache`` names an embedding cache to reuse (the CLI passes the user cache,
        :func:`simdedup.embed.cache.default_cache_path`, so a second run embeds nothing)."""
        _check_kind(index)
        encoder = encoder if encoder is not None else make_encoder()
        meta = _new_meta(encoder, index)
        catalog = Catalog(None)
        catalog.create(meta)
        embeddings = EmbeddingCache(cache)
        store = cls(None, catalog, embeddings, encoder=encoder, index=index)
        store._fingerprint = meta["fingerprint"]
        return store

    def close(self) -> None:
        self.catalog.close()
        self._cache.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- model --------------------------------------------------------------------------------

    @property
    def model(self) -> str:
        """Name of the model the store was built with."""
        return self.catalog.meta("model", BASE_MODEL)  # stores that never said: the bundled one

    @property
    def fingerprint(self) -> str:
        return self._fingerprint or self.catalog.meta("fingerprint", "")

    @property
    def backend(self) -> str:
        """Backend the store's vectors were made with (``torch`` for stores made before
        simdedup recorded it)."""
        return self.catalog.meta("backend", "torch")

    @property
    def encoder(self) -> Encoder:
        """The encoder for this store (the recorded model and backend unless one was passed)."""
        if self._encoder is None:
            backend = self.backend
            self._encoder = make_encoder(self.model, "torch" if backend == "custom" else backend)
        return self._encoder

    def _check_encoder(self) -> None:
        stored = self.catalog.meta("fingerprint", "")
        encoder = self.encoder
        try:
            current = encoder_fingerprint(encoder)
        except SimdedupError as exc:
            raise StoreError(
                f"{self.path}: store was built with model {self.model!r}, which cannot be "
                f"loaded here ({exc})"
            ) from None
        if current != stored:
            built = f"model {self.model!r}, backend {self.backend}"
            used = f"{encoder_name(encoder)!r}, backend {encoder_backend(encoder)}"
            raise StoreError(
                f"{self.path}: store was built with {built} (fingerprint {stored}); this "
                f"run uses {used} (fingerprint {current}). Leave out --model/--backend/"
                "--fast to use the store's, or use another --store"
            )
        self._fingerprint = current

    # -- reading ------------------------------------------------------------------------------

    @property
    def dim(self) -> int:
        return self.catalog.int_meta("dim")

    def counts(self) -> dict[str, int]:
        """Numbers of documents, paragraphs, distinct texts and index rows."""
        return self.catalog.counts()

    def __len__(self) -> int:
        """Number of paragraphs."""
        return self.catalog.scalar("SELECT COUNT(*) FROM paragraphs")

    @property
    def index(self) -> VectorIndex:
        """The FAISS index (loaded, or for an in-memory store built, on first use); row ``r`` is
        the text with ``vectors.row = r``."""
        generation = self.catalog.int_meta("generation")
        if self._index is not None and (self.path is None or generation == self._index_generation):
            return self._index
        if generation == 0:
            raise StoreError(f"{self.path or 'store'}: the store is empty; add documents first")
        if self.path is None:
            kind = self.catalog.meta("index_kind", "flat")
            self._index = VectorIndex(kind).build(self.vectors())
            return self._index
        self._index = self._load_index(generation)
        self._index_generation = generation
        return self._index

    def _load_index(self, generation: int) -> VectorIndex:
        """The index file of ``generation``, checked against its checksum, row count and
        dimension; :class:`StoreError` (with the repair command) when it fails one."""
        assert self.path is not None
        file = self.path / index_name(generation)
        repair = f"`simdedup check --store {self.path} --repair` rebuilds it"
        if not file.is_file():
            raise StoreError(f"{file}: index file missing; {repair}")
        verify_index(file, self.catalog)
        index = VectorIndex.load(file)
        rows = self.catalog.scalar("SELECT COUNT(*) FROM vectors")
        if index.ntotal != rows or index.dim != self.dim:
            raise StoreError(
                f"{file}: index has {index.ntotal} rows of dimension {index.dim}, the database "
                f"{rows} of dimension {self.dim}; {repair}"
            )
        return index

    def vectors(self, rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Unit vectors of the given index rows (all rows when ``None``), in that order.

        Inside :meth:`snapshot`, a flat index (checked against its checksum when loaded) holds
        the very same vectors and gives them without a database read per text: 5x faster for a
        whole corpus."""
        held = self._flat_vectors()
        if held is not None:
            return held.copy() if rows is None else held[np.asarray(rows, dtype=np.int64)]
        if rows is None:
            hashes = self.catalog.row_hashes()
        else:
            hashes = self.catalog.hashes_of_rows([int(r) for r in rows])
        if not hashes:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._cache.get(self.fingerprint, hashes, dim=self.dim or None)

    def _flat_vectors(self) -> np.ndarray | None:
        """The rows of this generation's flat index in place (read-only), or ``None`` outside a
        snapshot, for another kind of index, or when the index file fails its checks (the
        cache then answers, and the index's own users report it)."""
        if not self.catalog.in_read or self.catalog.meta("index_kind", "") != "flat":
            return None
        if self.catalog.int_meta("generation") == 0:
            return None
        try:
            return self.index.stored_vectors(view=True)
        except StoreError:
            return None

    def table(self) -> ParagraphTable:
        """Every paragraph's id, index row, outlet, date and length, in input order."""
        return self.catalog.table()

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """Read one generation of the store: inside the block no writer commits (a writer's
        commit waits for the block to end), so the index, the paragraph table and the texts
        all belong together. Re-entrant; :meth:`similar` and the whole-corpus passes use it."""
        if self.catalog.in_read:
            yield self
            return
        self.catalog.begin_read()
        try:
            yield self
        finally:
            self.catalog.end_read()

    def paragraphs(self, ids: Iterable[int]) -> dict[int, StoredParagraph]:
        """Paragraphs by id (see :attr:`ParagraphTable.ids`)."""
        return self.catalog.paragraphs(ids)

    def documents(self) -> Iterator[tuple[Record, list[StoredParagraph]]]:
        """Each document (a :class:`Record` without its original text) with its paragraphs."""
        return self.catalog.documents()

    def similar(
        self,
        query: str | np.ndarray,
        *,
        k: int = 10,
        threshold: float | None = None,
        only_outlets: Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[Paragraph]:
        """The ``k`` paragraphs most like ``query``: :func:`simdedup.store.search.find_similar`,
        all from one generation of the store."""
        if isinstance(query, str):
            query = self.embed_query(query)  # before the snapshot: writers wait less
        with self.snapshot():
            return find_similar(
                self,
                query,
                k=k,
                threshold=threshold,
                only_outlets=only_outlets,
                since=since,
                until=until,
            )

    def embed_query(self, text: str) -> np.ndarray:
        """The unit vector of ``text`` with the store's encoder."""
        if not text.strip():
            raise InputError("the query is empty")
        return encode_checked(self.encoder, [text])

    # -- writing ------------------------------------------------------------------------------

    def add(
        self,
        records: Iterable[Record | str | os.PathLike[str]],
        *,
        segmenter: Segmenter | WholeText | None = None,
        progress: Callable[[str, int], None] | None = None,
        engine: Engine | None = None,
        on_removed: Callable[[Removed], None] | None = None,
    ) -> AddStats:
        """Add (or replace) documents and update the index, all or nothing.

        ``records`` are :class:`~simdedup.io.records.Record` objects or paths (files, folders,
        ``-``; read with :func:`~simdedup.io.records.read_records`), in any mix.

        A record whose ``doc_id`` is already stored with the same text and metadata is skipped;
        with different content it replaces the stored document. ``progress(stage, n)`` is
        called as documents are read (``stage="read"``) and texts embedded (``"embed"``).
        With an ``engine`` (:class:`~simdedup.engines.ray.RayEngine`) the new texts are
        embedded on its cluster, a chunk of its ``EMBED_CHUNK`` texts at a time, while the
        next chunk is read. ``on_removed`` is called with each text the segmenter leaves out
        (a :class:`~simdedup.segment.Removed`); ``AddStats.removed`` counts them by rule.
        """
        if self.path is None:
            return writing.add_locked(self, records, segmenter, progress, engine, on_removed)
        with write_lock(self.path):
            return writing.add_locked(self, records, segmenter, progress, engine, on_removed)

    def rebuild_index(self) -> Path:
        """Build the index again from the embedding cache, as a new generation (the repair of
        a damaged or missing index file; ``simdedup check --repair``)."""
        return writing.rebuild_index(self)

    def remember_talking_points(self, ids: dict[str, str]) -> str | None:
        """Save talking-point ids (text hash -> id) for the next run, under the write lock.
        Returns why nothing was saved (another process is writing the store right now, or the
        store is read-only), else ``None``."""
        try:
            if self.path is None:
                self.catalog.set_talking_point_ids(ids)
                return None
            with write_lock(self.path, timeout=0):
                self.catalog.set_talking_point_ids(ids)
                self._write_manifest()
        except (StoreError, OSError) as exc:
            return str(exc)
        return None

    def _write_manifest(self) -> None:
        writing.write_manifest(self)


def _check_kind(index: str | None) -> None:
    if index is not None and index not in KINDS:
        raise InputError(f"index must be one of {', '.join(KINDS)}; got {index!r}")


def _new_meta(encoder: Encoder, index: str) -> dict[str, str]:
    return {
        "format_version": str(FORMAT_VERSION),
        "model": encoder_name(encoder),
        "backend": encoder_backend(encoder),
        "fingerprint": encoder_fingerprint(encoder),
        "dim": "0",
        "metric": "cosine",
        "index_setting": index,
        "index_kind": "",
        "generation": "0",
    }

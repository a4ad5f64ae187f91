"""How a store changes: adding documents and updating the index in one transaction, rebuilding
the index from the embedding cache, and writing the manifest of what was committed. Each runs
under the store's write lock (:mod:`simdedup.store.lock`); :class:`~simdedup.store.store.Store`
calls these from :meth:`~simdedup.store.store.Store.add` and its repair methods."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from simdedup.embed.worker import EmbedWorker
from simdedup.errors import StoreError
from simdedup.index.vectors import VectorIndex, choose_kind
from simdedup.io.credits import wire_credits
from simdedup.io.records import Record
from simdedup.segment import Removed, Segment, Segmenter, WholeText
from simdedup.store.adding import AddStats, content_hash, records_of
from simdedup.store.integrity import (
    FORMAT_VERSION,
    digest,
    file_entries,
    index_name,
)
from simdedup.store.integrity import (
    write_manifest as write_manifest_file,
)
from simdedup.store.lock import write_lock

if TYPE_CHECKING:
    import numpy as np

    from simdedup.embed.cache import EmbeddingCache
    from simdedup.embed.encoder import Encoder
    from simdedup.engines.base import Engine
    from simdedup.store.catalog import Catalog

REBUILD_ORPHANS = 0.2  # rebuild the index when this share of its rows has no paragraph left


class Store(Protocol):
    """What these functions use of a :class:`simdedup.store.store.Store` (named by its
    members, so that this module does not import the one that imports it)."""

    path: Path | None
    catalog: Catalog
    index_setting: str
    _cache: EmbeddingCache
    _index: VectorIndex | None
    _index_generation: int

    @property
    def encoder(self) -> Encoder: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def backend(self) -> str: ...
    @property
    def dim(self) -> int: ...
    @property
    def index(self) -> VectorIndex: ...
    def counts(self) -> dict[str, int]: ...
    def vectors(self, rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray: ...


def add_locked(
    store: Store,
    records: Iterable[Record | str | os.PathLike[str]],
    segmenter: Segmenter | WholeText | None,
    progress: Callable[[str, int], None] | None,
    engine: Engine | None,
    on_removed: Callable[[Removed], None] | None,
) -> AddStats:
    """:meth:`Store.add`, under the write lock."""
    started = time.perf_counter()
    segmenter = segmenter or Segmenter()
    stats = AddStats()
    catalog = store.catalog
    catalog.begin()
    new_file: Path | None = None
    report = None if progress is None else (lambda n: progress("embed", n))
    if engine is None:
        worker = EmbedWorker(store.encoder, store.fingerprint, store._cache, report)
    else:
        worker = engine.embed_worker(store.encoder, store.fingerprint, store._cache, report)
    try:
        known = set(catalog.row_hashes())
        new_hashes: dict[str, None] = {}
        pending: dict[str, str] = {}
        for record in records_of(records):
            for p in _add_record(store, record, segmenter, stats, on_removed):
                if p.hash not in known and p.hash not in new_hashes:
                    new_hashes[p.hash] = None
                    pending[p.hash] = p.text
            if progress is not None:
                progress("read", 1)
            if len(pending) >= worker.chunk:
                worker.submit(pending)  # encoded while the next chunk is read
                pending = {}
        worker.submit(pending)
        worker.wait()
        stats.embedded, stats.embed_seconds = worker.embedded, worker.seconds
        stats.new_texts = len(new_hashes)
        if new_hashes or stats.replaced or not index_sound(store):
            new_file = _update_index(store, list(new_hashes), stats)
        stats.totals = catalog.counts()
        stats.index_kind = catalog.meta("index_kind", "")
        catalog.set_meta(updated=now())
        catalog.bump_serial()
        catalog.commit()
    except BaseException:
        worker.stop()
        catalog.rollback()
        store._index = None
        if new_file is not None:
            new_file.unlink(missing_ok=True)
        raise
    after_commit(store)
    stats.seconds = time.perf_counter() - started
    return stats


def _add_record(
    store: Store,
    record: Record,
    segmenter: Segmenter | WholeText,
    stats: AddStats,
    on_removed: Callable[[Removed], None] | None,
) -> list[Segment]:
    """Store one document unless unchanged; return its paragraphs (none if unchanged)."""
    content = content_hash(record)
    state = store.catalog.document_state(record.doc_id)
    if state is not None and state[1] == content:
        stats.unchanged += 1
        return []
    paragraphs, removed = segmenter.explain(record.doc_id, record.text, record.title)
    for cut in removed:
        stats.removed[cut.rule] = stats.removed.get(cut.rule, 0) + 1
        if on_removed is not None:
            on_removed(cut)
    credits = wire_credits(record.text)
    store.catalog.put_document(record, content, paragraphs, state[0] if state else None, credits)
    if state is None:
        stats.documents += 1
    else:
        stats.replaced += 1
    stats.empty += not paragraphs
    stats.paragraphs += len(paragraphs)
    return paragraphs


def index_sound(
    store: Store,
) -> bool:
    """Whether the current index file loads and passes its checks (an empty store's
    missing index is sound); a rerun of ``add`` rebuilds one that does not."""
    if store.path is None or store.catalog.int_meta("generation") == 0:
        return True
    try:
        _ = store.index
    except StoreError:
        store._index = None
        return False
    return True


def _update_index(store: Store, new_hashes: list[str], stats: AddStats) -> Path | None:
    """Extend or rebuild the index inside the open transaction; returns the new file."""
    catalog = store.catalog
    orphans = catalog.orphan_rows()
    total = catalog.scalar("SELECT COUNT(*) FROM vectors") + len(new_hashes)
    kind = store.index_setting
    if kind == "auto":
        kind = choose_kind(total - orphans, static=store.backend == "static")
    trained = catalog.int_meta("index_trained_rows")
    rebuild = (
        catalog.meta("index_kind", "") != kind
        or orphans > REBUILD_ORPHANS * total
        or (kind == "ivf" and total > 2 * trained)
        or not index_sound(store)
    )
    index: VectorIndex | None
    if store.path is None or rebuild:
        catalog.append_rows(new_hashes)
        if orphans:
            catalog.drop_orphans()
        if store.path is None:  # in memory: built on first use (dedup never needs it)
            index, vectors = None, store._cache.get(store.fingerprint, new_hashes[:1])
        else:
            vectors = store.vectors()
            index = VectorIndex(kind).build(vectors)
            stats.rebuilt = True
            catalog.set_meta(index_trained_rows=str(len(vectors)))
    else:
        index = store.index  # loaded before the new rows exist, so the counts agree
        catalog.append_rows(new_hashes)
        vectors = store._cache.get(store.fingerprint, new_hashes)
        index.add(vectors)
    if len(vectors):
        catalog.set_meta(dim=str(vectors.shape[1]))
    generation = catalog.int_meta("generation") + 1
    catalog.set_meta(generation=str(generation), index_kind=kind)
    catalog.set_meta(index_setting=store.index_setting)
    store._index = index
    store._index_generation = generation
    if store.path is None or index is None:
        return None
    file = store.path / index_name(generation)
    index.save(file)
    catalog.set_meta(index_sha256=digest(file))
    return file


def after_commit(
    store: Store,
) -> None:
    if store.path is None:
        return
    write_manifest(store)
    keep = index_name(store.catalog.int_meta("generation"))
    for old in store.path.glob("index-*.faiss*"):
        if old.name != keep:
            old.unlink(missing_ok=True)


def rebuild_index(
    store: Store,
) -> Path:
    """Build the index again from the embedding cache, as a new generation (the repair of
    a damaged or missing index file; ``simdedup check --repair``)."""
    if store.path is None:
        raise StoreError("an in-memory store has no index file to rebuild")
    with write_lock(store.path):
        catalog = store.catalog
        catalog.begin()
        file: Path | None = None
        try:
            kind = catalog.meta("index_kind", "") or "flat"
            vectors = store.vectors()
            index = VectorIndex(kind).build(vectors)
            generation = catalog.int_meta("generation") + 1
            file = store.path / index_name(generation)
            index.save(file)
            catalog.set_meta(
                generation=str(generation),
                index_sha256=digest(file),
                index_trained_rows=str(len(vectors)),
                updated=now(),
            )
            catalog.bump_serial()
            catalog.commit()
        except BaseException:
            catalog.rollback()
            if file is not None:
                file.unlink(missing_ok=True)
            raise
        store._index, store._index_generation = index, generation
        after_commit(store)
    return file


def write_manifest(
    store: Store,
) -> None:
    """Write the manifest of the state just committed (under the write lock)."""
    if store.path is None:
        return
    from simdedup.version import __version__

    meta = store.catalog.meta
    manifest: dict[str, Any] = {
        "format": "simdedup-store",
        "format_version": FORMAT_VERSION,
        "simdedup_version": __version__,
        "model": store.model,
        "backend": store.backend,
        "fingerprint": meta("fingerprint", ""),
        "dim": store.dim,
        "metric": "cosine",
        "index": meta("index_kind", "") or None,
        "index_setting": store.index_setting,
        "generation": store.catalog.int_meta("generation"),
        "counts": store.counts(),
        "created": meta("created", ""),
        "updated": meta("updated", ""),
        "serial": store.catalog.int_meta("serial"),
        "files": file_entries(store.path, store.catalog, len(store._cache)),
    }
    write_manifest_file(store.path, manifest)


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()

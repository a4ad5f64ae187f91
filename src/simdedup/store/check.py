"""``simdedup check``: is a store whole, and if not, what can be repaired.

The quick check reads the manifest, the database's schema and settings, the database's checksum
and the index file (present, checksum, rows, dimension). ``full`` adds SQLite's
``integrity_check``, every vector in the embedding cache (present, length, finite, unit norm) and
the index's vectors against the cache's. :func:`repair_store` fixes what can be fixed from what the
store still holds: vectors missing or damaged in the cache are embedded again from the
paragraphs' texts, the index is rebuilt from the cache, a stale manifest is written again and
leftover temporary files go. A damaged database cannot be repaired: the store is rebuilt from its
sources.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simdedup.errors import SimdedupError, StoreError
from simdedup.store.catalog import Catalog
from simdedup.store.integrity import (
    CACHE,
    DATABASE,
    FORMAT_VERSION,
    MANIFEST,
    index_name,
    leftovers,
    read_manifest,
    verify_database,
    verify_index,
)

if TYPE_CHECKING:
    from simdedup.embed.encoder import Encoder

AGREE = 1e-4  # largest difference between a vector in the index and in the cache


@dataclass(frozen=True)
class Finding:
    """One check: ``status`` is ``ok``, ``note`` (nothing wrong) or ``failed``; ``repair`` says
    what :func:`repair_store` does about a failure (``None``: nothing can)."""

    check: str
    status: str
    detail: str
    repair: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_store(path: str | Path, *, full: bool = False) -> list[Finding]:
    """Check the store in ``path``; see the module docstring. Never raises for damage: every
    problem is a finding."""
    path = Path(path)
    if not (path / DATABASE).is_file():
        why = "no such store" if not path.exists() else f"no {DATABASE}: not a simdedup store"
        return [Finding("store", "failed", f"{path}: {why}")]
    findings: list[Finding] = []
    manifest = _manifest(path, findings)
    catalog = Catalog(path / DATABASE)
    try:
        if not _database(path, catalog, manifest, findings, full):
            return findings
        _index(path, catalog, findings)
        if full:
            _vectors(path, catalog, findings)
        spare = leftovers(path) + _old_indexes(path, catalog)
        if spare:
            names = ", ".join(sorted(p.name for p in spare))
            findings.append(Finding("leftovers", "note", names, "removed"))
    finally:
        catalog.close()
    return findings


def repair_store(
    path: str | Path, *, full: bool = True, encoder: Encoder | None = None
) -> list[Finding]:
    """Repair what :func:`check_store` found and can be repaired (vectors are embedded again
    with ``encoder``, by default the store's model); returns the findings of a check made
    afterwards. Raises :class:`StoreError` when the database itself is damaged."""
    from simdedup.store.lock import write_lock
    from simdedup.store.store import Store

    path = Path(path)
    findings = check_store(path, full=full)
    broken = [f for f in _failed(findings) if f.repair is None]
    if broken:
        raise StoreError(f"{path}: cannot be repaired ({broken[0].detail})")
    if not any(f.repair for f in findings):
        return findings
    with write_lock(path):
        Store._finish_creation(path)  # the manifest, from the database as it is
        with Store.open(path, encoder=encoder) as store:
            bad = _bad_vectors(store)
            if bad:
                _embed_again(store, bad)
            rebuild = any(f.check in ("index", "index vectors") for f in _failed(findings))
            if bad or rebuild:
                store.rebuild_index()
            keep = index_name(store.catalog.int_meta("generation"))
        for spare in [*leftovers(path), *path.glob("index-*.faiss*")]:
            if spare.name != keep:
                spare.unlink(missing_ok=True)
    return check_store(path, full=full)


def _failed(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.status == "failed"]


def _manifest(path: Path, findings: list[Finding]) -> dict[str, Any] | None:
    try:
        manifest = read_manifest(path)
    except StoreError as exc:
        findings.append(Finding("manifest", "failed", str(exc), "written again"))
        return None
    version = int(manifest["format_version"])
    if version > FORMAT_VERSION:
        findings.append(
            Finding("manifest", "failed", f"store format {version} is newer than this simdedup")
        )
        return None
    written = manifest.get("simdedup_version", "?")
    checksums = "with checksums" if "files" in manifest else "no checksums (an older store)"
    findings.append(Finding("manifest", "ok", f"format {version}, simdedup {written}, {checksums}"))
    return manifest


def _database(
    path: Path,
    catalog: Catalog,
    manifest: dict[str, Any] | None,
    findings: list[Finding],
    full: bool,
) -> bool:
    """The database checks; ``False`` when the rest cannot be checked."""
    try:
        catalog.begin_read()
        catalog.check()
        counts = catalog.counts()
    except SimdedupError as exc:
        findings.append(Finding("database", "failed", str(exc)))
        return False
    findings.append(
        Finding(
            "database",
            "ok",
            f"{counts['documents']} documents, {counts['paragraphs']} paragraphs, "
            f"{counts['index_rows']} index rows",
        )
    )
    if manifest is not None:
        try:
            stale = verify_database(path, manifest, catalog)
        except StoreError as exc:
            findings.append(Finding("checksum", "failed", str(exc)))
            return False
        if stale:
            findings.append(
                Finding(
                    "checksum",
                    "failed",
                    f"{MANIFEST} is behind the database (a write was stopped after its commit); "
                    "SQLite finds the database sound",
                    "manifest written again",
                )
            )
        elif "files" in manifest:
            findings.append(Finding("checksum", "ok", f"{DATABASE} matches {MANIFEST}"))
    if full:
        problems = catalog.verify(full=True)
        if problems:
            findings.append(Finding("integrity", "failed", f"{DATABASE}: {problems[0][:200]}"))
            return False
        findings.append(Finding("integrity", "ok", "SQLite integrity_check: ok"))
    catalog.end_read()
    return True


def _index(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    from simdedup.index.vectors import VectorIndex

    generation = catalog.int_meta("generation")
    if generation == 0:
        findings.append(Finding("index", "ok", "empty store: no index yet"))
        return
    file = path / index_name(generation)
    repair = "rebuilt from the embedding cache"
    if not file.is_file():
        findings.append(Finding("index", "failed", f"{file.name} is missing", repair))
        return
    try:
        verify_index(file, catalog)
        index = VectorIndex.load(file)
    except StoreError as exc:
        findings.append(Finding("index", "failed", str(exc).split(";")[0], repair))
        return
    rows, dim = catalog.scalar("SELECT COUNT(*) FROM vectors"), catalog.int_meta("dim")
    if index.ntotal != rows or index.dim != dim:
        detail = f"{file.name} has {index.ntotal} rows of {index.dim}, the database {rows} of {dim}"
        findings.append(Finding("index", "failed", detail, repair))
        return
    detail = f"{file.name}: {index.kind_} index, {rows} rows of dimension {dim}"
    findings.append(Finding("index", "ok", detail))


def _vectors(path: Path, catalog: Catalog, findings: list[Finding]) -> None:
    """Every index row's vector in the cache, and the index's copy of it."""
    from simdedup.embed.cache import EmbeddingCache
    from simdedup.index.vectors import VectorIndex

    hashes = catalog.row_hashes()
    cache = EmbeddingCache(path / CACHE)
    try:
        fingerprint, dim = catalog.meta("fingerprint", ""), catalog.int_meta("dim")
        try:  # every vector read once; only a damaged cache is read again, to count them
            cached = cache.get(fingerprint, hashes, dim=dim)
        except StoreError:
            bad = cache.valid(fingerprint, hashes, dim)
            detail = f"{len(bad)} of {len(hashes)} vectors missing or damaged in {CACHE}"
            findings.append(Finding("vectors", "failed", detail, "embedded again"))
            return
        findings.append(Finding("vectors", "ok", f"{len(hashes)} vectors: length, finite, norm"))
        file = path / index_name(catalog.int_meta("generation"))
        if not hashes or not file.is_file():
            return
        try:
            stored = VectorIndex.load(file).stored_vectors()
        except (StoreError, RuntimeError):
            return  # the index finding says why
        if stored.shape != cached.shape:
            return
        differ = int(np.count_nonzero(np.abs(stored - cached).max(axis=1) > AGREE))
        if differ:
            detail = f"{differ} index rows differ from their vectors in {CACHE}"
            findings.append(Finding("index vectors", "failed", detail, "index rebuilt"))
        else:
            findings.append(Finding("index vectors", "ok", "the index holds the cache's vectors"))
    finally:
        cache.close()


def _old_indexes(path: Path, catalog: Catalog) -> list[Path]:
    keep = index_name(catalog.int_meta("generation"))
    return [p for p in path.glob("index-*.faiss*") if p.name != keep]


def _bad_vectors(store: Any) -> list[str]:
    hashes = store.catalog.row_hashes()
    return list(store._cache.valid(store.fingerprint, hashes, store.dim))


def _embed_again(store: Any, hashes: list[str]) -> None:
    """Embed the texts of ``hashes`` again with the store's encoder, over their old vectors."""
    from simdedup.embed.encoder import encode_checked

    texts = store.catalog.texts_of_hashes(hashes)
    store._cache.delete(store.fingerprint, hashes)
    vectors = encode_checked(store.encoder, [texts[h] for h in hashes])
    store._cache.put(store.fingerprint, hashes, vectors)

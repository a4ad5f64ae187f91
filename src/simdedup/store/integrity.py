"""A store's manifest and the checksums in it, checked by every command that opens the store.

The manifest records, for the state the last completed write left (its ``serial``), the size and
SHA-256 of ``store.sqlite`` and of the index file. The database also holds the index file's
checksum (``index_sha256``), committed with the generation it belongs to, so a reader checks the
index against the very database state it reads. The embedding cache is the one file that changes
outside a completed write (an interrupted add keeps what it embedded, for its rerun), so its
vectors are checked one by one as they are read (length, finite, unit norm) instead.

On open, when the manifest's serial is the database's, a database whose checksum differs was
changed outside simdedup or is damaged: the store is refused with a one-line error. When the
serials differ, a writer was stopped between its commit and its manifest; SQLite's own
``quick_check`` then decides, and the next write brings the manifest up to date.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simdedup.errors import StoreError
from simdedup.store.lock import LOCK

if TYPE_CHECKING:
    from simdedup.store.catalog import Catalog

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "store.sqlite"
CACHE = "embeddings.sqlite"
_BLOCK = 1 << 20


def digest(path: Path) -> str:
    """SHA-256 of the file at ``path``, hex."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            sha.update(block)
    return sha.hexdigest()


def index_name(generation: int) -> str:
    return f"index-{generation}.faiss"


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the store in ``path``; :class:`StoreError` if it is unreadable."""
    file = path / MANIFEST
    if not file.is_file():
        raise StoreError(f"{file}: missing")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
        int(manifest["format_version"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{file}: damaged manifest ({exc})") from None
    return manifest


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest`` atomically: a temporary file, flushed to disk, renamed into place."""
    tmp = path / (MANIFEST + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(manifest, indent=2) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path / MANIFEST)


def file_entries(path: Path, catalog: Catalog, cache_vectors: int | None) -> dict[str, Any]:
    """The manifest's ``files``: size and SHA-256 of the database and the index (the checksum
    its generation committed, when it has one: the index is not read again), the size and
    vector count of the embedding cache."""
    files: dict[str, Any] = {DATABASE: _entry(path / DATABASE)}
    index = path / index_name(catalog.int_meta("generation"))
    if index.is_file():
        committed = catalog.meta("index_sha256", "")
        files[index.name] = (
            {"bytes": index.stat().st_size, "sha256": committed} if committed else _entry(index)
        )
    cache = path / CACHE
    if cache.is_file():
        files[CACHE] = {"bytes": cache.stat().st_size, "vectors": cache_vectors}
    return files


def _entry(file: Path) -> dict[str, Any]:
    return {"bytes": file.stat().st_size, "sha256": digest(file)}


def verify_database(path: Path, manifest: dict[str, Any], catalog: Catalog) -> str | None:
    """Check ``store.sqlite`` against the manifest (call inside a read transaction, so that no
    writer commits while the file is hashed). Returns ``None`` when it matches or the manifest
    predates checksums, ``"stale"`` when the manifest is behind the database (a writer stopped
    after its commit) and SQLite finds the file sound; raises :class:`StoreError` otherwise."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not isinstance(files.get(DATABASE), dict):
        return None  # a store from before checksums: its next write records them
    file = path / DATABASE
    if str(manifest.get("serial")) != str(catalog.int_meta("serial")):
        problems = catalog.verify()
        if problems:
            raise StoreError(f"{file}: damaged ({problems[0][:120]}); {_HINT.format(path)}")
        return "stale"
    expected = files[DATABASE]
    size = file.stat().st_size
    if size != expected.get("bytes") or digest(file) != expected.get("sha256"):
        raise StoreError(
            f"{file}: does not match its checksum in {MANIFEST} (damaged, or changed outside "
            f"simdedup); {_HINT.format(path)}"
        )
    return None


def verify_index(file: Path, catalog: Catalog) -> None:
    """Check an index file against the checksum its generation committed in the database."""
    expected = catalog.meta("index_sha256", "")
    if not expected:
        return  # written before checksums
    if digest(file) != expected:
        raise StoreError(
            f"{file}: does not match its checksum (damaged); `simdedup check --store "
            f"{file.parent} --repair` rebuilds it from the embedding cache"
        )


def make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create store ({exc.strerror or exc})") from None


def leftovers(path: Path) -> list[Path]:
    """Files a stopped creation of a store leaves: temporary files, a database without a
    manifest is not one of them (see :meth:`Store._finish_creation`)."""
    return [p for p in path.glob("*.tmp") if p.is_file()]


def has_files(path: Path) -> bool:
    """Whether ``path`` holds anything but the write lock and a stopped creation's leftovers."""
    spare = {LOCK, *(p.name for p in leftovers(path))}
    return any(p.name not in spare for p in path.iterdir())


_HINT = "`simdedup check --store {0}` says more"

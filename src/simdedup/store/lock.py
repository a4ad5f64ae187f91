"""The store-wide write lock: one writer at a time per store directory, across processes.

A writer (:meth:`Store.create <simdedup.store.store.Store.create>`, :meth:`Store.add`, saving
talking-point ids, ``simdedup check --repair``) holds ``store.lock`` in the store directory for
its whole update, so a second ``simdedup index`` on the same store waits for the first (saying
so on stderr) instead of failing half way. The lock is an OS file lock (``flock``, through
:mod:`filelock`): a writer that dies releases it with its process, so no stale lock is left.
Readers never take it; they read one generation through SQLite's own shared lock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simdedup.errors import StoreError

LOCK = "store.lock"
_log = logging.getLogger("simdedup")


@contextmanager
def write_lock(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the write lock of the store in ``path`` (which must exist). Waits for another
    writer, forever when ``timeout`` is ``None``, else up to ``timeout`` seconds before a
    :class:`StoreError`. Re-entrant within a thread."""
    from filelock import FileLock, Timeout

    try:
        lock = FileLock(path / LOCK, is_singleton=True)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if timeout == 0:
                raise
            _log.info(f"{path}: another simdedup is writing this store; waiting for it to finish")
            lock.acquire(timeout=-1 if timeout is None else timeout)
    except Timeout:
        raise StoreError(f"{path}: busy: another simdedup is writing this store") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot lock the store ({exc.strerror or exc})") from None
    try:
        yield
    finally:
        lock.release()

"""Worker processes: how many to start, and starting them without re-running the script that
started them.

A ``spawn``ed process imports the parent's ``__main__`` first (as ``__mp_main__``), so a user's
script without an ``if __name__ == "__main__":`` guard would run again in every worker, reach
the same call and fail there. simdedup's workers run only simdedup's own functions on plain
data, so while they start, the main module's name and path are hidden from ``multiprocessing``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_MISSING = object()


def cores(limit: int) -> int:
    """The CPU cores this process may run on (its affinity where the OS says), at most
    ``limit``: how many worker processes a parallel step starts."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(limit, n or 1))


@contextmanager
def hidden_main() -> Iterator[None]:
    """While in this block, processes ``spawn``ed here do not import ``__main__``."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    with _lock:
        spec = main.__dict__.get("__spec__", _MISSING)
        path = main.__dict__.get("__file__", _MISSING)
        main.__dict__["__spec__"] = None
        main.__dict__.pop("__file__", None)
        try:
            yield
        finally:
            for key, value in (("__spec__", spec), ("__file__", path)):
                if value is _MISSING:
                    main.__dict__.pop(key, None)
                else:
                    main.__dict__[key] = value

"""Result rows, isolated measurement (peak memory per method), environment and result files.

Every suite returns rows with the same keys (:data:`ROW_KEYS`); a field that does not apply is
``None``. Each measured method runs in a fresh ``spawn``ed process so that its peak resident
memory (``ru_maxrss``) is its own and a crash or a runaway library cannot take the run down.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import resource
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
ROW_KEYS = (
    "suite",
    "method",
    "n",
    "dim",
    "params",
    "build_s",
    "search_s",
    "qps",
    "recall_at_10",
    "pair_recall",
    "pair_precision",
    "peak_rss_mb",
    "index_bytes",
)
LIBRARIES = (
    "simdedup",
    "faiss-cpu",
    "numpy",
    "scikit-learn",
    "sentence-transformers",
    "torch",
    "hnswlib",
    "usearch",
    "semhash",
    "datasketch",
    "model2vec",
)


def row(suite: str, method: str, **fields: Any) -> dict[str, Any]:
    """A result row: every key of :data:`ROW_KEYS` (``None`` where not given) plus ``extra``
    for suite-specific fields (e.g. ``wall_s``, ``groups``, ``f1``)."""
    unknown = set(fields) - set(ROW_KEYS) - {"extra"}
    if unknown:
        raise KeyError(f"unknown row fields {sorted(unknown)}; put them in extra")
    out: dict[str, Any] = {key: None for key in ROW_KEYS}
    out.update(suite=suite, method=method, **fields)
    out.setdefault("extra", {})
    if out["extra"] is None:
        out["extra"] = {}
    for key in ("build_s", "search_s", "qps", "peak_rss_mb"):
        if isinstance(out[key], float):
            out[key] = round(out[key], 4 if out[key] < 1 else 2)
    return out


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory of a process so far, in MiB: ``VmHWM`` of ``/proc/PID/status``.

    Not ``ru_maxrss``: Linux carries it over fork and exec, so a spawned worker would report
    the parent's peak when that is higher."""
    peak = _status_mb(pid, "VmHWM")
    if peak is not None:
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if pid == "self" else 0.0


def _status_mb(pid: int | str, key: str) -> float | None:
    """A memory line (``VmHWM``, ``VmRSS``) of ``/proc/PID/status`` in MiB; ``None`` when the
    process or the line is not there."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now (worker processes
    included), in MiB: the sum of their ``VmRSS``; 0.0 once the process is gone."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        total += _status_mb(p, "VmRSS") or 0.0
    return total


@contextmanager
def timer(into: dict[str, float], key: str):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    try:
        yield
    finally:
        into[key] = time.perf_counter() - start


def _call(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...]) -> dict[str, Any]:
    try:
        result = fn(*args)
    except Exception as exc:  # reported as a failed row, never a crashed run
        return {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-2000:]}
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def isolated(
    fn: Callable[..., dict[str, Any]], *args: Any, timeout: float = 3600
) -> dict[str, Any]:
    """Run ``fn(*args)`` (a module-level function returning a dict) in a fresh process; the
    dict comes back with ``peak_rss_mb`` of that process, or ``{"error": ...}`` on failure."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        future = pool.submit(_call, fn, args)
        try:
            return future.result(timeout=timeout)
        except Exception as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}


def environment() -> dict[str, Any]:
    """Hardware, library versions and date of this run."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem_gib = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "gpu": None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "versions": versions,
    }


def save(suite: str, rows: list[dict[str, Any]], meta: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<suite>.json`` atomically."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{suite}.json"
    tmp = path.with_suffix(".json.tmp")
    payload = {"suite": suite, "environment": environment(), **meta, "rows": rows}
    tmp.write_text(json.dumps(payload, indent=1) + "\n")
    tmp.replace(path)
    return path


def load(suite: str) -> dict[str, Any] | None:
    path = RESULTS / f"{suite}.json"
    return json.loads(path.read_text()) if path.exists() else None

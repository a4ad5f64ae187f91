"""Core timings: index a corpus into a fresh store, then time queries and dedup on it.

    python benchmarks/core.py                 # examples/ and, when present, ../shared MFA
    python benchmarks/core.py examples        # one named corpus, or any PATH


Prints a table and updates benchmarks/results/core.json (rows of other corpora are kept, each
with the environment it was measured in). Each timing says what it includes:
- index_s: reading, segmenting, embedding (model already loaded), writing the store and index;
- embed_per_s: distinct texts embedded per second of embedding time alone;
- query_ms: one `similar` call (embed the query + search + fetch rows), median of 50;
- dedup_s: `Deduplicator().fit(store)` on the opened store (no embedding).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import simdedup
from simdedup.embed.encoder import SentenceTransformerEncoder
from simdedup.io.records import Fields, RecordReader

ROOT = Path(__file__).resolve().parent.parent
MFA = ROOT.parent / "shared" / "data" / "mfa" / "mfa_en_paragraphs.jsonl"
QUERIES = [
    "this year marks the anniversary of the establishment of diplomatic ties",
    "China firmly opposes interference in its internal affairs",
    "we support the rotating chairmanship and a successful summit",
    "both sides agreed to deepen win-win cooperation",
    "calls for an immediate ceasefire and a political settlement",
]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(name: str, paths: list[str], encoder: SentenceTransformerEncoder) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp) / "bench.store"
        store = simdedup.Store.create(store_dir, encoder=encoder)
        reader = RecordReader(Fields(), skip_bad=True)
        started = time.perf_counter()
        stats = store.add(reader.read(paths))
        index_s = time.perf_counter() - started
        store.close()
        size = dir_size(store_dir)
        store = simdedup.Store.open(store_dir, encoder=encoder)
        store.similar(QUERIES[0])  # load the index once
        times = []
        for i in range(50):
            t = time.perf_counter()
            store.similar(QUERIES[i % len(QUERIES)], k=10)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        result = simdedup.Deduplicator().fit(store).result_
        dedup_s = time.perf_counter() - t
        store.close()
    return {
        "corpus": name,
        "documents": stats.totals["documents"],
        "paragraphs": stats.totals["paragraphs"],
        "distinct_texts": stats.totals["distinct_texts"],
        "index_kind": stats.index_kind,
        "index_s": round(index_s, 2),
        "paragraphs_per_s": round(stats.totals["paragraphs"] / index_s, 1),
        "embed_per_s": round(stats.embedded / stats.embed_seconds, 1) if stats.embedded else None,
        "query_ms_p50": round(1000 * statistics.median(times), 2),
        "dedup_s": round(dedup_s, 3),
        "dedup_groups": len(result.groups),
        "store_mb": round(size / 1e6, 2),
    }


def main() -> None:
    """``core.py [examples] [mfa] [PATH ...]``: named corpora or paths (default: both named)."""
    named = {"examples": [str(ROOT / "examples" / "corpus.jsonl")], "mfa": [str(MFA)]}
    args = sys.argv[1:] or [name for name in named if name != "mfa" or MFA.exists()]
    corpora = [(a, named[a]) if a in named else (Path(a).name, [a]) for a in args]
    encoder = SentenceTransformerEncoder()
    t = time.perf_counter()
    encoder.load()
    load_s = time.perf_counter() - t
    rows = [measure(name, paths, encoder) for name, paths in corpora]
    env = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "simdedup": simdedup.__version__,
        "model_load_s": round(load_s, 2),
        "batch_size": encoder.batch_size,
    }
    print(json.dumps(env))
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    out = ROOT / "benchmarks" / "results" / "core.json"
    saved = json.loads(out.read_text()) if out.exists() else {"results": []}
    measured = {row["corpus"] for row in rows}
    kept = [{**r} for r in saved["results"] if r["corpus"] not in measured]
    for row in rows:
        row["environment"] = env
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"results": kept + rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

"""Concurrency soak: reader processes query a store while writer processes replace its documents
batch after batch, and every answer is checked against one generation.

    python benchmarks/soak.py --seconds 60 --readers 3 --writers 2

Each writer replaces all documents with a new batch in one ``add`` (so the index is rebuilt and
its rows renumbered every time), the writers taking turns through the store's write lock. Every
paragraph names its batch, so within one generation all paragraphs share a batch number:

* a ``similar`` answer must have every hit's score equal to the cosine of the text it names (a
  reader joining the old index with the new table breaks this) and all hits from one batch;
* a whole-corpus read (``Store.snapshot`` around the paragraph table and its texts, as dedup and
  talking points read) must see one batch, all of it.

The encoder is a fast deterministic bag of words (the store's model does not matter to the
locking). Prints the counts; writes ``benchmarks/results/soak.json``; exits 1 if any answer was
torn or any error other than simdedup's own escaped.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import re
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from simdedup import Record, Store  # noqa: E402
from simdedup.errors import SimdedupError  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "soak.json"
DOCS = 60
WORDS = [
    "ministers", "agreed", "trade", "border", "grain", "port", "talks", "envoy", "summit",
    "treaty", "fisheries", "coast", "energy", "pipeline", "tariff", "visa", "railway",
    "harbour", "sanctions", "ceasefire", "election", "budget",
]  # fmt: skip
BATCH = re.compile(r"^Batch (\d+) ")


class BagOfWords:
    """Deterministic bag-of-words vectors (crc32 buckets)."""

    name = "soak-bag-of-words"
    fingerprint = "soak-bag-of-words-256"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[i, zlib.crc32(word.encode()) % 256] += 1.0
        return out


def text(i: int, batch: int) -> str:
    words = " ".join(np.random.default_rng(100_000 * batch + i).choice(WORDS, 12))
    return f"Batch {batch} item {i}: the {words} were discussed at length."


def batch_of(paragraph_text: str) -> int:
    match = BATCH.match(paragraph_text)
    return int(match.group(1)) if match else -1


def writer(path: str, until: float, offset: int, step: int, out: Any) -> None:
    counts: Counter[str] = Counter()
    with Store.open(path, encoder=BagOfWords()) as store:
        batch = offset
        while time.time() < until:
            batch += step
            try:
                stats = store.add([Record(f"d{i}", text(i, batch)) for i in range(DOCS)])
                counts["generations"] += 1
                counts["rebuilds"] += stats.rebuilt
            except SimdedupError as exc:
                counts[f"simdedup error: {str(exc)[:60]}"] += 1
            except Exception:  # counted and reported: the point of a soak
                counts["foreign: " + traceback.format_exc().splitlines()[-1][:80]] += 1
    out.put(("writer", dict(counts)))


def reader(path: str, until: float, seed: int, out: Any) -> None:
    counts: Counter[str] = Counter()
    encoder = BagOfWords()
    rng = np.random.default_rng(seed)
    with Store.open(path, encoder=encoder) as store:
        while time.time() < until:
            try:
                if rng.random() < 0.1:
                    with store.snapshot():
                        table = store.table()
                        found = store.paragraphs(table.ids)
                    batches = {batch_of(p.text) for p in found.values()}
                    counts["whole-corpus reads"] += 1
                    counts["whole-corpus reads torn"] += len(batches) != 1 or len(found) != DOCS
                    continue
                query = text(int(rng.integers(DOCS)), int(rng.integers(1, 50)))
                hits = store.similar(query, k=5)
                vectors = encoder.encode([query] + [h.text for h in hits])
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                vectors = vectors / np.where(norms > 0, norms, 1)
                wrong = sum(
                    abs(float(v @ vectors[0]) - h.score) > 1e-4 for h, v in zip(hits, vectors[1:])
                )
                counts["answers"] += 1
                counts["answers with a wrong score"] += wrong > 0
                counts["answers from two generations"] += len({batch_of(h.text) for h in hits}) > 1
            except SimdedupError as exc:
                counts[f"simdedup error: {str(exc)[:60]}"] += 1
            except Exception:
                counts["foreign: " + traceback.format_exc().splitlines()[-1][:80]] += 1
    out.put(("reader", dict(counts)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="simdedup-soak-") as tmp:
        path = str(Path(tmp) / "soak.store")
        with Store.create(path, encoder=BagOfWords()) as store:
            store.add([Record(f"d{i}", text(i, 0)) for i in range(DOCS)])
        until = time.time() + args.seconds
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        procs = [
            ctx.Process(target=writer, args=(path, until, w, args.writers, out))
            for w in range(args.writers)
        ] + [ctx.Process(target=reader, args=(path, until, r, out)) for r in range(args.readers)]
        for proc in procs:
            proc.start()
        totals: dict[str, Counter[str]] = {"writer": Counter(), "reader": Counter()}
        for _ in procs:
            role, counts = out.get(timeout=args.seconds + 300)
            totals[role].update(counts)
        for proc in procs:
            proc.join()
    result = {
        "seconds": args.seconds,
        "readers": args.readers,
        "writers": args.writers,
        "documents": DOCS,
        "writes": dict(totals["writer"]),
        "reads": dict(totals["reader"]),
    }
    print(f"soak: {args.writers} writers, {args.readers} readers, {args.seconds:g} s")
    for role in ("writes", "reads"):
        for key, value in sorted(result[role].items()):  # type: ignore[attr-defined]
            print(f"  {role:<6} {key:<40} {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    bad = [k for k in result["reads"] if "torn" in k or "wrong" in k or "two generations" in k]
    torn = sum(result["reads"][k] for k in bad)  # type: ignore[index]
    foreign = sum(v for r in totals.values() for k, v in r.items() if k.startswith("foreign"))
    return 1 if torn or foreign else 0


if __name__ == "__main__":
    sys.exit(main())

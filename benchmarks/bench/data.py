"""Benchmark corpora and their embeddings, computed once and cached outside the repository.

Embeddings live in ``$SIMDEDUP_BENCH_CACHE`` (default ``~/.cache/simdedup-bench/``): vectors in
simdedup's own SQLite embedding cache, keyed by model fingerprint and text hash (so an interrupted
run resumes and a larger slice reuses a smaller one), plus one ``.npy`` per corpus slice for fast
loading. Nothing here is committed.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
UNGDC = SHARED / "ungdc" / "ungdc_paragraphs.jsonl.gz"
MFA = SHARED / "mfa" / "mfa_en_paragraphs.jsonl"
SAMPLE_SEED = 0


def cache_dir() -> Path:
    base = os.environ.get("SIMDEDUP_BENCH_CACHE")
    path = Path(base) if base else Path.home() / ".cache" / "simdedup-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Corpus:
    """Paragraph texts with their record metadata (``doc``, ``outlet``, ``date``)."""

    name: str
    texts: list[str]
    docs: list[str]
    outlets: list[str]
    dates: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def records(self) -> list[dict[str, str]]:
        """One JSONL-style record per paragraph, as simdedup's readers take them."""
        return [
            {"id": f"{self.name}-{i}", "doc": d, "outlet": o, "date": t, "text": x}
            for i, (x, d, o, t) in enumerate(zip(self.texts, self.docs, self.outlets, self.dates))
        ]


@cache
def _ungdc_all() -> tuple[list[dict[str, str]], ...]:
    if not UNGDC.exists():
        raise FileNotFoundError(f"{UNGDC}: the UNGDC paragraphs are missing (../shared/data)")
    with gzip.open(UNGDC, "rt", encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh)


def ungdc(n: int | None = None) -> Corpus:
    """``n`` UNGDC paragraphs drawn at random (seed 0; a smaller slice is a prefix of a larger
    one's draw), in file order; ``None`` for all 292,435."""
    rows = _ungdc_all()
    if n is None or n >= len(rows):
        return _ungdc_rows("ungdc-all", np.arange(len(rows)))
    order = np.random.default_rng(SAMPLE_SEED).permutation(len(rows))
    return _ungdc_rows(f"ungdc-{n}", np.sort(order[:n]))


def ungdc_queries(n: int = 1_000) -> Corpus:
    """``n`` held-out query paragraphs: the last of the seeded draw, in no slice below
    ``292,435 - n`` rows."""
    order = np.random.default_rng(SAMPLE_SEED).permutation(len(_ungdc_all()))
    return _ungdc_rows(f"ungdc-queries-{n}", order[-n:])


def _ungdc_rows(name: str, picked: np.ndarray) -> Corpus:
    rows = _ungdc_all()
    chosen = [rows[i] for i in picked]
    return Corpus(
        name=name,
        texts=[" ".join(r["text"].split()) for r in chosen],
        docs=[f"{r['country']}-{r['session']}" for r in chosen],
        outlets=[r["country"] for r in chosen],
        dates=[f"{r['year']}-09-15" for r in chosen],
    )


def mfa() -> Corpus:
    """The 14,641 MFA press-conference paragraphs."""
    rows = [json.loads(line) for line in MFA.open(encoding="utf-8")]
    return Corpus(
        name="mfa",
        texts=[" ".join(r["text"].split()) for r in rows],
        docs=[r["url"] for r in rows],
        outlets=[r.get("role", "mfa") for r in rows],
        dates=[r["date"] for r in rows],
    )


def embeddings(corpus: Corpus, *, backend: str = "torch", quiet: bool = False) -> np.ndarray:
    """Unit float32 embeddings of ``corpus.texts`` by the bundled model (simdedup's encoder
    path) run by ``backend`` (``torch``, the reference, unless asked), computed once: later
    calls load a ``.npy``."""
    from simdedup.embed.cache import EmbeddingCache
    from simdedup.embed.choose import make_encoder
    from simdedup.embed.encoder import embed_missing
    from simdedup.segment import text_hash

    encoder = make_encoder(None, backend, quiet=True)
    fingerprint = str(encoder.fingerprint)  # type: ignore[attr-defined]
    tag = fingerprint[:12] if backend == "torch" else f"{fingerprint[:12]}-{backend}"
    npy = cache_dir() / f"{corpus.name}-{len(corpus)}-{tag}.npy"
    if npy.exists():
        return np.load(npy, mmap_mode="r")
    hashes = [text_hash(t) for t in corpus.texts]
    texts = dict(zip(hashes, corpus.texts))
    store = EmbeddingCache(cache_dir() / "embeddings.sqlite")
    try:
        todo = len(store.missing(fingerprint, list(texts)))
        bar = None
        if todo and not quiet:
            from tqdm import tqdm

            print(f"embedding {todo:,} texts of {corpus.name} (once; cached)", file=sys.stderr)
            bar = tqdm(total=len(texts), unit="par", file=sys.stderr)
        embed_missing(encoder, fingerprint, texts, store, progress=bar.update if bar else None)
        if bar is not None:
            bar.close()
        vectors = store.get(fingerprint, hashes)
    finally:
        store.close()
    tmp = npy.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(npy)
    return vectors


def synthetic(n: int, base: np.ndarray, *, seed: int = 0, dup_share: float = 0.05) -> np.ndarray:
    """``n`` unit vectors shaped like ``base`` (real embeddings): each is a real vector plus
    Gaussian noise (cosine ~0.75 to its source), and ``dup_share`` of them are planted
    near-duplicates (cosine ~0.95) of another synthetic row. Seeded; for sizes past the real
    data."""
    rng = np.random.default_rng(seed)
    dim = base.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        stop = min(n, start + step)
        src = np.asarray(base[rng.integers(0, len(base), stop - start)], dtype=np.float32)
        x = src + rng.normal(0, 0.9 / np.sqrt(dim), size=src.shape).astype(np.float32)
        out[start:stop] = x / np.linalg.norm(x, axis=1, keepdims=True)
    dups = rng.choice(n, size=int(n * dup_share), replace=False)
    sources = rng.integers(0, n, size=len(dups))
    x = out[sources] + rng.normal(0, 0.3 / np.sqrt(dim), size=(len(dups), dim)).astype(np.float32)
    out[dups] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


if __name__ == "__main__":  # embed ahead of time: python benchmarks/bench/data.py [NAME ...]
    named = {"mfa": mfa, "queries": lambda: ungdc_queries(1_000)}
    for arg in sys.argv[1:] or ["10000", "100000", "queries", "mfa"]:
        corpus = named[arg]() if arg in named else ungdc(None if arg == "all" else int(arg))
        print(f"{corpus.name}: {embeddings(corpus).shape}")

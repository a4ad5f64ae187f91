"""Embed suite: paragraphs/s of the bundled model, plain sentence-transformers against simdedup.

On one seeded sample of real paragraphs (UNGDC and MFA mixed, realistic lengths), each path runs
in its own process at several batch sizes, after a warm-up batch:

- ``sentence-transformers``: ``SentenceTransformer.encode(texts, batch_size=b,
  normalize_embeddings=True)``, what a user would write;
- ``simdedup``: the encoder path ``simdedup index`` takes, :func:`simdedup.embed.embed_missing`
  with :class:`~simdedup.embed.SentenceTransformerEncoder` into an in-memory embedding cache
  (length-sorted chunks, normalisation, cache writes included).

``build_s`` is the model load, ``search_s`` the encoding of the sample, ``qps`` paragraphs/s;
``extra.mean_cosine_vs_plain`` compares each path's vectors with the plain path's at batch 32.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from bench import common, data

QUICK_BATCHES = (16, 32)
FULL_BATCHES = (8, 16, 32, 64, 128)
QUICK_SAMPLE = 512
FULL_SAMPLE = 2_048


def sample_texts(n: int) -> list[str]:
    """``n`` paragraphs: half a seeded draw of UNGDC, half of MFA (texts of 40+ characters)."""
    rng = np.random.default_rng(1)
    ungdc = [t for t in data.ungdc_queries(4 * n).texts if len(t) >= 40]
    mfa = [t for t in data.mfa().texts if len(t) >= 40]
    half = n // 2
    picks = [ungdc[i] for i in rng.choice(len(ungdc), half, replace=False)]
    picks += [mfa[i] for i in rng.choice(len(mfa), n - half, replace=False)]
    return picks


def measure(path: str, texts: list[str], batches: tuple[int, ...], save_to: str) -> dict[str, Any]:
    """Runs in a fresh process: load the model, time every batch size, save the batch-32
    vectors to ``save_to``."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from simdedup.cache import EmbeddingCache
    from simdedup.embed import SentenceTransformerEncoder, embed_missing
    from simdedup.segment import text_hash

    started = time.perf_counter()
    encoder = SentenceTransformerEncoder(device="cpu")
    model = encoder.load()
    load_s = time.perf_counter() - started
    model.encode(texts[:32], batch_size=32)  # warm-up
    out: dict[str, Any] = {"load_s": load_s, "threads": torch.get_num_threads(), "runs": {}}
    reference = None
    for batch in batches:
        started = time.perf_counter()
        if path == "sentence-transformers":
            vectors = model.encode(texts, batch_size=batch, normalize_embeddings=True)
        else:
            encoder.batch_size = batch
            cache = EmbeddingCache(None)
            hashes = [text_hash(t) for t in texts]
            embed_missing(encoder, "bench", dict(zip(hashes, texts)), cache)
            vectors = cache.get("bench", hashes)
            cache.close()
        seconds = time.perf_counter() - started
        out["runs"][batch] = {"seconds": seconds}
        if batch == 32 or reference is None:
            reference = np.asarray(vectors, dtype=np.float32)
    np.save(save_to, reference)
    return out


def run(quick: bool) -> list[dict[str, Any]]:
    n = QUICK_SAMPLE if quick else FULL_SAMPLE
    batches = QUICK_BATCHES if quick else FULL_BATCHES
    texts = sample_texts(n)
    chars = np.array([len(t) for t in texts])
    base = str(data.cache_dir() / "embed-suite")
    rows = []
    results = {}
    for path in ("sentence-transformers", "simdedup"):
        print(f"  embed {path} ({n} paragraphs, batch sizes {batches}) ...", flush=True)
        results[path] = common.isolated(measure, path, texts, batches, f"{base}-{path}.npy")
    plain = np.load(base + "-sentence-transformers.npy")
    for path, got in results.items():
        if "error" in got:
            rows.append(common.row("embed", path, n=n, extra={"error": got["error"]}))
            continue
        mine = np.load(base + f"-{path}.npy")
        cosine = float(np.mean(np.sum(plain * mine, axis=1)))
        for batch, run_ in got["runs"].items():
            rows.append(
                common.row(
                    "embed",
                    path,
                    n=n,
                    dim=384,
                    params={"batch_size": int(batch), "model": "all-MiniLM-L6-v2 (bundled)"},
                    build_s=got["load_s"],
                    search_s=run_["seconds"],
                    qps=n / run_["seconds"],
                    peak_rss_mb=got["peak_rss_mb"],
                    extra={
                        "mean_chars": int(chars.mean()),
                        "median_chars": int(np.median(chars)),
                        "torch_threads": got["threads"],
                        "mean_cosine_vs_plain": round(cosine, 5),
                    },
                )
            )
    return rows

"""Embed suite: paragraphs/s of the bundled model, plain sentence-transformers against simdedup.

On one seeded sample of real paragraphs (UNGDC and MFA mixed, realistic lengths), each path runs
in its own process, after a warm-up batch:

- ``sentence-transformers``: ``SentenceTransformer.encode(texts, batch_size=b,
  normalize_embeddings=True)``, what a user would write (batch 32 is its default);
- ``simdedup <backend>``: the encoder path ``simdedup index`` takes,
  :func:`simdedup.embed.encoder.embed_missing` into an in-memory embedding cache
  (length-sorted chunks, normalisation, cache writes included), for each backend: ``torch``
  (sentence-transformers underneath), ``onnx``, ``onnx-int8`` (the default) and ``static``
  (``--fast``). Exports and distillations are made before the clock starts (they are cached
  once per machine).

``build_s`` is the model load, ``search_s`` the encoding of the sample, ``qps`` paragraphs/s,
``extra.speedup_vs_plain`` the ratio to plain sentence-transformers at batch 32 in the same run,
and ``extra.mean_cosine_vs_plain`` / ``min_cosine_vs_plain`` compare each path's vectors with
the plain path's (the static model lives in another space: no cosine).
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from bench import common, data

PATHS: dict[str, tuple[str | None, tuple[int, ...], tuple[int, ...]]] = {
    # path: (backend, quick batch sizes, full batch sizes)
    "sentence-transformers": (None, (32,), (16, 32, 64)),
    "simdedup torch": ("torch", (32,), (16, 32, 64)),
    "simdedup onnx": ("onnx", (16,), (8, 16, 32)),
    "simdedup onnx-int8": ("onnx-int8", (1,), (1, 4, 16)),
    "simdedup static": ("static", (4096,), (4096,)),
}
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
    """Runs in a fresh process: load the model, time every batch size, save the vectors of
    the first batch size to ``save_to``."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from simdedup.embed.cache import EmbeddingCache
    from simdedup.embed.choose import make_encoder
    from simdedup.embed.encoder import SentenceTransformerEncoder, embed_missing
    from simdedup.segment import text_hash

    backend = PATHS[path][0]
    started = time.perf_counter()
    encoder: Any = make_encoder(None, backend or "torch", device="cpu", quiet=True)
    model = encoder.load()
    load_s = time.perf_counter() - started
    encoder.encode(texts[:32])  # warm-up
    out: dict[str, Any] = {"load_s": load_s, "threads": torch.get_num_threads(), "runs": {}}
    reference = None
    for batch in batches:
        started = time.perf_counter()
        if backend is None:
            vectors = model.encode(texts, batch_size=batch, normalize_embeddings=True)
        else:
            if isinstance(encoder, SentenceTransformerEncoder):
                encoder.batch_size = batch
            cache = EmbeddingCache(None)
            hashes = [text_hash(t) for t in texts]
            chunk = getattr(encoder, "chunk_size", None)
            embed_missing(encoder, "bench", dict(zip(hashes, texts)), cache, chunk_size=chunk)
            vectors = cache.get("bench", hashes)
            cache.close()
        seconds = time.perf_counter() - started
        out["runs"][batch] = {"seconds": seconds}
        if reference is None:
            reference = np.asarray(vectors, dtype=np.float32)
    np.save(save_to, reference)
    return out


def run(quick: bool) -> list[dict[str, Any]]:
    n = QUICK_SAMPLE if quick else FULL_SAMPLE
    texts = sample_texts(n)
    chars = np.array([len(t) for t in texts])
    base = str(data.cache_dir() / "embed-suite")
    rows = []
    results = {}
    for path, (_, quick_batches, full_batches) in PATHS.items():
        batches = quick_batches if quick else full_batches
        print(f"  embed {path} ({n} paragraphs, batch sizes {batches}) ...", flush=True)
        slug = path.replace(" ", "-")
        results[path] = common.isolated(measure, path, texts, batches, f"{base}-{slug}.npy")
    plain = np.load(base + "-sentence-transformers.npy")
    plain_qps = None
    if "error" not in results["sentence-transformers"]:
        runs = results["sentence-transformers"]["runs"]
        plain_qps = n / runs[32 if 32 in runs else next(iter(runs))]["seconds"]
    for path, got in results.items():
        if "error" in got:
            rows.append(common.row("embed", path, n=n, extra={"error": got["error"]}))
            continue
        mine = np.load(base + f"-{path.replace(' ', '-')}.npy")
        cosines = np.sum(plain * mine, axis=1) if mine.shape == plain.shape else None
        for batch, run_ in got["runs"].items():
            qps = n / run_["seconds"]
            rows.append(
                common.row(
                    "embed",
                    path,
                    n=n,
                    dim=int(mine.shape[1]),
                    params={
                        "batch_size": int(batch),
                        "backend": PATHS[path][0] or "sentence-transformers",
                        "model": "all-MiniLM-L6-v2 (bundled)",
                    },
                    build_s=got["load_s"],
                    search_s=run_["seconds"],
                    qps=qps,
                    peak_rss_mb=got["peak_rss_mb"],
                    extra={
                        "mean_chars": int(chars.mean()),
                        "median_chars": int(np.median(chars)),
                        "torch_threads": got["threads"],
                        "speedup_vs_plain": round(qps / plain_qps, 2) if plain_qps else None,
                        "mean_cosine_vs_plain": (
                            None if cosines is None else round(float(cosines.mean()), 5)
                        ),
                        "min_cosine_vs_plain": (
                            None if cosines is None else round(float(cosines.min()), 5)
                        ),
                    },
                )
            )
    return rows

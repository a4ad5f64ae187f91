"""Shared fixtures: a fast fake encoder for unit tests, the real bundled model loaded once."""

from __future__ import annotations

import os
import re
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest

# Runs without a store cache their embeddings in the user cache: keep tests out of ~/.cache.
os.environ.setdefault("SIMDEDUP_CACHE_DIR", tempfile.mkdtemp(prefix="simdedup-test-cache-"))
# exported (ONNX) and distilled (static) models: made once per test session, shared by tests
os.environ.setdefault("SIMDEDUP_MODELS_DIR", tempfile.mkdtemp(prefix="simdedup-test-models-"))
os.environ["HF_HUB_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
WORD = re.compile(r"[a-z0-9]+")


class HashingEncoder:
    """Deterministic bag-of-words vectors (crc32 buckets): similar wording, similar vectors."""

    name = "hashing-256"
    fingerprint = "test-hashing-256"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls: list[int] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                out[i, zlib.crc32(word.encode()) % self.dim] += 1.0
        return out

    @property
    def encoded(self) -> int:
        return sum(self.calls)


@pytest.fixture
def fake_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture(scope="session")
def real_encoder():  # type: ignore[no-untyped-def]
    """The default encoder (simdedup's claim model, onnx-int8), loaded once per test session."""
    from simdedup import SentenceTransformerEncoder

    encoder = SentenceTransformerEncoder()
    encoder.load()
    return encoder


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user-level embedding cache."""
    monkeypatch.setenv("SIMDEDUP_CACHE_DIR", str(tmp_path / "user-cache"))

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import HashingEncoder
from simdedup import Encoder, SentenceTransformerEncoder
from simdedup.embed.cache import EmbeddingCache
from simdedup.embed.encoder import default_model_path, embed_missing, encoder_fingerprint
from simdedup.errors import InputError, StoreError


def test_bundled_model_embeds_offline(real_encoder: SentenceTransformerEncoder) -> None:
    texts = [
        "The ministers met in Port Elsin.",
        "Ministers held talks in Port Elsin.",
        "Rain fell.",
    ]
    x = real_encoder.encode(texts)
    assert x.shape == (3, 384) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert x[0] @ x[1] > 0.8 > x[0] @ x[2]
    np.testing.assert_allclose(real_encoder.encode(texts[:1]), x[:1], atol=1e-5)
    assert real_encoder.name == "simdedup-claim-v1" and real_encoder.dim == 384
    assert isinstance(real_encoder, Encoder)


def test_fingerprint_follows_model_files(tmp_path: Path) -> None:
    bundled = SentenceTransformerEncoder("all-MiniLM-L6-v2")
    assert bundled.fingerprint == SentenceTransformerEncoder("all-MiniLM-L6-v2").fingerprint
    assert SentenceTransformerEncoder().fingerprint.startswith("claim1-")  # the default
    copy = tmp_path / "model"
    shutil.copytree(default_model_path(), copy)
    assert SentenceTransformerEncoder(copy).fingerprint == bundled.fingerprint
    config = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "note": "changed"}))
    assert SentenceTransformerEncoder(copy).fingerprint != bundled.fingerprint


def test_unknown_model_fails_without_downloading() -> None:
    encoder = SentenceTransformerEncoder("no-such-org/no-such-model-xyz")
    with pytest.raises(InputError, match="never downloads"):
        encoder.load()
    with pytest.raises(InputError, match="batch_size"):
        SentenceTransformerEncoder(batch_size=0)


def test_probe_fingerprint_for_encoders_without_one() -> None:
    class Bare:
        def encode(self, texts: list[str]) -> np.ndarray:
            return HashingEncoder().encode(texts)

    assert encoder_fingerprint(Bare()) == encoder_fingerprint(Bare())
    assert encoder_fingerprint(Bare()).startswith("probe:Bare:")
    assert encoder_fingerprint(HashingEncoder()) == "test-hashing-256"


def test_embed_missing_uses_the_cache(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    encoder = HashingEncoder()
    texts = {"h1": "first text", "h2": "second text", "h3": "third one"}
    assert embed_missing(encoder, "fp", texts, cache, chunk_size=2) == 3
    assert encoder.calls == [2, 1]
    assert embed_missing(encoder, "fp", {**texts, "h4": "new"}, cache) == 1
    assert embed_missing(encoder, "other-model", {"h1": "first text"}, cache) == 1
    vectors = cache.get("fp", ["h2", "h1"])
    np.testing.assert_allclose(vectors[1], vectors[1] / np.linalg.norm(vectors[1]), atol=1e-6)
    assert vectors.shape == (2, 256)
    with pytest.raises(StoreError, match="1 vectors are missing"):
        cache.get("fp", ["h1", "nope"])


def test_cache_get_returns_rows_in_the_order_asked_and_names_the_first_bad_one(
    tmp_path: Path,
) -> None:
    """Rows come back in the order asked, a hash asked twice twice, across query batches; a
    vector of the wrong length or norm is named (the first in the order asked), and a missing
    one is counted once per time it is asked."""
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    rng = np.random.default_rng(0)
    hashes = [f"h{i}" for i in range(1200)]  # more than one query batch
    vectors = rng.normal(size=(1200, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cache.put("fp", hashes, vectors)
    asked = ["h1199", "h3", "h1199", "h0", *hashes[500:1100]]
    want = vectors[[1199, 3, 1199, 0, *range(500, 1100)]]
    np.testing.assert_array_equal(cache.get("fp", asked, dim=8), want)
    np.testing.assert_array_equal(cache.get("fp", asked), want)  # its length from the first
    assert cache.get("fp", [], dim=8).shape == (0, 8)
    with pytest.raises(StoreError, match="2 vectors are missing"):
        cache.get("fp", ["nope", "h1", "nope"], dim=8)
    cache.put("fp", ["h7", "h9"], np.zeros((2, 4), dtype=np.float32))  # too short
    cache.put("fp", ["h5"], 2 * vectors[5:6])  # not of unit length
    with pytest.raises(StoreError, match="vector of text h9 has 16 bytes, not 32"):
        cache.get("fp", ["h1", "h9", "h7"], dim=8)
    with pytest.raises(StoreError, match="vector of text h5 has length 2, not 1"):
        cache.get("fp", ["h1", "h5"], dim=8)


def test_encoder_with_wrong_shape_is_refused(tmp_path: Path) -> None:
    class Broken:
        fingerprint = "broken"

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts) + 1, 4), dtype=np.float32)

    with pytest.raises(InputError, match="returned shape"):
        embed_missing(Broken(), "broken", {"h": "text"}, EmbeddingCache(None))


def test_a_directory_that_is_not_a_model_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text("not json")
    with pytest.raises(InputError, match="cannot load model"):
        SentenceTransformerEncoder(tmp_path).load()
    assert SentenceTransformerEncoder(tmp_path).name == str(tmp_path.resolve())

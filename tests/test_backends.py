"""Encoder backends with the real bundled model: ONNX (fp32 and int8) against torch, the static
fast mode, and how stores keep the backend they were built with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from simdedup import SentenceTransformerEncoder, Store
from simdedup.embed.choose import ALL_BACKENDS, make_encoder
from simdedup.embed.encoder import default_model_path
from simdedup.embed.onnx_encoder import SPEC_FILE
from simdedup.embed.onnx_export import exported_dir, read_pipeline
from simdedup.embed.static import StaticEncoder
from simdedup.errors import InputError, StoreError
from simdedup.io.records import Record

TEXTS = [
    "Ministers met on Tuesday.",
    "This year marks the 30th anniversary of diplomatic relations between the two countries.",
    "Three decades have passed since the two countries exchanged ambassadors.",
    "Heavy rain flooded the lower town and closed the harbour road for two days.",
    "The two sides agreed to deepen cooperation in trade, investment, energy and "
    "infrastructure, and to work together on climate change and public health. " * 3,
]


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return SentenceTransformerEncoder(backend="torch").encode(TEXTS)


def test_cli_and_library_name_the_same_backends() -> None:
    from simdedup.cli.options import ALL_BACKENDS as CLI_BACKENDS

    assert CLI_BACKENDS == ALL_BACKENDS


def test_onnx_int8_is_the_default_and_matches_torch(torch_vectors: np.ndarray) -> None:
    encoder = SentenceTransformerEncoder()
    assert encoder.backend == "onnx-int8"
    assert encoder.fingerprint.endswith("+onnx-int8-v1")
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (5, 384) and vectors.dtype == np.float32
    cosine = np.sum(vectors * torch_vectors, axis=1)
    assert cosine.min() >= 0.97 and cosine.mean() >= 0.985, cosine
    # batch 1: a text's vector does not depend on what it is embedded with
    alone = np.concatenate([encoder.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(alone, vectors, atol=1e-5)
    # the export was checked against torch and is cached for the next encoder
    directory = exported_dir(encoder.fingerprint.split("+")[0], "onnx-int8")
    spec = json.loads((directory / SPEC_FILE).read_text())
    assert spec["cosine_to_torch"] >= 0.985 and spec["max_seq_length"] == 256
    stamp = (directory / "model.onnx").stat().st_mtime_ns
    np.testing.assert_allclose(SentenceTransformerEncoder().encode(TEXTS[:2]), vectors[:2])
    assert (directory / "model.onnx").stat().st_mtime_ns == stamp


def test_onnx_fp32_equals_torch(torch_vectors: np.ndarray) -> None:
    vectors = SentenceTransformerEncoder(backend="onnx").encode(TEXTS)
    np.testing.assert_allclose(np.sum(vectors * torch_vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("backend", ["onnx-int8", "onnx"])
def test_sessions_side_by_side_give_the_vectors_of_one(backend: str) -> None:
    """``threads`` single-threaded sessions share the batches out; each text's vector is the
    one a single session gives it, in input order, and a call with one batch starts no other
    session."""
    texts = [f"{i}: {TEXTS[i % len(TEXTS)][: 20 + 9 * i]}" for i in range(23)]
    one = SentenceTransformerEncoder(backend=backend, threads=1)
    three = SentenceTransformerEncoder(backend=backend, threads=3)
    runner = three.load()
    assert len(runner._sessions) == 1
    np.testing.assert_array_equal(three.encode(texts[:1]), one.encode(texts[:1]))
    assert len(runner._sessions) == 1  # one text, one batch: the others are not started
    got, want = three.encode(texts), one.encode(texts)
    batches = -(-len(texts) // runner.batcher.batch_size)  # int8: 23 (batch 1), fp32: 2
    assert len(runner._sessions) == min(3, batches) and len(one.load()._sessions) == 1
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[::-1], three.encode(texts[::-1]))  # input order kept
    assert three.encode([]).shape[0] == 0


def test_auto_backend_follows_the_model_files(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(default_model_path(), copy)
    assert SentenceTransformerEncoder(copy).backend == "onnx-int8"  # the bundled weights
    config = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "note": "changed"}))
    assert SentenceTransformerEncoder(copy).backend == "torch"  # another model: opt in only
    assert SentenceTransformerEncoder(device="cpu", backend="onnx").backend == "onnx"
    with pytest.raises(InputError, match="backend must be one of"):
        SentenceTransformerEncoder(backend="tensorrt")
    with pytest.raises(InputError, match="threads"):
        SentenceTransformerEncoder(threads=0)


def test_onnx_refuses_pipelines_it_cannot_run(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(default_model_path(), copy)
    modules = json.loads((copy / "modules.json").read_text())
    modules.insert(2, {"idx": 9, "name": "9", "path": "9_Dense", "type": "x.models.Dense"})
    (copy / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(InputError, match="Transformer \\+ Pooling \\+ Dense"):
        read_pipeline(copy)
    encoder = SentenceTransformerEncoder(copy, backend="onnx-int8")
    with pytest.raises(InputError, match="the torch backend"):
        encoder.encode(["x"])


@pytest.mark.slow
def test_static_encoder_distils_once(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = StaticEncoder(quiet=True)
    vectors = encoder.encode(TEXTS)
    assert vectors.shape == (5, 256) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[1] @ vectors[2] > vectors[1] @ vectors[3]  # same claim beats flood news
    assert encoder.fingerprint.endswith("+static256-v1")
    assert (encoder.directory / "model.safetensors").is_file()

    def no_distilling(*args: object, **kwargs: object) -> None:
        raise AssertionError("distilled twice")

    monkeypatch.setattr("model2vec.distill.distill", no_distilling)
    again = make_encoder("all-MiniLM-L6-v2", "static")
    np.testing.assert_allclose(again.encode(TEXTS), vectors, atol=1e-6)
    with pytest.raises(InputError, match="local model directory"):
        _ = StaticEncoder("no-such-org/no-such-model").path


def records() -> list[Record]:
    return [Record(f"d{i}", text, outlet=f"o{i % 2}") for i, text in enumerate(TEXTS)]


def test_store_keeps_its_backend(tmp_path: Path) -> None:
    with Store.create(tmp_path / "fast", encoder=StaticEncoder(quiet=True)) as store:
        store.add(records())
        assert store.backend == "static" and store.dim == 256
    manifest = json.loads((tmp_path / "fast" / "manifest.json").read_text())
    assert manifest["backend"] == "static"
    with Store.open(tmp_path / "fast") as store:  # no encoder given: the store's own
        assert isinstance(store.encoder, StaticEncoder)
        assert store.similar(TEXTS[2], k=1)[0].text == TEXTS[2]
    with pytest.raises(StoreError, match=r"backend static .* backend onnx-int8"):
        Store.open(tmp_path / "fast", encoder=SentenceTransformerEncoder())


def test_cli_fast_mode_end_to_end(tmp_path: Path) -> None:
    from corpus import write_jsonl
    from test_cli import fails, run

    corpus = write_jsonl(tmp_path / "corpus.jsonl")
    store = tmp_path / "fast.store"
    result = run("index", str(corpus), "--store", str(store), "--fast", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["embedded"] == 8
    result = run("dedup", "--store", str(store), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["threshold"] == 0.97  # the static model's default
    result = run("similar", "grain corridor cooperation", "--store", str(store), "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["results"], result.stderr
    # talking points: whole paragraphs (no parser) on centred static vectors, by default
    result = run("talking-points", "--store", str(store), "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert (found["unit"], found["threshold"]) == ("paragraph", 0.26)
    result = run("talking-points", "--store", str(store), "--json", "--unit", "claim")
    assert result.returncode == 0 and json.loads(result.stdout)["unit"] == "claim", result.stderr
    fails(run("dedup", "--store", str(store), "--backend", "torch"), "backend static")
    fails(run("dedup", str(corpus), "--fast", "--backend", "onnx"), "--fast and --backend")
    memory = run("dedup", str(corpus), "--backend", "torch", "--json", "--threshold", "0.9")
    assert memory.returncode == 0, memory.stderr


def test_centring_removes_the_shared_direction_of_static_vectors() -> None:
    from simdedup.cluster.linkage import centred

    rng = np.random.default_rng(0)
    common = rng.normal(size=16)
    raw = common * 4 + rng.normal(size=(200, 16))
    raw /= np.linalg.norm(raw, axis=1, keepdims=True)
    assert float((raw[:100] * raw[100:]).sum(1).mean()) > 0.8
    out = centred(raw)
    assert abs(float((out[:100] * out[100:]).sum(1).mean())) < 0.1
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)

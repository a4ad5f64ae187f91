from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, HashingEncoder
from corpus import HEADLINE, RECORDS, UNRELATED, WIRE, write_jsonl
from simdedup import Record, Store, read_records
from simdedup.errors import StoreError
from simdedup.index.vectors import VectorIndex
from simdedup.store.search import find_similar


def records(tmp_path: Path) -> list[Record]:
    return list(read_records([write_jsonl(tmp_path / "c.jsonl")]))


def build(tmp_path: Path, encoder: HashingEncoder, **kw: str) -> Store:
    store = Store.create(tmp_path / "s", encoder=encoder, **kw)
    store.add(records(tmp_path))
    return store


def test_create_add_reopen(tmp_path: Path, fake_encoder: HashingEncoder) -> None:
    with build(tmp_path, fake_encoder) as store:
        assert store.add([]).documents == 0
    with Store.open(tmp_path / "s", encoder=HashingEncoder()) as store:
        counts = store.counts()
        assert counts["documents"] == 4
        assert counts["paragraphs"] == 11
        # exact repeats (headline, anniversary, unrelated) share one text and one index row
        assert counts["distinct_texts"] == counts["index_rows"] == 8
        assert store.index.ntotal == 8 and store.dim == 256
        hit = find_similar(store, WIRE, k=1)[0]
        assert hit.pid == "vna-1:1" and hit.score == pytest.approx(1.0, abs=1e-5)
    files = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert files == [
        "embeddings.sqlite",
        "index-1.faiss",
        "manifest.json",
        "store.lock",
        "store.sqlite",
    ]
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["model"] == "hashing-256"
    assert manifest["dim"] == 256 and manifest["index"] == "flat" and manifest["metric"] == "cosine"
    assert manifest["counts"]["paragraphs"] == 11


def test_incremental_add_embeds_only_new_texts(
    tmp_path: Path, fake_encoder: HashingEncoder
) -> None:
    store = build(tmp_path, fake_encoder)
    assert fake_encoder.encoded == 8
    again = store.add(records(tmp_path))
    assert (again.unchanged, again.documents, again.embedded) == (4, 0, 0)
    assert fake_encoder.encoded == 8
    new = Record("new-1", UNRELATED + "\n\nA brand new paragraph about tariffs on timber exports.")
    stats = store.add([new])
    assert (stats.documents, stats.paragraphs, stats.new_texts, stats.embedded) == (1, 2, 1, 1)
    assert store.index.ntotal == 9


def test_changed_document_is_replaced(tmp_path: Path, fake_encoder: HashingEncoder) -> None:
    store = build(tmp_path, fake_encoder)
    changed = Record("herald-1", "Entirely new text about the grain corridor reopening today.")
    stats = store.add([changed])
    assert stats.replaced == 1
    found = find_similar(store, "grain corridor reopening", k=1)[0]
    assert found.pid == "herald-1:0"
    assert store.counts()["paragraphs"] == 10


def test_orphans_trigger_a_compacting_rebuild(tmp_path: Path, fake_encoder: HashingEncoder) -> None:
    store = Store.create(tmp_path / "s", encoder=fake_encoder)
    store.add(
        [
            Record(f"d{i}", f"Paragraph number {i} about a distinct topic {i * 7}.")
            for i in range(10)
        ]
    )
    stats = store.add(
        [Record(f"d{i}", f"Rewritten paragraph {i} on another subject {i * 11}.") for i in range(4)]
    )
    assert stats.rebuilt
    assert store.counts()["index_rows"] == 10 == store.index.ntotal
    store.close()
    reopened = Store.open(tmp_path / "s", encoder=HashingEncoder())
    assert (
        find_similar(reopened, "Rewritten paragraph 2 on another subject 22.", k=1)[0].pid == "d2:0"
    )


class Boom(Exception):
    pass


class FailingEncoder(HashingEncoder):
    def __init__(self, fail_after: int) -> None:
        super().__init__()
        self.fail_after = fail_after

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.encoded + len(texts) > self.fail_after:
            raise Boom("encoder died")
        return super().encode(texts)


def snapshot(path: Path) -> dict[str, object]:
    with Store.open(path, encoder=HashingEncoder()) as store:
        return {"counts": store.counts(), "ntotal": store.index.ntotal}


def test_failed_add_leaves_previous_store_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path, HashingEncoder()).close()
    before = snapshot(tmp_path / "s")
    more = [
        Record(f"n{i}", f"New paragraph {i} about port logistics and grain shipments.")
        for i in range(6)
    ]

    store = Store.open(tmp_path / "s", encoder=FailingEncoder(fail_after=0))
    monkeypatch.setattr("simdedup.embed.encoder.CACHE_CHUNK", 2)
    with pytest.raises(Boom):
        store.add(more)
    store.close()
    assert snapshot(tmp_path / "s") == before

    def broken_save(self: VectorIndex, path: Path) -> None:
        Path(str(path) + ".tmp").write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(VectorIndex, "save", broken_save)
    with Store.open(tmp_path / "s", encoder=HashingEncoder()) as store, pytest.raises(OSError):
        store.add(more)
    assert snapshot(tmp_path / "s") == before
    monkeypatch.undo()

    # an interrupted run resumes: texts embedded before the failure are not embedded again
    resumed = HashingEncoder()
    with Store.open(tmp_path / "s", encoder=resumed) as store:
        stats = store.add(more)
    assert stats.documents == 6 and resumed.encoded == 0  # all six were cached by the last try
    assert snapshot(tmp_path / "s")["counts"]["documents"] == 5 + 5


def test_interrupt_midway_keeps_cached_embeddings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("simdedup.embed.encoder.CACHE_CHUNK", 2)
    store = Store.create(tmp_path / "s", encoder=FailingEncoder(fail_after=4))
    docs = [
        Record(f"n{i}", f"Distinct paragraph {i} about subject number {i * 13} in detail.")
        for i in range(6)
    ]
    with pytest.raises(Boom):
        store.add(docs)
    assert store.counts()["documents"] == 0
    store.close()
    retry = HashingEncoder()
    with Store.open(tmp_path / "s", encoder=retry) as store:
        store.add(docs)
        assert store.counts()["documents"] == 6
    assert retry.encoded == 2  # four of six were cached before the failure


def test_open_errors(tmp_path: Path, fake_encoder: HashingEncoder) -> None:
    with pytest.raises(StoreError, match="no such store"):
        Store.open(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "x.txt").write_text("hi")
    with pytest.raises(StoreError, match="not a simdedup store"):
        Store.open(tmp_path / "plain")
    with pytest.raises(StoreError, match="exists and is not an empty directory"):
        Store.create(tmp_path / "plain")

    build(tmp_path, fake_encoder).close()
    path = tmp_path / "s"

    class Other(HashingEncoder):
        name = "other-model"
        fingerprint = "other-fingerprint"

    with pytest.raises(
        StoreError, match=r"built with model 'hashing-256'.*this run uses 'other-model'"
    ):
        Store.open(path, encoder=Other())

    manifest = json.loads((path / "manifest.json").read_text())
    (path / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(StoreError, match="store format 99 is newer"):
        Store.open(path, encoder=HashingEncoder())
    (path / "manifest.json").write_text("{broken")
    with pytest.raises(StoreError, match="damaged manifest"):
        Store.open(path, encoder=HashingEncoder())
    (path / "manifest.json").write_text(json.dumps(manifest))

    shutil.copy(path / "store.sqlite", tmp_path / "db.bak")
    (path / "store.sqlite").write_bytes(b"garbage" * 100)
    with pytest.raises(StoreError, match="damaged store database"):
        Store.open(path, encoder=HashingEncoder())
    shutil.copy(tmp_path / "db.bak", path / "store.sqlite")

    (path / "index-1.faiss").unlink()
    with (
        Store.open(path, encoder=HashingEncoder()) as store,
        pytest.raises(StoreError, match="index file missing"),
    ):
        _ = store.index


def test_busy_store_is_reported(tmp_path: Path, fake_encoder: HashingEncoder) -> None:
    build(tmp_path, fake_encoder).close()
    lock = sqlite3.connect(tmp_path / "s" / "store.sqlite", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    with Store.open(tmp_path / "s", encoder=HashingEncoder()) as store:
        store.catalog._db.execute("PRAGMA busy_timeout=100")
        with pytest.raises(StoreError, match="busy"):
            store.add([Record("x", "Some paragraph that is long enough to be stored.")])
    lock.execute("ROLLBACK")


def test_index_kind_override_rebuilds(tmp_path: Path, fake_encoder: HashingEncoder) -> None:
    build(tmp_path, fake_encoder).close()
    with Store.open(tmp_path / "s", encoder=HashingEncoder(), index="hnsw") as store:
        store.add([Record("x", "One more paragraph, long enough to be indexed by the store.")])
        assert store.index.kind_ == "hnsw"
    with Store.open(tmp_path / "s", encoder=HashingEncoder()) as store:
        assert store.index.kind_ == "hnsw" and store.index_setting == "hnsw"


def test_auto_index_of_a_static_store_stays_flat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past FLAT_MAX rows ``auto`` builds HNSW, but not for a static (--fast) model's store."""

    class Static(HashingEncoder):
        backend = "static"

    monkeypatch.setattr("simdedup.index.vectors.FLAT_MAX", 3)
    records = [Record(f"d{i}", f"Paragraph number {i} about the grain corridor.") for i in range(8)]
    for name, encoder in (("plain", HashingEncoder()), ("static", Static())):
        with Store.open_or_create(tmp_path / name, encoder=encoder) as store:
            store.add(records)
            assert store.backend == name.replace("plain", "custom")
            assert store.index.kind_ == ("hnsw" if name == "plain" else "flat")


def test_vectors_in_a_snapshot_come_from_the_flat_index(
    tmp_path: Path, fake_encoder: HashingEncoder
) -> None:
    """Inside a snapshot a flat index gives the rows' vectors (the cache's, bit for bit); with
    its file damaged, or with another kind of index, the cache gives them."""
    store = build(tmp_path, fake_encoder)
    rows = np.array([3, 0, 3, 1])
    cached = store.vectors(rows)
    assert cached.shape == (4, store.dim) and not store.catalog.in_read
    with store.snapshot():
        held = store._flat_vectors()
        assert held is not None and not held.flags.writeable
        from_index = store.vectors(rows)
        assert np.array_equal(from_index, cached) and from_index.flags.writeable
        assert np.array_equal(store.vectors(), store.vectors(np.arange(len(held))))
    file = next((tmp_path / "s").glob("index-*.faiss"))
    file.write_bytes(file.read_bytes()[:-8] + b"damaged!")
    store.close()
    with Store.open(tmp_path / "s", encoder=HashingEncoder()) as store, store.snapshot():
        assert store._flat_vectors() is None  # fails its checksum: the cache answers
        assert np.array_equal(store.vectors(rows), cached)
    with Store.open(tmp_path / "s", encoder=HashingEncoder(), index="hnsw") as store:
        store.add([Record("x", "One more paragraph, long enough to be indexed by the store.")])
        with store.snapshot():
            assert store._flat_vectors() is None
            assert np.array_equal(store.vectors(rows), cached)


def test_memory_store_uses_user_cache(tmp_path: Path, fake_encoder: HashingEncoder) -> None:
    cache = tmp_path / "cache" / "embeddings.sqlite"
    with Store.memory(encoder=fake_encoder, cache=cache) as store:
        store.add(records(tmp_path))
        assert store.counts()["paragraphs"] == 11
    second = HashingEncoder()
    with Store.memory(encoder=second, cache=cache) as store:
        store.add(records(tmp_path))
    assert second.encoded == 0 and cache.is_file()


def test_memory_store_builds_its_index_on_first_use(
    tmp_path: Path, fake_encoder: HashingEncoder
) -> None:
    with Store.memory(encoder=fake_encoder, cache=tmp_path / "e.sqlite", index="hnsw") as store:
        store.add(records(tmp_path))
        assert store._index is None  # dedup never needs one: no index built yet
        first = store.similar(HEADLINE, k=1)
        assert store.index.kind_ == "hnsw" and store.index.ntotal == store.counts()["index_rows"]
        store.add([Record(doc_id="late", text="A paragraph that arrives later on, " * 3)])
        assert store._index is None
        assert store.index.ntotal == store.counts()["index_rows"]
        assert store.similar(HEADLINE, k=1)[0].pid == first[0].pid


def test_no_pickle_in_the_package() -> None:
    unsafe = re.compile(
        r"import pickle|from pickle|allow_pickle\s*=\s*True|joblib\.load|torch\.load"
    )
    for source in (ROOT / "src" / "simdedup").rglob("*.py"):
        assert not unsafe.search(source.read_text(encoding="utf-8")), source


def test_real_model_store_roundtrip(tmp_path: Path, real_encoder: object) -> None:
    store = Store.create(tmp_path / "s", encoder=real_encoder)  # type: ignore[arg-type]
    store.add(records(tmp_path))
    store.close()
    with Store.open(tmp_path / "s") as reopened:  # the recorded (bundled) model by default
        assert reopened.model == "simdedup-claim-v1" and reopened.dim == 384
        top = find_similar(reopened, "the 30th anniversary of diplomatic relations", k=4)
        assert {m.pid for m in top[:3]} == {"post-1:2", "vna-1:2", "times-1:0"}
        exact = [m for m in top if m.pid in ("vna-1:2", "times-1:0")]
        assert exact[0].score == exact[1].score  # one text, one row, one score
        assert top[3].pid == "vna-1:3" and top[3].score < top[2].score  # the 25th, trade pact
        assert len(RECORDS) == reopened.counts()["documents"]


class SlowEncoder(HashingEncoder):
    """Takes its time per batch, so a stop request arrives mid-chunk."""

    def encode(self, texts: list[str]) -> np.ndarray:
        import time

        time.sleep(0.05)
        return super().encode(texts)


def test_embed_worker_stops_at_a_chunk_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    from simdedup.embed.cache import EmbeddingCache
    from simdedup.embed.worker import EmbedWorker

    monkeypatch.setattr("simdedup.embed.encoder.CACHE_CHUNK", 4)
    cache = EmbeddingCache(None)
    encoder = SlowEncoder()
    worker = EmbedWorker(encoder, encoder.fingerprint, cache)
    texts = {f"h{i}": f"paragraph number {i} about the harbour" for i in range(400)}
    worker.submit(texts)
    worker.stop()  # returns once the chunk in hand is cached, long before all 400
    cached = 400 - len(cache.missing(encoder.fingerprint, list(texts)))
    assert 0 < cached < 400 and cached % 4 == 0 and cached == encoder.encoded


def test_embed_worker_hands_errors_to_the_caller() -> None:
    from simdedup.embed.cache import EmbeddingCache
    from simdedup.embed.worker import EmbedWorker

    encoder = FailingEncoder(fail_after=0)
    worker = EmbedWorker(encoder, encoder.fingerprint, EmbeddingCache(None))
    worker.submit({"a": "some text"})
    with pytest.raises(Boom):
        worker.wait()

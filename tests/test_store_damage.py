"""Damaged stores, concurrent writers and readers during a write: every damage is one line naming
the file (or repaired), two writers make one whole store, and a reader sees one generation."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, HashingEncoder
from corpus import write_jsonl
from simdedup import Record, Store, read_records
from simdedup.errors import StoreError
from simdedup.store.check import check_store, repair_store

WORDS = [
    "ministers", "agreed", "trade", "border", "grain", "port", "talks", "envoy", "summit",
    "treaty", "fisheries", "coast", "energy", "pipeline", "tariff", "visa", "railway",
    "harbour", "sanctions", "ceasefire", "election", "budget",
]  # fmt: skip


def text(i: int, batch: int = 0) -> str:
    """A distinct paragraph: a few words picked by ``i`` and the batch, never another's."""
    rng = np.random.default_rng(1000 * batch + i)
    words = " ".join(rng.choice(WORDS, 12))
    return f"Batch {batch} item {i}: the {words} were discussed at length by the delegations."


def build(path: Path, encoder: HashingEncoder) -> Store:
    store = Store.create(path, encoder=encoder)
    store.add(list(read_records([write_jsonl(path.parent / "c.jsonl")])))
    return store


@pytest.fixture
def store_dir(tmp_path: Path, fake_encoder: HashingEncoder) -> Path:
    build(tmp_path / "s", fake_encoder).close()
    return tmp_path / "s"


def index_file(path: Path) -> Path:
    return next(path.glob("index-*.faiss"))


def zero_page(path: Path) -> None:
    db = bytearray((path / "store.sqlite").read_bytes())
    db[4096 : 2 * 4096] = bytes(4096)
    (path / "store.sqlite").write_bytes(bytes(db))


def sql(path: Path, statement: str, file: str = "store.sqlite") -> None:
    with sqlite3.connect(path / file) as db:
        db.execute(statement)
    db.close()


def flip_index_bit(path: Path) -> None:
    data = bytearray(index_file(path).read_bytes())
    data[len(data) // 2] ^= 0x40  # a float's exponent bit: same size, a far wrong score
    index_file(path).write_bytes(bytes(data))


def wrong_dimension(path: Path) -> None:
    import faiss

    small = faiss.IndexFlatIP(16)
    small.add(np.eye(16, dtype=np.float32)[:4])
    faiss.write_index(small, str(index_file(path)))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "zeroed page": (zero_page, "store.sqlite: (does not match its checksum|damaged store)"),
    "dropped table": (lambda p: sql(p, "DROP TABLE vectors"), "damaged store database"),
    "generation abc": (
        lambda p: sql(p, "UPDATE meta SET value = 'abc' WHERE key = 'generation'"),
        "damaged store database",
    ),
    "bit flip in index": (flip_index_bit, ".faiss: does not match its checksum"),
    "wrong-dimension index": (wrong_dimension, ".faiss: does not match its checksum"),
    "index missing": (lambda p: index_file(p).unlink(), ".faiss: index file missing"),
}


@pytest.mark.parametrize("name", list(DAMAGE))
def test_damaged_store_is_one_line_error(
    store_dir: Path, fake_encoder: HashingEncoder, name: str
) -> None:
    damage, message = DAMAGE[name]
    damage(store_dir)
    with (
        pytest.raises(StoreError, match=message) as err,
        Store.open(store_dir, encoder=fake_encoder) as store,
    ):
        store.similar("ministers agreed on trade", k=3)
    assert "\n" not in str(err.value)
    assert any(f.status == "failed" for f in check_store(store_dir, full=True))


def test_wrong_length_embedding_blob_is_named_and_repaired(
    store_dir: Path, fake_encoder: HashingEncoder
) -> None:
    sql(store_dir, "UPDATE embeddings SET vec = substr(vec, 1, 100) WHERE rowid = 2",
        "embeddings.sqlite")  # fmt: skip
    damaged = r"embeddings\.sqlite: the vector of text \w+ has 100 bytes"
    with (
        Store.open(store_dir, encoder=fake_encoder) as store,
        pytest.raises(StoreError, match=damaged),
    ):
        store.vectors()
    (vectors,) = [f for f in check_store(store_dir, full=True) if f.check == "vectors"]
    assert vectors.status == "failed" and vectors.repair == "embedded again"
    assert check_store(store_dir)[-1].status == "ok"  # the quick check does not read vectors
    repaired = repair_store(store_dir, encoder=fake_encoder)
    assert [f.status for f in repaired if f.check == "vectors"] == ["ok"]
    assert all(f.status != "failed" for f in check_store(store_dir, full=True))


@pytest.mark.parametrize("name", ["bit flip in index", "wrong-dimension index", "index missing"])
def test_repair_rebuilds_the_index_from_the_cache(
    store_dir: Path, fake_encoder: HashingEncoder, name: str
) -> None:
    with Store.open(store_dir, encoder=fake_encoder) as store:
        before = [(p.pid, p.score) for p in store.similar("ministers agreed on trade", k=5)]
    DAMAGE[name][0](store_dir)
    after = repair_store(store_dir, encoder=fake_encoder)
    assert all(f.status != "failed" for f in after), after
    with Store.open(store_dir, encoder=fake_encoder) as store:
        assert [(p.pid, p.score) for p in store.similar("ministers agreed on trade", k=5)] == before
    assert len(list(store_dir.glob("index-*.faiss"))) == 1


def test_database_damage_is_not_repaired(store_dir: Path, fake_encoder: HashingEncoder) -> None:
    zero_page(store_dir)
    with pytest.raises(StoreError, match="cannot be repaired"):
        repair_store(store_dir, encoder=fake_encoder)


def test_rerun_of_add_repairs_a_missing_index(
    store_dir: Path, fake_encoder: HashingEncoder
) -> None:
    index_file(store_dir).unlink()
    with Store.open(store_dir, encoder=fake_encoder) as store:
        stats = store.add(list(read_records([store_dir.parent / "c.jsonl"])))
        assert stats.unchanged == 4 and stats.rebuilt
        assert store.similar("ministers agreed on trade", k=1)
    assert all(f.status != "failed" for f in check_store(store_dir, full=True))


def test_stale_manifest_after_a_stopped_write_is_accepted_and_refreshed(
    store_dir: Path, fake_encoder: HashingEncoder
) -> None:
    stale = (store_dir / "manifest.json").read_text()
    with Store.open(store_dir, encoder=fake_encoder) as store:
        store.add([Record("new", text(1))])
    (store_dir / "manifest.json").write_text(stale)  # as if stopped between commit and manifest
    with Store.open(store_dir, encoder=fake_encoder) as store:  # SQLite's quick_check decides
        assert len(store.similar(text(1), k=1)) == 1
    (finding,) = [f for f in check_store(store_dir) if f.check == "checksum"]
    assert finding.status == "failed" and finding.repair == "manifest written again"
    repair_store(store_dir, full=False, encoder=fake_encoder)
    assert json.loads((store_dir / "manifest.json").read_text())["serial"] == 2  # two adds


def test_half_created_store_is_finished_by_open_or_create(
    tmp_path: Path, fake_encoder: HashingEncoder
) -> None:
    path = tmp_path / "s"
    Store.create(path, encoder=fake_encoder).close()
    (path / "manifest.json").unlink()  # stopped after the database, before the manifest
    (path / "store.sqlite.tmp").write_bytes(b"half a database")
    with pytest.raises(StoreError, match="not a simdedup store"):
        Store.open(path, encoder=fake_encoder)
    with Store.open_or_create(path, encoder=fake_encoder) as store:
        store.add([Record("a", text(1))])
    with Store.open(path, encoder=fake_encoder) as store:
        assert len(store) == 1


def test_writers_take_turns_and_readers_see_one_generation(
    tmp_path: Path, fake_encoder: HashingEncoder
) -> None:
    """A writer replaces every document in each batch (so the index is rebuilt and its rows
    renumbered) while reader threads query: every answer's score must be the cosine of the
    text it names, which a torn read (old index, new table) breaks."""
    path = tmp_path / "s"
    with Store.create(path, encoder=fake_encoder) as store:
        store.add([Record(f"d{i}", text(i)) for i in range(40)])
    stop = threading.Event()
    errors: list[str] = []
    answers = [0]

    def read() -> None:
        with Store.open(path, encoder=HashingEncoder()) as store:
            rng = np.random.default_rng(threading.get_ident() % 1000)
            while not stop.is_set():
                query = text(int(rng.integers(40)), int(rng.integers(4)))
                hits = store.similar(query, k=5)
                vectors = store.encoder.encode([query] + [h.text for h in hits])
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                for hit, vector in zip(hits, vectors[1:]):
                    if abs(float(vector @ vectors[0]) - hit.score) > 1e-4:
                        errors.append(f"{hit.pid}: score {hit.score} is not its text's")
                answers[0] += 1

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        with Store.open(path, encoder=HashingEncoder()) as writer:
            for batch in range(1, 6):
                stats = writer.add([Record(f"d{i}", text(i, batch)) for i in range(40)])
                assert stats.replaced == 40 and stats.rebuilt
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert answers[0] > 20 and not errors, errors[:3]


def run_cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "simdedup", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )


def test_two_index_runs_on_one_new_store_make_one_whole_store(tmp_path: Path) -> None:
    """The real CLI and model: both runs succeed (one waits for the other), the store is whole
    and has each document once; then `check` on it, damage, `check --repair`."""
    shutil.copytree(ROOT / "examples" / "articles", tmp_path / "articles")
    first = run_cli("index", "articles", "--store", "s.store", cwd=tmp_path)
    second = run_cli("index", "articles", "--store", "s.store", cwd=tmp_path)
    outs = [p.communicate(timeout=600) for p in (first, second)]
    for proc, (_, err) in zip((first, second), outs):
        assert proc.returncode == 0 and "Traceback" not in err, err
    assert sorted("41 new" in out for out, _ in outs) == [False, True]  # the other: unchanged
    check = subprocess.run(
        [sys.executable, "-m", "simdedup", "check", "--store", "s.store", "--full", "--json"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout)["ok"] is True
    flip_index_bit(tmp_path / "s.store")
    similar = subprocess.run(
        [sys.executable, "-m", "simdedup", "similar", "strengthen coordination", "--store",
         "s.store"], capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert similar.returncode == 1 and "does not match its checksum" in similar.stderr
    repair = subprocess.run(
        [sys.executable, "-m", "simdedup", "check", "--store", "s.store", "--repair"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert repair.returncode == 0 and "repaired  index" in repair.stdout, repair.stdout
    again = subprocess.run(
        [sys.executable, "-m", "simdedup", "similar", "strengthen coordination", "--store",
         "s.store", "--json"], capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert again.returncode == 0 and all(
        -1.0 <= r["score"] <= 1.0 for r in json.loads(again.stdout)["results"]
    )


def test_talking_point_ids_not_saved_while_another_writer_holds_the_store(
    store_dir: Path, fake_encoder: HashingEncoder, caplog: pytest.LogCaptureFixture
) -> None:
    from simdedup.cluster.talking_points import TalkingPointFinder
    from simdedup.store.lock import write_lock

    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_lock(store_dir):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(30)
    try:
        with Store.open(store_dir, encoder=fake_encoder) as store:
            finder = TalkingPointFinder(0.3, min_outlets=1).fit(store)
            finder.save(store)  # does not wait for the writer, and says so
            assert store.catalog.talking_point_ids() == {}
    finally:
        release.set()
        holder.join()
    assert "talking-point ids not saved" in caplog.text and "busy" in caplog.text
    with Store.open(store_dir, encoder=fake_encoder) as store:
        finder = TalkingPointFinder(0.3, min_outlets=1).fit(store)
        finder.save(store)
        assert store.catalog.talking_point_ids()  # saved once the store is free

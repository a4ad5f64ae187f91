"""The Ray engine: partition functions directly, then the engine on a real local Ray cluster.

The engine-free functions (:mod:`simdedup.index.partition`) are tested against brute force. One Ray
cluster (2 CPUs, started once per session) serves the engine tests, which compare the Ray
engine with the local one on the sample corpus with the real model; the CLI tests start their
own cluster in a subprocess, as a user's run does.
"""

from __future__ import annotations

import json
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from conftest import EXAMPLES, HashingEncoder
from simdedup import (
    Deduplicator,
    InputError,
    SimdedupError,
    Store,
    TalkingPointFinder,
    read_records,
)
from simdedup.embed.encoder import normalize_rows
from simdedup.engines.ray import RayEngine, ray_available
from simdedup.index.partition import (
    assign,
    neighbours_within,
    pairs_within,
    partition_count,
    train_centroids,
)
from simdedup.index.selfjoin import unique_pairs

ARTICLES = EXAMPLES / "articles"


def clustered(n: int, *, seed: int = 0, dim: int = 32) -> np.ndarray:
    """Unit vectors around 12 topics, a tenth of them near-copies (cosine ~0.97) of others."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(12, dim))
    x = topics[rng.integers(0, 12, n)] + rng.normal(scale=0.6, size=(n, dim))
    copies = rng.choice(n, n // 10, replace=False)
    x[copies] = x[rng.integers(0, n, len(copies))] + rng.normal(scale=0.05, size=(len(copies), dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def brute_pairs(x: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    sims = x @ x.T
    i, j = np.nonzero(np.triu(sims >= threshold, k=1))
    return set(zip(i.tolist(), j.tolist()))


def partitioned_pairs(x: np.ndarray, partitions: int, spill: int, threshold: float) -> set:
    centroids = train_centroids(x, partitions)
    parts = assign(x, centroids, spill)
    members = [np.flatnonzero((parts == p).any(axis=1)) for p in range(len(centroids))]
    src, dst, _ = unique_pairs([pairs_within(m, x[m], threshold) for m in members], len(x))
    return set(zip(src.tolist(), dst.tolist()))


# -- engine-free ----------------------------------------------------------------------------


def test_partition_count_and_assignment() -> None:
    assert partition_count(1) == 1 and partition_count(40_001, 20_000) == 3
    x = clustered(600)
    centroids = train_centroids(x, 6)
    assert centroids.shape == (6, 32)
    assert np.allclose(np.linalg.norm(centroids, axis=1), 1.0, atol=1e-4)
    parts = assign(x, centroids, 2)
    sims = x @ centroids.T
    assert parts.shape == (600, 2) and (parts[:, 0] != parts[:, 1]).all()
    assert (parts[:, 0] == sims.argmax(axis=1)).all()  # home first
    assert assign(x, centroids, 10).shape == (600, 6)  # spill capped at the partition count
    with pytest.raises(InputError, match="spill"):
        assign(x, centroids, 0)


def test_pairs_within_a_partition_are_exact_and_global() -> None:
    x = clustered(300)
    rows = np.arange(1000, 1300)[::-1]  # global ids, not positions
    src, dst, score = pairs_within(rows, x, 0.9)
    expected = {(int(rows[max(i, j)]), int(rows[min(i, j)])) for i, j in brute_pairs(x, 0.9)}
    assert set(zip(src.tolist(), dst.tolist())) == {(min(p), max(p)) for p in expected}
    assert (src < dst).all() and (score >= 0.9).all()


def test_neighbours_within_match_brute_force() -> None:
    x = clustered(200)
    src, dst, score = neighbours_within(np.arange(200), x, 5, 0.5)
    assert np.allclose(score, (x[src] * x[dst]).sum(axis=1), atol=1e-5)
    sims = x @ x.T
    np.fill_diagonal(sims, -2)
    top = np.argsort(-sims, axis=1)[:, :5]
    expected = {
        (min(i, int(j)), max(i, int(j))) for i in range(200) for j in top[i] if sims[i, j] >= 0.5
    }
    assert set(zip(src.tolist(), dst.tolist())) == expected
    assert len(src) == len(set(zip(src.tolist(), dst.tolist())))  # each edge once


def test_spilling_into_every_partition_is_the_exact_join() -> None:
    x = clustered(800, seed=1)
    exact = brute_pairs(x, 0.9)
    assert len(exact) > 50
    assert partitioned_pairs(x, 8, 8, 0.9) == exact
    one = partitioned_pairs(x, 8, 1, 0.9)
    two = partitioned_pairs(x, 8, 2, 0.9)
    assert one <= two <= exact  # spilling only adds true pairs
    assert len(two) / len(exact) >= 0.95


def test_pairs_from_several_partitions_count_once() -> None:
    a = (np.array([1, 2]), np.array([5, 6]), np.array([0.9, 0.8], np.float32))
    b = (np.array([2, 3]), np.array([6, 7]), np.array([0.8, 0.95], np.float32))
    src, dst, score = unique_pairs([a, b], 8)
    assert list(zip(src.tolist(), dst.tolist())) == [(1, 5), (2, 6), (3, 7)]
    assert np.allclose(score, [0.9, 0.8, 0.95])
    assert unique_pairs([], 8)[0].shape == (0,)


def test_engine_settings_are_checked_without_starting_ray() -> None:
    with pytest.raises(InputError, match="embed_actors"):
        RayEngine(embed_actors=0)
    with pytest.raises(InputError, match="spill"):
        RayEngine(spill=-1)


def test_encoders_pickle_without_their_model(real_encoder) -> None:  # type: ignore[no-untyped-def]
    copy = pickle.loads(pickle.dumps(real_encoder))
    assert copy._model is None and real_encoder._model is not None
    assert copy.fingerprint == real_encoder.fingerprint


# -- on Ray ---------------------------------------------------------------------------------

needs_ray = pytest.mark.skipif(not ray_available(), reason='needs the ray extra: "simdedup[ray]"')


@pytest.fixture(scope="session")
def engine() -> Iterator[RayEngine]:
    """One local Ray cluster with 2 CPUs for the session's engine tests."""
    if not ray_available():
        pytest.skip('needs the ray extra: "simdedup[ray]"')
    with RayEngine(num_cpus=2, object_store_memory=300 * 2**20) as started:
        yield started


@pytest.fixture(scope="module")
def sample_store() -> Iterator[Store]:
    """The sample corpus indexed locally, with the real model."""
    store = Store.memory()
    store.add(read_records([ARTICLES]))
    yield store
    store.close()


@needs_ray
def test_ray_pairs_equal_the_exact_join_when_spilling_everywhere(engine: RayEngine) -> None:
    x = clustered(1500, seed=2)
    engine.partitions, engine.spill = 6, 6  # every vector in every partition: exact
    chunks = [(np.arange(0, 700), x[:700]), (np.arange(700, 1500), x[700:])]
    src, dst, score = engine.pairs(chunks, 1500, 0.9)
    assert set(zip(src.tolist(), dst.tolist())) == brute_pairs(x, 0.9)
    assert np.allclose(score, (x[src] * x[dst]).sum(axis=1), atol=1e-5)
    assert engine.last_search_["partitions"] == 6


@needs_ray
@pytest.mark.parametrize("partitions", [1, 8])
def test_ray_dedup_gives_the_local_groups(
    engine: RayEngine, sample_store: Store, partitions: int
) -> None:
    engine.partitions, engine.spill = partitions, 2  # 8: about 35 paragraphs per partition
    local = Deduplicator(cross_outlet=True).fit(sample_store).result_
    on_ray = Deduplicator(cross_outlet=True, engine=engine).fit(sample_store).result_
    assert len(local.groups) >= 10
    assert on_ray.to_dict() == local.to_dict()


@needs_ray
@pytest.mark.slow
def test_ray_talking_points_equal_the_local_ones(engine: RayEngine, sample_store: Store) -> None:
    engine.partitions = 4  # partitions of ~70 texts (before spilling into 3), k = 20
    local = TalkingPointFinder().fit(sample_store).result_
    on_ray = TalkingPointFinder(engine=engine).fit(sample_store).result_
    assert len(local.talking_points) >= 10
    assert on_ray.to_dict() == local.to_dict()


@needs_ray
def test_ray_index_embeds_on_actors_into_the_same_store(
    engine: RayEngine, sample_store: Store, tmp_path: Path
) -> None:
    progress: list[tuple[str, int]] = []
    with Store.create(tmp_path / "ray.store") as store:
        stats = store.add(
            read_records([ARTICLES]),
            engine=engine,
            progress=lambda stage, n: progress.append((stage, n)),
        )
        assert stats.embedded == stats.new_texts == len(sample_store.vectors())
        assert sum(n for stage, n in progress if stage == "embed") == stats.embedded
        assert store.table().rows.tolist() == sample_store.table().rows.tolist()
        cosines = (store.vectors() * sample_store.vectors()).sum(axis=1)
        assert cosines.min() > 0.9999  # the same model and backend on the actor
        again = store.add(read_records([ARTICLES]), engine=engine)  # nothing new: no Ray job
        assert again.embedded == 0 and again.unchanged == stats.documents
    written = list(Path(engine._work()).glob("embeddings-*/*.parquet"))
    assert written  # the actors' output went through Parquet


@needs_ray
def test_ray_engine_takes_a_custom_encoder_and_refuses_one_that_cannot_travel(
    engine: RayEngine,
) -> None:
    class Letters:  # defined here, so it travels to the actors by value
        name = "letters"

        def __init__(self) -> None:
            self.lock: object = None

        def encode(self, texts: list[str]) -> np.ndarray:
            out = np.zeros((len(texts), 26), dtype=np.float32)
            for i, text in enumerate(texts):
                for ch in text.lower():
                    if "a" <= ch <= "z":
                        out[i, ord(ch) - 97] += 1
            return out

    encoder = Letters()
    texts = ["grain corridor talks resume", "talks on the grain corridor", "floods"]
    vectors = engine.embed(encoder, texts)
    assert vectors.shape == (3, 26)
    assert np.allclose(vectors, normalize_rows(encoder.encode(texts)), atol=1e-6)
    encoder.lock = threading.Lock()
    with pytest.raises(InputError, match="cannot be sent to Ray workers"):
        engine.embed(encoder, ["one text"])
    # a class the workers cannot import (tests/ is not on their path): one clear error
    with pytest.raises(SimdedupError, match=r"embedding on Ray failed: .*conftest"):
        engine.embed(HashingEncoder(), ["one text"])


# -- the CLI --------------------------------------------------------------------------------


@needs_ray
@pytest.mark.slow
def test_cli_engine_ray_index_dedup_and_talking_points_match_local(tmp_path: Path) -> None:
    from test_cli import run

    store = tmp_path / "ray.store"
    result = run("index", str(ARTICLES), "--store", str(store), "--engine", "ray", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["embedded"] > 200  # embedded by the actor pool
    for command in (["dedup", "--cross-outlet"], ["talking-points", "--min-outlets", "2"]):
        local = run(*command, "--store", str(store), "--json")
        on_ray = run(*command, "--store", str(store), "--json", "--engine", "ray")
        assert local.returncode == 0 and on_ray.returncode == 0, on_ray.stderr
        assert json.loads(on_ray.stdout) == json.loads(local.stdout)
        assert on_ray.stderr.strip() == "", on_ray.stderr  # no Ray chatter on stderr


def test_cli_engine_errors_are_one_line() -> None:
    from test_cli import fails, run

    fails(run("dedup", str(ARTICLES), "--ray-address", "auto"), "--ray-address needs")
    if ray_available():  # nothing listens there: a quick error, not Ray's minutes of retries
        fails(
            run("dedup", str(ARTICLES), "--engine", "ray", "--ray-address", "127.0.0.1:9"),
            "no Ray cluster answers there",
        )
    result = run("dedup", str(ARTICLES), "--engine", "spark")
    assert result.returncode == 2 and "Traceback" not in result.stderr

"""The dedup self-join: exact against brute force, the IVF join's recall against exact."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from simdedup.errors import InputError
from simdedup.index.selfjoin import EXACT_MAX, SelfJoin, knn_join
from test_cli import run
from test_index import clustered


def brute_pairs(x: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    sims = x @ x.T
    i, j = np.nonzero(np.triu(sims >= threshold, k=1))
    return set(zip(i.tolist(), j.tolist()))


def pairs_of(join: SelfJoin) -> set[tuple[int, int]]:
    return set(zip(join.src_.tolist(), join.dst_.tolist()))


def test_exact_join_is_brute_force_each_pair_once() -> None:
    x = clustered(3000)
    join = SelfJoin(0.9, method="exact").fit(x)
    assert pairs_of(join) == brute_pairs(x, 0.9)
    assert np.all(join.src_ < join.dst_)
    np.testing.assert_allclose(join.scores_, np.sum(x[join.src_] * x[join.dst_], axis=1), atol=1e-5)
    assert join.method_ == "exact"


@pytest.mark.parametrize("threshold", [pytest.param(0.8, marks=pytest.mark.slow), 0.9])
def test_ivf_join_recall_against_exact(threshold: float) -> None:
    x = clustered(20_000, dim=64, centers=400)
    exact = brute_pairs(x, threshold)
    join = SelfJoin(threshold, method="ivf").fit(x)
    found = pairs_of(join)
    assert len(exact) > 1000
    assert found <= exact  # scores are exact inner products: no false pairs
    assert len(found & exact) / len(exact) >= 0.99
    assert np.all(join.scores_ >= threshold - 1e-6)
    assert join.method_ == "ivf"


def test_auto_choice_seed_and_tiny_inputs() -> None:
    x = clustered(500)
    assert SelfJoin(0.9).fit(x).method_ == "exact"
    assert EXACT_MAX >= 10_000
    a = SelfJoin(0.85, method="ivf", seed=3).fit(x)
    b = SelfJoin(0.85, method="ivf", seed=3).fit(x)
    assert pairs_of(a) == pairs_of(b)
    for n in (0, 1):
        join = SelfJoin(0.9, method="ivf").fit(np.zeros((n, 8), dtype=np.float32))
        assert len(join.src_) == len(join.dst_) == len(join.scores_) == 0


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"method": "lsh"}, "method must be one of auto, exact, ivf"),
        ({"threshold": 1.5}, "threshold must be in [-1, 1]"),
        ({"nprobe": 0}, "nprobe must be an integer >= 1"),
        ({"nlist": 2.5}, "nlist must be an integer >= 1"),
    ],
)
def test_bad_settings(settings: dict[str, object], message: str) -> None:
    threshold = settings.pop("threshold", 0.9)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        SelfJoin(threshold, **settings).fit(clustered(50))  # type: ignore[arg-type]


def test_cli_dedup_ivf_join_matches_exact_with_the_real_model(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples" / "articles"
    groups = {}
    for join in ("exact", "ivf"):
        result = run("dedup", str(examples), "--join", join, "--json", "--quiet")
        assert result.returncode == 0, result.stderr
        groups[join] = [
            sorted(m["pid"] for m in g["members"]) for g in json.loads(result.stdout)["groups"]
        ]
    assert groups["exact"] and groups["ivf"] == groups["exact"]
    bad = run("dedup", str(examples), "--join", "lsh")
    assert bad.returncode == 2 and "'lsh' is not one of" in bad.stderr


def test_knn_join_against_brute_force() -> None:
    x = clustered(8_000, dim=64, centers=200)
    ids, scores = knn_join(x, 10, nprobe=16)
    assert ids.shape == scores.shape == (8_000, 10)
    truth = np.argsort(-(x @ x.T - 2 * np.eye(len(x), dtype=np.float32)), axis=1)[:, :10]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids.tolist(), truth.tolist())])
    assert recall >= 0.9, recall
    assert not np.any(ids == np.arange(len(x))[:, None])  # never a row's own neighbour
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first
    np.testing.assert_allclose(scores[:, 0], np.sum(x * x[ids[:, 0]], axis=1), atol=1e-5)
    few, few_scores = knn_join(x[:5], 10)
    assert np.all(few[:, 4:] == -1) and np.all(few[:, :4] >= 0)  # only 4 others exist
    assert np.isneginf(few_scores[:, 4:]).all()


def test_talking_point_graph_switches_to_the_join(monkeypatch: pytest.MonkeyPatch) -> None:
    from simdedup.cluster.linkage import ClaimClusterer

    x = clustered(3_000, dim=64, centers=60)
    searched = ClaimClusterer(0.6).graph(x)
    monkeypatch.setattr("simdedup.cluster.linkage.KNN_JOIN_MIN", 1_000)
    joined = ClaimClusterer(0.6).graph(x)
    exact = set(zip(searched[0].tolist(), searched[1].tolist()))
    found = set(zip(joined[0].tolist(), joined[1].tolist()))
    assert len(exact) > 10_000 and len(found & exact) / len(exact) >= 0.95
    assert np.all(joined[0] < joined[1]) and np.all(joined[2] >= 0.6 - 1e-6)

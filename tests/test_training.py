"""The claim model's labelled corpus and the parts of its training that can be checked quickly
(the full run is ``python -m training.train_claims``, see training/README.md)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from training import check_data, corpus
from training.train_claims import DistinctClaimBatchSampler, all_pairs

from conftest import ROOT


def test_the_corpus_passes_its_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_data.main([]) == 0, capsys.readouterr().out


def test_the_corpus_is_as_big_as_the_issue_asks() -> None:
    items = corpus.load()
    kinds = Counter(i.kind for i in items)
    points = {i.talking_point for i in items if i.talking_point}
    groups = {i.dup_group for i in items if i.dup_group}
    assert len(items) >= 2400 and len(points) >= 300 and len(groups) >= 150
    assert kinds["negative"] >= 900
    members = Counter(i.talking_point for i in items if i.kind == "member")
    assert min(members.values()) >= 4 and max(members.values()) <= 8


def test_splits_are_by_talking_point_and_written_in_the_files() -> None:
    split_of: dict[str, set[str]] = {}
    for path in corpus.files():
        for row in corpus.read_rows(path):
            assert row.get("split") in ("train", "dev"), row["id"]
            point = str(row["talking_point"] or row["near"])
            split_of.setdefault(point, set()).add(str(row["split"]))
    assert all(len(s) == 1 for s in split_of.values())
    dev = sum(1 for s in split_of.values() if s == {"dev"})
    assert 0.15 < dev / len(split_of) < 0.25


def test_no_evaluation_text_is_in_the_training_corpus() -> None:
    trained = {" ".join(i.text.lower().split()) for i in corpus.load()}
    for name in ("talking_points_test.jsonl", "talking_points_dev.jsonl"):
        for line in (ROOT / "benchmarks" / "data" / name).read_text().splitlines():
            text = " ".join(json.loads(line)["text"].lower().split())
            assert text not in trained, (name, text)


class Rows(list[dict[str, str]]):
    """The two things the sampler reads of a ``datasets.Dataset``: its columns and its rows."""

    column_names = ("anchor", "positive")


def test_batches_never_hold_one_claim_twice() -> None:
    items = [i for i in corpus.load("train") if i.area == "un"]
    anchors, positives = all_pairs(items)
    claims = {i.text: i.claim for i in items}
    rows = Rows({"anchor": a, "positive": p} for a, p in zip(anchors, positives))
    sampler = DistinctClaimBatchSampler(rows, 32, False, claims=claims, seed=3)
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(len(rows)))  # each row once
    for batch in batches:
        seen = [claims[rows[i]["anchor"]] for i in batch]
        assert len(seen) == len(set(seen))
    assert batches == list(DistinctClaimBatchSampler(rows, 32, False, claims=claims, seed=3))
    sampler.set_epoch(1)
    assert list(sampler) != batches

"""The hand-written claim-unit sets (training/briefs/units.md): each passes its checks, and the
three splits share no talking point, no article and no paragraph text."""

from __future__ import annotations

import json

import pytest
from training import check_units

from conftest import ROOT

SPLITS = {
    "train": ROOT / "training" / "units" / "train.jsonl",
    "dev": ROOT / "benchmarks" / "data" / "units" / "dev.jsonl",
    "test": ROOT / "benchmarks" / "data" / "units" / "test.jsonl",
}


@pytest.mark.parametrize("split", list(SPLITS))
def test_each_split_passes_its_checks(split: str) -> None:
    errors, counts = check_units.check(SPLITS[split])
    assert errors == [], errors[:5]
    assert counts["talking points"] >= 5 and counts["paragraphs"] >= 30
    several = sum(n for k, n in counts["paragraphs by talking points made"].items() if k >= 2)
    assert several >= 0.5 * counts["paragraphs"]  # the point of the set: paragraphs say several


def test_the_splits_are_disjoint() -> None:
    seen: dict[str, str] = {}
    labels: dict[str, set[str]] = {}
    for split, path in SPLITS.items():
        labels[split] = check_units.labels_of(path)
        for line in path.read_text(encoding="utf-8").splitlines():
            text = " ".join(json.loads(line)["text"].lower().split())
            assert text not in seen, (split, seen.get(text), text[:60])
            seen[text] = split
    assert not (labels["train"] & labels["dev"] or labels["train"] & labels["test"])
    assert not labels["dev"] & labels["test"]

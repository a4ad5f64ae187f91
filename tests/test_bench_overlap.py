"""The claim-unit benchmark's scores (benchmarks/bench/overlap.py) on hand-worked cases: extended
BCubed (Amigó et al. 2009, multiplicity BCubed), membership over (paragraph, talking point)
pairs, token F1 and speaker folding. Pure functions, no models."""

from __future__ import annotations

import sys
from collections import defaultdict

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from bench.overlap import (
    extended_bcubed,
    fold_name,
    gold_label_of,
    membership_scores,
    same_speaker,
    token_f1,
)


def ordinary_bcubed(pred: list[str], gold: list[str]) -> tuple[float, float]:
    """Textbook BCubed of two partitions, written independently of extended_bcubed."""
    by_pred, by_gold = defaultdict(list), defaultdict(list)
    for i, (p, g) in enumerate(zip(pred, gold)):
        by_pred[p].append(i)
        by_gold[g].append(i)
    n = len(pred)
    precision = sum(
        sum(gold[j] == gold[i] for j in by_pred[pred[i]]) / len(by_pred[pred[i]]) for i in range(n)
    )
    recall = sum(
        sum(pred[j] == pred[i] for j in by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in range(n)
    )
    return precision / n, recall / n


def test_identical_clusterings_score_one() -> None:
    gold = [{"1"}, {"1", "2"}, {"2"}, set()]
    scores = extended_bcubed([{"X"}, {"X", "Y"}, {"Y"}, set()], gold)
    assert scores == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_partitions_give_ordinary_bcubed_worked_by_hand() -> None:
    # gold a b c | d; predicted a b | c d
    # precision: a 1, b 1, c 1/2, d 1/2 -> 3/4; recall: a 2/3, b 2/3, c 1/3, d 1 -> 2/3
    scores = extended_bcubed([{"X"}, {"X"}, {"Y"}, {"Y"}], [{"1"}, {"1"}, {"1"}, {"2"}])
    assert scores["precision"] == pytest.approx(3 / 4)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 * (3 / 4) * (2 / 3) / (3 / 4 + 2 / 3))


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("AABBC", "AABCC"),
        ("AAAAA", "ABCDE"),
        ("ABCDE", "AAAAA"),
        ("ABABA", "AABBB"),
        ("AABBCCDD", "ABABCDCD"),
    ],
)
def test_partitions_match_an_independent_ordinary_bcubed(pred: str, gold: str) -> None:
    scores = extended_bcubed([{p} for p in pred], [{g} for g in gold])
    precision, recall = ordinary_bcubed(list(pred), list(gold))
    assert scores["precision"] == pytest.approx(precision)
    assert scores["recall"] == pytest.approx(recall)


def test_unclustered_and_unlabelled_items_are_singletons() -> None:
    # nothing predicted, nothing gold: every item alone on both sides
    assert extended_bcubed([set(), set()], [set(), set()])["f1"] == 1.0
    # a and b share gold 1; only a is clustered: precision stays 1, each item recalls itself only
    scores = extended_bcubed([{"X"}, set()], [{"1"}, {"1"}])
    assert scores["precision"] == 1.0 and scores["recall"] == pytest.approx(0.5)
    # two unclustered items' singletons never meet, even though names could be reused
    scores = extended_bcubed([set(), set()], [{"1"}, {"1"}])
    assert scores["recall"] == pytest.approx(0.5)


def test_too_little_multiplicity_loses_recall_only() -> None:
    # the paper's multiplicity constraint: both items belong to categories 1 and 2 but share
    # one cluster. Each pair: min(|C∩C'|=1, |L∩L'|=2) -> precision 1/1, recall 1/2.
    scores = extended_bcubed([{"X"}, {"X"}], [{"1", "2"}, {"1", "2"}])
    assert scores["precision"] == 1.0 and scores["recall"] == pytest.approx(0.5)


def test_too_much_multiplicity_loses_precision_only() -> None:
    # every item in two clusters where the gold has one category: precision min(2,1)/2 = 1/2
    scores = extended_bcubed([{"X", "Y"}] * 3, [{"1"}] * 3)
    assert scores["precision"] == pytest.approx(0.5) and scores["recall"] == 1.0


def test_an_overlapping_item_put_in_one_cluster_worked_by_hand() -> None:
    # gold a{1} b{1,2} c{2}; predicted a{X} b{X} c{Y}: b should also be with c.
    # precision: a: (a,a)=1 (a,b)=1; b: (b,a)=1 (b,b)=min(1,2)/1=1; c: (c,c)=1  -> 1
    # recall: a: (a,a)=1 (a,b)=1 -> 1; b: (b,a)=1 (b,b)=1/2 (b,c)=0 -> 1/2; c: (c,b)=0 (c,c)=1
    # -> 1/2; mean 2/3
    scores = extended_bcubed([{"X"}, {"X"}, {"Y"}], [{"1"}, {"1", "2"}, {"2"}])
    assert scores["precision"] == pytest.approx(1.0)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(0.8)


# The items of the paper's multiplicity examples (its figures 16-19): items 1 and 2 are both gray
# and black, 3 gray, 4 and 5 black, 6 and 7 dashed. The scores below are worked by hand.
PAPER_GOLD = [{"gray", "black"}] * 2 + [{"gray"}] + [{"black"}] * 2 + [{"dashed"}] * 2


def test_paper_example_the_right_overlap_is_perfect() -> None:
    clusters = [{"A", "B"}] * 2 + [{"A"}] + [{"B"}] * 2 + [{"C"}] * 2
    assert extended_bcubed(clusters, PAPER_GOLD) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_paper_example_a_duplicated_cluster_costs_precision() -> None:
    # A duplicated (ADup) over items 1-3. Precision: items 1, 2: (1,1)=(1,2)=min(3,2)/3,
    # (1,3)=min(2,1)/2, (1,4)=(1,5)=1 -> 23/30; item 3: three pairs of 1/2 -> 1/2; the rest 1:
    # (2 * 23/30 + 1/2 + 4) / 7 = 181/210. Recall stays 1: every pair keeps min(|C|,|L|) = |L|.
    clusters = [{"ADup", "A", "B"}] * 2 + [{"ADup", "A"}] + [{"B"}] * 2 + [{"C"}] * 2
    scores = extended_bcubed(clusters, PAPER_GOLD)
    assert scores["precision"] == pytest.approx(181 / 210)
    assert scores["recall"] == pytest.approx(1.0)


def test_paper_example_a_lost_membership_costs_recall() -> None:
    # items 1 and 2 only in A (gray), not also with the black 4 and 5. Precision 1. Recall:
    # items 1, 2: (1,1)=(1,2)=1/2, (1,3)=1, (1,4)=(1,5)=0 -> 2/5; item 3: 1; items 4, 5: (4,1)=
    # (4,2)=0, (4,4)=(4,5)=1 -> 1/2; 6, 7: 1. (2/5 + 2/5 + 1 + 1/2 + 1/2 + 1 + 1) / 7 = 24/35.
    clusters = [{"A"}] * 3 + [{"B"}] * 2 + [{"C"}] * 2
    scores = extended_bcubed(clusters, PAPER_GOLD)
    assert scores["precision"] == pytest.approx(1.0)
    assert scores["recall"] == pytest.approx(24 / 35)


def test_bcubed_checks_its_input() -> None:
    with pytest.raises(ValueError, match="predicted items"):
        extended_bcubed([{"X"}], [{"1"}, {"2"}])
    with pytest.raises(ValueError, match="no items"):
        extended_bcubed([], [])


def test_gold_label_of_takes_the_majority_then_the_lowest() -> None:
    gold = {"a": {"2"}, "b": {"1"}, "c": {"1", "2"}, "d": set()}
    assert gold_label_of(["a", "b"], gold) == "1"  # tie 1-1: the lowest
    assert gold_label_of(["a", "c"], gold) == "2"
    assert gold_label_of(["d"], gold) is None
    assert gold_label_of(["zz"], gold) is None  # unknown items carry nothing


def test_membership_scores_worked_by_hand() -> None:
    gold = {"a": {"1"}, "b": {"1"}, "c": {"2"}, "d": set(), "e": set()}
    # cluster 0 -> "1": (a,1) (b,1) right, (c,1) wrong; cluster 1 -> nothing: (d,-) (e,-) wrong
    scores = membership_scores([{"a", "b", "c"}, {"d", "e"}], gold)
    assert scores["mapped"] == ["1", None]
    assert (scores["predicted_pairs"], scores["gold_pairs"], scores["correct_pairs"]) == (5, 3, 2)
    assert scores["precision"] == pytest.approx(2 / 5)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(0.5)


def test_membership_counts_a_pair_once_and_unmapped_clusters_apart() -> None:
    gold = {"a": {"1"}, "b": {"1", "2"}, "c": {"2"}, "x": set()}
    # two clusters both standing for 1 predict (b,1) once; the two unmapped clusters each
    # predict (x, -) wrongly
    scores = membership_scores([{"a", "b"}, {"b"}, {"x"}, {"x"}], gold)
    assert scores["predicted_pairs"] == 4 and scores["correct_pairs"] == 2
    assert scores["precision"] == pytest.approx(0.5) and scores["recall"] == pytest.approx(0.5)
    assert membership_scores([], gold)["precision"] == 0.0


def test_token_f1() -> None:
    # [the cat sat] vs [the cat the cat]: 2 shared -> 2*2/(3+4)
    assert token_f1("The cat sat.", "the cat, THE CAT") == pytest.approx(4 / 7)
    assert token_f1("Raise spending to 5%", "raise spending to 5 %") == 1.0
    assert token_f1("", "anything") == 0.0 and token_f1("a b", "c d") == 0.0


def test_speakers_compare_folded() -> None:
    assert fold_name("  The European  Commission ") == "european commission"
    assert same_speaker("José Manuel Albares", "jose manuel albares")
    assert same_speaker("the Kremlin", "Kremlin")
    assert same_speaker(None, None)
    assert not same_speaker(None, "Mark Rutte") and not same_speaker("Rutte", "Mark Rutte")

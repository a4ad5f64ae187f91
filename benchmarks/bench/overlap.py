"""Scores for overlapping clusterings (an item may belong to several talking points), and the
text comparisons of the claim-unit benchmark (benchmarks/units.py). Pure functions, no models.

- :func:`extended_bcubed`: multiplicity BCubed precision / recall / F1 (Amigó, Gonzalo, Artiles
  & Verdejo 2009, "A comparison of extrinsic clustering evaluation metrics based on formal
  constraints", Information Retrieval 12(4), section 5.3 "Overlapping clustering").
- :func:`membership_scores`: precision / recall over (item, gold label) pairs, each predicted
  cluster standing for the gold label most of its members carry.
- :func:`token_f1`, :func:`same_speaker`: how unit texts and speakers are compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

WORD = re.compile(r"\w+")


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# -- extended BCubed ----------------------------------------------------------------------------


def extended_bcubed(
    predicted: Sequence[Iterable[Hashable]], gold: Sequence[Iterable[Hashable]]
) -> dict[str, float]:
    """Multiplicity BCubed of an overlapping clustering against overlapping gold categories.

    ``predicted[i]`` is the set of clusters item ``i`` is in and ``gold[i]`` the set of its gold
    categories. An item with no cluster is alone in a singleton cluster, one with no category
    alone in a singleton category, so that every item shares at least one of each with itself.
    For items e, e' with C = C(e) ∩ C(e') and L = L(e) ∩ L(e'):

    - multiplicity precision of (e, e'), defined when C is non-empty: min(|C|, |L|) / |C|;
    - multiplicity recall of (e, e'), defined when L is non-empty: min(|C|, |L|) / |L|.

    Precision is the mean over e of the mean over its e' (e itself included), recall likewise;
    F1 is their harmonic mean (the paper's F with alpha = 0.5). Without overlaps this is
    ordinary BCubed.
    """
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted items, {len(gold)} gold items")
    n = len(predicted)
    if n == 0:
        raise ValueError("no items to score")
    # a singleton's name cannot collide with a real cluster name: a private tuple
    clusters = [set(c) or {("__alone__", i)} for i, c in enumerate(predicted)]
    categories = [set(c) or {("__alone__", i)} for i, c in enumerate(gold)]
    precision = recall = 0.0
    for i in range(n):
        p_sum = r_sum = 0.0
        p_n = r_n = 0
        for j in range(n):
            shared_c = len(clusters[i] & clusters[j])
            shared_l = len(categories[i] & categories[j])
            if shared_c:
                p_sum += min(shared_c, shared_l) / shared_c
                p_n += 1
            if shared_l:
                r_sum += min(shared_c, shared_l) / shared_l
                r_n += 1
        precision += p_sum / p_n  # p_n, r_n >= 1: the item itself
        recall += r_sum / r_n
    precision, recall = precision / n, recall / n
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


# -- membership ---------------------------------------------------------------------------------


def gold_label_of(members: Iterable[Hashable], gold_of: dict[Any, set[str]]) -> str | None:
    """The gold label most of ``members`` carry (each member counts each of its labels once;
    ties: the lowest label); None when no member carries one."""
    votes = Counter(label for m in members for label in gold_of.get(m, ()))
    if not votes:
        return None
    return min(votes, key=lambda label: (-votes[label], label))


def membership_scores(
    predicted: Sequence[Iterable[Hashable]], gold_of: dict[Any, set[str]]
) -> dict[str, Any]:
    """Precision / recall / F1 over (item, gold label) pairs.

    ``predicted`` lists the predicted clusters (each a collection of items); ``gold_of`` maps
    every scored item to its gold labels (an empty set for none). Each cluster stands for its
    :func:`gold_label_of`; it predicts (item, that label) for each member. A cluster that stands
    for no label predicts a wrong pair for each member (each its own, never merged with another
    cluster's). Gold pairs are (item, label) for every label of every item in ``gold_of``.
    """
    said: set[tuple[Any, Any]] = set()
    mapped: list[str | None] = []
    for k, cluster in enumerate(predicted):
        members = list(cluster)
        label = gold_label_of(members, gold_of)
        mapped.append(label)
        said.update((m, label if label is not None else ("__unmapped__", k)) for m in members)
    truth = {(m, label) for m, labels in gold_of.items() for label in labels}
    hit = len(said & truth)
    precision = hit / len(said) if said else 0.0
    recall = hit / len(truth) if truth else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "predicted_pairs": len(said),
        "gold_pairs": len(truth),
        "correct_pairs": hit,
        "mapped": mapped,
    }


# -- texts and speakers -------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lowercased ``\\w+`` tokens."""
    return WORD.findall(text.lower())


def token_f1(a: str, b: str) -> float:
    """F1 of the multiset overlap of the two texts' lowercased ``\\w+`` tokens (0 when either
    has none)."""
    wa, wb = Counter(words(a)), Counter(words(b))
    if not wa or not wb:
        return 0.0
    hit = sum((wa & wb).values())
    return 2 * hit / (sum(wa.values()) + sum(wb.values()))


def fold_name(name: str | None) -> str | None:
    """A speaker name for comparison: accents folded (NFKD, combining marks dropped),
    casefolded, spaces collapsed, a leading "the " removed; None stays None."""
    if name is None:
        return None
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = " ".join(text.casefold().split())
    return text[4:] if text.startswith("the ") else text


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    """Whether two speakers are the same after :func:`fold_name` (both None: the same)."""
    return fold_name(predicted) == fold_name(gold)

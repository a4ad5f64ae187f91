"""Talking points from two clusterings: of whole paragraphs, and of their claim units.

Paragraph clusters are what a paragraph mostly says; unit clusters find the claims a paragraph
makes beside its main one (a sentence that lists five lines of policy), and claims no paragraph
cluster gathers because each paragraph that makes them says more. :func:`merge_claims` joins
the two: a unit cluster whose paragraphs are mostly the paragraphs of one paragraph cluster
(each holds at least :data:`COVER` of the other) is the same claim, and joins it, bringing the
paragraphs outside it that make the claim in a unit. A paragraph cluster takes one unit
cluster, the one it shares most paragraphs with: paragraphs that all make the same three
claims cluster as wholes, and each of the three claims stays a talking point of its own. Any
other unit cluster is a talking point of its own. A paragraph is then a member of its
paragraph cluster and of every talking point one of its units joined.

Measured (benchmarks/README.md, "Claim units"): on the hand-labelled claim-unit dev set this
beats both paragraph clusters alone and unit clusters alone; on the paragraph-level labelled
sets each paragraph's strongest talking point is its paragraph cluster's, so they score as
paragraph clustering does.
"""

from __future__ import annotations

import numpy as np

from simdedup.duplicates.groups import members_by_label

COVER = 0.5  # share of each other's paragraphs a unit and a paragraph cluster hold to be one


def merge_claims(
    paragraph_labels: np.ndarray, unit_labels: np.ndarray, unit_paragraph: np.ndarray
) -> list[np.ndarray]:
    """Talking-point clusters over items ``0 .. n_units - 1`` (the units) and ``n_units + p``
    (paragraph ``p`` as a whole), from one cluster label per paragraph and per unit and each
    unit's paragraph: item arrays, each with two paragraphs or more; the paragraph clusters
    come first, in label order."""
    n_units = len(unit_labels)
    n_paragraphs = len(paragraph_labels)
    whole = [m for m in members_by_label(paragraph_labels) if len(m) >= 2]
    cluster_of = np.full(n_paragraphs, -1, dtype=np.int64)
    for c, members in enumerate(whole):
        cluster_of[members] = c
    joined: list[list[np.ndarray]] = [[n_units + m] for m in whole]
    own: list[np.ndarray] = []
    best_for: dict[int, tuple[tuple[int, int], int]] = {}  # paragraph cluster -> its best unit one
    found = [m for m in members_by_label(unit_labels) if len(np.unique(unit_paragraph[m])) >= 2]
    for u, members in enumerate(found):
        paragraphs = np.unique(unit_paragraph[members])
        where = cluster_of[paragraphs]
        where = where[where >= 0]
        if len(where):
            counts = np.bincount(where)
            best = int(np.argmax(counts))
            overlap = int(counts[best])
            if overlap >= COVER * len(paragraphs) and overlap >= COVER * len(whole[best]):
                rank = (overlap, len(paragraphs))
                if best not in best_for or rank > best_for[best][0]:
                    if best in best_for:
                        own.append(found[best_for[best][1]])
                    best_for[best] = (rank, u)
                    continue
        own.append(members)
    for c, (_, u) in best_for.items():
        joined[c].append(found[u])
    return [np.concatenate(parts) for parts in joined] + own

"""Dev metrics of an encoder for the claim model: talking points and the public pair sets.

Only development data is read here: the dev split of training/data, the older development set
benchmarks/data/talking_points_dev.jsonl, the sample corpus of examples/ (its planted talking
points), STS-B dev (news) and MSRP val. The held-out test set
(benchmarks/data/talking_points_test.jsonl) and the public test splits are for
benchmarks/claim_model.py alone.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from simdedup.cluster.linkage import ClaimClusterer  # noqa: E402
from simdedup.duplicates.groups import numbers_conflict  # noqa: E402
from talking_points import examples_set, labelled_set, pair_scores  # noqa: E402
from training.corpus import Item  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
THRESHOLDS = np.round(np.arange(0.50, 0.905, 0.01), 2)
PENALTIES = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)
DEDUP_THRESHOLDS = np.round(np.arange(0.80, 0.995, 0.01), 2)

Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Labelled:
    """Texts with their cluster label; ``dups`` marks the wire-copy group of each text (or "")."""

    name: str
    texts: list[str]
    labels: list[str]
    dups: list[str]


def corpus_set(name: str, items: list[Item]) -> Labelled:
    return Labelled(
        name,
        [i.text for i in items],
        [i.claim for i in items],
        [i.dup_group or "" for i in items],
    )


def old_dev_set() -> Labelled:
    """benchmarks/data/talking_points_dev.jsonl (another fictional world; never trained on)."""
    texts, labels = labelled_set("dev")
    return Labelled("talking points dev (benchmarks)", texts, [str(x) for x in labels], [])


def sample_set() -> Labelled:
    """Every paragraph of the sample corpus in examples/; its planted talking points and
    negatives are labelled, the other paragraphs are "" (clustered with the rest, not scored)."""
    texts, labels = examples_set()
    return Labelled("examples", texts, [x or "" for x in labels], [])


def scores(s: Labelled, vectors: np.ndarray, threshold: float, penalty: float) -> dict[str, float]:
    """Pair scores of the talking points found in ``s``, over its labelled texts."""
    keep = [i for i, label in enumerate(s.labels) if label]
    found = cluster(s.texts, vectors, threshold, penalty)
    return pair_scores([s.labels[i] for i in keep], found[keep])


def cluster(texts: list[str], vectors: np.ndarray, threshold: float, penalty: float) -> np.ndarray:
    found = ClaimClusterer(threshold, penalty=penalty).fit(
        vectors, lambda ps: [texts[p] for p in ps]
    )
    return found.labels_


def talking_point_grid(
    sets: list[tuple[Labelled, np.ndarray]],
    thresholds: np.ndarray = THRESHOLDS,
    penalties: tuple[float, ...] = PENALTIES,
) -> dict[tuple[float, float], list[dict[str, float]]]:
    """Scores of every (threshold, penalty) on every set."""
    return {
        (float(t), p): [scores(s, v, float(t), p) for s, v in sets]
        for p in penalties
        for t in thresholds
    }


def best_setting(grid: dict[tuple[float, float], list[dict[str, float]]]) -> tuple[float, float]:
    """The (threshold, penalty) with the best mean of ARI and pair F1 over the sets (ties: the
    lower threshold)."""

    def merit(key: tuple[float, float]) -> tuple[float, float]:
        scores = grid[key]
        mean = sum(s["ari"] + s["f1"] for s in scores) / (2 * len(scores))
        return round(mean, 4), -key[0]

    return max(grid, key=merit)


def dedup_pairs(s: Labelled, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pair of texts: the dedup score (cosine, minus 1 where figures conflict) and whether
    the two are one wire-copy group."""
    iu = np.triu_indices(len(s.texts), 1)
    cosine = (vectors @ vectors.T)[iu]
    same = np.array([bool(s.dups[i]) and s.dups[i] == s.dups[j] for i, j in zip(*iu)])
    close = np.flatnonzero(cosine >= DEDUP_THRESHOLDS[0])
    for k in close:
        i, j = iu[0][k], iu[1][k]
        if numbers_conflict(s.texts[i], s.texts[j]):
            cosine[k] -= 1.0
    return cosine, same


def prf(said: np.ndarray, same: np.ndarray) -> dict[str, float]:
    hit = int((said & same).sum())
    p, r = hit / max(int(said.sum()), 1), hit / max(int(same.sum()), 1)
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / max(p + r, 1e-9), 3),
    }


def _tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def stsb_news_dev(encode: Encode) -> float | None:
    """Spearman of cosine with the gold score on the STS-B dev news pairs."""
    from scipy.stats import spearmanr

    path = SHARED / "stsb" / "sts-dev.csv"
    if not path.is_file():
        return None
    rows = [r for r in _tsv(path) if len(r) >= 7 and r[0] == "main-news"]
    a, b = encode([r[5] for r in rows]), encode([r[6] for r in rows])
    gold = [float(r[4]) for r in rows]
    return round(float(spearmanr((a * b).sum(axis=1), gold).statistic), 4)


def msrp_val(encode: Encode) -> float | None:
    """Best F1 over cosine thresholds on MSRP val (a dev-side drift check, not a test score)."""
    path = SHARED / "msrp" / "msr-para-val.tsv"
    if not path.is_file():
        return None
    rows = _tsv(path)[1:]
    a, b = encode([r[3] for r in rows]), encode([r[4] for r in rows])
    gold = np.array([r[0] == "1" for r in rows])
    cosine = (a * b).sum(axis=1)
    grid = np.round(np.arange(0.40, 0.985, 0.01), 2)
    return max(prf(cosine >= t, gold)["f1"] for t in grid)

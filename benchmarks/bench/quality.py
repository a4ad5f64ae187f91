"""Quality suite: simdedup's decisions against the alternatives a user would pick instead.

Three kinds of data, all embedded once by the bundled all-MiniLM-L6-v2 (same vectors for every
method; :func:`bench.data.embeddings` caches them):

- **MSRP** (``msrp/msr-para-{train,test}.tsv``): is this pair a paraphrase? F1, precision and
  recall on the 1,725 test pairs, each method's threshold tuned for F1 on the 3,576 train pairs
  (cosine grid 0.40-0.98, Jaccard grid 0-1, step 0.01), plus the out-of-the-box thresholds.
- **STS-B news** (``stsb/sts-{train,test}.csv``, genre ``main-news``): Spearman correlation of
  each method's score with the gold 0-5 score on the 500 test pairs, and F1 on the clear test
  pairs (gold >= 4 same, <= 2 different) with the threshold tuned on the clear train pairs.
- **Talking points** (``benchmarks/data/talking_points_{dev,test}.jsonl`` and the planted
  talking points of ``examples/``): ARI and pair precision / recall / F1 of whole groupings
  (:func:`talking_points.pair_scores`); each alternative's threshold tuned for ARI on dev
  (grid :data:`talking_points.GRID`), simdedup at its defaults (chosen on dev).

Pair rules: simdedup's dedup keeps a pair when cosine >= t and the texts state no conflicting
numbers (:func:`simdedup.duplicates.groups.numbers_conflict`); its talking-point rule scores
cosine minus 1.0 when their figures conflict
(:func:`simdedup.cluster.figures.figures_conflict`). SemHash and sentence-transformers'
paraphrase mining both decide a pair by plain cosine of the model against a threshold, so on
pairs they are one row. MinHash is datasketch's estimated Jaccard of word
3-gram shingles (128 permutations). Everything runs in a few seconds once embedded, so ``quick``
skips nothing.
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

if __name__ == "__main__":  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import alternatives, common, data

SUITE = "quality"
DIM = 384
MSRP = data.SHARED / "msrp"
STSB = data.SHARED / "stsb"
COSINE_GRID = np.round(np.arange(0.40, 0.985, 0.01), 2)
JACCARD_GRID = np.round(np.arange(0.0, 1.005, 0.01), 2)
LSH_GRID = np.round(np.arange(0.05, 0.955, 0.05), 2)  # MinHashLSH thresholds for groupings
DEDUP_DEFAULT = 0.9  # simdedup dedup's and SemHash's default threshold
MSRP_ALL_POSITIVE_F1 = 0.799  # "always y=1" test F1 in msrp/README.md


@dataclass(frozen=True)
class Pairs:
    """Scored sentence pairs: ``gold`` labels or scores, and one score array per rule."""

    gold: np.ndarray
    scores: dict[str, np.ndarray]

    def subset(self, keep: np.ndarray) -> Pairs:
        """The pairs where ``keep`` is true."""
        return Pairs(self.gold[keep], {k: v[keep] for k, v in self.scores.items()})


@dataclass(frozen=True)
class PairMethod:
    """A pair rule: score ``key`` of :class:`Pairs` against a threshold, tuned on ``grid`` or
    fixed at ``fixed``; ``key=None`` says every pair is the same."""

    name: str
    key: str | None
    grid: np.ndarray | None = None
    fixed: float | None = None
    params: tuple[tuple[str, Any], ...] = ()


MINHASH_PARAMS = (("num_perm", 128), ("ngram", 3))
MSRP_METHODS = (
    PairMethod("simdedup", "dedup", COSINE_GRID, params=(("numbers_conflict", "drop"),)),
    PairMethod(
        "simdedup default threshold",
        "dedup",
        fixed=DEDUP_DEFAULT,
        params=(("numbers_conflict", "drop"),),
    ),
    PairMethod("plain cosine (SemHash / paraphrase_mining rule)", "cosine", COSINE_GRID),
    PairMethod("plain cosine, SemHash default threshold", "cosine", fixed=DEDUP_DEFAULT),
    PairMethod("MinHash (datasketch)", "jaccard", JACCARD_GRID, params=MINHASH_PARAMS),
    PairMethod("everything is a duplicate", None),
)
STSB_METHODS = (
    PairMethod("simdedup dedup rule", "dedup", COSINE_GRID, params=(("numbers_penalty", 1.0),)),
    PairMethod(
        "simdedup dedup rule, default threshold",
        "dedup",
        fixed=DEDUP_DEFAULT,
        params=(("numbers_penalty", 1.0),),
    ),
    PairMethod(
        "simdedup talking-point rule", "figures", COSINE_GRID, params=(("figure_penalty", 1.0),)
    ),
    PairMethod(
        "simdedup talking-point rule, default threshold",
        "figures",
        fixed=0.62,
        params=(("figure_penalty", 1.0),),
    ),
    PairMethod("plain cosine (SemHash / paraphrase_mining rule)", "cosine", COSINE_GRID),
    PairMethod("MinHash (datasketch)", "jaccard", JACCARD_GRID, params=MINHASH_PARAMS),
    PairMethod("everything is the same", None),
)


# -- pair data --------------------------------------------------------------------------------


def _corpus(name: str, texts: list[str]) -> data.Corpus:
    blank = [""] * len(texts)
    return data.Corpus(name=name, texts=texts, docs=blank, outlets=blank, dates=blank)


def score_pairs(
    name: str, a: list[str], b: list[str], gold: np.ndarray, backend: str = "torch"
) -> Pairs:
    """Embed both sides (corpus ``name``: first all ``a``, then all ``b``) and score each pair
    by every rule: ``cosine``, ``dedup`` (cosine - numbers conflict), ``figures`` (cosine -
    figures conflict), ``jaccard`` (MinHash estimate)."""
    from simdedup.cluster.figures import figures, figures_conflict
    from simdedup.duplicates.groups import numbers_conflict

    vectors = np.asarray(data.embeddings(_corpus(name, a + b), backend=backend), dtype=np.float32)
    cosine = np.einsum("ij,ij->i", vectors[: len(a)], vectors[len(a) :])
    numbers = np.array([numbers_conflict(x, y) for x, y in zip(a, b)], dtype=np.float32)
    figs = np.array(
        [figures_conflict(figures(x), figures(y)) for x, y in zip(a, b)], dtype=np.float32
    )
    return Pairs(
        gold=gold,
        scores={
            "cosine": cosine,
            "dedup": cosine - numbers,
            "figures": cosine - figs,
            "jaccard": alternatives.minhash_similarity(a, b),
        },
    )


def _read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def msrp_pairs(split: str, backend: str = "torch") -> Pairs:
    """MSRP ``split`` ("train", "test"): gold 1 for a paraphrase, else 0."""
    rows = _read_tsv(MSRP / f"msr-para-{split}.tsv")[1:]  # header: Quality #1 ID #2 ID ...
    gold = np.array([int(r[0]) for r in rows])
    a, b = [r[3] for r in rows], [r[4] for r in rows]
    return score_pairs(f"msrp-{split}", a, b, gold, backend)


def stsb_news_pairs(split: str, backend: str = "torch") -> Pairs:
    """STS-B ``split`` pairs of genre ``main-news``: gold is the 0-5 similarity score."""
    rows = [r for r in _read_tsv(STSB / f"sts-{split}.csv") if len(r) >= 7 and r[0] == "main-news"]
    gold = np.array([float(r[4]) for r in rows])
    a, b = [r[5] for r in rows], [r[6] for r in rows]
    return score_pairs(f"stsb-news-{split}", a, b, gold, backend)


def prf(said: np.ndarray, same: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 and accuracy of decisions ``said`` against truth ``same``."""
    from talking_points import decision_scores

    return {**decision_scores(said, same), "accuracy": round(float((said == same).mean()), 3)}


def _decide(method: PairMethod, pairs: Pairs, threshold: float | None) -> np.ndarray:
    if method.key is None:
        return np.ones(len(pairs.gold), dtype=bool)
    return pairs.scores[method.key] >= threshold


def _tune(method: PairMethod, train: Pairs, same: np.ndarray) -> float | None:
    """The threshold of ``method.grid`` with the best train F1 (the lowest among ties)."""
    if method.key is None:
        return None
    if method.grid is None:
        return method.fixed
    f1 = [prf(_decide(method, train, float(t)), same)["f1"] for t in method.grid]
    return float(method.grid[int(np.argmax(f1))])


def pair_rows(
    dataset: str,
    methods: tuple[PairMethod, ...],
    train: Pairs,
    test: Pairs,
    train_same: np.ndarray,
    test_same: np.ndarray,
    train_name: str,
    n: int,
    spearman: bool = False,
) -> list[dict[str, Any]]:
    """One row per method: test scores at the threshold tuned on ``train`` (or fixed). With
    ``spearman``, also the rank correlation of the score with the gold score over all test pairs
    (``train_same`` / ``test_same`` pick and label the pairs F1 is computed on)."""
    from scipy.stats import spearmanr

    train_clear, test_clear = train.subset(train_same >= 0), test.subset(test_same >= 0)
    rows = []
    for method in methods:
        threshold = _tune(method, train_clear, train_same[train_same >= 0] == 1)
        truth = test_same[test_same >= 0] == 1
        said = _decide(method, test_clear, threshold)
        scores = prf(said, truth)
        extra: dict[str, Any] = {"dataset": dataset, **scores}
        if method.key is None:
            extra["tuned_on"] = None
        elif method.grid is None:
            extra["tuned_on"] = "not tuned (default threshold)"
        else:
            extra["tuned_on"] = train_name
            train_said = _decide(method, train_clear, threshold)
            extra["train_f1"] = prf(train_said, train_same[train_same >= 0] == 1)["f1"]
        if spearman:
            rho = None
            if method.key is not None:
                rho = round(float(spearmanr(test.scores[method.key], test.gold).statistic), 3)
            extra["spearman"] = rho
            extra["clear_pairs"] = len(truth)
        params = {"threshold": threshold, **dict(method.params)}
        rows.append(
            common.row(
                SUITE,
                method.name,
                n=n,
                dim=DIM,
                params=params,
                pair_precision=scores["precision"],
                pair_recall=scores["recall"],
                extra=extra,
            )
        )
    return rows


def msrp_rows(
    methods: tuple[PairMethod, ...] = MSRP_METHODS, backend: str = "torch"
) -> list[dict[str, Any]]:
    """MSRP test F1 of each pair rule in ``methods``, thresholds tuned on train."""
    train, test = msrp_pairs("train", backend), msrp_pairs("test", backend)
    rows = pair_rows(
        "MSRP test", methods, train, test, train.gold, test.gold, "MSRP train", len(test.gold)
    )
    everything = next((r for r in rows if r["method"] == "everything is a duplicate"), None)
    if everything is None:
        return rows
    f1 = everything["extra"]["f1"]
    print(f"  MSRP 'everything is a duplicate' test F1 {f1} (published: {MSRP_ALL_POSITIVE_F1})")
    if abs(f1 - MSRP_ALL_POSITIVE_F1) > 0.001:
        raise RuntimeError(f"MSRP test set misread: all-positive F1 {f1} != {MSRP_ALL_POSITIVE_F1}")
    return rows


def _clear(gold: np.ndarray) -> np.ndarray:
    """1 for gold >= 4 (same), 0 for <= 2 (different), -1 for the unclear middle."""
    return np.where(gold >= 4, 1, np.where(gold <= 2, 0, -1))


def stsb_rows(
    methods: tuple[PairMethod, ...] = STSB_METHODS, backend: str = "torch"
) -> list[dict[str, Any]]:
    """STS-B news: Spearman on all test pairs, F1 on clear pairs tuned on clear train pairs."""
    train, test = stsb_news_pairs("train", backend), stsb_news_pairs("test", backend)
    return pair_rows(
        "STS-B news test",
        methods,
        train,
        test,
        _clear(train.gold),
        _clear(test.gold),
        "STS-B news train (clear pairs)",
        len(test.gold),
        spearman=True,
    )


# -- talking points -----------------------------------------------------------------------------

Grouping = Callable[[list[str], np.ndarray, float], np.ndarray]


def _semhash(texts: list[str], vectors: np.ndarray, t: float) -> np.ndarray:
    return alternatives.semhash_groups(texts, t, alternatives.ArrayEncoder(texts, vectors))


def _communities(texts: list[str], vectors: np.ndarray, t: float) -> np.ndarray:
    return alternatives.paraphrase_mining_groups(vectors, t)


def _minhash(texts: list[str], vectors: np.ndarray, t: float) -> np.ndarray:
    return alternatives.minhash_groups(texts, t)


def grouping_methods() -> dict[str, tuple[Grouping, np.ndarray, dict[str, Any]]]:
    """Each alternative grouping with its threshold grid and fixed params."""
    from talking_points import GRID

    return {
        "paraphrase mining (community_detection)": (_communities, GRID, {"min_size": 2}),
        "SemHash self_deduplicate": (_semhash, GRID, {"ann_backend": "usearch"}),
        "MinHash LSH (datasketch)": (_minhash, LSH_GRID, dict(MINHASH_PARAMS)),
    }


def _at(texts: list[str], positions: Sequence[int]) -> list[str]:
    return [texts[p] for p in positions]


Labelled = tuple[list[str], np.ndarray, list[int], list[str]]  # texts, vectors, labelled, labels


def labelled_sets(backend: str = "torch") -> dict[str, Labelled]:
    """The labelled talking-point sets (dev, test, examples) embedded by ``backend``."""
    from talking_points import examples_set, labelled_set

    sets = {
        "talking points dev": ("talking-points-dev", labelled_set("dev")),
        "talking points test": ("talking-points-test", labelled_set("test")),
        "talking points examples": ("talking-points-examples", examples_set()),
    }
    loaded: dict[str, Labelled] = {}
    for dataset, (name, (texts, labels)) in sets.items():
        corpus = _corpus(name, texts)
        vectors = np.asarray(data.embeddings(corpus, backend=backend), dtype=np.float32)
        idx = [i for i, label in enumerate(labels) if label is not None]
        loaded[dataset] = (texts, vectors, idx, [str(labels[i]) for i in idx])
    return loaded


def talking_point_rows() -> list[dict[str, Any]]:
    """simdedup's ClaimClusterer at its defaults and each alternative at its dev-tuned threshold,
    on dev, the held-out test set and the examples corpus."""
    from simdedup.cluster.linkage import DEFAULT_THRESHOLD, ClaimClusterer
    from talking_points import pair_scores

    loaded = labelled_sets()

    def result(
        dataset: str, method: str, labels: np.ndarray, params: dict[str, Any], tuned: str
    ) -> dict[str, Any]:
        texts, _, idx, truth = loaded[dataset]
        scores = pair_scores(truth, labels[idx])
        extra = {"dataset": dataset, **scores, "tuned_on": tuned, "labelled": len(idx)}
        return common.row(
            SUITE,
            method,
            n=len(texts),
            dim=DIM,
            params=params,
            pair_precision=scores["precision"],
            pair_recall=scores["recall"],
            extra=extra,
        )

    rows: list[dict[str, Any]] = []
    for dataset, (texts, vectors, _, _) in loaded.items():
        found = ClaimClusterer().fit(vectors, partial(_at, texts))
        params = {"threshold": DEFAULT_THRESHOLD, "check_figures": True, "k": 20}
        rows.append(
            result(dataset, "simdedup defaults", found.labels_, params, "defaults (chosen on dev)")
        )
    dev_texts, dev_vectors, dev_idx, dev_truth = loaded["talking points dev"]
    for method, (group, grid, fixed) in grouping_methods().items():
        ari = [
            pair_scores(dev_truth, group(dev_texts, dev_vectors, float(t))[dev_idx])["ari"]
            for t in grid
        ]
        best = float(grid[int(np.argmax(ari))])
        for dataset, (texts, vectors, _, _) in loaded.items():
            grouped = group(texts, vectors, best)
            rows.append(
                result(
                    dataset,
                    method,
                    grouped,
                    {"threshold": best, **fixed},
                    "talking points dev (ARI)",
                )
            )
    return rows


BACKENDS = ("onnx-int8", "static")  # compared with the torch rows above


def _relabelled(methods: tuple[PairMethod, ...], label: str) -> tuple[PairMethod, ...]:
    """``methods`` with "simdedup" in their names replaced by ``label``."""
    return tuple(
        PairMethod(m.name.replace("simdedup", label), m.key, m.grid, m.fixed, m.params)
        for m in methods
    )


def _cluster_scores(entry: Labelled, threshold: float) -> dict[str, float]:
    """Pair scores of simdedup's ClaimClusterer at ``threshold`` on a labelled set."""
    from simdedup.cluster.linkage import ClaimClusterer
    from talking_points import pair_scores

    texts, vectors, idx, truth = entry
    found = ClaimClusterer(threshold).fit(vectors, partial(_at, texts))
    return dict(pair_scores(truth, found.labels_[idx]))


def backend_rows() -> list[dict[str, Any]]:
    """simdedup's own rules on vectors from the faster backends: MSRP and STS-B news as above
    (thresholds tuned on train), talking points at the defaults and, since a static model's
    cosines run on another scale, at the threshold tuned on dev."""
    from simdedup.cluster.linkage import DEFAULT_THRESHOLD
    from talking_points import GRID

    rows: list[dict[str, Any]] = []
    for backend in BACKENDS:
        label = f"simdedup, {backend} backend"
        rows += msrp_rows(_relabelled(MSRP_METHODS[:2], label), backend)
        rows += stsb_rows(_relabelled(STSB_METHODS[:1], label), backend)
        loaded = labelled_sets(backend)
        dev = loaded["talking points dev"]
        dev_ari = [_cluster_scores(dev, float(t))["ari"] for t in GRID]
        tuned = float(GRID[int(np.argmax(dev_ari))])
        for threshold, how in ((DEFAULT_THRESHOLD, "defaults"), (tuned, "talking points dev")):
            for dataset, entry in loaded.items():
                scores, n = _cluster_scores(entry, threshold), len(entry[0])
                extra = {"dataset": dataset, **scores, "tuned_on": how}
                rows.append(
                    common.row(
                        SUITE,
                        f"{label}" + (", dev-tuned threshold" if how != "defaults" else ""),
                        n=n,
                        dim=int(loaded[dataset][1].shape[1]),
                        params={"threshold": threshold, "check_figures": True, "k": 20},
                        pair_precision=scores["precision"],
                        pair_recall=scores["recall"],
                        extra=extra,
                    )
                )
    return rows


def run(quick: bool) -> list[dict[str, Any]]:
    """All quality rows. ``quick`` skips nothing: the suite takes seconds once embedded."""
    del quick
    rows: list[dict[str, Any]] = []
    labelled = data.ROOT / "benchmarks" / "data"
    sections: tuple[tuple[str, tuple[Path, ...], Callable[[], list[dict[str, Any]]]], ...] = (
        ("MSRP", (MSRP / "msr-para-train.tsv", MSRP / "msr-para-test.tsv"), msrp_rows),
        ("STS-B news", (STSB / "sts-train.csv", STSB / "sts-test.csv"), stsb_rows),
        (
            "talking points",
            (labelled / "talking_points_dev.jsonl", labelled / "talking_points_test.jsonl"),
            talking_point_rows,
        ),
        ("faster backends", (MSRP / "msr-para-train.tsv", STSB / "sts-train.csv"), backend_rows),
    )
    for name, needed, section in sections:
        missing = [str(path) for path in needed if not path.exists()]
        if missing:
            print(f"  quality: skipping {name}: missing {', '.join(missing)}", file=sys.stderr)
            continue
        started = time.perf_counter()
        print(f"  quality: {name} ...", flush=True)
        got = section()
        for r in got:
            r["extra"]["section_s"] = round(time.perf_counter() - started, 2)
        rows.extend(got)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """A compact Markdown table of quality rows."""
    out = [
        "| dataset | method | threshold | P | R | F1 | ARI / Spearman | tuned on |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        x = r["extra"]
        t = r["params"].get("threshold")
        second = x.get("ari", x.get("spearman"))
        out.append(
            f"| {x['dataset']} | {r['method']} | {'-' if t is None else t} | {r['pair_precision']}"
            f" | {r['pair_recall']} | {x['f1']} | {'-' if second is None else second}"
            f" | {x.get('tuned_on') or '-'} |"
        )
    return "\n".join(out)


if __name__ == "__main__":  # python benchmarks/bench/quality.py [--quick]: run and print
    started = time.perf_counter()
    result_rows = run(quick="--quick" in sys.argv)
    print(table(result_rows))
    print(f"\n{len(result_rows)} rows in {time.perf_counter() - started:.1f} s")

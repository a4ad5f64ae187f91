"""Labels and keywords of clusters (:mod:`simdedup.cluster.keywords`), in several processes.

Naming is pure Python, text by text (cutting clauses, reading terms, counting phrases), so
processes, not threads, are what scale it. The clusters are split into one :class:`Part` per
process (this one and the workers), of about equal text counts. Each process cuts and counts its
part, and the workers send back their terms and text counts; the weights need the counts of all
parts, so this process merges them into each term's idf, sends each worker the idf of its part's
terms, and each process picks its part's labels. A part stays in its process between the two
steps (one single-process pool per part), so its texts cross only once. The labels are those
one process gives, which :func:`cluster_labels` falls back to below :data:`PARALLEL_MIN` texts
and when a worker process dies (killed for memory, say). Workers start without re-running the
user's script (:func:`simdedup.processes.hidden_main`). Terms read ahead (a
:class:`~simdedup.cluster.keywords.TermRows`, while the linkage ran) spare each part its
counting; the labels stay the same.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from multiprocessing import get_context
from typing import Any

import numpy as np

from simdedup.checks import check_optional_int
from simdedup.cluster.keywords import REPORTING, Part, TermRows, idf
from simdedup.processes import cores, hidden_main

PARALLEL_MIN = 40_000  # texts to name before more than one process is used (start-up ~1 s)
MAX_WORKERS = 8
_log = logging.getLogger("simdedup")
_parts: dict[int, Part] = {}  # in a worker process: its part, between the two steps

Labels = list[tuple[str | None, list[str]]]
Read = tuple[TermRows, Sequence[np.ndarray], np.ndarray]  # see cluster_labels
Held = Callable[[int], "tuple[Any, np.ndarray] | None"]  # a part's terms, read ahead


def cluster_keywords(
    clusters: Sequence[Sequence[str]], background: Sequence[str], top: int = 5
) -> list[list[str]]:
    """The ``top`` keywords (unigrams or bigrams) of each cluster of texts, best first."""
    return [keywords for _, keywords in cluster_labels(clusters, background, top)]


def cluster_labels(
    clusters: Sequence[Sequence[str]],
    background: Sequence[str],
    top: int = 5,
    *,
    workers: int | None = None,
    read: Read | None = None,
) -> Labels:
    """A label phrase (or ``None``) and the ``top`` keywords of each cluster of texts, against
    the ``background`` texts, in ``workers`` processes (``None``: one per core, at most
    :data:`MAX_WORKERS`, for :data:`PARALLEL_MIN` texts or more). ``read``: the texts' terms,
    already read (:func:`stop_words`): the :class:`TermRows`, the row of each cluster's texts
    and the rows of the background's. The labels are the same either way."""
    check_optional_int(workers, "workers")
    if not clusters:
        return []
    stop = stop_words()
    n_texts = sum(len(c) for c in clusters) + len(background)
    if workers is None:
        workers = cores(MAX_WORKERS) if n_texts >= PARALLEL_MIN else 1
    workers = min(workers, len(clusters))
    bounds = _split(clusters, workers)
    chunks = [clusters[a:b] for a, b in bounds]
    if read is not None:
        terms, rows, background_rows = read
        if len(rows) != len(clusters) or any(len(r) != len(c) for r, c in zip(rows, clusters)):
            raise ValueError("read: one row per text of each cluster")
        runs = [np.concatenate([rows[i] for i in range(a, b)]) for a, b in bounds]
        runs.append(np.asarray(background_rows, dtype=np.int64))
        held: Held = lambda i: terms.held(runs[i])  # noqa: E731
    else:
        held = lambda i: None  # noqa: E731
    if len(chunks) > 1:
        try:
            return _in_processes(chunks, background, held, n_texts, stop, top)
        except BrokenProcessPool as e:
            _log.warning(f"labels: worker processes failed ({e}); naming in this process")
    parts = [Part(chunk, stop, held(i)) for i, chunk in enumerate(chunks)]
    rest = Part([background], stop, held(len(chunks)))
    idfs = _merged([*parts, rest], n_texts, len(clusters) + 1)
    return [label for part, part_idf in zip(parts, idfs) for label in part.labels(part_idf, top)]


def stop_words() -> frozenset[str]:
    """The words no keyword or label starts or ends with (what :class:`TermRows` needs)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | REPORTING


def _in_processes(
    chunks: list[Sequence[Sequence[str]]],
    background: Sequence[str],
    held: Held,
    n_texts: int,
    stop: frozenset[str],
    top: int,
) -> Labels:
    """The first chunk here, each other one in a process of its own, side by side; ``held(i)``
    the terms of chunk ``i`` (the background's after the last), when read already."""
    with ExitStack() as stack:
        pools = [
            stack.enter_context(ProcessPoolExecutor(1, mp_context=get_context("spawn")))
            for _ in chunks[1:]
        ]
        with hidden_main():  # the workers need none of the script that started them
            counting = [  # the workers' terms first, so they start while this one's are taken
                pool.submit(_count, chunk, stop, held(i))
                for i, (pool, chunk) in enumerate(zip(pools, chunks[1:]), start=1)
            ]
        here = Part(chunks[0], stop, held(0))
        rest = Part([background], stop, held(len(chunks)))
        parts: list[Part | _Counted] = [here, *(_Counted(*f.result()) for f in counting)]
        n_classes = sum(len(c) for c in chunks) + 1
        idfs = _merged([*parts, rest], n_texts, n_classes)
        naming = [pool.submit(_labels, part_idf, top) for pool, part_idf in zip(pools, idfs[1:])]
        labels = here.labels(idfs[0], top)
        return labels + [label for f in naming for label in f.result()]


class _Counted:
    """What a worker sends back of its part: its terms and their text counts."""

    def __init__(self, terms: list[str], df: np.ndarray) -> None:
        self.terms = terms
        self.df = df


def _merged(parts: Sequence[Part | _Counted], n_texts: int, n_classes: int) -> list[np.ndarray]:
    """The idf of each part's terms, from the text counts of all parts."""
    vocabulary: dict[str, int] = {}
    add = vocabulary.setdefault
    where = [
        np.array([add(str(t), len(vocabulary)) for t in part.terms], dtype=np.int64)
        for part in parts
    ]
    df = np.zeros(len(vocabulary), dtype=np.float64)
    for part, at in zip(parts, where):
        df[at] += part.df  # a part holds each term once
    weights = idf(n_texts, n_classes, df)
    return [weights[at] for at in where]


def _split(clusters: Sequence[Sequence[str]], n: int) -> list[tuple[int, int]]:
    """``(start, end)`` of ``n`` runs of ``clusters`` (in order) of about equal text counts."""
    ends = np.cumsum([len(c) for c in clusters])
    cuts = np.searchsorted(ends, ends[-1] * np.arange(1, n) / n, side="right")
    bounds = [0, *sorted({int(c) for c in cuts if 0 < c < len(clusters)}), len(clusters)]
    return list(itertools.pairwise(bounds))


def _count(
    clusters: Sequence[Sequence[str]], stop: frozenset[str], held: tuple[Any, np.ndarray] | None
) -> tuple[list[str], np.ndarray]:
    """In a worker: cut and count a part, keep it for :func:`_labels`."""
    part = _parts[0] = Part(clusters, stop, held)
    return part.terms.tolist(), part.df


def _labels(part_idf: np.ndarray, top: int) -> Labels:
    """In a worker: the labels of the part :func:`_count` kept."""
    return _parts.pop(0).labels(part_idf, top)

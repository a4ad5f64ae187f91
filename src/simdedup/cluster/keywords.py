"""Keywords of clusters: the terms that set a cluster apart from the rest of the corpus.

Class-based TF-IDF (c-TF-IDF, as in BERTopic): each cluster is one class, and the rest of the
corpus (a sample of the unclustered paragraphs) is one more. A term's weight in a class is the
share of the class's paragraphs that contain it, times ``log(1 + A / f)``, where ``f`` is the
term's paragraph count over all classes and ``A`` the mean number of paragraphs per class.
The share is squared, and paragraphs are counted rather than words: a label should show what
most members say, not a phrase of the two wire copies in a cluster. Only terms that at least
half of a cluster's paragraphs contain are candidates (:data:`MIN_SHARE`), so every keyword is
something most members say. Bigrams are real phrases (two adjacent words, neither a stop word,
no punctuation between them), not words left side by side by stop-word removal. Keywords are
chosen by maximal marginal relevance (MMR, as BERTopic's representations): each next keyword
is the one whose weight, less its word overlap with those already chosen, is highest (on
equal weights a bigram before a word, then alphabetical order).

A label (:func:`simdedup.cluster.naming.cluster_labels`) is a phrase at least half the members
say, as written: a run of 2-6 words inside one clause (no punctuation across it) that neither
starts nor ends with a stop word, scored by the c-TF-IDF weights of its words and bigrams times
the share of members that say it; a talking point with no such phrase is labelled by its top
keywords.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

# Words of two letters or more, and ordinals written in digits ("30th", "75th").
_TOKEN = re.compile(r"\b(?:[^\W\d_][\w'’-]*[^\W_]|\d+(?:st|nd|rd|th))\b")
# a phrase does not run across these (a decimal point or a thousands comma is not a break)
# (the lookahead first lets the regex engine skip to a candidate character: 2.2x faster)
_BREAK = re.compile(
    r"(?=[.,;:!?()\[\]\"“”«»—–\s])(?:(?<!\d)[.,]|[.,](?!\d)|[;:!?()\[\]\"“”«»—–]|\s-\s)"
)
_PHRASE_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th|%)?(?!\w)|[^\W_][\w'’-]*[^\W_]|[^\W\d_]")
MIN_SHARE = 0.5  # a keyword or label phrase is in at least half of its cluster's paragraphs
PHRASE_WORDS = (2, 6)  # shortest and longest label phrase, in words
MMR_LAMBDA = 0.7  # weight of relevance against overlap when choosing keywords
# Words that say who spoke or when, not what was said.
REPORTING = frozenset(
    [
        "said",
        "says",
        "told",
        "added",
        "noted",
        "stated",
        "according",
        "reporters",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "ministry",
        "minister",
        "foreign",
        "press",
        "conference",
        "briefing",
        "regular",
        "asked",
        "question",
        "answer",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "year",
        "years",
        "today",
    ]
)


class Part:
    """Some clusters' texts cut into clauses, with the terms each cluster's texts hold:
    ``terms`` (alphabetical), ``counts`` (clusters x terms, how many of a cluster's texts hold
    each term) and ``df`` (how many texts hold each term). The weights need every part's
    ``df`` (:func:`idf`), so :meth:`labels` takes the idf of this part's terms."""

    def __init__(
        self,
        clusters: Sequence[Sequence[str]],
        stop: frozenset[str],
        held: tuple[Any, np.ndarray] | None = None,
    ) -> None:
        """``held``: the terms of the clusters' texts, in order, already read (the binary texts
        x terms matrix and the terms, as :func:`_term_matrix` gives them; :class:`TermRows`)."""
        from scipy.sparse import csr_matrix

        self.clusters = clusters
        self.stop = stop
        self.sizes = np.array([len(c) for c in clusters], dtype=np.int64)
        texts = [t for cluster in clusters for t in cluster]
        self.clauses = [_BREAK.split(t) for t in texts]  # for keywords and labels
        found = _term_matrix(self.clauses, stop) if held is None else held
        if found is not None and found[0].shape != (len(texts), len(found[1])):
            raise ValueError("held terms must have one row per text")
        if found is None or not len(found[1]):  # nothing but stop words
            self.terms = np.zeros(0, dtype=object)
            self.counts = csr_matrix((len(clusters), 0))
        else:
            matrix, self.terms = found
            owner = np.repeat(np.arange(len(clusters)), self.sizes)
            classes = csr_matrix(
                (np.ones(len(texts)), (owner, np.arange(len(texts)))),
                shape=(len(clusters), len(texts)),
            )
            self.counts = (classes @ matrix).tocsr()  # sparse: clusters x vocabulary is large
            self.counts.sort_indices()  # alphabetical order: ties between keywords go by it
        self.df = np.asarray(self.counts.sum(axis=0)).reshape(-1)

    def labels(self, idf: np.ndarray, top: int) -> list[tuple[str | None, list[str]]]:
        """Each cluster's label and keywords, given the idf of :attr:`terms`."""
        out: list[tuple[str | None, list[str]]] = []
        starts = np.concatenate([[0], np.cumsum(self.sizes)])
        counts = self.counts
        for c, members in enumerate(self.clusters):
            lo, hi = counts.indptr[c], counts.indptr[c + 1]
            indices, share = counts.indices[lo:hi], counts.data[lo:hi] / max(self.sizes[c], 1)
            keep = share >= MIN_SHARE
            indices, weight = indices[keep], share[keep] ** 2 * idf[indices[keep]]
            weights = dict(zip(self.terms[indices].tolist(), weight.tolist()))
            label = _phrase(members, self.clauses[starts[c] : starts[c + 1]], weights, self.stop)
            out.append((label, _pick(self.terms[indices], weight, top)))
        return out


def idf(n_texts: int, n_classes: int, df: np.ndarray) -> np.ndarray:
    """c-TF-IDF's ``log(1 + A / f)`` per term: ``A`` the mean texts per class (the clusters
    and the background), ``f`` the texts holding the term over all classes (``df``)."""
    return np.log1p((n_texts / n_classes) / np.maximum(df.astype(np.float64), 1.0))


def _term_matrix(
    clauses: Sequence[list[str]], stop: frozenset[str]
) -> tuple[Any, np.ndarray] | None:
    """Which terms each text (cut into its clauses) holds, as a binary sparse texts x terms
    matrix, and the terms in alphabetical order (as ``CountVectorizer(binary=True)`` with our
    analyzer gives them, without its counting pass); ``None`` when no text holds a term.
    Terms are the words (:data:`_TOKEN`) that are not stop words, and the bigrams of two such
    words side by side in one clause."""
    rows = TermRows(stop)
    rows.read_clauses(clauses)
    if not rows.vocabulary:
        return None
    return rows.held(np.arange(len(clauses)))


class TermRows:
    """The terms (see :func:`_term_matrix`) of texts read one by one, ahead of the clusters
    they will fall in: :meth:`held` then gives the term matrix of any rows, as
    :func:`_term_matrix` gives it for those texts, for :class:`Part`'s ``held``."""

    def __init__(self, stop: frozenset[str]) -> None:
        from array import array

        self.stop = stop
        self.vocabulary: dict[str, int] = {}  # term -> its id, in the order first seen
        self._sorted: tuple[int, np.ndarray, np.ndarray] | None = None  # see alphabetical
        self._ids = array("i")  # each text's term ids, text after text
        self._ends = array("q")  # where each text's ids end

    def __len__(self) -> int:
        return len(self._ends)

    def read(self, texts: Iterable[str]) -> None:
        """Read the terms of ``texts``, the next rows."""
        self.read_clauses(_BREAK.split(t) for t in texts)

    def read_clauses(self, clauses: Iterable[list[str]]) -> None:
        """Read the terms of texts cut into their clauses."""
        stop, add, ids, ends = self.stop, self.vocabulary.setdefault, self._ids, self._ends
        for text_clauses in clauses:
            found: set[str] = set()
            for clause in text_clauses:
                words = [None if w in stop else w for w in _TOKEN.findall(clause.lower())]
                found.update([w for w in words if w])
                found.update([f"{a} {b}" for a, b in itertools.pairwise(words) if a and b])
            ids.extend([add(t, len(self.vocabulary)) for t in found])
            ends.append(len(ids))

    def held(self, rows: np.ndarray) -> tuple[Any, np.ndarray]:
        """The binary ``len(rows) x terms`` matrix of ``rows`` (repeats allowed) over the terms
        they hold, and those terms in alphabetical order."""
        from scipy.sparse import csr_matrix

        rows = np.asarray(rows, dtype=np.int64)
        ends = np.array(self._ends, dtype=np.int64)
        starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)[rows]
        sizes = ends[rows] - starts
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        ids = np.array(self._ids, dtype=np.int32)
        # each row's ids: its start plus 0, 1, ... size - 1
        at = np.repeat(starts - indptr[:-1], sizes) + np.arange(int(indptr[-1]))
        picked = ids[at]
        names, place = self.alphabetical()
        placed = place[picked]
        held = np.zeros(len(names), dtype=bool)
        held[placed] = True
        used = np.flatnonzero(held)  # the terms held, as places in alphabetical order
        column = np.cumsum(held) - 1
        matrix = csr_matrix(
            (np.ones(len(picked)), column[placed], indptr), shape=(len(rows), len(used))
        )
        return matrix, names[used]

    def alphabetical(self) -> tuple[np.ndarray, np.ndarray]:
        """Every term read, in alphabetical order, and each term id's place in that order
        (sorted once for all :meth:`held` calls, again only after more texts are read)."""
        if self._sorted is None or self._sorted[0] != len(self.vocabulary):
            names = list(self.vocabulary)
            order = sorted(range(len(names)), key=names.__getitem__)
            place = np.empty(len(names), dtype=np.int64)
            place[order] = np.arange(len(names))
            alphabetical = np.array(names, dtype=object)[order]
            self._sorted = (len(names), alphabetical, place)
        return self._sorted[1], self._sorted[2]


def _phrase(
    members: Sequence[str],
    clauses: Sequence[list[str]],
    weights: dict[str, float],
    stop: frozenset[str],
) -> str | None:
    """The best phrase at least half of ``members`` (cut into ``clauses``) say (see the
    module doc), as the first member that says it writes it; ``None`` when no phrase carries
    a keyword."""
    if not weights:  # a phrase scores by the weights of its words and bigrams
        return None
    common = stop | weights.keys()  # the words a counted phrase may hold, with numbers
    said: dict[tuple[str, ...], int] = {}
    first: dict[tuple[str, ...], tuple[int, int, int, int]] = {}  # member, clause, words i..j
    shortest, longest = PHRASE_WORDS
    for m, member_clauses in enumerate(clauses):
        seen: set[tuple[str, ...]] = set()
        for c, clause in enumerate(member_clauses):
            words = [w.lower() for w in _PHRASE_TOKEN.findall(clause)]
            # A keyword-shaped word under MIN_SHARE has no weight: no phrase that most members
            # say can hold it, so the phrases through it are not counted.
            rare = [w not in common and _keyword_shaped(w) for w in words]
            n = len(words)
            for i in range(n - shortest + 1):
                if rare[i] or words[i] in stop:
                    continue
                for j in range(i + 1, min(i + longest, n)):
                    if rare[j]:
                        break
                    if j < i + shortest - 1 or words[j] in stop:
                        continue
                    key = tuple(words[i : j + 1])
                    if key not in seen:
                        seen.add(key)
                        said[key] = said.get(key, 0) + 1
                        first.setdefault(key, (m, c, i, j))
    best, best_score = None, 0.0
    need = MIN_SHARE * len(members)
    for key, n in said.items():
        if n < need:
            continue
        terms = [*key, *(f"{a} {b}" for a, b in itertools.pairwise(key))]
        score = n / len(members) * sum(weights.get(t, 0.0) for t in terms)
        if score > best_score or (  # on a tie the longer phrase says more ("18.6 billion")
            score == best_score and best is not None and len(key) > len(best)
        ):
            best, best_score = key, score
    if best is None or best_score <= 0:
        return None
    m, c, i, j = first[best]
    text = members[m]
    found = list(_PHRASE_TOKEN.finditer(text, *_clauses(text)[c]))
    return " ".join(text[found[i].start() : found[j].end()].split())


@functools.lru_cache(maxsize=1 << 16)
def _keyword_shaped(word: str) -> bool:
    """Whether ``word`` is a word the weights hold (not a number or one letter)."""
    return _TOKEN.fullmatch(word) is not None


def _clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of the stretches of ``text`` between punctuation a phrase does not cross."""
    spans, start = [], 0
    for m in _BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _pick(terms: np.ndarray, weight: np.ndarray, top: int) -> list[str]:
    """Best terms by maximal marginal relevance: weight (scaled to the best) against word
    overlap (Jaccard) with the terms already chosen; a term inside a chosen one ("diplomatic"
    after "diplomatic ties") is never chosen. ``terms`` are in alphabetical order."""
    words_in = np.array([str(t).count(" ") + 1 for t in terms], dtype=np.int64)
    # best first; on a tie the bigram (it says more), then alphabetical (``terms``' order)
    order = [int(i) for i in np.lexsort((-words_in, -weight)) if weight[i] > 0]
    if not order:
        return []
    relevance = {i: float(weight[i] / weight[order[0]]) for i in order}
    words = {i: set(str(terms[i]).split()) for i in order}
    chosen: list[int] = []
    while len(chosen) < top:
        candidates = [
            i
            for i in order
            if i not in chosen
            and not any(words[i] <= words[c] or words[c] <= words[i] for c in chosen)
        ]
        if not candidates:
            break

        def mmr(i: int) -> float:
            overlap = max(
                (len(words[i] & words[c]) / len(words[i] | words[c]) for c in chosen), default=0.0
            )
            return MMR_LAMBDA * relevance[i] - (1 - MMR_LAMBDA) * overlap

        chosen.append(max(candidates, key=mmr))
    return [str(terms[i]) for i in chosen]

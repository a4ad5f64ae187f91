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
is the one whose weight, less its word overlap with those already chosen, is highest.

A label (:func:`cluster_labels`) is a phrase at least half the members say, as written: a run
of 2-6 words inside one clause (no punctuation across it) that neither starts nor ends with a
stop word, scored by the c-TF-IDF weights of its words and bigrams times the share of members
that say it; a talking point with no such phrase is labelled by its top keywords.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

# Words of two letters or more, and ordinals written in digits ("30th", "75th").
_TOKEN = re.compile(r"\b(?:[^\W\d_][\w'’-]*[^\W_]|\d+(?:st|nd|rd|th))\b")
# a phrase does not run across these (a decimal point or a thousands comma is not a break)
_BREAK = re.compile(r"(?<!\d)[.,]|[.,](?!\d)|[;:!?()\[\]\"“”«»—–]|\s-\s")
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


def cluster_keywords(
    clusters: Sequence[Sequence[str]], background: Sequence[str], top: int = 5
) -> list[list[str]]:
    """The ``top`` keywords (unigrams or bigrams) of each cluster of texts, best first."""
    return [keywords for _, keywords in cluster_labels(clusters, background, top)]


def cluster_labels(
    clusters: Sequence[Sequence[str]], background: Sequence[str], top: int = 5
) -> list[tuple[str | None, list[str]]]:
    """A label phrase (or ``None``) and the ``top`` keywords of each cluster of texts."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    if not clusters:
        return []
    texts = [t for cluster in clusters for t in cluster] + list(background)
    owner = np.repeat(np.arange(len(clusters) + 1), [*(len(c) for c in clusters), len(background)])
    stop = ENGLISH_STOP_WORDS | REPORTING

    def analyze(text: str) -> list[str]:
        out: list[str] = []
        for start, end in _clauses(text):
            words = _TOKEN.findall(text[start:end].lower())
            keep = [w not in stop for w in words]
            out += [w for w, k in zip(words, keep) if k]
            out += [
                f"{a} {b}" for a, b, ka, kb in zip(words, words[1:], keep, keep[1:]) if ka and kb
            ]
        return out

    vectorizer = CountVectorizer(binary=True, analyzer=analyze)
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return [(None, []) for _ in clusters]
    from scipy.sparse import csr_matrix

    classes = csr_matrix(
        (np.ones(len(texts)), (owner, np.arange(len(texts)))), shape=(len(clusters) + 1, len(texts))
    )
    per_class = (classes @ counts).tocsr()  # sparse: clusters x vocabulary can be large
    sizes = np.bincount(owner, minlength=len(clusters) + 1).astype(np.float64)
    total = np.asarray(per_class.sum(axis=0)).reshape(-1)
    idf = np.log1p(sizes.mean() / np.maximum(total, 1.0))
    terms = vectorizer.get_feature_names_out()
    out: list[tuple[str | None, list[str]]] = []
    for c, members in enumerate(clusters):
        row = per_class.getrow(c)
        share = row.data / max(sizes[c], 1.0)
        weight = np.where(share >= MIN_SHARE, share**2 * idf[row.indices], 0.0)
        weights = {str(terms[i]): float(w) for i, w in zip(row.indices, weight) if w > 0}
        out.append((_phrase(members, weights, stop), _pick(terms[row.indices], weight, top)))
    return out


def _phrase(members: Sequence[str], weights: dict[str, float], stop: frozenset[str]) -> str | None:
    """The best phrase at least half of ``members`` say (see the module doc), as the first
    member that says it writes it; ``None`` when no phrase carries a keyword."""
    said: dict[tuple[str, ...], int] = {}
    surface: dict[tuple[str, ...], str] = {}
    shortest, longest = PHRASE_WORDS
    for text in members:
        seen: set[tuple[str, ...]] = set()
        for clause in _clauses(text):
            words = [
                (m.group().lower(), m.start(), m.end())
                for m in _PHRASE_TOKEN.finditer(text, *clause)
            ]
            # A keyword-shaped word under MIN_SHARE has no weight: no phrase that most members
            # say can hold it, so the phrases through it are not counted.
            rare = [w not in stop and w not in weights and _TOKEN.fullmatch(w) is not None
                    for w, _, _ in words]  # fmt: skip
            for i, (first, start, _) in enumerate(words):
                if first in stop or rare[i]:
                    continue
                for j in range(i + 1, min(i + longest, len(words))):
                    if rare[j]:
                        break
                    last, _, end = words[j]
                    if j < i + shortest - 1 or last in stop:
                        continue
                    key = tuple(w for w, _, _ in words[i : j + 1])
                    if key not in seen:
                        seen.add(key)
                        said[key] = said.get(key, 0) + 1
                        surface.setdefault(key, " ".join(text[start:end].split()))
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
    return surface[best] if best is not None and best_score > 0 else None


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
    after "diplomatic ties") is never chosen."""
    order = [i for i in np.argsort(-weight, kind="stable") if weight[i] > 0]
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

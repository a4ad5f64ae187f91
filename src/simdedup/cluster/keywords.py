"""Keywords of clusters: the terms that set a cluster apart from the rest of the corpus.

Class-based TF-IDF (c-TF-IDF, as in BERTopic): each cluster is one class, and the rest of the
corpus (a sample of the unclustered paragraphs) is one more. A term's weight in a class is the
share of the class's paragraphs that contain it, times ``log(1 + A / f)``, where ``f`` is the
term's paragraph count over all classes and ``A`` the mean number of paragraphs per class.
The share is squared, and paragraphs are counted rather than words: a label should show what
most members say, not a phrase of the two wire copies in a cluster. Only terms that at least
half of a cluster's paragraphs contain are candidates (:data:`MIN_SHARE`), so every keyword is
something most members say. Bigrams are real phrases (two adjacent words, neither a stop word,
no punctuation between them), not words left side by side by stop-word removal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# Words of two letters or more, and ordinals written in digits ("30th", "75th").
_TOKEN = re.compile(r"\b(?:[^\W\d_][\w'’-]*[^\W_]|\d+(?:st|nd|rd|th))\b")
_BREAK = re.compile(r"[.,;:!?()\[\]\"“”«»—–]|\s-\s")  # a phrase does not run across these
MIN_SHARE = 0.5  # a keyword is in at least half of its cluster's paragraphs
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
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    if not clusters:
        return []
    texts = [t for cluster in clusters for t in cluster] + list(background)
    owner = np.repeat(np.arange(len(clusters) + 1), [*(len(c) for c in clusters), len(background)])
    stop = ENGLISH_STOP_WORDS | REPORTING

    def analyze(text: str) -> list[str]:
        out: list[str] = []
        for span in _BREAK.split(text.lower()):
            words = _TOKEN.findall(span)
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
        return [[] for _ in clusters]
    from scipy.sparse import csr_matrix

    classes = csr_matrix(
        (np.ones(len(texts)), (owner, np.arange(len(texts)))), shape=(len(clusters) + 1, len(texts))
    )
    per_class = (classes @ counts).tocsr()  # sparse: clusters x vocabulary can be large
    sizes = np.bincount(owner, minlength=len(clusters) + 1).astype(np.float64)
    total = np.asarray(per_class.sum(axis=0)).reshape(-1)
    idf = np.log1p(sizes.mean() / np.maximum(total, 1.0))
    terms = vectorizer.get_feature_names_out()
    out = []
    for c in range(len(clusters)):
        row = per_class.getrow(c)
        share = row.data / max(sizes[c], 1.0)
        weight = np.where(share >= MIN_SHARE, share**2 * idf[row.indices], 0.0)
        out.append(_pick(terms[row.indices], weight, top))
    return out


def _pick(terms: np.ndarray, weight: np.ndarray, top: int) -> list[str]:
    """Best terms first, skipping a term that overlaps one already chosen ("diplomatic" after
    "diplomatic ties")."""
    chosen: list[str] = []
    for i in np.argsort(-weight, kind="stable"):
        if len(chosen) == top or weight[i] <= 0:
            break
        term = str(terms[i])
        words = set(term.split())
        if any(words & set(c.split()) for c in chosen):
            continue
        chosen.append(term)
    return chosen

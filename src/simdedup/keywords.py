"""Keywords of clusters: the terms that set a cluster apart from the rest of the corpus.

Class-based TF-IDF (c-TF-IDF, as in BERTopic): each cluster is one class, and the rest of the
corpus (a sample of the unclustered paragraphs) is one more. A term's weight in a class is the
share of the class's paragraphs that contain it, times ``log(1 + A / f)``, where ``f`` is the
term's paragraph count over all classes and ``A`` the mean number of paragraphs per class.
Counting paragraphs rather than words favours the terms most members share, which is what a
label of a recurring claim should show.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Words of two letters or more, and ordinals written in digits ("30th", "75th").
TOKEN_PATTERN = r"(?u)\b(?:[^\W\d_][\w'’-]*[^\W_]|\d+(?:st|nd|rd|th))\b"
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
    stop = sorted(ENGLISH_STOP_WORDS | REPORTING)
    vectorizer = CountVectorizer(
        binary=True, ngram_range=(1, 2), stop_words=stop, token_pattern=TOKEN_PATTERN
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return [[] for _ in clusters]
    from scipy.sparse import csr_matrix

    classes = csr_matrix(
        (np.ones(len(texts)), (owner, np.arange(len(texts)))), shape=(len(clusters) + 1, len(texts))
    )
    per_class = np.asarray((classes @ counts).todense(), dtype=np.float64)
    sizes = np.bincount(owner, minlength=len(clusters) + 1).astype(np.float64)
    total = per_class.sum(axis=0)
    idf = np.log1p(sizes.mean() / np.maximum(total, 1.0))
    weight = per_class[:-1] / np.maximum(sizes[:-1, None], 1.0) * idf
    terms = vectorizer.get_feature_names_out()
    return [_pick(terms, row, per_class[c], top) for c, row in enumerate(weight)]


def _pick(terms: np.ndarray, weight: np.ndarray, present: np.ndarray, top: int) -> list[str]:
    """Best terms first, skipping a term that overlaps one already chosen ("diplomatic" after
    "diplomatic ties")."""
    chosen: list[str] = []
    for i in np.argsort(-weight, kind="stable"):
        if len(chosen) == top or weight[i] <= 0 or present[i] == 0:
            break
        term = str(terms[i])
        words = set(term.split())
        if any(words & set(c.split()) for c in chosen):
            continue
        chosen.append(term)
    return chosen

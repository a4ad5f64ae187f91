"""Shared phrases: the parts of each text that it has in common with another text of a list.

The HTML report marks, in each paragraph of a talking point, the wording it shares with the other
paragraphs. Words are runs of letters and digits (case-folded; punctuation is ignored, so
"Ties, said" matches "ties said"); a phrase is a run of at least ``min_words`` words. Phrases made
only of stopwords ("of the", "in a") do not count.

The cost is linear in the total number of words: every ``min_words``-gram is hashed once, and a
text is never compared with another text directly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from simdedup.checks import check_int

__all__ = ["STOPWORDS", "shared_spans"]

_WORD = re.compile(r"\w+(?:['’]\w+)*")

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""Common English words: a phrase made only of these is not a shared phrase."""

_SHARED = -1  # marks an n-gram seen in two or more texts


def shared_spans(texts: Sequence[str], *, min_words: int = 2) -> list[list[tuple[int, int]]]:
    """For each text, the ``(start, end)`` character spans of phrases another text also has.

    A phrase is a run of ``min_words`` or more words that occurs in at least one *other* text of
    ``texts`` (case-insensitive, punctuation ignored) and is not made only of stopwords.
    Overlapping and adjacent phrases are merged into one span; spans are sorted and run from the
    first character of the first word to the last character of the last word. A text that shares
    nothing gets ``[]``; a text repeated in the list shares all its phrases with its copy.

    Raises
    ------
    InputError
        When ``min_words`` is not an integer >= 1.
    """
    check_int(min_words, "min_words")
    k = min_words
    texts = [t.replace("’", "'") for t in texts]  # one character for another: offsets hold
    words = [[w.lower() for w in _WORD.findall(t)] for t in texts]
    grams = [_ngrams(ws, k) for ws in words]
    content = [[w not in STOPWORDS for w in ws] for ws in words]
    has_content = [[any(c) for c in _ngrams(cs, k)] for cs in content]

    seen: dict[tuple[str, ...], int] = {}
    for t, gs in enumerate(grams):
        for g in set(gs):
            if seen.setdefault(g, t) != t:
                seen[g] = _SHARED

    # A shared run of stopwords ("of the") counts only inside a longer shared phrase that has a
    # content word. The shortest such phrases run from the stopwords to the nearest content word
    # on either side; every text holding one of them proposes it too, so counting them the same
    # way as the k-grams is exact.
    longer: dict[tuple[str, ...], int] = {}
    candidates: list[list[tuple[int, int]]] = []
    for t, ws in enumerate(words):
        found: list[tuple[int, int]] = []
        stops = [i for i, has in enumerate(has_content[t]) if not has]
        if stops:
            left, right = _nearest_content(content[t])
        for i in stops:
            if seen[grams[t][i]] != _SHARED:
                continue
            if left[i] >= 0:
                found.append((left[i], i + k))
            if right[i + k - 1] >= 0:
                found.append((i, right[i + k - 1] + 1))
        for lo, hi in set(found):
            _note(longer, tuple(ws[lo:hi]), t)
        candidates.append(found)

    spans: list[list[tuple[int, int]]] = []
    for t, ws in enumerate(words):
        covered = bytearray(len(ws))
        for i, (g, has) in enumerate(zip(grams[t], has_content[t])):
            if has and seen[g] == _SHARED:
                covered[i : i + k] = b"\x01" * k
        for lo, hi in candidates[t]:
            if longer[tuple(ws[lo:hi])] == _SHARED:
                covered[lo:hi] = b"\x01" * (hi - lo)
        spans.append(_runs(covered, texts[t]) if any(covered) else [])
    return spans


def _ngrams(items: list[Any], n: int) -> list[tuple[Any, ...]]:
    """The runs of ``n`` consecutive items, as tuples."""
    return list(zip(*(items[j:] for j in range(n))))


def _note(seen: dict[tuple[str, ...], int], gram: tuple[str, ...], text: int) -> None:
    """Record that ``text`` holds ``gram``: the text's index while only one text has it."""
    first = seen.setdefault(gram, text)
    if first != text:
        seen[gram] = _SHARED


def _nearest_content(content: list[bool]) -> tuple[list[int], list[int]]:
    """For each word, the index of the nearest content word strictly before and strictly after
    it (-1 when there is none)."""
    n = len(content)
    left, right = [-1] * n, [-1] * n
    last = -1
    for i in range(n):
        left[i] = last
        if content[i]:
            last = i
    last = -1
    for i in range(n - 1, -1, -1):
        right[i] = last
        if content[i]:
            last = i
    return left, right


def _runs(covered: bytearray, text: str) -> list[tuple[int, int]]:
    """Character spans of the runs of consecutive covered words of ``text``."""
    bounds = [m.span() for m in _WORD.finditer(text)]
    out: list[tuple[int, int]] = []
    i, n = 0, len(covered)
    while i < n:
        if not covered[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and covered[j + 1]:
            j += 1
        out.append((bounds[i][0], bounds[j][1]))
        i = j + 1
    return out

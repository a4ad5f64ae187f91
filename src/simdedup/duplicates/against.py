"""New texts deduplicated against a store (SemHash's cross-dataset dedup): each new text is a
duplicate of its best stored paragraph above the threshold, else of an earlier kept new text,
else kept. The store is read, never written."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simdedup.checks import check_threshold
from simdedup.duplicates.groups import default_threshold, numbers_conflict
from simdedup.duplicates.result import DedupResult, Duplicate
from simdedup.embed.encoder import encode_checked
from simdedup.errors import InputError
from simdedup.index.selfjoin import SelfJoin

if TYPE_CHECKING:
    from simdedup.store.store import Store


def deduplicate_against(
    store: Store, texts: list[str], threshold: float | None = None, check_numbers: bool = True
) -> DedupResult:
    """See :meth:`simdedup.Store.deduplicate`."""
    if not texts:
        raise InputError("texts is empty: nothing to deduplicate")
    cut = check_threshold(threshold)
    if cut is None:
        cut = default_threshold(store.backend, store.model)
    vectors = encode_checked(store.encoder, texts)
    result = DedupResult(threshold=cut, model=store.model, paragraphs=len(texts))
    stored = _best_stored(store, texts, vectors, cut, check_numbers)
    joined = SelfJoin(cut).fit(vectors)
    earlier: dict[int, list[tuple[int, float]]] = {}
    for a, b, score in zip(joined.src_, joined.dst_, joined.scores_):
        earlier.setdefault(int(b), []).append((int(a), float(score)))
    kept: list[int] = []
    is_kept = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        if i in stored:
            pid, stored_text, score = stored[i]
            result.filtered.append(Duplicate(i, str(i), text, -1, pid, stored_text, score))
            continue
        matches = [
            (score, j)
            for j, score in earlier.get(i, [])
            if is_kept[j] and not (check_numbers and numbers_conflict(text, texts[j]))
        ]
        if matches:
            score, j = max(matches)
            result.filtered.append(
                Duplicate(i, str(i), text, j, str(j), texts[j], round(min(score, 1.0), 6))
            )
            continue
        is_kept[i] = True
        kept.append(i)
    result.selected_indices = kept
    result._texts = lambda idx: [texts[i] for i in idx]
    return result


def _best_stored(
    store: Store, texts: list[str], vectors: np.ndarray, cut: float, check_numbers: bool
) -> dict[int, tuple[str, str, float]]:
    """For each new text with a stored paragraph at cosine >= ``cut`` (figures agreeing):
    the best one's pid, text and score."""
    if store.index.ntotal == 0:
        return {}
    lims, scores, rows = store.index.range_search(vectors, cut)
    found = {int(r) for r in rows}
    by_row: dict[int, tuple[str, str]] = {}
    for p in store.catalog.paragraphs_for_rows(sorted(found)):
        by_row.setdefault(p.row, (p.pid, p.text))  # the first paragraph holding that text
    best: dict[int, tuple[str, str, float]] = {}
    for i in range(len(texts)):
        hits = sorted(
            zip(scores[lims[i] : lims[i + 1]], rows[lims[i] : lims[i + 1]]), key=lambda h: -h[0]
        )
        for score, row in hits:
            pid, text = by_row[int(row)]
            if check_numbers and numbers_conflict(texts[i], text):
                continue
            best[i] = (pid, text, round(min(float(score), 1.0), 6))
            break
    return best

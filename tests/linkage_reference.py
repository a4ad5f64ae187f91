"""The pure-Python average linkage simdedup used before issue 18 (heapq and dicts), kept as
the reference the compiled :mod:`simdedup.cluster.upgma` must match merge for merge."""

from __future__ import annotations

import numpy as np

HEAP_SLACK = 1_000_000


def reference_average_linkage(
    vectors: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    conflict: np.ndarray,
    threshold: float,
    penalty: float,
) -> np.ndarray:
    """Average linkage (UPGMA) restricted to the candidate graph, exact and sparse.

    For unit vectors the mean cosine over all pairs across clusters ``A`` and ``B`` is
    ``sum(A) . sum(B) / (|A| |B|)``, so each cluster keeps only its sum vector. Clusters joined
    by a candidate edge merge, best first, while their mean pairwise score stays at or above
    ``threshold``; the score is the mean cosine minus ``penalty`` times the share of cross
    pairs in conflict (known on candidate edges). Returns one label per vector."""
    import heapq

    n = len(vectors)
    sums = vectors.astype(np.float32, copy=True)
    size = np.ones(n, dtype=np.int64)
    parent = np.arange(n)
    links: list[dict[int, float]] = [{} for _ in range(n)]
    for a, b, c in zip(src.tolist(), dst.tolist(), conflict.tolist()):
        links[a][b] = links[a].get(b, 0.0) + c
        links[b][a] = links[b].get(a, 0.0) + c
    version = np.zeros(n, dtype=np.int64)
    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, others: list[int]) -> None:
        if not others:
            return
        idx = np.asarray(others)
        conflicts = np.array([links[a][o] for o in others])
        pairs = size[a] * size[idx]
        scores = (sums[idx] @ sums[a] - penalty * conflicts) / pairs
        for o, score in zip(others, scores.tolist()):
            if score >= threshold:
                heapq.heappush(heap, (-score, a, o, int(version[a]), int(version[o])))

    def current(entry: tuple[float, int, int, int, int]) -> bool:
        _, a, b, va, vb = entry
        return bool(version[a] == va and version[b] == vb and parent[a] == a and parent[b] == b)

    for a in range(n):
        push(a, [b for b in links[a] if b > a])
    compact_at = 2 * len(heap) + HEAP_SLACK
    while heap:
        if len(heap) > compact_at:  # drop stale entries: on dense graphs they outgrow memory
            heap = [entry for entry in heap if current(entry)]
            heapq.heapify(heap)
            compact_at = 2 * len(heap) + HEAP_SLACK
        entry = heapq.heappop(heap)
        if not current(entry):
            continue
        _, a, b, _, _ = entry
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        sums[a] += sums[b]
        size[a] += size[b]
        version[a] += 1
        del links[a][b]
        for other, c in links[b].items():
            if other == a:
                continue
            links[a][other] = links[a].get(other, 0.0) + c
            theirs = links[other]
            theirs[a] = theirs.get(a, 0.0) + theirs.pop(b)
        links[b] = {}
        push(a, list(links[a]))
    roots = parent.copy()
    for i in range(n):
        r = i
        while parent[r] != r:
            r = parent[r]
        roots[i] = r
    return np.unique(roots, return_inverse=True)[1].reshape(-1).astype(np.int64)

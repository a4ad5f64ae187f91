"""Average linkage (UPGMA) on a sparse candidate graph, compiled with numba.

The merge order is the one of a best-first heap keyed ``(-score, a, b, version_a, version_b)``
(the order ``heapq`` gives those tuples), so the clusters do not depend on how the heap is
laid out. Scores are accumulated in float64 from the float32 cluster sums.

Each cluster keeps its sum vector, its size and a neighbour list in one shared arena of
``(neighbour, conflicting pairs)`` entries. A merge writes one new list for the merged cluster,
the union of both lists resolved to current clusters; other clusters' lists still name the
absorbed cluster and are resolved through ``parent`` when they are next read (a list that
names ``b`` and ``a`` separately sums both into ``a``). Live lists never hold more than twice
the candidate edges, so the arena is compacted in place when it fills. Nothing is
quadratic in the corpus: memory is the arena, the heap and one sum vector per cluster that has
absorbed another (a cluster of one is its own vector, read in place: no copy of the input).
"""

from __future__ import annotations

import numpy as np
from numba import njit

HEAP_SLACK = 1_000_000  # stale heap entries tolerated before the heap is compacted


@njit(cache=True, nogil=True)
def _less(
    key: np.ndarray,
    ha: np.ndarray,
    hb: np.ndarray,
    hva: np.ndarray,
    hvb: np.ndarray,
    i: int,
    j: int,
) -> bool:
    if key[i] != key[j]:
        return bool(key[i] < key[j])
    if ha[i] != ha[j]:
        return bool(ha[i] < ha[j])
    if hb[i] != hb[j]:
        return bool(hb[i] < hb[j])
    if hva[i] != hva[j]:
        return bool(hva[i] < hva[j])
    return bool(hvb[i] < hvb[j])


@njit(cache=True, nogil=True)
def _swap(
    key: np.ndarray,
    ha: np.ndarray,
    hb: np.ndarray,
    hva: np.ndarray,
    hvb: np.ndarray,
    i: int,
    j: int,
) -> None:
    key[i], key[j] = key[j], key[i]
    ha[i], ha[j] = ha[j], ha[i]
    hb[i], hb[j] = hb[j], hb[i]
    hva[i], hva[j] = hva[j], hva[i]
    hvb[i], hvb[j] = hvb[j], hvb[i]


@njit(cache=True, nogil=True)
def _sift_up(
    key: np.ndarray, ha: np.ndarray, hb: np.ndarray, hva: np.ndarray, hvb: np.ndarray, i: int
) -> None:
    while i > 0:
        up = (i - 1) >> 1
        if not _less(key, ha, hb, hva, hvb, i, up):
            break
        _swap(key, ha, hb, hva, hvb, i, up)
        i = up


@njit(cache=True, nogil=True)
def _sift_down(
    key: np.ndarray,
    ha: np.ndarray,
    hb: np.ndarray,
    hva: np.ndarray,
    hvb: np.ndarray,
    i: int,
    count: int,
) -> None:
    while True:
        best = i
        left = 2 * i + 1
        if left < count and _less(key, ha, hb, hva, hvb, left, best):
            best = left
        if left + 1 < count and _less(key, ha, hb, hva, hvb, left + 1, best):
            best = left + 1
        if best == i:
            return
        _swap(key, ha, hb, hva, hvb, i, best)
        i = best


@njit(cache=True, nogil=True)
def _find(parent: np.ndarray, i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        parent[i], i = root, parent[i]
    return root


@njit(cache=True, nogil=True)
def _dot(x: np.ndarray, y: np.ndarray) -> float:
    total = 0.0
    for k in range(len(x)):
        total += np.float64(x[k]) * np.float64(y[k])
    return total


@njit(cache=True, nogil=True)
def _row(vectors: np.ndarray, pool: np.ndarray, slot: np.ndarray, a: int) -> np.ndarray:
    """Cluster ``a``'s sum vector: its own vector until it first absorbs another."""
    row: np.ndarray = vectors[a] if slot[a] < 0 else pool[slot[a]]
    return row


@njit(cache=True, nogil=True)
def _upgma(
    vectors: np.ndarray,
    indptr: np.ndarray,
    nbr_init: np.ndarray,
    conf_init: np.ndarray,
    threshold: float,
    penalty: float,
    heap_slack: int,
    arena_slack: int = 1024,
) -> np.ndarray:
    n, d = vectors.shape
    # sums of clusters that absorbed another, in pool rows (freed when absorbed in turn)
    slot = np.full(n, -1, dtype=np.int64)
    pool = np.empty((max(16, n // 64), d), dtype=np.float32)
    free = np.empty(n, dtype=np.int64)
    n_free = 0
    used = 0
    n_entries = len(nbr_init)
    capacity = 2 * n_entries + arena_slack
    nbr = np.empty(capacity, dtype=np.int64)
    conf = np.empty(capacity, dtype=np.float64)
    nbr[:n_entries] = nbr_init
    conf[:n_entries] = conf_init
    start = indptr[:-1].copy()
    length = indptr[1:] - indptr[:-1]
    end = n_entries
    parent = np.arange(n)
    size = np.ones(n, dtype=np.int64)
    version = np.zeros(n, dtype=np.int64)
    acc = np.zeros(n, dtype=np.float64)
    mark = np.full(n, -1, dtype=np.int64)
    scratch = np.empty(n, dtype=np.int64)

    heap_cap = max(n_entries, 1024)
    key = np.empty(heap_cap, dtype=np.float64)
    ha = np.empty(heap_cap, dtype=np.int64)
    hb = np.empty(heap_cap, dtype=np.int64)
    hva = np.empty(heap_cap, dtype=np.int64)
    hvb = np.empty(heap_cap, dtype=np.int64)
    count = 0
    for a in range(n):  # the first pushes: each edge once, from its smaller end
        for e in range(start[a], start[a] + length[a]):
            b = nbr[e]
            if b <= a:
                continue
            score = (_dot(vectors[a], vectors[b]) - penalty * conf[e]) / 1.0
            if score >= threshold:
                key[count] = -score
                ha[count] = a
                hb[count] = b
                hva[count] = 0
                hvb[count] = 0
                count += 1
    for i in range(count // 2 - 1, -1, -1):
        _sift_down(key, ha, hb, hva, hvb, i, count)
    compact_at = 2 * count + heap_slack

    merge = 0
    while count > 0:
        if count > compact_at:  # drop stale entries, then rebuild the heap
            kept = 0
            for i in range(count):
                x, y = ha[i], hb[i]
                if (
                    parent[x] == x
                    and parent[y] == y
                    and version[x] == hva[i]
                    and version[y] == hvb[i]
                ):
                    key[kept], ha[kept], hb[kept] = key[i], x, y
                    hva[kept], hvb[kept] = hva[i], hvb[i]
                    kept += 1
            count = kept
            for i in range(count // 2 - 1, -1, -1):
                _sift_down(key, ha, hb, hva, hvb, i, count)
            compact_at = 2 * count + heap_slack
        a, b = ha[0], hb[0]
        va, vb = hva[0], hvb[0]
        count -= 1
        if count > 0:
            key[0], ha[0], hb[0], hva[0], hvb[0] = (
                key[count],
                ha[count],
                hb[count],
                hva[count],
                hvb[count],
            )
            _sift_down(key, ha, hb, hva, hvb, 0, count)
        if not (parent[a] == a and parent[b] == b and version[a] == va and version[b] == vb):
            continue
        if size[a] < size[b]:
            a, b = b, a
        parent[b] = a
        if slot[a] < 0:  # a's first merge: its sum gets a pool row
            if n_free > 0:
                n_free -= 1
                slot[a] = free[n_free]
            else:
                if used == len(pool):
                    bigger = np.empty((2 * len(pool), d), dtype=np.float32)
                    bigger[:used] = pool[:used]
                    pool = bigger
                slot[a] = used
                used += 1
            pool[slot[a]] = vectors[a]
        into, added = pool[slot[a]], _row(vectors, pool, slot, b)
        for k in range(d):
            into[k] += added[k]
        if slot[b] >= 0:
            free[n_free] = slot[b]
            n_free += 1
            slot[b] = -1
        size[a] += size[b]
        version[a] += 1
        # the merged cluster's list: both lists, resolved to current clusters and summed
        found = 0
        for owner in (a, b):
            for e in range(start[owner], start[owner] + length[owner]):
                r = _find(parent, nbr[e])
                if r == a:
                    continue
                if mark[r] != merge:
                    mark[r] = merge
                    acc[r] = 0.0
                    scratch[found] = r
                    found += 1
                acc[r] += conf[e]
        merge += 1
        length[b] = 0
        length[a] = 0
        if end + found > capacity:  # compact the live lists to the front, in start order
            live = np.flatnonzero(length > 0)
            order = live[np.argsort(start[live])]
            end = 0
            for owner in order:
                s = start[owner]
                for e in range(length[owner]):
                    nbr[end + e] = nbr[s + e]
                    conf[end + e] = conf[s + e]
                start[owner] = end
                end += length[owner]
            if end + found > capacity:  # live lists never outgrow the graph: a safety net
                capacity = 2 * (end + found)
                grown_n = np.empty(capacity, dtype=np.int64)
                grown_c = np.empty(capacity, dtype=np.float64)
                grown_n[:end] = nbr[:end]
                grown_c[:end] = conf[:end]
                nbr, conf = grown_n, grown_c
        start[a] = end
        length[a] = found
        for i in range(found):
            r = scratch[i]
            nbr[end + i] = r
            conf[end + i] = acc[r]
        end += found
        # push the merged cluster against each neighbour
        mine = pool[slot[a]]
        for i in range(found):
            o = scratch[i]
            theirs = _row(vectors, pool, slot, o)
            score = (_dot(mine, theirs) - penalty * acc[o]) / np.float64(size[a] * size[o])
            if score < threshold:
                continue
            if count == len(key):
                grown = 2 * len(key)
                key2 = np.empty(grown, dtype=np.float64)
                key2[:count] = key
                key = key2
                ha2 = np.empty(grown, dtype=np.int64)
                ha2[:count] = ha
                ha = ha2
                hb2 = np.empty(grown, dtype=np.int64)
                hb2[:count] = hb
                hb = hb2
                va2 = np.empty(grown, dtype=np.int64)
                va2[:count] = hva
                hva = va2
                vb2 = np.empty(grown, dtype=np.int64)
                vb2[:count] = hvb
                hvb = vb2
            key[count] = -score
            ha[count] = a
            hb[count] = o
            hva[count] = version[a]
            hvb[count] = version[o]
            count += 1
            _sift_up(key, ha, hb, hva, hvb, count - 1)
    roots = np.empty(n, dtype=np.int64)
    for i in range(n):
        roots[i] = _find(parent, i)
    return roots


def upgma(
    vectors: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    conflict: np.ndarray,
    threshold: float,
    penalty: float,
) -> np.ndarray:
    """The root (a member's position) of each vector's cluster; see
    :func:`simdedup.cluster.linkage.average_linkage` for the rule."""
    n = len(vectors)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)  # read only: no copy
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    # both directions of every edge, conflicts of repeated pairs summed, in CSR order
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    conf: np.ndarray = np.concatenate([conflict, conflict]).astype(np.float64)
    pair = rows * n + cols
    order = np.argsort(pair, kind="stable")
    pair, rows, cols, conf = pair[order], rows[order], cols[order], conf[order]
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    group = np.cumsum(first) - 1
    conf = np.bincount(group, weights=conf, minlength=int(first.sum())) if len(pair) else conf
    rows, cols = rows[first], cols[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return _upgma(
        vectors,
        indptr,
        cols.astype(np.int64),
        conf.astype(np.float64),
        float(threshold),
        float(penalty),
        HEAP_SLACK,
    )

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
MASK = (1 << 32) - 1  # the low half of a packed pair
MAX_N = 1 << 31  # vectors a packed pair can name


@njit(cache=True, nogil=True)
def _before(k1: float, ab1: int, v1: int, k2: float, ab2: int, v2: int) -> bool:
    """Heap order: ``(key, a, b, version_a, version_b)``, with ``a`` and ``b`` packed in
    ``ab`` (``a << 32 | b``) and the versions in ``v`` the same way."""
    if k1 != k2:
        return bool(k1 < k2)
    if ab1 != ab2:
        return bool(ab1 < ab2)
    return bool(v1 < v2)


@njit(cache=True, nogil=True)
def _sift_up(key: np.ndarray, ab: np.ndarray, v: np.ndarray, i: int) -> None:
    """Move entry ``i`` of the 4-ary heap up to its place (a hole moves, not swaps)."""
    k0, ab0, v0 = key[i], ab[i], v[i]
    while i > 0:
        up = (i - 1) >> 2
        if not _before(k0, ab0, v0, key[up], ab[up], v[up]):
            break
        key[i], ab[i], v[i] = key[up], ab[up], v[up]
        i = up
    key[i], ab[i], v[i] = k0, ab0, v0


@njit(cache=True, nogil=True)
def _sift_down(key: np.ndarray, ab: np.ndarray, v: np.ndarray, i: int, count: int) -> None:
    """Move entry ``i`` of the 4-ary heap down to its place."""
    k0, ab0, v0 = key[i], ab[i], v[i]
    while True:
        first = 4 * i + 1
        if first >= count:
            break
        best = first
        for c in range(first + 1, min(first + 4, count)):
            if _before(key[c], ab[c], v[c], key[best], ab[best], v[best]):
                best = c
        if not _before(key[best], ab[best], v[best], k0, ab0, v0):
            break
        key[i], ab[i], v[i] = key[best], ab[best], v[best]
        i = best
    key[i], ab[i], v[i] = k0, ab0, v0


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
    """``x . y`` in float64, in eight running sums: a fixed order of additions (the same on
    every machine) that the compiler can still run as one vector instruction per step."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    n = len(x)
    full = n - n % 8
    for k in range(0, full, 8):
        s0 += np.float64(x[k]) * np.float64(y[k])
        s1 += np.float64(x[k + 1]) * np.float64(y[k + 1])
        s2 += np.float64(x[k + 2]) * np.float64(y[k + 2])
        s3 += np.float64(x[k + 3]) * np.float64(y[k + 3])
        s4 += np.float64(x[k + 4]) * np.float64(y[k + 4])
        s5 += np.float64(x[k + 5]) * np.float64(y[k + 5])
        s6 += np.float64(x[k + 6]) * np.float64(y[k + 6])
        s7 += np.float64(x[k + 7]) * np.float64(y[k + 7])
    for k in range(full, n):
        s0 += np.float64(x[k]) * np.float64(y[k])
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


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
    key = np.empty(heap_cap, dtype=np.float64)  # -score
    hab = np.empty(heap_cap, dtype=np.int64)  # a << 32 | b
    hv = np.empty(heap_cap, dtype=np.int64)  # version[a] << 32 | version[b]
    count = 0
    for a in range(n):  # the first pushes: each edge once, from its smaller end
        for e in range(start[a], start[a] + length[a]):
            b = nbr[e]
            if b <= a:
                continue
            score = (_dot(vectors[a], vectors[b]) - penalty * conf[e]) / 1.0
            if score >= threshold:
                key[count] = -score
                hab[count] = (a << 32) | b
                hv[count] = 0
                count += 1
    for i in range((count - 2) // 4, -1, -1):
        _sift_down(key, hab, hv, i, count)
    compact_at = 2 * count + heap_slack

    merge = 0
    while count > 0:
        if count > compact_at:  # drop stale entries, then rebuild the heap
            kept = 0
            for i in range(count):
                x, y = hab[i] >> 32, hab[i] & MASK
                if parent[x] == x and parent[y] == y and hv[i] == (version[x] << 32) | version[y]:
                    key[kept], hab[kept], hv[kept] = key[i], hab[i], hv[i]
                    kept += 1
            count = kept
            for i in range((count - 2) // 4, -1, -1):
                _sift_down(key, hab, hv, i, count)
            compact_at = 2 * count + heap_slack
        a, b = hab[0] >> 32, hab[0] & MASK
        versions = hv[0]
        count -= 1
        if count > 0:
            key[0], hab[0], hv[0] = key[count], hab[count], hv[count]
            _sift_down(key, hab, hv, 0, count)
        if not (parent[a] == a and parent[b] == b and versions == (version[a] << 32) | version[b]):
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
                hab2 = np.empty(grown, dtype=np.int64)
                hab2[:count] = hab
                hab = hab2
                hv2 = np.empty(grown, dtype=np.int64)
                hv2[:count] = hv
                hv = hv2
            key[count] = -score
            hab[count] = (a << 32) | o
            hv[count] = (version[a] << 32) | version[o]
            count += 1
            _sift_up(key, hab, hv, count - 1)
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
    if n >= MAX_N:
        raise ValueError(f"average linkage takes fewer than {MAX_N:,} vectors; got {n:,}")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)  # read only: no copy
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    # both directions of every edge, conflicts of repeated pairs summed, in CSR order; only
    # the pair key is sorted (rows and columns are read back from it), so few copies are held
    pair = np.concatenate([src * n + dst, dst * n + src])
    order = np.argsort(pair, kind="stable")
    pair = pair[order]
    conf: np.ndarray = np.concatenate([conflict, conflict]).astype(np.float64)[order]
    del order
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    if len(pair):
        conf = np.bincount(np.cumsum(first) - 1, weights=conf, minlength=int(first.sum()))
    pair = pair[first]
    rows, cols = pair // n, pair % n
    del pair
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

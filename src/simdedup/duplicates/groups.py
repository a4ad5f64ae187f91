"""Near-duplicate paragraphs: exact pass, similarity pairs above a threshold, connected groups.

1. Exact passes: paragraphs whose normalised text hashes alike share one index row (the store
   embeds each distinct text once), so identical reprints group at score 1.0 for free; and a
   paragraph whose sentences appear word for word in another (a copy with a sentence trimmed
   or added) is that paragraph's duplicate (``containment``).
2. Near pass: a self-join of the distinct texts' vectors
   (:class:`~simdedup.index.selfjoin.SelfJoin`: exact up to 20,000 texts, k-means cells
   above) finds the pairs with cosine >= ``threshold``; pairs that state conflicting figures
   are dropped.
3. Groups are stars, not chains: taking paragraphs in ``keep`` order (earliest first, by
   default), each paragraph not yet in a group keeps itself and takes every ungrouped paragraph
   within the threshold of it. Every member is therefore a near-duplicate of the kept paragraph
   (single-linkage components would chain "similar to something similar" far past the
   threshold). Members are scored by their cosine similarity to the kept paragraph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from simdedup.checks import check_threshold
from simdedup.duplicates.provenance import Source, origin
from simdedup.duplicates.result import DedupResult, Duplicate, DuplicateGroup
from simdedup.embed import claim_model
from simdedup.embed.claim_model import BASE_MODEL, CLAIM_MODEL
from simdedup.errors import InputError, StoreError
from simdedup.index.selfjoin import SelfJoin
from simdedup.paragraph import Paragraph
from simdedup.segment import normalize_text, sentences
from simdedup.store.inputs import Corpus, load, make_encoder_for

if TYPE_CHECKING:
    from simdedup.embed.encoder import Encoder
    from simdedup.engines.base import Engine
    from simdedup.store.store import ParagraphTable, Store, StoredParagraph

# all-MiniLM-L6-v2 cosine: reprints and light edits (a dateline, a trimmed clause, a spelling
# change) score >= 0.9; rewordings of one claim 0.7-0.9; same topic, other claim 0.5-0.8.
DEFAULT_THRESHOLD = 0.9
STATIC_THRESHOLD = 0.97  # the static (--fast) model's cosines run high: at 0.97 on 100k UNGDC
# paragraphs 86 % of its pairs are pairs the full model puts at >= 0.9 (benchmarks/README.md)


def default_threshold(backend: str, model: str = BASE_MODEL) -> float:
    """Dedup's default threshold for vectors of ``model`` made by ``backend``: the claim
    model's is chosen on dev with it (:mod:`simdedup.embed.claim_model`)."""
    if backend == "static":
        return STATIC_THRESHOLD
    if model == CLAIM_MODEL:
        return claim_model.defaults().dedup_threshold
    return DEFAULT_THRESHOLD


KEEP = ("earliest", "longest", "first")
LONGER_SHARE = 0.5  # containment: shared sentences must also be half of the longer paragraph
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Deduplicator:
    """Group near-duplicate paragraphs of a :class:`~simdedup.store.store.Store`.

    Parameters
    ----------
    threshold:
        Minimum cosine similarity for two paragraphs to count as duplicates. ``None`` (the
        default) takes the threshold chosen for the store's model: for all-MiniLM-L6-v2 0.9,
        which catches reprints and light edits but not mere topic overlap
        (``DEFAULT_THRESHOLD``); for the claim model the one chosen for it on dev
        (:func:`simdedup.embed.claim_model.defaults`); 0.97 for a store of static (``--fast``)
        vectors.
    cross_outlet:
        Keep only groups whose paragraphs come from at least two outlets.
    keep:
        Which paragraph a group keeps: ``earliest`` (by date, undated last, then input order),
        ``longest``, or ``first`` (input order).
    containment:
        A paragraph whose sentences, for at least this share of its text, appear word for word
        (after normalisation) in another paragraph, and make up at least half of that one, is
        its duplicate whatever the cosine: a wire copy with a sentence trimmed or added scores
        only 0.75-0.85. ``None`` turns this exact pass off. Costs one streamed pass over the
        texts.
    check_numbers:
        Refuse pairs whose figures conflict (each states a number the other lacks): embeddings
        barely tell "2 million tonnes" from "3.5 million tonnes". Costs one regex per paragraph
        that has a candidate pair.
    join:
        How the pairs are found (:class:`~simdedup.index.selfjoin.SelfJoin`): ``auto`` (exact up to
        20,000 distinct texts, else ``ivf``), ``exact`` (all pairs compared; time grows with the
        square of the corpus) or ``ivf`` (each text compared with its nearest k-means cells;
        finds >= 99 % of the pairs at 100,000 texts, many times faster).
    engine:
        ``None`` finds the pairs on this machine (``join``); a
        :class:`~simdedup.engines.ray.RayEngine` finds them on a Ray cluster, partition by
        partition (``join`` is then unused). Grouping is the same either way, so both give the
        same groups from the same pairs.

    Attributes
    ----------
    result_ : DedupResult
        Set by :meth:`fit`.
    labels_ : numpy.ndarray
        For each paragraph (input order), the index of its group in ``result_.groups``; ``-1``
        for paragraphs without a duplicate (or in a group dropped by ``cross_outlet``).
    """

    def __init__(
        self,
        threshold: float | None = None,
        *,
        cross_outlet: bool = False,
        keep: str = "earliest",
        check_numbers: bool = True,
        containment: float | None = 0.8,
        join: str = "auto",
        encoder: Encoder | str | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.threshold = threshold
        self.encoder = encoder
        self.engine = engine
        self.join = join
        self.containment = containment
        self.cross_outlet = cross_outlet
        self.keep = keep
        self.check_numbers = check_numbers

    def fit(self, data: Corpus, *, embeddings: np.ndarray | None = None) -> Deduplicator:
        """Find the duplicate groups of ``data``: a list (or pandas / polars Series) of strings,
        each one paragraph; a list of Records; an ``(n, dim)`` array of embeddings; or a
        :class:`~simdedup.store.store.Store`. ``embeddings`` may give the vectors of a list of
        strings. Texts are embedded in memory with ``encoder`` (default: the claim model);
        nothing is written to ``data``. Sets ``result_`` and ``labels_``."""
        with (
            load(data, encoder=make_encoder_for(self.encoder), embeddings=embeddings) as got,
            got.store.snapshot(),
        ):
            self._fit(got.store, texts_known=not got.embeddings_only)
            store, texts = got.store, got.texts
            if got.embeddings_only:
                self.result_._texts = None
            elif texts is not None:
                self.result_._texts = lambda idx: [texts[i] for i in idx]
            elif got.owned:  # records in a store made here: read the kept texts before it goes
                kept = self.result_.selected_indices
                found = dict(zip(kept, _texts_at(store, kept)))
                self.result_._texts = lambda idx: [found[i] for i in idx]
            else:
                ids = store.table().ids  # the paragraphs as fitted, should the store change
                self.result_._texts = lambda idx: _texts_at(store, idx, ids)
        return self

    def _fit(self, store: Store, texts_known: bool = True) -> None:
        threshold = check_threshold(self.threshold)
        if threshold is None:
            threshold = default_threshold(
                getattr(store, "backend", "torch"), getattr(store, "model", BASE_MODEL)
            )
        if self.keep not in KEEP:
            raise InputError(f"keep must be one of {', '.join(KEEP)}; got {self.keep!r}")
        table = store.table()
        if not len(table):
            raise InputError("the corpus has no paragraphs to deduplicate")
        priority = self._priority(table)
        live_rows, position = np.unique(table.rows, return_inverse=True)
        row_priority = np.full(len(live_rows), len(table), dtype=np.int64)
        np.minimum.at(row_priority, position, priority)
        vectors: np.ndarray | None = None
        if self.engine is None:
            vectors = store.vectors(live_rows)
            joined = SelfJoin(threshold, method=self.join).fit(vectors)
            src, dst = joined.src_, joined.dst_
        else:  # the vectors stream to the cluster; only the group members' come back
            chunks = _vector_chunks(store, live_rows)
            src, dst, _ = self.engine.pairs(chunks, len(live_rows), threshold)
        if self.containment is not None and texts_known:
            more_src, more_dst = _contained(store, live_rows, self.containment)
            src, dst = np.concatenate([src, more_src]), np.concatenate([dst, more_dst])
        if self.check_numbers and texts_known:
            src, dst = _agreeing_numbers(store, live_rows, src, dst)
        indptr, neighbours = _adjacency(src, dst, len(live_rows))
        labels = _claim(row_priority, indptr, neighbours)[position]
        self.labels_ = np.full(len(table), -1, dtype=np.int64)
        groups = self._groups(table, labels, priority)
        details = store.paragraphs(int(table.ids[i]) for members in groups for i in members)
        ties = [False] * len(groups)
        if self.keep == "earliest" and texts_known:  # same day: the evidence picks the original
            credits = store.catalog.credits(p.doc_seq for p in details.values())
            for g, members in enumerate(groups):
                groups[g], ties[g] = _original_first(members, table, details, credits)
        involved = np.unique(position[np.concatenate(groups)]) if groups else position[:0]
        member_vectors = (
            vectors[involved] if vectors is not None else store.vectors(live_rows[involved])
        )
        result = DedupResult(threshold=threshold, model=store.model, paragraphs=len(table))
        removed = np.zeros(len(table), dtype=bool)
        for number, members in enumerate(groups, start=1):
            self.labels_[members] = number - 1
            at = member_vectors[np.searchsorted(involved, position[members])]
            scores = at @ at[0]
            group = DuplicateGroup(
                group=number,
                tie=ties[number - 1],
                kept=details[int(table.ids[members[0]])].pid,
                members=[
                    _member(details[int(table.ids[i])], float(s)) for i, s in zip(members, scores)
                ],
            )
            result.groups.append(group)
            kept = group.members[0]
            removed[members[1:]] = True
            result.filtered.extend(
                Duplicate(
                    index=int(i),
                    pid=m.pid,
                    text=m.text if texts_known else None,
                    duplicate_of_index=int(members[0]),
                    duplicate_of_pid=kept.pid,
                    duplicate_of_text=kept.text if texts_known else None,
                    score=m.score,
                )
                for i, m in zip(members[1:], group.members[1:])
            )
        result.filtered.sort(key=lambda d: d.index)
        result.selected_indices = np.flatnonzero(~removed).tolist()
        self.result_ = result

    def _priority(self, table: ParagraphTable) -> np.ndarray:
        """Rank of each paragraph under ``keep``: 0 is the first to keep."""
        n = len(table)
        if self.keep == "first":
            return np.arange(n, dtype=np.int64)
        if self.keep == "longest":
            order = np.lexsort((np.arange(n), -table.lengths))
        else:
            dates = table.dates
            date_rank = np.unique(dates, return_inverse=True)[1].reshape(-1)
            order = np.lexsort((np.arange(n), date_rank, dates == ""))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        return rank

    def _groups(
        self, table: ParagraphTable, labels: np.ndarray, priority: np.ndarray
    ) -> list[np.ndarray]:
        """Member indexes (into ``table``) of each group, kept paragraph first, biggest first."""
        groups = []
        for members in members_by_label(labels):
            if len(members) < 2:
                continue
            if self.cross_outlet:
                codes = table.outlet_codes[members]
                if len(np.unique(codes[codes >= 0])) < 2:
                    continue
            groups.append(members[np.argsort(priority[members], kind="stable")])
        groups.sort(key=lambda m: (-len(m), int(m.min())))
        return groups


def _vector_chunks(
    store: Store, rows: np.ndarray, size: int = 100_000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(positions, vectors)`` of ``rows`` in chunks of ``size``, read from the store's cache."""
    for start in range(0, len(rows), size):
        part = rows[start : start + size]
        yield np.arange(start, start + len(part), dtype=np.int64), store.vectors(part)


def _contained(store: Store, live_rows: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """``(src, dst)`` positions of pairs of paragraphs that share sentences word for word
    (see :func:`_covers`). The first pass keeps only one row per sentence hash, and the
    second re-splits just the candidate rows, so memory does not grow with the corpus text."""
    if not 0.0 < share <= 1.0:
        raise InputError(f"containment must be in (0, 1]; got {share}")
    position = {int(r): i for i, r in enumerate(live_rows)}
    digests: list[bytes] = []
    owners: list[int] = []
    for row, text in store.catalog.iter_row_texts():
        hashes = _sentence_hashes(text)
        digests.extend(bytes.fromhex(h) for h in hashes)
        owners.extend([row] * len(hashes))
    candidates = _first_sharers(digests, owners)
    if not candidates:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    involved = sorted({r for pair in candidates for r in pair})
    parts = {
        r: _sentence_hashes(t) for r, t in zip(involved, store.catalog.texts_of_rows(involved))
    }
    pairs = [(a, b) for a, b in candidates if _covers(parts[a], parts[b], share)]
    src = np.array([position[a] for a, _ in pairs], dtype=np.int64)
    dst = np.array([position[b] for _, b in pairs], dtype=np.int64)
    return src, dst


def _first_sharers(digests: list[bytes], owners: list[int]) -> list[tuple[int, int]]:
    """``(first, row)`` for each row that holds a sentence an earlier row (``first``, the
    first to hold it, in ``owners`` order) holds too: each pair once, sorted."""
    if not digests:
        return []
    keys = np.frombuffer(b"".join(digests), dtype=np.uint64).reshape(-1, 2)
    rows = np.asarray(owners, dtype=np.int64)
    order = np.lexsort((np.arange(len(rows)), keys[:, 1], keys[:, 0]))  # by sentence, then seen
    keys, rows = keys[order], rows[order]
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    first = rows[np.flatnonzero(starts)[np.cumsum(starts) - 1]]  # each sentence's first row
    later = first != rows
    pairs = np.unique(np.stack([first[later], rows[later]], axis=1), axis=0)
    return [(int(a), int(b)) for a, b in pairs]


def _sentence_hashes(text: str) -> dict[str, int]:
    """Normalised sentence hash -> its length, for sentences of 20+ characters."""
    out = {}
    for sentence in sentences(text):
        norm = normalize_text(sentence)
        if len(norm) >= 20:  # text_hash(sentence), without normalising twice
            out[hashlib.blake2b(norm.encode("utf-8"), digest_size=16).hexdigest()] = len(norm)
    return out


def _covers(a: dict[str, int], b: dict[str, int], share: float) -> bool:
    """Whether the sentences two paragraphs share make up ``share`` of the shorter one and at
    least half of the longer one (a stock sentence inside a long answer is no copy of it)."""
    common = sum(length for h, length in a.items() if h in b)
    small, large = sorted((sum(a.values()), sum(b.values())))
    return small > 0 and common >= share * small and common >= LONGER_SHARE * large


def _agreeing_numbers(
    store: Store, live_rows: np.ndarray, src: np.ndarray, dst: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Drop pairs whose texts state conflicting figures: each has a number the other lacks
    ("2 million tonnes" vs "3.5 million tonnes"). A number only added or dropped is allowed."""
    involved = np.unique(np.concatenate([src, dst]))
    texts = store.catalog.texts_of_rows([int(r) for r in live_rows[involved]])
    numbers = {int(i): _numbers(t) for i, t in zip(involved, texts)}
    keep = np.array(
        [not _disjoint_numbers(numbers[int(s)], numbers[int(d)]) for s, d in zip(src, dst)],
        dtype=bool,
    )
    return src[keep], dst[keep]


def numbers_conflict(a: str, b: str) -> bool:
    """Whether two texts state conflicting figures, the rule dedup drops pairs by: each has a
    number the other lacks. A number only added or dropped is no conflict."""
    return _disjoint_numbers(_numbers(a), _numbers(b))


def _disjoint_numbers(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a - b and b - a)


def _numbers(text: str) -> frozenset[str]:
    return frozenset(m.replace(",", "") for m in _NUMBER.findall(text))


def members_by_label(labels: np.ndarray) -> list[np.ndarray]:
    """Paragraph indexes of each label, in input order."""
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return list(np.split(order, bounds)) if len(order) else []


def _adjacency(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric CSR adjacency ``(indptr, indices)``: an approximate index may find a pair
    from one side only."""
    from scipy.sparse import coo_matrix

    rows, cols = np.concatenate([src, dst]), np.concatenate([dst, src])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    return graph.indptr, graph.indices


def _claim(priority: np.ndarray, indptr: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Greedy star grouping: in priority order, each unclaimed row keeps itself and claims its
    unclaimed neighbours. Returns each row's keeper; every member is within the threshold of
    its keeper (no chains of "similar to something similar")."""
    keeper = np.full(len(priority), -1, dtype=np.int64)
    for row in np.argsort(priority, kind="stable"):
        if keeper[row] >= 0:
            continue
        keeper[row] = row
        near = neighbours[indptr[row] : indptr[row + 1]]
        keeper[near[keeper[near] < 0]] = row
    return keeper


def _member(p: StoredParagraph, score: float) -> Paragraph:
    return Paragraph(
        pid=p.pid,
        doc_id=p.doc_id,
        para=p.para,
        outlet=p.outlet,
        date=p.date,
        score=round(min(score, 1.0), 6),
        text=p.text,
    )


def _original_first(
    members: np.ndarray,
    table: ParagraphTable,
    details: dict[int, StoredParagraph],
    credits: dict[int, list[str]],
) -> tuple[np.ndarray, bool]:
    """``members`` (earliest first) with the original of the earliest day first, and whether
    that day is a tie: several members, and none that the evidence puts before all others
    (:func:`simdedup.duplicates.provenance.origin`)."""
    paras = [details[int(table.ids[i])] for i in members]
    day = [k for k, p in enumerate(paras) if p.date and p.date == paras[0].date]
    if len(day) < 2:
        return members, False
    sources = [Source(p.doc_id, p.outlet, p.date, credits.get(p.doc_seq, [])) for p in paras]
    for k in day:
        if all(origin(sources[k], sources[o])[0] == 0 for o in day if o != k):
            order = [k, *(o for o in range(len(members)) if o != k)]
            return members[order], False
    return members, True


def _texts_at(store: Store, positions: list[int], table_ids: np.ndarray | None = None) -> list[str]:
    """Texts of the paragraphs at ``positions`` of ``store.table()`` (or of ``table_ids``, the
    table's ids as they were), in that order."""
    ids = [int(i) for i in (store.table().ids if table_ids is None else table_ids)[positions]]
    found = store.paragraphs(ids)
    if len(found) < len(set(ids)):
        raise StoreError(
            f"{store.path or 'store'}: changed since these results were made (paragraphs were "
            "replaced); run again for their texts"
        )
    return [found[i].text for i in ids]


def deduplicated_records(store: Store, result: DedupResult) -> Iterator[dict[str, Any]]:
    """The store's documents without their duplicate paragraphs, as input-shaped records
    (``id, outlet, date, title, text``; paragraphs joined by blank lines). Documents left with
    no paragraph are dropped."""
    removed = result.removed
    for record, paragraphs in store.documents():
        kept = [p.text for p in paragraphs if p.pid not in removed]
        if kept:
            yield {
                "id": record.doc_id,
                "outlet": record.outlet,
                "date": record.date,
                "title": record.title,
                "text": "\n\n".join(kept),
            }

"""The tools a user would pick instead of simdedup, as grouping functions on the same data.

Every ``*_groups`` function returns one int64 label per input: items of one duplicate group share
a label, every other item has a label of its own (a position or a component number; compare
labels for equality only, e.g. ``len(np.unique(labels))`` groups). The quality suite
scores these labels; the scale suites time the same calls end to end on 14k-100k texts, so no
function loops over pairs of texts in Python.

Libraries (imported on first use): semhash 0.5.0, sentence-transformers (``util``), datasketch.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from datasketch import MinHash
    from semhash.utils import Encoder

_WORD = re.compile(r"\w+")


class ArrayEncoder:
    """Precomputed vectors behind SemHash's ``Encoder`` protocol (``semhash.utils.Encoder``:
    ``encode(inputs, **kwargs) -> np.ndarray``), so SemHash indexes the same embeddings as every
    other method and loads no model. SemHash calls ``encode`` once, on the distinct texts left
    after its exact-match pass, and indexes the rows as given (cosine, so unit length or not)."""

    def __init__(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        if len(texts) != len(vectors):
            raise ValueError(f"texts and vectors differ in length: {len(texts)} != {len(vectors)}")
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.rows = {text: i for i, text in reversed(list(enumerate(texts)))}

    def encode(self, inputs: Sequence[str], **kwargs: Any) -> np.ndarray:
        """The stored row of each text (the first, where a text repeats), shape
        ``(len(inputs), dim)``; ``kwargs`` (``batch_size`` and the like) are ignored.

        Raises:
            KeyError: a text that was not given to the constructor.
        """
        try:
            return self.vectors[[self.rows[text] for text in inputs]]
        except KeyError as exc:
            raise KeyError(f"ArrayEncoder has no vector for text {str(exc)[:80]}") from None


def semhash_groups(texts: Sequence[str], threshold: float, model: Encoder) -> np.ndarray:
    """SemHash's self-deduplication as groups.

    ``SemHash.from_records(records=texts, model=model)`` groups exact copies, calls
    ``model.encode`` on the distinct texts and builds a usearch HNSW index (cosine, vicinity's
    default backend); ``self_deduplicate(threshold=threshold)`` finds each text's neighbours at
    cosine >= ``threshold`` in that index and, in input order, keeps a text or assigns it to the
    most similar kept text it matches directly (never transitively). A group is one kept text
    (``result.selected``) with the texts removed as its duplicates (``result.filtered``, each
    ``DuplicateRecord.record`` pointing to a kept ``duplicate_of``). Records come back as the
    strings given, so positions are found by text: copies of one text share its label; a
    group's label is the position of its kept text. usearch adds vectors on several threads,
    so at low thresholds (dozens of neighbours per text) groups can change from run to run.
    """
    from semhash import SemHash

    if not len(texts):
        return np.zeros(0, dtype=np.int64)
    with warnings.catch_warnings():  # vicinity casts usearch's padding (fewer hits than k)
        warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
        result = SemHash.from_records(records=list(texts), model=model).self_deduplicate(
            threshold=threshold
        )
    kept_as = {dup.record: dup.duplicate_of for dup in result.filtered}
    first = {text: i for i, text in reversed(list(enumerate(texts)))}
    return np.fromiter(
        (first[kept_as.get(text, text)] for text in texts), dtype=np.int64, count=len(texts)
    )


def _tensor(vectors: np.ndarray) -> torch.Tensor:
    """A float32 tensor sharing memory with ``vectors`` where it can (a read-only memory map
    is copied: torch wants writable arrays)."""
    import torch

    return torch.from_numpy(np.require(vectors, dtype=np.float32, requirements=["C", "W"]))


def paraphrase_mining_groups(
    vectors: np.ndarray, threshold: float, min_size: int = 2
) -> np.ndarray:
    """sentence-transformers' ``util.community_detection(vectors, threshold=threshold,
    min_community_size=min_size)`` as labels: each community is its centre and every not yet
    claimed vector at cosine >= ``threshold`` to it, biggest first, no overlaps; label = the
    centre's position. A vector in no community is a singleton. ``min_size=2`` gives the same
    partition as 1 (a one-member community is a singleton anyway) and skips the rows that have
    no neighbour above the threshold. Time and memory: a ``batch_size`` (1024) x N cosine
    block at a time, then one top-k per row with a neighbour."""
    from sentence_transformers import util

    labels = np.arange(len(vectors), dtype=np.int64)
    communities = util.community_detection(
        _tensor(vectors), threshold=threshold, min_community_size=min_size
    )
    for members in communities:
        labels[members] = members[0]
    return labels


def paraphrase_mining_pairs(
    vectors: np.ndarray, threshold: float, top_k: int = 100, max_pairs: int = 500_000
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(src, dst)`` (``src < dst``) with cosine >= ``threshold`` among the ``top_k``
    neighbours of each vector: sentence-transformers' ``util.paraphrase_mining_embeddings(
    vectors, top_k=top_k, max_pairs=max_pairs)`` (exact, chunked; it keeps the ``max_pairs``
    best pairs, so pairs above the threshold past that cap are lost), filtered by score."""
    from sentence_transformers import util

    found = util.paraphrase_mining_embeddings(_tensor(vectors), top_k=top_k, max_pairs=max_pairs)
    table = np.array(found, dtype=np.float64).reshape(-1, 3)
    keep = table[:, 0] >= threshold
    return table[keep, 1].astype(np.int64), table[keep, 2].astype(np.int64)


def _shingles(text: str, ngram: int) -> list[bytes]:
    """Word n-grams of the lower-cased text; a text shorter than ``ngram`` words is one
    shingle."""
    words = _WORD.findall(text.lower())
    return [" ".join(words[i : i + ngram]).encode() for i in range(max(1, len(words) - ngram + 1))]


def _minhashes(texts: Sequence[str], num_perm: int, ngram: int) -> list[MinHash]:
    """datasketch ``MinHash.bulk`` (one ``update_batch`` per text) over word n-gram shingles."""
    from datasketch import MinHash

    hashes: list[MinHash] = MinHash.bulk((_shingles(t, ngram) for t in texts), num_perm=num_perm)
    return hashes


def minhash_groups(
    texts: Sequence[str], threshold: float = 0.7, num_perm: int = 128, ngram: int = 3
) -> np.ndarray:
    """Near-duplicate groups by MinHash LSH: datasketch ``MinHash`` signatures of word
    ``ngram`` shingles, all inserted into ``MinHashLSH(threshold=threshold, num_perm=num_perm)``
    (bands and rows chosen by datasketch for that Jaccard threshold), each text queried, and the
    candidate pairs it returns (not re-checked against the threshold, as LSH is used) joined
    into connected components (``scipy.sparse.csgraph.connected_components``). Cost: linear in
    the texts, plus the candidate pairs (quadratic within a set of mutual candidates, such as
    many copies of one text)."""
    from datasketch import MinHashLSH
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    hashes = _minhashes(texts, num_perm, ngram)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for i, minhash in enumerate(hashes):
            session.insert(i, minhash, check_duplication=False)
    found = [lsh.query(minhash) for minhash in hashes]
    sizes = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
    src = np.repeat(np.arange(len(found), dtype=np.int64), sizes)
    dst = np.fromiter((j for f in found for j in f), dtype=np.int64, count=int(sizes.sum()))
    n = len(texts)
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def minhash_similarity(
    a_texts: Sequence[str], b_texts: Sequence[str], num_perm: int = 128, ngram: int = 3
) -> np.ndarray:
    """Estimated Jaccard similarity of the word ``ngram`` shingles of each pair
    ``(a_texts[i], b_texts[i])``: the share of equal MinHash values, as
    ``MinHash.jaccard`` computes it, for all pairs at once."""
    if len(a_texts) != len(b_texts):
        raise ValueError(f"a_texts and b_texts differ in length: {len(a_texts)} != {len(b_texts)}")
    if not len(a_texts):
        return np.zeros(0)
    a = np.stack([m.hashvalues for m in _minhashes(a_texts, num_perm, ngram)])
    b = np.stack([m.hashvalues for m in _minhashes(b_texts, num_perm, ngram)])
    return np.asarray((a == b).mean(axis=1), dtype=np.float64)

"""The claim units of a whole store, as arrays, with their vectors.

:func:`claim_units` cuts every distinct paragraph text of a store once (the parse is kept in the
store's embedding cache, by splitter version and exact-text hash, so a later run reads it), resolves
speakers document by document, and embeds each distinct unit text with the store's encoder
through the same cache (a unit repeated by many wire copies is embedded once).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simdedup.embed.encoder import embed_missing
from simdedup.paragraph import ClaimUnit
from simdedup.segment import text_hash
from simdedup.units.pool import parse_chunks, workers_for
from simdedup.units.split import Parsed, UnitSplitter, units_of_article

if TYPE_CHECKING:
    from simdedup.store.catalog import ParagraphTable
    from simdedup.store.store import Store

_log = logging.getLogger("simdedup")
PARSE_CHUNK = 2048  # paragraphs parsed between two saves of the parses


@dataclass
class UnitTable:
    """Every unit of a store's paragraphs, in table order (a paragraph's units in text order).

    ``paragraph[u]`` is the unit's paragraph (a position in the store's
    :class:`~simdedup.store.catalog.ParagraphTable`), ``start``/``end`` its offsets in that
    paragraph's text, ``text_id[u]`` its distinct text (a position in ``texts``, ``hashes`` and
    the vectors :func:`claim_units` returns), ``speakers``/``mentions`` who said it.
    """

    paragraph: np.ndarray
    start: np.ndarray
    end: np.ndarray
    text_id: np.ndarray
    speakers: list[str | None]
    mentions: list[str | None]
    texts: list[str]
    hashes: list[str]

    def __len__(self) -> int:
        return len(self.paragraph)

    def unit(self, u: int) -> ClaimUnit:
        return ClaimUnit(
            int(self.start[u]),
            int(self.end[u]),
            self.texts[int(self.text_id[u])],
            self.speakers[u],
            self.mentions[u],
        )


def claim_units(
    store: Store,
    table: ParagraphTable,
    splitter: UnitSplitter | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> tuple[UnitTable, np.ndarray]:
    """The units of every paragraph of ``table`` (``store``'s) and the unit vector of each
    distinct unit text. ``progress(stage, n)`` is called as paragraphs are cut (``"cut"``) and
    units embedded (``"embed units"``)."""
    splitter = splitter or UnitSplitter()
    # each paragraph's own text: texts that share a vector row may differ in case or
    # punctuation, and a unit's offsets are into its paragraph's text
    stored = store.paragraphs(int(i) for i in table.ids)
    texts = [stored[int(i)].text for i in table.ids]
    keys = [exact_hash(t) for t in texts]
    parsed = _parses(store, splitter, dict(zip(keys, texts)), progress)
    out_paragraph: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    text_ids: list[int] = []
    speakers: list[str | None] = []
    mentions: list[str | None] = []
    ids: dict[str, int] = {}
    unit_texts: list[str] = []
    seqs = table.doc_seqs
    begin = 0
    for i in range(1, len(table) + 1):  # one document at a time (its paragraphs are contiguous)
        if i < len(table) and seqs[i] == seqs[begin]:
            continue
        members = range(begin, i)
        article = [(texts[p], parsed[keys[p]]) for p in members]
        for p, found in zip(members, units_of_article(article)):
            for unit in found:
                key = text_hash(unit.text)
                if key not in ids:
                    ids[key] = len(unit_texts)
                    unit_texts.append(unit.text)
                out_paragraph.append(p)
                starts.append(unit.start)
                ends.append(unit.end)
                text_ids.append(ids[key])
                speakers.append(unit.speaker)
                mentions.append(unit.mention)
        begin = i
    unit_hashes = list(ids)
    units = UnitTable(
        paragraph=np.array(out_paragraph, dtype=np.int64),
        start=np.array(starts, dtype=np.int64),
        end=np.array(ends, dtype=np.int64),
        text_id=np.array(text_ids, dtype=np.int64),
        speakers=speakers,
        mentions=mentions,
        texts=unit_texts,
        hashes=unit_hashes,
    )
    return units, _vectors(store, unit_hashes, unit_texts, progress)


def exact_hash(text: str) -> str:
    """The parse cache's key: a hash of the exact text (offsets depend on every character)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _parses(
    store: Store,
    splitter: UnitSplitter,
    texts: dict[str, str],
    progress: Callable[[str, int], None] | None,
) -> dict[str, Parsed]:
    """Each text's parse (by :func:`exact_hash`): from the cache, else cut now and kept
    there. A cached parse that does not read back, or whose offsets do not fit its text, is
    made again."""
    cache = store._cache
    found: dict[str, Parsed] = {}
    for h, data in cache.parses(splitter.version, list(texts)).items():
        try:
            parsed = Parsed.loads(data)
        except (ValueError, KeyError, TypeError, IndexError):
            continue
        if all(0 <= c.start < c.end <= len(texts[h]) for c in parsed.cuts):
            found[h] = parsed
    if progress is not None and found:
        progress("cut", len(found))
    missing = [h for h in texts if h not in found]
    saved = True
    keys = [missing[start : start + PARSE_CHUNK] for start in range(0, len(missing), PARSE_CHUNK)]
    chunks = ([texts[h] for h in chunk] for chunk in keys)
    workers = workers_for(splitter, len(missing))
    for chunk, parses in zip(keys, parse_chunks(splitter, chunks, workers)):
        made = dict(zip(chunk, parses))
        found.update(made)
        if saved:
            saved = cache.put_parses(splitter.version, {h: p.dumps() for h, p in made.items()})
        if progress is not None:
            progress("cut", len(chunk))
    return found


def _vectors(
    store: Store,
    hashes: list[str],
    texts: list[str],
    progress: Callable[[str, int], None] | None,
) -> np.ndarray:
    """Unit vectors of the distinct unit texts, embedded once and kept in the store's cache
    (in memory when that cache cannot be written)."""
    report = None if progress is None else (lambda n: progress("embed units", n))
    pending = dict(zip(hashes, texts))
    cache = store._cache
    try:
        embed_missing(store.encoder, store.fingerprint, pending, cache, progress=report)
    except sqlite3.OperationalError as exc:  # a read-only cache: embed into one in memory
        if "readonly" not in str(exc).replace(" ", "").lower():
            raise
        from simdedup.embed.cache import EmbeddingCache

        _log.warning("the embedding cache is read-only; unit vectors are not kept")
        cache = EmbeddingCache(None)
        embed_missing(store.encoder, store.fingerprint, pending, cache, progress=report)
    return cache.get(store.fingerprint, hashes, dim=store.dim or None)

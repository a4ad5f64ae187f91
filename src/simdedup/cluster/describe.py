"""A talking point described from its members: stable id, representative (the medoid),
provenance of each member, first and last sighting, timeline, speakers."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simdedup.cluster.result import REPRINTS, TALKING_POINT, Sighting, TalkingPoint
from simdedup.cluster.timeline import timeline
from simdedup.duplicates import provenance
from simdedup.duplicates.provenance import Source
from simdedup.paragraph import ClaimUnit, Paragraph
from simdedup.units.speakers import merge_spellings

if TYPE_CHECKING:
    from simdedup.store.catalog import ParagraphTable, StoredParagraph
    from simdedup.store.store import Store

COPY_THRESHOLD = 0.9  # a member this close to an earlier one is a copy of it (dedup's default
# for all-MiniLM-L6-v2; a talking point passes the store's own: 0.91 for the claim model, 0.97
# for the static model, whose unrelated long paragraphs often meet at 0.9)
NEAR_BLOCK = 1024  # members compared with all the others in one matrix product


def assign_ids(
    clusters: Sequence[Sequence[tuple[str, str]]], previous: dict[str, str]
) -> list[str]:
    """A stable id per cluster, each given as its members' ``(text hash, date)``: the
    remembered id most of its texts had (each id goes to the cluster holding most of its
    texts), else one made from the text of its earliest member."""
    votes: list[tuple[int, int, str]] = []
    for c, members in enumerate(clusters):
        counted = Counter(previous.get(h) for h, _ in members)
        votes.extend((n, c, tp) for tp, n in counted.items() if tp)
    ids: list[str | None] = [None] * len(clusters)
    taken: set[str] = set()
    for _, c, tp in sorted(votes, key=lambda v: (-v[0], v[1], v[2])):
        if ids[c] is None and tp not in taken:
            ids[c] = tp
            taken.add(tp)
    for c, members in enumerate(clusters):
        if ids[c] is not None:
            continue
        seed = min(members, key=lambda m: (m[1] or "~", m[0]))[0]
        while (tp := "tp-" + hashlib.blake2b(seed.encode(), digest_size=4).hexdigest()) in taken:
            seed += "+"
        ids[c] = tp
        taken.add(tp)
    return [tp for tp in ids if tp is not None]


def describe(
    tp_id: str,
    paras: list[StoredParagraph],
    vectors: np.ndarray,
    label: tuple[str | None, list[str]],
    unit: str,
    credits: dict[int, list[str]],
    units: list[tuple[ClaimUnit, ...]] | None = None,
    copy_threshold: float = COPY_THRESHOLD,
) -> TalkingPoint:
    """A talking point from its paragraphs (any order), one unit vector each (the paragraph's,
    or the mean of its units in this talking point), the names their documents credit (by
    document seq) and, in claim mode, each paragraph's units in it. Two members of different
    documents at cosine ``copy_threshold`` or more (the store's dedup default) are a copy and
    its source; every member that close to the representative makes the point ``reprints``."""
    units = units if units is not None else [() for _ in paras]
    order = sorted(range(len(paras)), key=lambda i: (paras[i].date or "~", paras[i].pid))
    paras, units = [paras[i] for i in order], [units[i] for i in order]
    vectors = vectors[order]
    sources = [Source(p.doc_id, p.outlet, p.date, credits.get(p.doc_seq, [])) for p in paras]
    links = provenance.copies(sources, near_copies(paras, vectors, copy_threshold))
    first, tie = provenance.first_seen(sources, links)
    # within a day, a paragraph the evidence puts after another comes after it
    order = sorted(
        range(len(paras)),
        key=lambda i: (paras[i].date or "~", i != first, links[i][1] == provenance.CREDIT, i),
    )
    copied = [(paras[j].pid if j >= 0 else None, why or None) for j, why in links]
    paras, vectors, copied = [paras[i] for i in order], vectors[order], [copied[i] for i in order]
    units = [units[i] for i in order]
    total = vectors.sum(axis=0)
    medoid = int(np.argmax(vectors @ total))
    scores = vectors @ vectors[medoid]
    members = [
        Paragraph(
            pid=p.pid, doc_id=p.doc_id, para=p.para, outlet=p.outlet, date=p.date,
            score=round(float(s), 4), text=p.text,
            copies=source, provenance=why, units=us,
        )
        for p, s, (source, why), us in zip(paras, scores, copied, units)
    ]  # fmt: skip
    outlets = Counter(p.outlet for p in paras if p.outlet)
    speakers = Counter(u.speaker for us in units for u in us if u.speaker)
    claim = units[medoid][0].text if units[medoid] else None
    return TalkingPoint(
        id=tp_id,
        label=label[0] or ", ".join(label[1][:3]) or short(claim or paras[medoid].text),
        keywords=label[1],
        representative=paras[medoid].pid,
        outlets=dict(outlets.most_common()),
        first_seen=Sighting(paras[0].date, paras[0].outlet, paras[0].pid, tie=tie),
        last_seen=_last(paras),
        outlet_order=list(dict.fromkeys(p.outlet for p in paras if p.outlet)),
        timeline=timeline([p.date for p in paras], unit),
        members=members,
        kind=REPRINTS if float(scores.min()) >= copy_threshold else TALKING_POINT,
        claim=claim,
        speakers=merge_spellings(dict(speakers)),
    )


def _last(paras: list[StoredParagraph]) -> Sighting:
    dated = [p for p in paras if p.date]
    last = dated[-1] if dated else paras[-1]
    return Sighting(last.date, last.outlet, last.pid)


def near_copies(
    paras: list[StoredParagraph], vectors: np.ndarray, threshold: float = COPY_THRESHOLD
) -> list[list[int]]:
    """For each member, the members of other documents it is a near-verbatim match of
    (cosine >= ``threshold``), in ascending order; :data:`NEAR_BLOCK` rows per matrix product,
    so memory stays O(n)."""
    docs = np.unique([p.doc_id for p in paras], return_inverse=True)[1].reshape(-1)
    out: list[list[int]] = []
    for start in range(0, len(paras), NEAR_BLOCK):
        block = vectors[start : start + NEAR_BLOCK] @ vectors.T
        rows, cols = np.nonzero(block >= threshold)
        keep = docs[rows + start] != docs[cols]
        rows, cols = rows[keep], cols[keep]
        bounds = np.searchsorted(rows, np.arange(len(block) + 1))
        found = cols.tolist()
        out += [found[bounds[r] : bounds[r + 1]] for r in range(len(block))]
    return out


def short(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def corpus_summary(table: ParagraphTable, scope: np.ndarray, store: Store) -> dict[str, Any]:
    dates = sorted(d for d in table.dates[scope].tolist() if d)
    codes = table.outlet_codes[scope]
    return {
        "paragraphs": int(scope.sum()),
        "documents": store.catalog.scalar("SELECT COUNT(*) FROM documents"),
        "outlets": len(set(codes[codes >= 0].tolist())),
        "first_date": dates[0] if dates else None,
        "last_date": dates[-1] if dates else None,
    }

"""simdedup: find the same statement told many times.

Deduplicate paragraphs, find where else a statement was said, and group the talking points
that outlets repeat in their own words, on a list of strings or a persistent store:

>>> import simdedup
>>> r = simdedup.dedup(["Ministers met on Tuesday.", "Ministers met on Tuesday!", "Rain."])
>>> r.selected
['Ministers met on Tuesday.', 'Rain.']
>>> [(d.text, d.duplicate_of_text) for d in r.filtered]
[('Ministers met on Tuesday!', 'Ministers met on Tuesday.')]

The pipeline, one subpackage per stage: ``io`` (records) -> ``segment`` (paragraphs) ->
``embed`` (encoders, the claim model, the cache) -> ``index`` (FAISS, self-join) -> ``store``
(the persistent store, search) -> ``duplicates`` -> ``units`` (claim units, speakers) ->
``cluster`` (talking points) -> ``report``;
``engines`` (Ray) and ``cli`` sit on top.
"""

from __future__ import annotations

from simdedup.api import Store, dedup, similar, talking_points
from simdedup.cluster.talking_points import TalkingPoint, TalkingPointFinder, TalkingPointsResult
from simdedup.duplicates.groups import Deduplicator
from simdedup.duplicates.result import DedupResult, Duplicate, DuplicateGroup
from simdedup.embed.encoder import Encoder, SentenceTransformerEncoder
from simdedup.errors import InputError, SimdedupError, StoreError
from simdedup.io.records import Record, read_records
from simdedup.paragraph import ClaimUnit, Paragraph
from simdedup.version import __version__

__all__ = [
    "ClaimUnit",
    "DedupResult",
    "Deduplicator",
    "Duplicate",
    "DuplicateGroup",
    "Encoder",
    "InputError",
    "Paragraph",
    "Record",
    "SentenceTransformerEncoder",
    "SimdedupError",
    "Store",
    "StoreError",
    "TalkingPoint",
    "TalkingPointFinder",
    "TalkingPointsResult",
    "__version__",
    "dedup",
    "read_records",
    "similar",
    "talking_points",
]

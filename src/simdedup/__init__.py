"""simdedup: find the same statement told many times.

Encode news paragraphs, find near-duplicates across outlets with a FAISS index, and ask
"where else was this said?".

>>> import simdedup
>>> store = simdedup.Store.create("news.store")                       # doctest: +SKIP
>>> store.add(simdedup.read_records(["examples/articles"]))          # doctest: +SKIP
>>> store.similar("marks the 30th anniversary of diplomatic ties", k=5)  # doctest: +SKIP
>>> simdedup.Deduplicator(threshold=0.9).fit(store).result_          # doctest: +SKIP
>>> simdedup.TalkingPointFinder(min_outlets=2).fit(store).result_     # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from simdedup.dedup import Deduplicator, DedupResult, DuplicateGroup
from simdedup.embed import Encoder, SentenceTransformerEncoder
from simdedup.errors import InputError, SimdedupError, StoreError
from simdedup.io import Record, read_records
from simdedup.search import Match
from simdedup.segment import Paragraph, Segmenter
from simdedup.store import Store
from simdedup.talking_points import TalkingPoint, TalkingPointFinder, TalkingPointsResult

try:
    __version__ = version("simdedup")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "DedupResult",
    "Deduplicator",
    "DuplicateGroup",
    "Encoder",
    "InputError",
    "Match",
    "Paragraph",
    "Record",
    "Segmenter",
    "SentenceTransformerEncoder",
    "SimdedupError",
    "Store",
    "StoreError",
    "TalkingPoint",
    "TalkingPointFinder",
    "TalkingPointsResult",
    "__version__",
    "read_records",
]

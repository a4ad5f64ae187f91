"""Near-duplicate groups: the exact pass, sentence containment, the cosine self-join and the
figure check."""

from __future__ import annotations

from simdedup.duplicates.groups import Deduplicator
from simdedup.duplicates.result import DedupResult, DuplicateGroup

__all__ = ["DedupResult", "Deduplicator", "DuplicateGroup"]

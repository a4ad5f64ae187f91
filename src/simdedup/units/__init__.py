"""Claim units: paragraphs cut into the clauses that each make one claim, with the attribution
frame ("Xi said") split off and its speaker resolved within the article."""

from __future__ import annotations

from simdedup.paragraph import ClaimUnit
from simdedup.units.split import UnitSplitter

__all__ = ["ClaimUnit", "UnitSplitter"]

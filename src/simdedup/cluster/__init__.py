"""Talking points: the k-NN graph, average linkage with the figure penalty, keywords and
provenance."""

from __future__ import annotations

from simdedup.cluster.talking_points import TalkingPoint, TalkingPointFinder, TalkingPointsResult

__all__ = ["TalkingPoint", "TalkingPointFinder", "TalkingPointsResult"]

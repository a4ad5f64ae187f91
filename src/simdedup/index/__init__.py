"""Vectors in FAISS: the index wrapper (flat / HNSW / IVF, chosen by size), the self-join and
k-NN graph of a whole array, and k-means partitions for the Ray engine."""

from __future__ import annotations

from simdedup.index.vectors import VectorIndex

__all__ = ["VectorIndex"]

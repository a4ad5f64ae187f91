"""The persistent store: the SQLite catalog, the FAISS index generations, the manifest and its
checks, and search over it."""

from __future__ import annotations

from simdedup.store.store import AddStats, Store

__all__ = ["AddStats", "Store"]

"""The Engine protocol: what the pipeline asks of a place to run its heavy stages.

Stages that can run elsewhere take an optional ``engine``; ``None`` runs them here. An engine
(:class:`simdedup.engines.ray.RayEngine`) provides the three operations below, each returning
the same arrays the local code computes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from simdedup.embed.cache import EmbeddingCache
    from simdedup.embed.encoder import Encoder
    from simdedup.embed.worker import EmbedWorker

Edges = tuple[np.ndarray, np.ndarray, np.ndarray]  # (src, dst, score), src < dst, each once


class Engine(Protocol):
    """Runs embedding and the pair / neighbour searches of a whole corpus."""

    def embed_worker(
        self,
        encoder: Encoder,
        fingerprint: str,
        cache: EmbeddingCache,
        progress: Callable[[int], None] | None = None,
    ) -> EmbedWorker:
        """A worker that embeds the texts it is given into ``cache``."""
        ...

    def pairs(
        self, chunks: Iterable[tuple[np.ndarray, np.ndarray]], n: int, threshold: float
    ) -> Edges:
        """Every pair of the ``n`` rows (given as ``(rows, unit vectors)`` chunks) with cosine
        >= ``threshold``."""
        ...

    def neighbours(
        self, chunks: Iterable[tuple[np.ndarray, np.ndarray]], n: int, k: int, threshold: float
    ) -> Edges:
        """The ``k`` nearest neighbours of every row, kept at cosine >= ``threshold``."""
        ...

"""Turn texts into unit vectors: the Encoder protocol, sentence-transformers, the ONNX and
static backends, simdedup's claim model, and the embedding cache."""

from __future__ import annotations

from simdedup.embed.encoder import Encoder, SentenceTransformerEncoder

__all__ = ["Encoder", "SentenceTransformerEncoder"]

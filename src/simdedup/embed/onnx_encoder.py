"""Run an exported sentence-transformers model with ONNX Runtime (no torch at run time).

:class:`OnnxRunner` tokenises with the model's own fast tokenizer (saved beside the graph by
:mod:`simdedup.embed.onnx_export`), sorts texts by token count and batches them so padding is small,
runs the graph and pools the token states the way the model's Pooling module does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simdedup.offline import import_onnxruntime

MODEL_FILE = "model.onnx"
SPEC_FILE = "simdedup-onnx.json"
TOKENIZER_FILE = "tokenizer.json"

DEFAULT_BATCH = 16  # fp32 on 2 cores: 8-32 within noise, 64 is 15 % slower, 128 30 %
INT8_BATCH = 1  # int8 quantises activations per batch: batch 1 keeps a text's vector independent
# of its neighbours (a batch of 4 or 16 moves it by up to 0.02 cosine), and is as fast


@dataclass(frozen=True)
class OnnxSpec:
    """What the runtime needs besides the ONNX graph: pooling, normalisation, sequence length."""

    pooling: str  # "mean", "cls" or "max"
    normalize: bool
    max_seq_length: int
    cosine_to_torch: float
    lowercase: bool = False

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2) + "\n"

    @classmethod
    def from_file(cls, path: Path) -> OnnxSpec:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            pooling=str(data["pooling"]),
            normalize=bool(data["normalize"]),
            max_seq_length=int(data["max_seq_length"]),
            cosine_to_torch=float(data["cosine_to_torch"]),
            lowercase=bool(data.get("lowercase", False)),
        )


class TokenBatcher:
    """Tokenises texts with a saved fast tokenizer into length-sorted, padded batches."""

    def __init__(self, tokenizer_file: Path, spec: OnnxSpec, batch_size: int = DEFAULT_BATCH):
        from tokenizers import Tokenizer

        self.spec = spec
        self.batch_size = batch_size
        self._tokenizer: Any = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(spec.max_seq_length)

    def batches(
        self, texts: list[str], batch_size: int | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(positions, input_ids, attention_mask)`` batches of ``batch_size`` (default: the
        batcher's), longest texts first."""
        size = batch_size or self.batch_size
        prepared = [t.strip().lower() if self.spec.lowercase else t.strip() for t in texts]
        encodings = self._tokenizer.encode_batch(prepared)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(-lengths, kind="stable")
        for start in range(0, len(order), size):
            positions = order[start : start + size]
            width = int(lengths[positions[0]])
            ids = np.zeros((len(positions), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, pos in enumerate(positions):
                n = int(lengths[pos])
                ids[row, :n] = encodings[pos].ids
                mask[row, :n] = 1
            yield positions, ids, mask


def pool(hidden: np.ndarray, mask: np.ndarray, how: str) -> np.ndarray:
    """Sentence vectors from token states, as a sentence-transformers Pooling module computes
    them (``how``: ``mean``, ``cls`` or ``max``)."""
    weights = mask[..., None].astype(np.float32)
    if how == "cls":
        pooled = hidden[:, 0, :]
    elif how == "max":
        pooled = np.where(weights > 0, hidden, -1e9).max(axis=1)
    else:
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return np.ascontiguousarray(pooled, dtype=np.float32)


class OnnxRunner:
    """One ONNX Runtime session of an export directory.

    Parameters
    ----------
    directory:
        An export made by :func:`simdedup.embed.onnx_export.ensure_exported`.
    spec:
        Its pooling settings; read from the directory when ``None``.
    threads:
        Intra-op threads; ``None`` lets ONNX Runtime use every physical core.
    batch_size:
        Texts per run of the graph.
    """

    def __init__(
        self,
        directory: Path,
        spec: OnnxSpec | None = None,
        *,
        threads: int | None = None,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        ort = import_onnxruntime()  # telemetry off before the import
        self.spec = spec if spec is not None else OnnxSpec.from_file(directory / SPEC_FILE)
        self.batcher = TokenBatcher(directory / TOKENIZER_FILE, self.spec, batch_size)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.inter_op_num_threads = 1
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session: Any = ort.InferenceSession(
            str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """One vector per text, in input order (normalised if the model normalises)."""
        out: np.ndarray | None = None
        for positions, ids, mask in self.batcher.batches(texts, batch_size):
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = pool(hidden, mask, self.spec.pooling)
            if out is None:
                out = np.zeros((len(texts), pooled.shape[1]), np.float32)
            out[positions] = pooled
        if out is None:
            return np.zeros((0, 0), np.float32)
        if self.spec.normalize:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            np.divide(out, norms, out=out, where=norms > 0)
        return out

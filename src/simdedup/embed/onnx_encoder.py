"""Run an exported sentence-transformers model with ONNX Runtime (no torch at run time).

:class:`OnnxRunner` tokenises with the model's own fast tokenizer (saved beside the graph by
:mod:`simdedup.embed.onnx_export`), sorts texts by token count and batches them so padding is small,
runs the graph and pools the token states the way the model's Pooling module does.

It runs one single-threaded session per core, each on its share of the batches (ONNX Runtime
releases the GIL), rather than one session whose operators split across the cores: the
vectors are the same, and on 2 cores it embedded 136-character claim units 1.20-1.30x and
UN paragraphs 1.19-1.23x as fast (``benchmarks/README.md``, sixth pass of issue 18): a batch
of one text is too small an operator to split well.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simdedup.offline import import_onnxruntime
from simdedup.processes import cores

MODEL_FILE = "model.onnx"
SPEC_FILE = "simdedup-onnx.json"
TOKENIZER_FILE = "tokenizer.json"

DEFAULT_BATCH = 16  # fp32 on 2 cores: 8-32 within noise, 64 is 15 % slower, 128 30 %
MAX_SESSIONS = 8  # sessions when ``threads`` is not given: one per core, at most this many
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
    """Single-threaded ONNX Runtime sessions of an export directory, one per thread.

    Parameters
    ----------
    directory:
        An export made by :func:`simdedup.embed.onnx_export.ensure_exported`.
    spec:
        Its pooling settings; read from the directory when ``None``.
    threads:
        Sessions run side by side, each on one thread; ``None``: one per CPU core (at most
        :data:`MAX_SESSIONS`). Sessions past the first start when a call has batches for them.
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
        self.spec = spec if spec is not None else OnnxSpec.from_file(directory / SPEC_FILE)
        self.batcher = TokenBatcher(directory / TOKENIZER_FILE, self.spec, batch_size)
        self.threads = threads if threads else cores(MAX_SESSIONS)
        self._model = directory / MODEL_FILE
        self._lock = threading.Lock()
        self._sessions: list[Any] = [self._session()]

    def _session(self, threads: int = 1) -> Any:
        """A session of the graph whose operators use ``threads`` threads (0: every core)."""
        ort = import_onnxruntime()  # telemetry off before the import
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        return ort.InferenceSession(str(self._model), options, providers=["CPUExecutionProvider"])

    def _sessions_for(self, n_batches: int) -> list[Any]:
        wanted = max(1, min(self.threads, n_batches))
        with self._lock:
            while len(self._sessions) < wanted:
                self._sessions.append(self._session())
            return self._sessions[:wanted]

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """One vector per text, in input order (normalised if the model normalises)."""
        batches = self.batcher.batches(texts, batch_size)
        first = next(batches, None)
        if first is None:
            return np.zeros((0, 0), np.float32)
        size = batch_size or self.batcher.batch_size
        sessions = self._sessions_for(-(-len(texts) // size))
        positions, pooled = self._run(sessions[0], first)
        out = np.zeros((len(texts), pooled.shape[1]), np.float32)
        out[positions] = pooled
        taking = threading.Lock()

        def work(session: Any) -> None:  # each session takes the next batch (longest first)
            while True:
                with taking:
                    batch = next(batches, None)
                if batch is None:
                    return
                at, vectors = self._run(session, batch)
                out[at] = vectors  # rows of its own batch

        if len(sessions) == 1:
            work(sessions[0])
        else:
            with ThreadPoolExecutor(len(sessions), thread_name_prefix="simdedup-onnx") as pool_:
                list(pool_.map(work, sessions))
        if self.spec.normalize:
            norms = np.linalg.norm(out, axis=1, keepdims=True)
            np.divide(out, norms, out=out, where=norms > 0)
        return out

    def _run(
        self, session: Any, batch: tuple[np.ndarray, np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        positions, ids, mask = batch
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return positions, pool(hidden, mask, self.spec.pooling)

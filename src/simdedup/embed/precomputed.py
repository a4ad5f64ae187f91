"""Embeddings the user already has, served as an encoder: precomputed vectors are data."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from simdedup.embed.encoder import normalize_rows
from simdedup.errors import InputError


class Precomputed:
    """An :class:`~simdedup.embed.encoder.Encoder` that looks each text up among ``texts`` and
    returns its row of ``vectors`` (``(len(texts), dim)``, normalised here); a text it was not
    given is an error, so nothing is embedded behind the user's back."""

    name = "precomputed"

    def __init__(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        array = np.asarray(vectors)
        if array.ndim != 2 or array.shape[0] != len(texts) or array.shape[1] < 1:
            raise InputError(
                f"embeddings must be an array of shape ({len(texts)}, dim); got {array.shape}"
            )
        if not np.issubdtype(array.dtype, np.number) or not np.isfinite(array).all():
            raise InputError("embeddings must be finite numbers")
        self.vectors = normalize_rows(array)
        self._row = {text: i for i, text in reversed(list(enumerate(texts)))}
        digest = hashlib.blake2b(self.vectors.tobytes(), digest_size=12)
        for text in texts:
            digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
        self.fingerprint = f"precomputed:{digest.hexdigest()}"
        self.backend = "precomputed"

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        try:
            return self.vectors[[self._row[t] for t in texts]]
        except KeyError as missing:
            raise InputError(f"no precomputed embedding for the text {str(missing)[:60]}") from None

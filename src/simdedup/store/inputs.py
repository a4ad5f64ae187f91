"""What the library accepts as a corpus, turned into a store: a :class:`Store` as it is; a list
(or pandas / polars Series) of strings, one paragraph per string; records; or an ``(n, d)``
array of embeddings. Anything else is an error that says what is accepted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simdedup.checks import check_date
from simdedup.errors import InputError
from simdedup.io.records import Record
from simdedup.segment import WholeText
from simdedup.store.store import Store

if TYPE_CHECKING:
    from simdedup.embed.encoder import Encoder

Corpus = Any  # Store | Sequence[str] | pandas/polars Series | Sequence[Record] | np.ndarray


@dataclass
class Loaded:
    """A corpus as a store; ``texts`` are the input strings (``None`` for a Store or records;
    ``#0``, ``#1``, ... stand-ins for embeddings) and ``owned`` says the store was made here;
    as a context manager it closes such a store on leaving."""

    store: Store
    texts: list[str] | None
    owned: bool
    embeddings_only: bool = False

    def __enter__(self) -> Loaded:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.owned:
            self.store.close()


def make_encoder_for(encoder: Encoder | str | None) -> Encoder | None:
    """An encoder setting as an encoder: a model name or path is built
    (:func:`simdedup.embed.choose.make_encoder`), ``None`` stays ``None`` (the default)."""
    if isinstance(encoder, str):
        from simdedup.embed.choose import make_encoder

        return make_encoder(encoder)
    return encoder


def as_texts(data: Any, name: str = "texts") -> list[str] | None:
    """``data`` as a list of strings if it is one (a list, tuple, pandas or polars Series of
    str), else ``None``; a sequence mixing strings with other things is an error."""
    if isinstance(data, str):
        raise InputError(f"{name} must be a list of strings, not one string")
    if hasattr(data, "to_list") and not isinstance(data, np.ndarray):  # pandas / polars Series
        data = data.to_list()
    if not isinstance(data, (list, tuple)):
        return None
    if not all(isinstance(t, str) for t in data):
        bad = next(i for i, t in enumerate(data) if not isinstance(t, str))
        if all(isinstance(t, Record) for t in data):
            return None
        raise InputError(f"{name}[{bad}] is a {type(data[bad]).__name__}, not a string")
    return list(data)


def load(
    data: Corpus,
    *,
    encoder: Encoder | None = None,
    embeddings: np.ndarray | None = None,
    outlets: Sequence[str | None] | None = None,
    dates: Sequence[str | None] | None = None,
) -> Loaded:
    """The store behind ``data`` (see the module docstring). ``embeddings`` give the vectors of
    a list of strings (nothing is embedded then); ``outlets`` and ``dates`` go with the strings,
    one each."""
    if isinstance(data, Store):
        if embeddings is not None or outlets is not None or dates is not None:
            raise InputError("embeddings, outlets and dates go with a list of texts, not a Store")
        return Loaded(data, None, owned=False)
    embeddings_only = False
    texts = as_texts(data)
    if texts is None and _is_array(data):
        if embeddings is not None:
            raise InputError("give embeddings either as the data or as embeddings=, not both")
        embeddings = np.asarray(data)
        if embeddings.ndim != 2:
            raise InputError(
                f"embeddings must be a 2-D array (n, dim); got shape {embeddings.shape}"
            )
        texts = [f"#{i}" for i in range(len(embeddings))]
        embeddings_only = True
    if texts is None:
        if isinstance(data, (list, tuple)) and data and all(isinstance(r, Record) for r in data):
            if embeddings is not None or outlets is not None or dates is not None:
                raise InputError("embeddings, outlets and dates go with a list of texts")
            return Loaded(_memory_store(encoder, list(data)), None, owned=True)
        raise InputError(
            "data must be a list or Series of strings, a list of Records, an (n, dim) array of "
            f"embeddings or a simdedup.Store; got {type(data).__name__}"
        )
    if not texts:
        raise InputError("texts is empty: nothing to compare")
    outlets = _per_text(outlets, "outlets", len(texts))
    dates = _per_text(dates, "dates", len(texts))
    if embeddings is not None:
        from simdedup.embed.precomputed import Precomputed

        if encoder is not None:
            raise InputError("give either encoder= or embeddings=, not both")
        encoder = Precomputed(texts, embeddings)
    records = [
        Record(str(i), text, outlet=outlets[i], date=check_date(dates[i], f"dates[{i}]"))
        for i, text in enumerate(texts)
    ]
    store = _memory_store(encoder, records, WholeText())
    return Loaded(store, texts, owned=True, embeddings_only=embeddings_only)


def _memory_store(
    encoder: Encoder | None, records: list[Record], segmenter: WholeText | None = None
) -> Store:
    """An in-memory store holding ``records`` (closed again if adding them fails)."""
    store = Store.memory(encoder=encoder)
    try:
        store.add(records, segmenter=segmenter)
    except BaseException:
        store.close()
        raise
    return store


def _is_array(data: Any) -> bool:
    return isinstance(data, np.ndarray) or hasattr(data, "__array__")


def _per_text(values: Sequence[str | None] | None, name: str, n: int) -> list[str | None]:
    if values is None:
        return [None] * n
    listed = values.to_list() if hasattr(values, "to_list") else list(values)
    if len(listed) != n:
        raise InputError(f"{name} must have one entry per text ({n}); got {len(listed)}")
    return [None if v is None or v == "" else str(v) for v in listed]

"""Choosing an encoder by model and backend, as the CLI and stores name them."""

from __future__ import annotations

from pathlib import Path

from simdedup.embed.encoder import BACKENDS, Encoder, SentenceTransformerEncoder
from simdedup.errors import InputError

ALL_BACKENDS = (*BACKENDS, "static")


def make_encoder(
    model: str | Path | None = None,
    backend: str = "auto",
    *,
    batch_size: int | None = None,
    device: str | None = None,
    threads: int | None = None,
    quiet: bool = False,
) -> Encoder:
    """A :class:`SentenceTransformerEncoder`, or for ``backend="static"`` a
    :class:`~simdedup.embed.static.StaticEncoder` distilled from ``model``.

    ``model``: ``None`` for the default (the claim model; for ``static``, the bundled
    all-MiniLM-L6-v2), a bundled model's name (``simdedup-claim-v1``, ``all-MiniLM-L6-v2``), a
    directory or a cached hub name.
    """
    if backend not in ALL_BACKENDS:
        raise InputError(f"backend must be one of {', '.join(ALL_BACKENDS)}; got {backend!r}")
    if backend == "static":
        from simdedup.embed.static import StaticEncoder

        return StaticEncoder(model, quiet=quiet)
    return SentenceTransformerEncoder(
        model, backend=backend, batch_size=batch_size, device=device, threads=threads
    )


def encoder_backend(encoder: Encoder) -> str:
    """The encoder's resolved ``backend`` (``"custom"`` for encoders without one)."""
    return str(getattr(encoder, "backend", "") or "custom")

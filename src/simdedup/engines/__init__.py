"""Where the heavy stages run: the Engine protocol, and Ray behind it (the `ray` extra)."""

from __future__ import annotations

from simdedup.engines.base import Engine

__all__ = ["Engine"]

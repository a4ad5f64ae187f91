"""The installed simdedup's version (``0.0.0`` when run from a source tree)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("simdedup")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

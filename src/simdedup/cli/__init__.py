"""The `simdedup` command: click commands mirroring the library, options to encoder, engine
and store, and the tables."""

from __future__ import annotations

from simdedup.cli.main import main

__all__ = ["main"]

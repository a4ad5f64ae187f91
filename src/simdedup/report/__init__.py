"""The offline HTML report of talking points, its assets and the shared-phrase highlighting."""

from __future__ import annotations

"""Exceptions raised by simdedup.

Every error a user can cause is a :class:`SimdedupError`; its message is one line that names the
file, line, field or parameter at fault. The CLI prints that line and exits non-zero.
"""

from __future__ import annotations


class SimdedupError(Exception):
    """Base class of every error simdedup raises on purpose."""


class InputError(SimdedupError, ValueError):
    """Bad input: a missing path, a malformed line, a missing field, an invalid parameter."""


class StoreError(SimdedupError):
    """A store that is missing, corrupt, busy, too new, or built with another model."""

"""The ``DeprecationWarning`` an old spelling of a ``Plane`` method gives."""

from __future__ import annotations

import warnings

__all__ = ["renamed"]


def renamed(old: str, new: str) -> None:
    """Warn, at the caller's caller, that ``old`` is now spelled ``new``."""
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=3)

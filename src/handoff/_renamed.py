"""The ``DeprecationWarning`` an old spelling of a ``Plane`` method gives."""

from __future__ import annotations

import warnings

__all__ = ["rationale_of", "renamed"]


def renamed(old: str, new: str) -> None:
    """Warn, at the caller's caller, that ``old`` is now spelled ``new``."""
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=3)


def rationale_of(rationale: str | None, why: str | None, where: str) -> str:
    """The one rationale of a call that also takes the old ``why=`` (with a warning)."""
    if why is not None:
        warnings.warn(
            f"{where}(why=...) is deprecated; use rationale=", DeprecationWarning, stacklevel=3
        )
        if rationale is not None and rationale != why:
            from ._exceptions import InputError

            raise InputError("give rationale or why, not both", field="rationale")
        rationale = why
    if not rationale or not rationale.strip():
        from ._exceptions import InputError

        raise InputError("a rationale is required", field="rationale")
    return rationale

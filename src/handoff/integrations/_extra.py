"""The error an integration raises when its optional extra is not installed."""

from __future__ import annotations

__all__ = ["missing_extra"]


def missing_extra(package: str, extra: str) -> ImportError:
    """An ``ImportError`` that says which command installs what is missing.

    Raise it ``from`` the original error at the top of an integration module.
    """
    return ImportError(
        f"this integration needs the {package!r} package; install it with:"
        f" pip install 'handoff-plane[{extra}]'",
        name=package,
    )

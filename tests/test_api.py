"""The public namespace: one obvious import, a sorted __all__, nothing missing."""

from __future__ import annotations

import handoff


def test_all_is_sorted_and_complete() -> None:
    assert list(handoff.__all__) == sorted(handoff.__all__)
    for name in handoff.__all__:
        assert hasattr(handoff, name), name


def test_everyday_names_are_importable() -> None:
    from handoff import Action, ControlPlane, Decision, Outcome  # noqa: F401

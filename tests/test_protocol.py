"""``ControlPlane`` and ``Client`` are one ``Plane``: same names, parameters and returns.

An integration typed on ``handoff.Plane`` takes either, so every method the protocol
names must exist on both classes with the same parameter names, kinds and defaults,
and the same return annotation.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import handoff
from handoff import Client, ControlPlane, Plane

MEMBERS = sorted(
    name for name, value in vars(Plane).items() if callable(value) and not name.startswith("_")
)


def _shape(fn: object) -> list[tuple[str, object, object]]:
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def test_the_protocol_names_what_integrations_and_users_need() -> None:
    for name in ("submit", "get", "wait", "decide", "answer", "pending", "events"):
        assert name in MEMBERS
    for name in ("register", "execute", "claim", "complete", "assess"):
        assert name in MEMBERS
    assert "Plane" in handoff.__all__ and "RemoteClaim" in handoff.__all__


@pytest.mark.parametrize("cls", [ControlPlane, Client], ids=["embedded", "remote"])
@pytest.mark.parametrize("name", MEMBERS)
def test_both_planes_have_the_protocols_signature(cls: type, name: str) -> None:
    assert hasattr(cls, name), f"{cls.__name__} has no {name}"
    want = inspect.signature(getattr(Plane, name))
    got = inspect.signature(getattr(cls, name))
    assert _shape(getattr(cls, name)) == _shape(getattr(Plane, name)), f"{cls.__name__}.{name}"
    assert got.return_annotation == want.return_annotation, f"{cls.__name__}.{name} returns"


def test_an_open_plane_and_a_client_are_planes(tmp_path: Path) -> None:
    with ControlPlane.open(f"sqlite:///{tmp_path / 'handoff.db'}") as plane:
        assert isinstance(plane, Plane)
    with Client("http://127.0.0.1:9", api_key="hk_unused") as client:
        assert isinstance(client, Plane)

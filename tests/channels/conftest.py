"""A plane on both backends with the default policy and a tool that needs review."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handoff.models import Handoff
from handoff.plane import ControlPlane
from handoff.policy import default_policy
from handoff.store import open_store
from handoff.testing import FakeClock


@pytest.fixture
def plane(db_url: str, clock: FakeClock) -> Iterator[ControlPlane]:
    p = ControlPlane(open_store(db_url), default_policy(), clock=clock)
    p.register("payments.refund", lambda **kw: None)
    yield p
    p.close()


def submit(plane: ControlPlane, n: int = 1) -> list[Handoff]:
    """``n`` handoffs waiting for finance, each with its ``notify owner:finance`` row."""
    out = []
    for i in range(n):
        o = plane.submit(
            {
                "tool": "payments.refund",
                "args": {"order": f"o{i}", "amount_eur": 900},
                "agent": "bot",
            }
        )
        assert o.handoff is not None and o.handoff.owner == "finance", o
        out.append(o.handoff)
    return out

"""Test doubles for users' tests (and ours): a fake clock and an auto-reviewer.

    from handoff.testing import FakeClock, AutoReviewer, memory_plane

``memory_plane()`` is a ``ControlPlane`` on a private in-memory SQLite database with the
default policy and a fake clock, so a test needs no files and no sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .models import Decision, Handoff, Verdict
from .plane import ControlPlane
from .policy import Policy, load_policy
from .store import open_store

__all__ = ["AutoReviewer", "FakeClock", "memory_plane"]


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        self._now += timedelta(seconds=seconds, **delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


class AutoReviewer:
    """Decides every open handoff of a plane as told: by default, members approve.

    ``verdict`` may be a function of the handoff returning a ``Decision``-shaped dict,
    for tests that want some rejected and some approved.
    """

    def __init__(
        self,
        plane: ControlPlane,
        verdict: Callable[[Handoff, str], dict[str, object]] | None = None,
    ) -> None:
        self.plane = plane
        self.verdict = verdict or (
            lambda h, who: {"verdict": Verdict.APPROVE, "rationale": "looks right"}
        )

    def run(self) -> list[Handoff]:
        """Decide each open handoff until quorum or a final verdict; returns them."""
        decided = []
        for h in self.plane.pending():
            team = sorted(self.plane.policy.members_of(h.owner or ""))
            policy = self.plane.policy
            asked = policy.requesters(h.action.agent, h.action.on_behalf_of)
            for who in (m for m in team if policy.person(m) not in asked):
                fields = self.verdict(h, who)
                h = self.plane.decide(h.id, Decision.model_validate({"reviewer": who, **fields}))
                if h.state.value not in ("pending", "redirected"):
                    break
            decided.append(h)
        return decided


def memory_plane(
    policy: Policy | str | Path | None = None, clock: FakeClock | None = None
) -> ControlPlane:
    """A plane on a fresh in-memory SQLite database, with a ``FakeClock``."""
    return ControlPlane(open_store("sqlite://"), load_policy(policy), clock=clock or FakeClock())

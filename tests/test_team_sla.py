"""A team's own SLA: its handoffs get it, a redirect to it starts it, others keep theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handoff import ControlPlane, PolicyError
from handoff.policy import policy_from_yaml
from handoff.store import open_store
from handoff.testing import FakeClock

POLICY = """
owners:
  ops: {members: [ana]}
  legal: {members: [lena], sla: {medium: 1h}}
tools:
  ops.restart: {level: medium, owner: ops}
  legal.sign: {level: medium, owner: legal}
default_owner: ops
sla: {medium: 8h}
"""


def test_a_teams_sla_applies_to_its_handoffs_and_on_redirect(clock: FakeClock) -> None:
    with ControlPlane(open_store("sqlite://"), policy_from_yaml(POLICY), clock=clock) as plane:
        ops = plane.submit({"tool": "ops.restart", "args": {"host": "a"}})
        legal = plane.submit({"tool": "legal.sign", "args": {"doc": "b"}})
        assert ops.handoff.assessment.sla_seconds == 8 * 3600
        assert legal.handoff.assessment.sla_seconds == 3600
        clock.advance(600)
        h = plane.decide(
            ops.handoff_id, verdict="redirect", reviewer="ana", owner="legal", rationale="terms"
        )
        assert h.owner == "legal" and h.deadline == clock.now() + timedelta(hours=1)
        assert h.assessment.sla_seconds == 3600


def test_a_bad_team_sla_names_its_line() -> None:
    with pytest.raises(PolicyError) as err:
        policy_from_yaml(POLICY.replace("sla: {medium: 1h}", "sla: {medium: -1h}"), "p.yaml")
    assert str(err.value).startswith("p.yaml:4 owners.legal.sla.medium")

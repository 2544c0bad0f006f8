"""The policy's ``step_up`` key, and the refusal every surface without a browser gives.

The passkey ceremonies themselves run in Chromium (tests/server/test_passkeys.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from handoff import ControlPlane
from handoff._exceptions import NotAuthorized, PolicyError
from handoff.cli.commands import app
from handoff.models import Level
from handoff.policy import default_policy, policy_from_yaml

POLICY = """\
name: step-up
step_up: medium
tools:
  ops.restart: {level: medium, owner: ops}
  ops.pay: {level: high, owner: ops}
  notes.add: {level: low, impact: 0.0, reversibility: 0.0}
owners:
  ops: {members: [ana, ben, cat]}
default_owner: ops
"""


def test_step_up_is_off_by_default_and_a_bare_off_means_off() -> None:
    assert default_policy().step_up == "off"
    assert policy_from_yaml("step_up: off\n").step_up == "off"  # YAML reads it as false
    assert not any(default_policy().needs_step_up(lv) for lv in Level)
    medium = policy_from_yaml("step_up: medium\n")
    assert [medium.needs_step_up(lv) for lv in Level] == [False, True, True]


@pytest.mark.parametrize("value", ["critical", "true", "[high]", "1", "HIGH"])
def test_a_bad_step_up_names_the_key(value: str) -> None:
    with pytest.raises(PolicyError) as err:
        policy_from_yaml(f"name: x\nstep_up: {value}\n", "p.yaml")
    assert err.value.field == "step_up"
    assert str(err.value).startswith("p.yaml:2 step_up:")


def test_the_plane_refuses_an_approval_without_a_passkey(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    with ControlPlane.open(f"sqlite:///{tmp_path / 'h.db'}", policy) as plane:
        medium = plane.submit({"tool": "ops.restart", "agent": "bot", "args": {"svc": "web"}})
        hid = medium.handoff_id
        assert hid is not None
        for verdict, extra in [
            ("approve", {}),
            ("revise", {"args": {"svc": "db"}, "rationale": "db instead"}),
        ]:
            with pytest.raises(NotAuthorized) as err:
                plane.decide(hid, verdict=verdict, reviewer="ana", **extra)
            assert err.value.field == "step_up"
            assert "medium handoff needs a passkey" in err.value.message
        h = plane.get(hid)
        assert h.state.value == "pending" and h.decisions == []
        assert [e.kind for e in plane.store.events(hid)] == ["submitted", "pending"]
        # Sending back or rejecting approves nothing: no passkey asked.
        after = plane.decide(hid, verdict="reject", reviewer="ana", rationale="not now")
        assert after.state.value == "rejected"


def test_the_cli_refuses_with_the_way_to_approve(tmp_path: Path) -> None:
    policy, db = tmp_path / "policy.yaml", tmp_path / "h.db"
    policy.write_text(POLICY)
    with ControlPlane.open(f"sqlite:///{db}", policy) as plane:
        hid = plane.submit({"tool": "ops.pay", "agent": "bot", "args": {"n": 1}}).handoff_id
    assert hid is not None
    args = ["decide", hid, "--approve", "--as", "ana", "--why", "ok"]
    result = CliRunner().invoke(app, [*args, "--db", str(db), "--policy", str(policy)])
    assert result.exit_code == 3, result.output
    assert "passkey" in result.stderr and "inbox" in result.stderr
    with ControlPlane.open(f"sqlite:///{db}", policy) as plane:
        assert plane.get(hid).decisions == []

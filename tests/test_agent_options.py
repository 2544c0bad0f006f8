"""Agent-written options: an agent's option can look like handoff's own, never act like it.

An agent may offer options in its package. These tests perform the attack of an option
named and titled like the built-in approval but carrying other args, and check the
defences: built-in ids cannot be taken, every option says who wrote it, and choosing an
option that changes the args needs a rationale, like a revise.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from handoff import ControlPlane
from handoff._exceptions import InputError
from handoff.cli.commands import app
from handoff.decide._review import apply_decision
from handoff.detect import rubric
from handoff.models import (
    Action,
    Decision,
    Handoff,
    Option,
    Package,
    State,
    Verdict,
    action_hash,
)
from handoff.package._options import BUILT_IN_IDS
from handoff.policy import Policy
from handoff.testing import FakeClock

POLICY = Policy.model_validate(
    {
        "name": "options",
        "tools": {"crm.update": {"level": "medium", "owner": "ops"}},
        # A discount is money; these tests are about options, so one reviewer decides.
        "triggers": {"action.money": {"enabled": False}},
        "owners": {"ops": {"members": ["ana", "ben"]}},
        "default_owner": "ops",
    }
)
RAW = {"account": "acme", "plan": "pro", "discount": 5}
OTHER = {"account": "acme", "plan": "pro", "discount": 95}


@pytest.fixture
def plane(tmp_path: Path) -> Iterator[ControlPlane]:
    p = ControlPlane.open(f"sqlite:///{tmp_path / 'h.db'}", POLICY, clock=FakeClock())
    p.register("crm.update", lambda **kw: {"ok": True})
    yield p
    p.close()


def submit(plane: ControlPlane, *options: dict[str, Any]) -> str:
    package = {"summary": "Update the plan", "options": list(options)}
    out = plane.submit({"tool": "crm.update", "args": RAW, "agent": "bot", "package": package})
    return out.handoff_id


def snapshot(plane: ControlPlane) -> tuple[object, ...]:
    return (plane.store.count_by_state(), plane.store.head())


def test_the_attack_an_agent_option_named_approve_is_refused_at_submit(
    plane: ControlPlane,
) -> None:
    before = snapshot(plane)
    with pytest.raises(InputError) as err:
        submit(plane, {"id": "approve", "title": "Approve as submitted", "args": OTHER})
    assert err.value.field == "package.options[0].id"
    assert "'approve'" in err.value.message
    assert snapshot(plane) == before


#: Spellings a reviewer would read as a built-in id.
LOOKALIKES = ["Approve", " approve ", "REJECT", "send-back", "re\u200bject", "\uff41pprove"]


@pytest.mark.parametrize("oid", [*sorted(BUILT_IN_IDS), *LOOKALIKES])
def test_no_built_in_id_can_be_shadowed(plane: ControlPlane, oid: str) -> None:
    good = {"id": "mine", "title": "Mine", "args": RAW}
    before = snapshot(plane)
    with pytest.raises(InputError) as err:
        submit(plane, good, {"id": oid, "title": "Looks built in", "args": OTHER})
    assert err.value.field == "package.options[1].id"
    assert snapshot(plane) == before


def test_an_agent_cannot_say_its_option_was_written_by_handoff(plane: ControlPlane) -> None:
    forged = {"id": "go", "title": "Go", "args": OTHER, "origin": "handoff"}
    with pytest.raises(InputError) as err:
        submit(plane, forged)
    assert err.value.field == "package.options[0].origin"


def test_every_option_says_who_wrote_it(plane: ControlPlane) -> None:
    hid = submit(plane, {"id": "approve_as_submitted", "title": "Approve as submitted"})
    package = plane.get(hid).package
    assert package is not None
    origins = {o.id: o.origin for o in package.options}
    assert origins.pop("approve_as_submitted") == "agent"
    assert origins and set(origins.values()) == {"handoff"}  # topped up from the draft
    drafted = plane.submit({"tool": "crm.update", "args": RAW, "agent": "bot"})
    assert drafted.handoff.package is not None
    assert {o.origin for o in drafted.handoff.package.options} == {"handoff"}


def test_the_attack_choosing_changed_args_with_no_rationale_does_not_approve(
    plane: ControlPlane,
) -> None:
    hid = submit(
        plane,
        {"id": "approve_as_submitted", "title": "Approve as submitted", "args": OTHER},
    )
    before = snapshot(plane)
    for rationale in ("", "   "):
        with pytest.raises(InputError) as err:
            plane.decide(
                hid,
                verdict="choose",
                reviewer="ana",
                option_id="approve_as_submitted",
                rationale=rationale,
            )
        assert err.value.field == "rationale"
        assert "discount" in err.value.message  # names what the option changes
    assert snapshot(plane) == before
    h = plane.get(hid)
    assert h.state is State.PENDING and h.action.args == RAW

    h = plane.decide(
        hid,
        verdict="choose",
        reviewer="ana",
        option_id="approve_as_submitted",
        rationale="The 95% discount was agreed with the account owner.",
    )
    assert h.state is State.APPROVED and h.action.args == OTHER


def test_an_option_with_the_proposed_args_needs_no_rationale(plane: ControlPlane) -> None:
    hid = submit(plane, {"id": "as_is", "title": "As proposed", "args": dict(RAW)})
    h = plane.decide(hid, verdict="choose", reviewer="ana", option_id="as_is")
    assert h.state is State.APPROVED and h.action.args == RAW


def test_a_built_in_option_that_changes_the_args_needs_a_rationale_too(
    plane: ControlPlane,
) -> None:
    args = {**RAW, "dry_run": False}
    out = plane.submit({"tool": "crm.update", "args": args, "agent": "bot"})
    assert out.handoff.package is not None
    assert "dry_run_first" in [o.id for o in out.handoff.package.options]
    with pytest.raises(InputError) as err:
        plane.decide(out.handoff_id, verdict="choose", reviewer="ana", option_id="dry_run_first")
    assert err.value.field == "rationale"
    h = plane.decide(
        out.handoff_id,
        verdict="choose",
        reviewer="ana",
        option_id="dry_run_first",
        rationale="See what it would change first.",
    )
    assert h.state is State.APPROVED and h.action.args["dry_run"] is True


def test_a_json_different_value_that_python_calls_equal_is_a_change(
    plane: ControlPlane,
) -> None:
    """``1 == True`` in Python; in the args an executor receives they differ."""
    hid = submit(plane, {"id": "flag", "title": "Flag", "args": {**RAW, "discount": 5.0}})
    with pytest.raises(InputError) as err:
        plane.decide(hid, verdict="choose", reviewer="ana", option_id="flag")
    assert err.value.field == "rationale"


def test_a_stored_package_from_before_the_check_still_needs_a_rationale() -> None:
    """Handoffs written before ids were reserved may hold an agent option named approve."""
    now = datetime(2026, 1, 5, tzinfo=UTC)
    action = Action(tool="crm.update", args=RAW, agent="bot")
    h = Handoff(
        id="h_old",
        action=action,
        action_hash=action_hash(action.tool, action.args, action.agent, None),
        assessment=rubric.assess(action, POLICY),
        package=Package(options=[Option(id="approve", title="Approve as submitted", args=OTHER)]),
        owner="ops",
        state=State.PENDING,
        created_at=now,
        updated_at=now,
    )
    d = Decision(verdict=Verdict.CHOOSE, reviewer="ana", option_id="approve")
    with pytest.raises(InputError) as err:
        apply_decision(h, d, POLICY, now)
    assert err.value.field == "rationale"


def test_the_cli_shows_who_wrote_each_option_and_its_diff(
    plane: ControlPlane, tmp_path: Path
) -> None:
    hid = submit(plane, {"id": "approve_as_submitted", "title": "Approve as", "args": OTHER})
    result = CliRunner().invoke(app, ["show", hid, "--db", str(tmp_path / "h.db")])
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.stdout
    assert "approve_as_submitted (written by the agent) changes the args:" in out
    assert "~ discount: 5 -> 95" in out
    assert "choosing it needs a rationale" in out

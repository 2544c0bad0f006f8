"""The state machine, and properties of deciding that must hold for any sequence."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff import ConflictError, HandoffError, InputError, NotAuthorized, State
from handoff.decide.lifecycle import OPEN, TERMINAL, TRANSITIONS, can_move
from handoff.policy import default_policy
from handoff.testing import memory_plane


def test_the_design_transitions() -> None:
    assert TRANSITIONS[State.PENDING] >= {
        State.APPROVED,
        State.REJECTED,
        State.REDIRECTED,
        State.NEEDS_INFO,
        State.EXPIRED,
        State.CANCELLED,
    }
    assert can_move(State.APPROVED, State.EXECUTING)
    assert can_move(State.AUTO_APPROVED, State.EXECUTING)
    assert TRANSITIONS[State.EXECUTING] == {State.EXECUTED, State.FAILED, State.ROLLED_BACK}
    assert not can_move(State.REJECTED, State.APPROVED)
    assert not can_move(State.PENDING, State.EXECUTING)
    assert {State.PENDING, State.REDIRECTED} == OPEN
    assert {State.REJECTED, State.EXPIRED, State.FAILED} <= TERMINAL
    for s in TERMINAL:
        assert not TRANSITIONS[s]


POLICY = default_policy().model_validate(
    {
        **default_policy().model_dump(),
        "tools": {
            "t.medium": {"level": "medium", "owner": "finance"},
            "t.high": {"level": "high", "owner": "finance"},
        },
    }
)
PEOPLE = ["fiona", "felix", "frank", "sam", "bot", "olga"]
verdicts = st.sampled_from(["approve", "reject", "revise", "redirect", "choose"])
steps = st.lists(st.tuples(verdicts, st.sampled_from(PEOPLE), st.booleans()), max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tool=st.sampled_from(["t.medium", "t.high"]), seq=steps)
def test_separation_of_duties_and_quorum_hold_for_any_sequence(
    tool: str, seq: list[tuple[str, str, bool]]
) -> None:
    plane = memory_plane(POLICY)
    plane.register(tool, lambda **_: None)
    out = plane.submit({"tool": tool, "args": {"n": 1}, "agent": "bot", "on_behalf_of": "olga"})
    hid = out.handoff_id
    team = plane.policy.members_of("finance")
    for verdict, who, with_why in seq:
        before = plane.get(hid)
        fields: dict[str, object] = {"verdict": verdict, "reviewer": who}
        if with_why:
            fields["rationale"] = "because"
        if verdict == "revise":
            fields["args"] = {"n": 2}
        if verdict == "redirect":
            fields["owner"] = "legal"
        if verdict == "choose":
            fields["option_id"] = "approve"
        try:
            after = plane.decide(hid, fields)
        except (NotAuthorized, ConflictError, InputError):
            assert plane.get(hid).model_dump() == before.model_dump()
            continue
        except HandoffError as exc:  # pragma: no cover - any other error is a bug
            raise AssertionError(exc) from exc
        assert who not in {"bot", "olga"}
        assert who in plane.policy.members_of(before.owner or "")
        assert before.state in OPEN and can_move(before.state, after.state)
        if after.state is State.APPROVED:
            approvers = {d.reviewer for d in after.approvals}
            assert len(approvers & team) >= after.assessment.quorum or after.owner != "finance"
            assert not approvers & {"bot", "olga"}
            if tool == "t.high":
                assert len(approvers) >= 2
    assert plane.verify_audit().ok
    plane.close()

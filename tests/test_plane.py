"""ControlPlane end to end on a real store: submit, decide, wait, execute, audit.

Levels are pinned by tool rules in a test policy, so these tests do not move when the
detectors are tuned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from handoff import (
    Action,
    ActionBlocked,
    ActionRejected,
    ConflictError,
    ControlPlane,
    Decision,
    HashMismatch,
    InputError,
    NotAuthorized,
    NotFound,
    State,
    UnknownTool,
)
from handoff.audit.trail import verify
from handoff.policy import default_policy
from handoff.store import open_store
from handoff.testing import AutoReviewer, FakeClock

POLICY_EXTRA = {
    "tools": {
        "test.low": {"level": "low"},
        "test.medium": {"level": "medium", "owner": "finance"},
        "test.high": {"level": "high", "owner": "security"},
        "test.block": {"mode": "block"},
    }
}


@pytest.fixture
def plane(db_url: str, clock: FakeClock) -> Iterator[ControlPlane]:
    base = default_policy().model_dump()
    base["tools"] = {**base["tools"], **POLICY_EXTRA["tools"]}
    policy = type(default_policy()).model_validate(base)
    p = ControlPlane(open_store(db_url), policy, clock=clock)
    p.ran = []  # type: ignore[attr-defined]
    for tool in ("test.low", "test.medium", "test.high", "test.block"):
        p.register(tool, lambda tool=tool, **args: p.ran.append((tool, args)) or {"ok": True})  # type: ignore[attr-defined, misc]
    yield p
    p.close()


def act(tool: str, **args: Any) -> dict[str, Any]:
    return {"tool": tool, "args": args, "agent": "bot", "on_behalf_of": "olga"}


def snapshot(p: ControlPlane) -> tuple[object, ...]:
    return (p.store.count_by_state(), p.store.head(), len(p.store.outbox_pending()))


def test_low_risk_runs_at_once_and_is_audited(plane: ControlPlane) -> None:
    out = plane.submit(act("test.low", n=1))
    assert out.status == "executed" and out.result == {"ok": True}
    assert plane.ran == [("test.low", {"n": 1})]  # type: ignore[attr-defined]
    h = plane.get(out.handoff_id)
    assert h.state is State.EXECUTED and h.execution and h.execution.status == "succeeded"
    kinds = [e.kind for e in plane.store.events(h.id)]
    assert kinds == ["submitted", "auto_approved", "execution_started", "executed"]
    assert verify(plane.store).ok


def test_medium_pauses_then_one_member_approves(plane: ControlPlane) -> None:
    out = plane.submit(act("test.medium", amount=10))
    assert out.pending and out.handoff.owner == "finance"
    assert out.handoff.package and out.handoff.package.decision_required
    assert plane.ran == []  # type: ignore[attr-defined]
    assert plane.store.outbox_pending()[0]["payload"].find("owner:finance") > 0
    h = plane.decide(out.handoff_id, verdict="approve", reviewer="fiona", rationale="fine")
    assert h.state is State.APPROVED
    done = plane.execute(h.id)
    assert done.status == "executed"
    assert plane.execute(h.id).status == "executed"  # a second call runs nothing
    assert len(plane.ran) == 1  # type: ignore[attr-defined]
    assert verify(plane.store).ok


def test_high_needs_two_distinct_members(plane: ControlPlane) -> None:
    hid = plane.submit(act("test.high", role="admin")).handoff_id
    h = plane.decide(hid, verdict="approve", reviewer="sam", rationale="ok")
    assert h.state is State.PENDING and len(h.approvals) == 1
    with pytest.raises(ConflictError):
        plane.decide(hid, verdict="approve", reviewer="sam", rationale="again")
    h = plane.decide(hid, verdict="approve", reviewer="sofia", rationale="ok too")
    assert h.state is State.APPROVED
    kinds = [e.kind for e in plane.store.events(hid)]
    assert kinds[-2:] == ["approval_recorded", "approved"]


def test_requester_and_outsiders_cannot_decide(plane: ControlPlane) -> None:
    hid = plane.submit(act("test.medium")).handoff_id
    before = snapshot(plane)
    for who in ("bot", "olga", "sam"):
        with pytest.raises(NotAuthorized) as err:
            plane.decide(hid, verdict="approve", reviewer=who, rationale="me")
        assert err.value.field == "reviewer"
    assert snapshot(plane) == before


def test_a_decided_handoff_cannot_be_decided_again(plane: ControlPlane) -> None:
    hid = plane.submit(act("test.medium")).handoff_id
    plane.decide(hid, verdict="reject", reviewer="felix", rationale="not now")
    before = snapshot(plane)
    with pytest.raises(ConflictError):
        plane.decide(hid, verdict="approve", reviewer="fiona", rationale="yes")
    assert snapshot(plane) == before
    with pytest.raises(ConflictError):
        plane.execute(hid)


def test_rationale_is_required_for_reject_revise_redirect(plane: ControlPlane) -> None:
    hid = plane.submit(act("test.medium")).handoff_id
    before = snapshot(plane)
    for verdict in ("reject", "revise", "redirect"):
        with pytest.raises(InputError) as err:
            plane.decide(hid, verdict=verdict, reviewer="fiona", args={"a": 1})
        assert err.value.field == "rationale"
    assert snapshot(plane) == before


def test_revise_binds_the_approval_to_the_new_args(plane: ControlPlane) -> None:
    out = plane.submit(act("test.medium", amount=900))
    h = plane.decide(
        out.handoff_id, verdict="revise", reviewer="fiona", rationale="cap it", args={"amount": 500}
    )
    assert h.state is State.APPROVED
    assert h.action.args == {"amount": 500} and h.action_hash != out.handoff.action_hash
    with pytest.raises(HashMismatch):
        plane.execute(h.id, args={"amount": 900})
    assert plane.store.events(h.id)[-1].kind == "execution_refused"
    plane.execute(h.id, args={"amount": 500})
    assert plane.ran == [("test.medium", {"amount": 500})]  # type: ignore[attr-defined]


def test_a_retry_after_a_revise_replays_but_other_args_conflict(plane: ControlPlane) -> None:
    sent = {**act("test.medium", amount=900), "idempotency_key": "k-rev"}
    hid = plane.submit(sent).handoff_id
    plane.decide(hid, verdict="revise", reviewer="fiona", rationale="cap it", args={"amount": 500})
    again = plane.submit(sent)  # the agent's own args: a retry, answered with the revised one
    assert again.handoff_id == hid and again.handoff.action.args == {"amount": 500}
    revised = plane.submit({**sent, "args": {"amount": 500}})  # the reviewer's args: same
    assert revised.handoff_id == hid
    before = snapshot(plane)
    with pytest.raises(ConflictError) as err:  # anything else is another action
        plane.submit({**sent, "args": {"amount": 7}})
    assert err.value.field == "idempotency_key" and snapshot(plane) == before


def test_args_tampered_in_the_database_are_refused(plane: ControlPlane) -> None:
    hid = plane.submit(act("test.medium", amount=10)).handoff_id
    plane.decide(hid, verdict="approve", reviewer="fiona", rationale="ok")
    h = plane.get(hid)
    h.action.args["amount"] = 10_000
    with plane.store.write() as tx:
        tx.update(h, State.APPROVED, h.version)
    with pytest.raises(HashMismatch):
        plane.execute(hid)
    assert plane.ran == []  # type: ignore[attr-defined]
    assert plane.get(hid).state is State.APPROVED


def test_redirect_to_another_team_and_back_to_the_agent(plane: ControlPlane) -> None:
    hid = plane.submit(act("test.medium")).handoff_id
    h = plane.decide(
        hid, verdict="redirect", reviewer="fiona", owner="legal", rationale="contract terms"
    )
    assert h.state is State.REDIRECTED and h.owner == "legal"
    with pytest.raises(NotAuthorized):
        plane.decide(hid, verdict="approve", reviewer="fiona", rationale="ok")
    h = plane.decide(
        hid,
        verdict="redirect",
        reviewer="lena",
        rationale="which contract?",
        questions=["Which contract does this quote?"],
    )
    assert h.state is State.NEEDS_INFO
    assert plane.wait(hid, timeout=0).state is State.NEEDS_INFO


def test_choose_an_option(plane: ControlPlane) -> None:
    out = plane.submit(act("test.medium", amount=10))
    assert out.handoff.package is not None
    ids = [o.id for o in out.handoff.package.options]
    assert "approve" in ids
    with pytest.raises(InputError) as err:
        plane.decide(out.handoff_id, verdict="choose", reviewer="fiona", option_id="nope")
    assert err.value.field == "option_id"
    h = plane.decide(out.handoff_id, verdict="choose", reviewer="fiona", option_id="approve")
    assert h.state is State.APPROVED


def test_idempotency_key_replays_and_conflicts(plane: ControlPlane) -> None:
    first = plane.submit({**act("test.low", n=1), "idempotency_key": "k1"})
    again = plane.submit({**act("test.low", n=1), "idempotency_key": "k1"})
    assert again.handoff_id == first.handoff_id and again.result == first.result
    assert len(plane.ran) == 1  # type: ignore[attr-defined]
    before = snapshot(plane)
    with pytest.raises(ConflictError) as err:
        plane.submit({**act("test.low", n=2), "idempotency_key": "k1"})
    assert err.value.field == "idempotency_key"
    assert snapshot(plane) == before


def test_an_idempotency_key_replays_only_the_same_whole_action(plane: ControlPlane) -> None:
    first = plane.submit({**act("test.low", n=1), "idempotency_key": "k9"})
    assert first.status == "executed"
    before = snapshot(plane)
    other_tool = {**act("test.medium", n=1), "idempotency_key": "k9"}
    other_person = {**act("test.low", n=1), "on_behalf_of": "fiona", "idempotency_key": "k9"}
    for other in (other_tool, other_person):  # same key and args, another action
        with pytest.raises(ConflictError) as err:
            plane.submit(other)
        assert err.value.field == "idempotency_key"
    assert snapshot(plane) == before
    # Keys belong to the agent: another agent's same key is a new action of its own.
    theirs = plane.submit({**act("test.low", n=1), "agent": "bot2", "idempotency_key": "k9"})
    assert theirs.handoff_id != first.handoff_id
    assert theirs.handoff.action.agent == "bot2" and theirs.status == "executed"
    assert len(plane.ran) == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("action", "field"),
    [
        ({"args": {}}, "tool"),
        ({"tool": "test.low", "args": [1, 2]}, "args"),
        ({"tool": "test.low", "args": "x"}, "args"),
        ({"tool": "test.low", "args": {"x": float("nan")}}, "args"),
        ({"tool": "test.low", "args": {"x": float("inf")}}, "args"),
        ({"tool": "test.low", "args": {"blob": "x" * 2_000_000}}, "action"),
        ({"tool": "test.low", "args": {}, "surprise": 1}, "surprise"),
        ({"tool": "bad tool!", "args": {}}, "tool"),
        ({"tool": "test.low", "context": {"confidence": 3}}, "context.confidence"),
        ({"tool": "test.low", "args": {"note": "a\x00b"}}, "args"),
        ({"tool": "test.low", "args": {"a\x00": 1}}, "args"),
        ({"tool": "test.low", "args": {"note": "\ud800"}}, "args"),
        ({"tool": "test.low", "agent": "bot\x00"}, "agent"),
        ({"tool": "test.low", "context": {"instruction": "\udfff"}}, "context.instruction"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    plane: ControlPlane, action: dict[str, Any], field: str
) -> None:
    before = snapshot(plane)
    with pytest.raises(InputError) as err:
        plane.submit(action)
    assert err.value.field is not None and err.value.field.startswith(field)
    assert snapshot(plane) == before
    assert plane.ran == []  # type: ignore[attr-defined]


def test_a_tool_with_no_executor_is_the_agents_own_and_a_human_places_it(
    plane: ControlPlane,
) -> None:
    out = plane.submit({"tool": "nobody.knows", "args": {"x": 1}})
    assert out.pending  # accepted, and unknown means ask: nothing runs on its own
    assert "tool.unknown" in {t.code for t in out.handoff.assessment.triggers}
    assert plane.ran == []  # type: ignore[attr-defined]


def test_a_policy_accepting_only_listed_tools_refuses_others(plane: ControlPlane) -> None:
    plane.policy = plane.policy.model_copy(update={"accept_tools": "listed"})
    before = snapshot(plane)
    with pytest.raises(UnknownTool) as err:
        plane.submit({"tool": "nobody.knows"})
    assert err.value.field == "tool" and "accept_tools: listed" in str(err.value)
    assert snapshot(plane) == before
    assert plane.submit(act("test.low")).status == "executed"  # a registered tool passes
    with pytest.raises(NotFound):
        plane.decide("h_missing", verdict="approve", reviewer="fiona")


def test_blocked_actions_never_run(plane: ControlPlane) -> None:
    out = plane.submit(act("test.block"))
    assert out.status == "blocked" and plane.ran == []  # type: ignore[attr-defined]


def test_guard_sync_and_async(plane: ControlPlane) -> None:
    calls: list[str] = []

    @plane.guard("test.low", agent="bot")
    def fix_typo(draft_id: str, patch: str = "teh -> the") -> str:
        calls.append(draft_id)
        return f"fixed {draft_id}"

    @plane.guard("test.high", agent="bot")
    async def grant(user: str, role: str) -> str:
        calls.append(user)
        return "granted"

    @plane.guard("test.block", agent="bot")
    def nuke() -> None:
        calls.append("nuke")

    assert fix_typo("d-1") == "fixed d-1"
    pending = asyncio.run(grant("carl", role="admin"))
    assert pending.status == "pending" and calls == ["d-1"]
    AutoReviewer(plane).run()
    assert plane.get(pending.handoff_id).state is State.APPROVED
    assert plane.execute(pending.handoff_id).result == "granted"
    assert calls == ["d-1", "carl"]
    with pytest.raises(ActionBlocked):
        nuke()


def test_guard_waits_and_raises_on_reject(plane: ControlPlane) -> None:
    @plane.guard("test.medium", agent="bot", wait=0.05)
    def pay(amount: int) -> int:
        return amount

    out = pay(5)
    assert out.status == "pending"
    plane.decide(out.handoff_id, verdict="reject", reviewer="felix", rationale="no budget")
    with pytest.raises(ActionRejected, match="no budget"):
        from handoff.execute._guard import _settle

        _settle(plane, out, 0.05)


def test_racing_decisions_over_threads_have_one_winner(db_url: str, clock: FakeClock) -> None:
    import threading

    setup = ControlPlane(
        open_store(db_url),
        default_policy().model_validate(
            {**default_policy().model_dump(), "tools": POLICY_EXTRA["tools"]}
        ),
        clock=clock,
    )
    hid = setup.submit(act("test.medium")).handoff_id
    results: list[str] = []
    barrier = threading.Barrier(6, timeout=30)

    def reviewer(i: int) -> None:
        p = ControlPlane(open_store(db_url), setup.policy, clock=clock)
        verdict = Decision(
            verdict="approve" if i % 2 else "reject",
            reviewer=["fiona", "felix"][i % 2],
            rationale=f"r{i}",
        )
        barrier.wait()
        try:
            p.decide(hid, verdict)
            results.append("won")
        except ConflictError:
            results.append("lost")
        finally:
            p.close()

    threads = [threading.Thread(target=reviewer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("won") == 1 and results.count("lost") == 5
    assert verify(setup.store).ok
    setup.close()


def test_action_model_hash_is_stable() -> None:
    a = Action(tool="x.y", args={"b": 1, "a": [1, 2]})
    b = Action(tool="x.y", args={"a": [1, 2], "b": 1})
    from handoff.models import action_hash

    assert action_hash(a.tool, a.args, a.agent, None) == action_hash(b.tool, b.args, b.agent, None)

"""A forged approval in the ``handoffs`` table is caught by verify and runs nothing.

The attack: someone with write access to the database edits one handoff's row to
``approved`` and adds two approvals to its document, without touching the chain. The
chain is the truth: ``audit verify`` replays it and names the handoff and the field
that disagree, and a claim to execute needs the approving events in the chain.
Both backends (SQLite file, PostgreSQL) are attacked the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from handoff import ControlPlane, HandoffError, State, Tampered
from handoff._exceptions import NotApproved
from handoff.audit.checkpoint import generate_key, load_private_key, write_checkpoint
from handoff.audit.trail import verify
from handoff.cli.commands import app
from handoff.models import Decision, Verdict
from handoff.policy import Policy, default_policy
from handoff.store import SqlStore, open_store
from handoff.testing import FakeClock

TOOLS = {"ops.restart": {"level": "medium", "owner": "ops"}}
OWNERS = {"ops": {"members": ["ana", "ben", "cleo"]}}


def make_policy(quorum: int = 1) -> Policy:
    base = default_policy().model_dump()
    base["tools"] = {**base["tools"], **TOOLS}
    base["owners"] = {**base["owners"], **OWNERS}
    base["quorum"] = {**base["quorum"], "medium": quorum}
    return Policy.model_validate(base)


@pytest.fixture
def plane(db_url: str, clock: FakeClock) -> Iterator[ControlPlane]:
    p = ControlPlane(open_store(db_url), make_policy(), clock=clock)
    ran: list[dict[str, Any]] = []
    # Idempotent, so recovery would run it again after a crash: the strongest case.
    p.register("ops.restart", lambda **args: ran.append(args) or {"ok": True}, idempotent=True)
    p.ran = ran  # type: ignore[attr-defined]
    yield p
    p.close()


def submit(p: ControlPlane, service: str = "web") -> str:
    out = p.submit({"tool": "ops.restart", "args": {"service": service}, "agent": "bot"})
    assert out.status == "pending" and out.handoff_id is not None
    return out.handoff_id


def forge_by_sql(p: ControlPlane, hid: str) -> None:
    """Edit the row as a database user would: state column and document, nothing else."""
    store = p.store
    assert isinstance(store, SqlStore)
    with store.engine.begin() as conn:
        doc = json.loads(
            conn.execute(text("SELECT doc FROM handoffs WHERE id = :id"), {"id": hid}).scalar_one()
        )
        now = doc["updated_at"]
        doc["state"] = "approved"
        doc["decisions"] = [
            {
                "verdict": "approve",
                "reviewer": who,
                "rationale": "ok",
                "at": now,
                "action_hash": doc["action_hash"],
                "args": None,
                "option_id": None,
                "owner": None,
                "questions": [],
            }
            for who in ("ana", "ben")
        ]
        conn.execute(
            text("UPDATE handoffs SET state = 'approved', doc = :doc WHERE id = :id"),
            {"doc": json.dumps(doc), "id": hid},
        )


def forge_by_store(p: ControlPlane, hid: str, state: State = State.APPROVED, **extra: Any) -> None:
    """Edit the row through the store's own write path, so every column agrees with the
    document: what an attacker holding the code and the database can do."""
    h = p.get(hid)
    prev, version = h.state, h.version
    fakes = [
        Decision(
            verdict=Verdict.APPROVE,
            reviewer=who,
            rationale="ok",
            at=h.updated_at,
            action_hash=h.action_hash,
        )
        for who in ("ana", "ben")
    ]
    h.state, h.decisions = state, [*h.decisions, *fakes]
    for k, v in extra.items():
        setattr(h, k, v)
    with p.store.write() as tx:
        tx.update(h, prev, version)


@pytest.mark.parametrize("forge", [forge_by_sql, forge_by_store])
def test_verify_names_the_handoff_and_the_field(plane: ControlPlane, forge: Any) -> None:
    other = submit(plane, "db")
    plane.decide(other, verdict="reject", reviewer="ana", rationale="not now")
    hid = submit(plane)
    assert verify(plane.store).ok
    forge(plane, hid)
    report = verify(plane.store)
    assert not report.ok
    assert report.handoff_id == hid and report.field == "state", report
    assert hid in str(report) and "state" in str(report)


@pytest.mark.parametrize("forge", [forge_by_sql, forge_by_store])
def test_execute_and_claim_refuse_a_forged_approval(plane: ControlPlane, forge: Any) -> None:
    hid = submit(plane)
    forge(plane, hid)
    with pytest.raises(HandoffError):
        plane.execute(hid)
    with pytest.raises(HandoffError):
        plane.claim(hid)
    assert plane.ran == []  # type: ignore[attr-defined]
    if forge is forge_by_store:  # the row reads as approved: only the chain says no
        with pytest.raises(NotApproved) as err:
            plane.execute(hid)
        assert err.value.field == "state" and hid in err.value.message
        assert plane.store.get(hid).state is State.APPROVED  # type: ignore[union-attr]


def test_a_consumed_approval_cannot_run_again(plane: ControlPlane) -> None:
    hid = submit(plane)
    plane.decide(hid, verdict="approve", reviewer="ana", rationale="ok")
    assert plane.execute(hid).status == "executed"
    h = plane.get(hid)
    with plane.store.write() as tx:  # put the row back to approved, as before the run
        h2 = h.model_copy(update={"state": State.APPROVED, "execution": None})
        tx.update(h2, State.EXECUTED, h.version)
    with pytest.raises(NotApproved):
        plane.execute(hid)
    with pytest.raises(NotApproved):
        plane.claim(hid)
    assert len(plane.ran) == 1  # type: ignore[attr-defined]
    report = verify(plane.store)
    assert report.handoff_id == hid and report.field == "state"


def test_a_forged_extra_approval_does_not_make_a_quorum(db_url: str, clock: FakeClock) -> None:
    p = ControlPlane(open_store(db_url), make_policy(quorum=2), clock=clock)
    ran: list[Any] = []
    p.register("ops.restart", lambda **args: ran.append(args))
    try:
        hid = submit(p)
        h = p.get(hid)
        fake = Decision(
            verdict=Verdict.APPROVE,
            reviewer="ben",
            rationale="ok",
            at=h.updated_at,
            action_hash=h.action_hash,
        )
        version = h.version
        h.decisions = [fake]
        with p.store.write() as tx:
            tx.update(h, State.PENDING, version)
        report = verify(p.store)
        assert report.handoff_id == hid and report.field == "decisions"
        # One real approval plus the forged one reach the quorum in the row ...
        assert (
            p.decide(hid, verdict="approve", reviewer="ana", rationale="ok").state is State.APPROVED
        )
        # ... but the chain holds one approving event of the two the quorum needs.
        with pytest.raises(NotApproved):
            p.execute(hid)
        assert ran == []
    finally:
        p.close()


def test_recovery_does_not_run_a_row_forged_into_executing(
    plane: ControlPlane, clock: FakeClock
) -> None:
    from handoff.execute import _stages

    hid = submit(plane)
    h = plane.get(hid)
    ex = _stages.new_execution(plane, h, ["full"], clock.now())
    forge_by_store(plane, hid, State.EXECUTING, execution=ex)
    clock.advance(plane.lease.total_seconds() + 60)
    plane.recover()
    assert plane.ran == []  # type: ignore[attr-defined]
    report = verify(plane.store)
    assert report.handoff_id == hid and report.field == "state"


def test_an_edited_action_hash_is_named(plane: ControlPlane) -> None:
    hid = submit(plane)
    h = plane.get(hid)
    version = h.version
    h.action.args["service"] = "everything"
    from handoff.models import action_hash

    h.action_hash = action_hash(h.action.tool, h.action.args, h.action.agent, None)
    with plane.store.write() as tx:
        tx.update(h, State.PENDING, version)
    report = verify(plane.store)
    assert report.handoff_id == hid and report.field == "action_hash"


def test_a_row_with_no_events_is_named(plane: ControlPlane, clock: FakeClock) -> None:
    hid = submit(plane)
    h = plane.get(hid)
    fake = Decision(
        verdict=Verdict.APPROVE, reviewer="ana", at=h.updated_at, action_hash=h.action_hash
    )
    h = h.model_copy(update={"id": "h_forged", "state": State.APPROVED, "decisions": [fake]})
    h.action = h.action.model_copy(update={"idempotency_key": "forged"})
    with plane.store.write() as tx:
        tx.insert(h)
    report = verify(plane.store)
    assert report.handoff_id == "h_forged", report
    with pytest.raises(NotApproved):
        plane.execute("h_forged")


def test_every_real_path_replays_to_its_row(plane: ControlPlane, clock: FakeClock) -> None:
    a = submit(plane, "a")
    plane.decide(a, verdict="revise", reviewer="ana", rationale="smaller", args={"service": "a1"})
    plane.execute(a)
    b = submit(plane, "b")
    plane.decide(b, verdict="redirect", reviewer="ana", rationale="legal", owner="legal")
    c = submit(plane, "c")
    plane.decide(c, verdict="redirect", reviewer="ana", rationale="why?", questions=["why?"])
    d = submit(plane, "d")
    plane.cancel(d, "bot", "not needed")
    submit(plane, "e")
    clock.advance(timedelta(days=30).total_seconds())
    plane.run_ladder()
    report = verify(plane.store)
    assert report.ok, report


def test_cli_verify_fails_with_and_without_checkpoints(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "h.db"
    p = ControlPlane(open_store(f"sqlite:///{db}"), make_policy(), clock=clock)
    p.register("ops.restart", lambda **args: None)
    key, cps = tmp_path / "audit.key", tmp_path / "cps"
    generate_key(key)
    try:
        hid = submit(p)
        write_checkpoint(p.store, load_private_key(key), cps, clock=clock)
        forge_by_sql(p, hid)
    finally:
        p.close()
    runner = CliRunner()
    for extra in ([], ["--checkpoints", str(cps)]):
        res = runner.invoke(app, ["audit", "verify", "--db", str(db), *extra])
        assert res.exit_code == 1, res.output
        assert hid in res.output and "state" in res.output


def test_a_document_edited_without_its_columns_is_refused_on_read(plane: ControlPlane) -> None:
    hid = submit(plane)
    store = plane.store
    assert isinstance(store, SqlStore)
    with store.engine.begin() as conn:
        doc = json.loads(
            conn.execute(text("SELECT doc FROM handoffs WHERE id = :id"), {"id": hid}).scalar_one()
        )
        doc["state"] = "approved"
        conn.execute(
            text("UPDATE handoffs SET doc = :doc WHERE id = :id"),
            {"doc": json.dumps(doc), "id": hid},
        )
    with pytest.raises(Tampered) as err:
        plane.execute(hid)
    assert err.value.field == "state" and hid in err.value.message
    with pytest.raises(Tampered):
        store.list_handoffs()
    assert plane.ran == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_replay_agrees_with_one_walk(
    tmp_path: Path, clock: FakeClock, workers: int
) -> None:
    """Handoffs decided long after they were submitted have their events in more than
    one worker's range; the ranges' accounts must join into the one walk's."""
    p = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), make_policy(), clock=clock)
    p.register("ops.restart", lambda **args: None)
    try:
        ids = [submit(p, f"s{i}") for i in range(12)]
        for i, hid in enumerate(ids):
            if i % 3 == 0:
                p.decide(hid, verdict="approve", reviewer="ana", rationale="ok")
                p.execute(hid)
            elif i % 3 == 1:
                p.decide(hid, verdict="reject", reviewer="ben", rationale="no")
        p.decide(ids[2], verdict="revise", reviewer="cleo", rationale="r", args={"service": "x"})
        assert verify(p.store, workers=1).ok and verify(p.store, workers=workers).ok
        forge_by_store(p, ids[5])
        forge_by_store(p, ids[8])
        one, many = verify(p.store, workers=1), verify(p.store, workers=workers)
        assert one.handoff_id == many.handoff_id == ids[5]
        assert one.field == many.field == "state"
    finally:
        p.close()


@pytest.mark.parametrize("second", ["claim", "execute"])
def test_the_loser_of_a_race_to_run_gets_a_conflict_and_no_refusal_is_audited(
    plane: ControlPlane, second: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hid = submit(plane)
    plane.decide(hid, verdict="approve", reviewer="ana", rationale="ok")
    stale = plane.get(hid)  # what the slower of two workers read: still approved
    assert not isinstance(plane.claim(hid), type(None))  # the faster one took the run
    monkeypatch.setattr(plane, "get", lambda _id: stale)
    with pytest.raises(HandoffError) as err:
        getattr(plane, second)(hid)
    assert err.value.code == "conflict", err.value.message
    kinds = [e.kind for e in plane.store.events(hid)]
    assert "execution_refused" not in kinds
    assert len(plane.ran) == 0  # type: ignore[attr-defined]

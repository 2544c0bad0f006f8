"""The SLA ladder: each step once, in the database, on the injectable clock (both backends)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from handoff._clock import FAKE_CLOCK_ENV, FileClock, SystemClock, default_clock
from handoff._exceptions import HandoffError, PolicyError
from handoff.audit.trail import verify
from handoff.channels import ChannelsConfig, load_channels
from handoff.models import Handoff, State, Verdict
from handoff.plane import ControlPlane
from handoff.policy import LadderStep, Owner, Policy
from handoff.route import sla
from handoff.server._background import run_background
from handoff.store import open_store
from handoff.testing import FakeClock

from ._factories import make_handoff

SLA = 3600


def ladder_policy(**extra: Any) -> Policy:
    return Policy(
        owners={
            "finance": Owner(members=["ann", "bob"], lead="lee", backup="ops"),
            "ops": Owner(members=["oz"]),
        },
        default_owner="finance",
        ladder=[
            LadderStep(at=0.5, do="remind", to="assignee"),
            LadderStep(at=1.0, do="escalate", to="lead"),
            LadderStep(at=1.5, do="escalate", to="backup"),
            LadderStep(at=2.0, do="fallback"),
        ],
        **extra,
    )


@pytest.fixture
def plane(db_url: str, clock: FakeClock) -> Iterator[ControlPlane]:
    p = ControlPlane(open_store(db_url), ladder_policy(), clock=clock)
    yield p
    p.close()


def add(plane: ControlPlane, hid: str, **kw: Any) -> Handoff:
    h = make_handoff(hid, plane.clock.now(), deadline_in=SLA, **kw)
    h.assessment.sla_seconds = SLA
    now = plane.clock.now()
    with plane.store.write() as tx:  # the row with the events a submit writes
        tx.insert(h)
        tx.event(
            "submitted", handoff_id=hid, actor="bot", at=now, data={"action_hash": h.action_hash}
        )
        tx.event("pending", handoff_id=hid, actor="policy", at=now, data={"quorum": 1})
    return h


def kinds(plane: ControlPlane, hid: str) -> list[str]:
    """The ladder's events: those after the submit's two."""
    return [e.kind for e in plane.store.events(hid)][2:]


def test_each_step_happens_once_in_order(plane: ControlPlane, clock: FakeClock) -> None:
    add(plane, "h1")
    assert plane.run_ladder() == []
    clock.advance(SLA * 0.5 - 1)
    assert plane.run_ladder() == []
    clock.advance(1)
    [h] = plane.run_ladder()
    assert h.ladder_step == 1 and h.state is State.PENDING
    assert plane.run_ladder() == []  # the same instant again: nothing new
    clock.advance(SLA * 0.5)
    [h] = plane.run_ladder()
    assert h.assignee == "lee" and h.owner == "finance"
    clock.advance(SLA * 0.5)
    [h] = plane.run_ladder()
    assert h.owner == "ops" and h.assignee is None
    clock.advance(SLA * 0.5)
    [h] = plane.run_ladder()
    assert h.state is State.REJECTED
    assert h.decisions[-1].verdict is Verdict.REJECT and h.decisions[-1].reviewer == "sla"
    clock.advance(SLA * 10)
    assert plane.run_ladder() == []
    assert kinds(plane, "h1") == ["reminded", "escalated", "escalated", "rejected"]
    assert plane.get("h1").state is State.REJECTED
    targets = [(r["payload"]) for r in plane.store.outbox_pending()]
    assert '"to":"owner:finance"' in targets[0] and '"kind":"reminder"' in targets[0]
    assert '"to":"user:lee"' in targets[1] and '"to":"owner:ops"' in targets[2]
    assert any('"to":"agent:bot"' in t for t in targets[3:])
    assert verify(plane.store).ok


def test_a_jump_past_several_steps_takes_the_latest_and_records_the_rest(
    plane: ControlPlane, clock: FakeClock
) -> None:
    add(plane, "h1")
    clock.advance(SLA * 1.6)
    [h] = plane.run_ladder()
    assert h.owner == "ops" and h.ladder_step == 3
    [event] = plane.store.events("h1")[2:]
    assert event.kind == "escalated" and event.data["skipped"] == [0, 1]
    assert event.data["step"] == 2
    assert plane.run_ladder() == []
    clock.advance(SLA * 100)
    [h] = plane.run_ladder()
    assert h.state is State.REJECTED
    assert kinds(plane, "h1") == ["escalated", "rejected"]


def test_state_survives_a_restart(db_url: str, clock: FakeClock) -> None:
    first = ControlPlane(open_store(db_url), ladder_policy(), clock=clock)
    add(first, "h1")
    clock.advance(SLA * 0.5)
    assert len(first.run_ladder()) == 1
    first.close()
    second = ControlPlane(open_store(db_url), ladder_policy(), clock=clock)
    try:
        assert second.run_ladder() == []
        clock.advance(SLA * 0.5)
        assert len(second.run_ladder()) == 1
        assert second.run_ladder() == []
        assert kinds(second, "h1") == ["reminded", "escalated"]
    finally:
        second.close()


def test_fallback_expire_leaves_no_decision(db_url: str, clock: FakeClock) -> None:
    plane = ControlPlane(open_store(db_url), ladder_policy(fallback="expire"), clock=clock)
    try:
        add(plane, "h1")
        clock.advance(SLA * 3)
        [h] = plane.run_ladder()
        assert h.state is State.EXPIRED and h.decisions == []
        assert kinds(plane, "h1") == ["expired"]
    finally:
        plane.close()


def test_decided_and_deadline_free_handoffs_are_left_alone(
    plane: ControlPlane, clock: FakeClock
) -> None:
    add(plane, "done", state=State.APPROVED)
    h = make_handoff("free", clock.now(), deadline_in=None)
    with plane.store.write() as tx:
        tx.insert(h)
    before = plane.store.head()
    clock.advance(SLA * 5)
    assert plane.run_ladder() == []
    assert plane.store.head() == before  # not one event


def test_a_decision_between_steps_stops_the_ladder(plane: ControlPlane, clock: FakeClock) -> None:
    add(plane, "h1")
    clock.advance(SLA * 0.5)
    assert len(plane.run_ladder()) == 1
    plane.decide("h1", verdict="approve", reviewer="ann", rationale="fine")
    clock.advance(SLA * 5)
    assert plane.run_ladder() == []
    assert plane.get("h1").state is State.APPROVED


def test_many_handoffs_are_taken_in_batches(plane: ControlPlane, clock: FakeClock) -> None:
    for i in range(7):
        add(plane, f"h{i}")
    clock.advance(SLA * 0.5)
    assert len(plane.run_ladder(limit=3, rounds=1)) == 3
    assert len(plane.run_ladder(limit=3, rounds=1)) == 3
    assert len(plane.run_ladder(limit=3, rounds=1)) == 1
    assert plane.run_ladder(limit=3) == []
    clock.advance(SLA * 0.5)
    assert len(plane.run_ladder(limit=3)) == 7  # batches until one comes back short


def test_a_handoff_the_ladder_cannot_step_does_not_block_the_others(
    plane: ControlPlane, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(plane, "h1")
    add(plane, "h2")
    real = sla.apply_step

    def failing(h: Handoff, *args: Any) -> Any:
        if h.id == "h1":
            raise HandoffError("cannot step this one")
        return real(h, *args)

    monkeypatch.setattr(sla, "apply_step", failing)
    clock.advance(SLA * 0.5)
    assert [h.id for h in plane.run_ladder()] == ["h2"]
    assert plane.run_ladder() == []  # h1 waits five minutes before the next try
    monkeypatch.setattr(sla, "apply_step", real)
    clock.advance(299)
    assert plane.run_ladder() == []
    clock.advance(1)
    assert [h.id for h in plane.run_ladder()] == ["h1"]
    assert kinds(plane, "h1") == kinds(plane, "h2") == ["reminded"]


def test_a_ladder_without_fallback_still_ends_and_never_approves() -> None:
    policy = Policy(ladder=[LadderStep(at=0.5, do="remind")])
    steps = sla.ladder_of(policy)
    assert [s.do for s in steps] == ["remind", "fallback"] and steps[-1].at == 1.0
    assert [s.do for s in sla.ladder_of(Policy())] == ["fallback"]
    ordered = Policy(ladder=[LadderStep(at=2.0, do="fallback"), LadderStep(at=0.5, do="remind")])
    assert [s.at for s in sla.ladder_of(ordered)] == [0.5, 2.0]


def test_next_due_at_follows_the_ladder(clock: FakeClock) -> None:
    h = make_handoff("h1", clock.now(), deadline_in=SLA)
    h.assessment.sla_seconds = SLA
    policy = ladder_policy()
    assert sla.next_due_at(h, policy) == clock.now() + timedelta(seconds=SLA * 0.5)
    h.ladder_step = 4
    assert sla.next_due_at(h, policy) is None


def test_the_background_loop_takes_steps_until_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HANDOFF_CHANNELS", raising=False)
    clock = FakeClock()
    plane = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), ladder_policy(), clock=clock)
    add(plane, "h1")
    clock.advance(SLA * 0.5)

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(run_background(plane, stop))
        for _ in range(100):
            if kinds(plane, "h1"):
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 5)

    try:
        asyncio.run(run())
        assert kinds(plane, "h1") == ["reminded"]
        # no channels configured: the notifications were taken and dropped, not left
        assert plane.store.outbox_pending() == []
    finally:
        plane.close()


def test_a_file_clock_is_shared_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clock"
    when = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    FileClock(path).set(when)
    monkeypatch.setenv(FAKE_CLOCK_ENV, str(path))
    clock = default_clock()
    assert isinstance(clock, FileClock) and clock.now() == when
    FileClock(path).set(when + timedelta(hours=3))
    assert clock.now() == when + timedelta(hours=3)
    path.write_text("2026-03-01T12:00:00")
    with pytest.raises(ValueError, match="UTC offset"):
        clock.now()
    monkeypatch.delenv(FAKE_CLOCK_ENV)
    assert isinstance(default_clock(), SystemClock)


def test_channels_file_errors_name_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("webhooks: [{url: ftp://x, secret: s}]")
    with pytest.raises(PolicyError) as err:
        load_channels(path)
    assert err.value.field == "webhooks.0.url"
    path.write_text("slack: {token: env:NOPE_NOT_SET, signing_secret: s}")
    monkeypatch.delenv("NOPE_NOT_SET", raising=False)
    with pytest.raises(PolicyError, match="NOPE_NOT_SET"):
        load_channels(path)
    monkeypatch.setenv("NOPE_NOT_SET", "xoxb-1")
    cfg = load_channels(path)
    assert cfg.slack is not None and cfg.slack.token == "xoxb-1"
    monkeypatch.delenv("HANDOFF_CHANNELS", raising=False)
    assert load_channels() == ChannelsConfig()
    with pytest.raises(PolicyError, match="cannot read"):
        load_channels(tmp_path / "missing.yaml")

"""The store contract for what is read back: the chain's rows, executions, the queue's
counts and the metrics' gauges (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff import ConflictError
from handoff.audit.trail import verify
from handoff.models import Incident, Level, State
from handoff.store import EventRow, SqlStore
from handoff.store._tables import incidents
from handoff.testing import FakeClock

from .._factories import make_handoff
from ._statements import Statements


def _add(store: SqlStore, clock: FakeClock, *handoffs: tuple[str, str, State, Level]) -> None:
    with store.write() as tx:
        for hid, owner, state, level in handoffs:
            h = make_handoff(hid, clock.now(), owner=owner, state=state, level=level)
            tx.insert(h)
            tx.event("submitted", handoff_id=hid, actor="bot", at=clock.now(), data={"n": 1})


def test_chain_rows_trail_and_counts(store: SqlStore, clock: FakeClock) -> None:
    _add(store, clock, ("h1", "ops", State.PENDING, Level.LOW))
    with store.write() as tx:
        tx.event("note", handoff_id=None, actor="admin", at=clock.now(), data={})
        tx.event("approved", handoff_id="h1", actor="ann", at=clock.now(), data={})
    # Rows come in EventRow's field order (plain tuples on SQLite: verify reads millions).
    rows = [EventRow(*r) for r in store.event_rows()]
    assert [r.seq for r in rows] == [1, 2, 3] and store.count_events() == 3
    assert [r[0] for r in store.event_rows(2, 3, batch=1)] == [2, 3]
    assert rows[1].prev_hash == rows[0].hash and store.head() == (3, rows[2].hash)
    with store.write() as tx:
        trail = tx.trail("h1")
    assert [(e.seq, before) for e, before in trail] == [(1, None), (3, rows[1].hash)]
    h = store.get("h1")
    assert h is not None
    assert store.handoff_rows() == {"h1": f"pending {h.action_hash} "}


def test_the_trail_holds_the_events_the_transaction_wrote(
    store: SqlStore, clock: FakeClock
) -> None:
    """A claim in the transaction that records the approval reads that approval."""
    _add(store, clock, ("h1", "ops", State.PENDING, Level.LOW))
    with store.write() as tx:
        tx.event("note", handoff_id=None, actor="admin", at=clock.now(), data={})
        approved = tx.event("approved", handoff_id="h1", actor="ann", at=clock.now(), data={})
        started = tx.event("execution_started", handoff_id="h1", actor="h", at=clock.now(), data={})
        trail = tx.trail("h1")
    assert [e.kind for e, _ in trail] == ["submitted", "approved", "execution_started"]
    assert [(e.seq, e.hash, before) for e, before in trail[1:]] == [
        (3, approved.hash, approved.prev_hash),
        (4, started.hash, approved.hash),
    ]
    with store.write() as tx:
        assert tx.trail("h1") == trail  # as committed


@pytest.mark.parametrize(("n", "queued"), [(1, 1), (3, 0), (2, 3), (40, 2), (1, 20)])
def test_a_transaction_appends_any_number_of_events_and_outbox_rows(
    store: SqlStore, clock: FakeClock, n: int, queued: int
) -> None:
    """PostgreSQL writes a few events, outbox rows and the new head in one statement,
    many in one each: the chain and the outbox come out the same."""
    _add(store, clock, ("h1", "ops", State.PENDING, Level.LOW))
    with store.write() as tx:
        tx._cur = sent = Statements(tx._cur)  # type: ignore[attr-defined]
        written = []
        for i in range(max(n, queued)):
            if i < queued:
                tx.enqueue("notify", {"i": i}, handoff_id="h1", at=clock.now())
            if i < n:
                data = {"i": i}
                written.append(
                    tx.event("note", handoff_id="h1", actor="a", at=clock.now(), data=data)
                )
    rows = [EventRow(*r) for r in store.event_rows()]
    assert [(r.seq, r.hash, r.prev_hash) for r in rows[1:]] == [
        (e.seq, e.hash, e.prev_hash) for e in written
    ]
    assert store.head() == (n + 1, written[-1].hash)
    report = verify(store)  # the chain checks out (the factory's row is no real handoff's)
    assert (report.checked, report.bad_seq) == (n + 1, None)
    assert [json.loads(r["payload"])["i"] for r in store.outbox_pending()] == list(range(queued))
    writes = [s for s in sent.sent if re.match(r"(INSERT|UPDATE|WITH) ", s) and "handoffs" not in s]
    if not store.postgres:
        assert len(writes) == queued + 2  # each outbox row, the events, the head
    elif max(n, queued) <= 16:
        assert len(writes) == 1
    else:
        assert len(writes) == 2 + (queued > 0)  # outbox rows, events, the head


def test_a_prefetched_trail_is_the_trail_read_after_the_update(
    store: SqlStore, clock: FakeClock
) -> None:
    """A claim asks for the trail before its compare-and-set (PostgreSQL reads it in
    that exchange): what it reads is what ``trail`` reads without asking."""
    _add(
        store,
        clock,
        ("h1", "ops", State.PENDING, Level.LOW),
        ("h2", "ops", State.PENDING, Level.LOW),
    )
    with store.write() as tx:
        tx.event("approved", handoff_id="h1", actor="ann", at=clock.now(), data={})
    trails = []
    for prefetch in (True, False):
        h = store.get("h1")
        assert h is not None
        with pytest.raises(_Undo), store.write() as tx:
            if prefetch:
                tx.prefetch_trail("h1")
            before = h.version
            h.state = State.EXECUTING
            tx.update(h, State.PENDING, before)
            tx.event("execution_started", handoff_id="h1", actor="h", at=clock.now(), data={})
            trails.append((tx.trail("h1"), tx.trail("h1"), tx.trail("h2")))
            raise _Undo
    assert trails[0] == trails[1]
    first, again, other = trails[0]
    assert [e.kind for e, _ in first] == ["submitted", "approved", "execution_started"]
    assert again == first and [e.handoff_id for e, _ in other] == ["h2"]


def test_a_prefetched_trail_goes_with_a_refused_update(store: SqlStore, clock: FakeClock) -> None:
    _add(store, clock, ("h1", "ops", State.PENDING, Level.LOW))
    h = store.get("h1")
    assert h is not None
    with pytest.raises(ConflictError), store.write() as tx:
        tx.prefetch_trail("h1")
        tx.update(h, State.APPROVED, h.version)  # not its state: refused
    with store.write() as tx:
        assert [e.kind for e, _ in tx.trail("h1")] == ["submitted"]


class _Undo(Exception):
    """Raised to roll a transaction back."""


def test_executions_and_their_counts(store: SqlStore, clock: FakeClock) -> None:
    _add(
        store,
        clock,
        ("h1", "ops", State.EXECUTED, Level.LOW),
        ("h2", "ops", State.FAILED, Level.LOW),
        ("h3", "ops", State.PENDING, Level.LOW),
    )
    clock.advance(60)
    _add(store, clock, ("h4", "finance", State.EXECUTING, Level.HIGH))
    assert [h.id for h in store.executions()] == ["h4", "h2", "h1"]
    assert [h.id for h in store.executions(limit=1, offset=1)] == ["h2"]
    assert [h.id for h in store.executions(since=clock.now())] == ["h4"]
    assert store.executions(tool="other.tool") == []
    assert sorted(store.execution_counts()) == [
        ("cms.publish", "ops", "executed", 1),
        ("cms.publish", "ops", "failed", 1),
    ]
    assert store.execution_counts(since=clock.now()) == []


def test_open_counts_and_gauges(store: SqlStore, clock: FakeClock) -> None:
    _add(
        store,
        clock,
        ("h1", "ops", State.PENDING, Level.LOW),
        ("h2", "ops", State.REDIRECTED, Level.HIGH),
        ("h3", "finance", State.PENDING, Level.LOW),
        ("h4", "finance", State.APPROVED, Level.LOW),
    )
    with store.write() as tx:
        tx.event("sla.reminded", handoff_id="h1", actor="sla", at=clock.now(), data={})
        tx.enqueue("slack", {"text": "hi"}, handoff_id="h1", at=clock.now())
    assert store.count_open() == {"ops": 2, "finance": 1}
    assert store.count_open(["ops", "legal"]) == {"ops": 2}
    assert store.count_open([]) == {}
    g = store.gauges(clock.now() + timedelta(hours=2), sla_actor="sla")
    assert sorted(g.handoffs) == [
        ("approved", "finance", "low", 1),
        ("pending", "finance", "low", 1),
        ("pending", "ops", "low", 1),
        ("redirected", "ops", "high", 1),
    ]
    assert sorted(g.breached, key=str) == [("finance", 1), ("ops", 2)]
    assert (g.steps, g.backlog, g.dead) == ([("sla.reminded", 1)], [("slack", 1)], 0)
    assert store.gauges(clock.now(), sla_actor="sla").breached == []


def test_incidents_commit_with_the_transaction(store: SqlStore, clock: FakeClock) -> None:
    _add(store, clock, ("h1", "ops", State.EXECUTED, Level.LOW))
    with store.write() as tx:
        tx.add_incident(
            "i1", Incident(handoff_id="h1", description="wrong post", reporter="ann"), clock.now()
        )
    with store.engine.connect() as conn:
        row = conn.execute(select(incidents)).one()
    assert (row.id, row.handoff_id, row.severity, row.reporter) == ("i1", "h1", "medium", "ann")

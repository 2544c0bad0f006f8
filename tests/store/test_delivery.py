"""Store contract for the SLA schedule, outbox delivery and callbacks (both backends)."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

from handoff.models import State
from handoff.store import SqlStore
from handoff.testing import FakeClock

from .._factories import make_handoff
from ._statements import Statements


def _seed(store: SqlStore, clock: FakeClock, n: int) -> None:
    with store.write() as tx:
        for i in range(n):
            tx.insert(make_handoff(f"h{i}", clock.now()))
        tx.insert(make_handoff("done", clock.now(), state=State.APPROVED))
        tx.insert(make_handoff("free", clock.now(), deadline_in=None))


def test_ladder_claim_sees_unscheduled_stale_and_due(store: SqlStore, clock: FakeClock) -> None:
    _seed(store, clock, 3)
    now = clock.now()
    with store.write() as tx:
        assert sorted(h.id for h in tx.ladder_claim(now, 10)) == ["h0", "h1", "h2"]
        tx.ladder_set("h0", now + timedelta(hours=1), 0)
        tx.ladder_set("h1", now + timedelta(hours=1), 0)
        tx.ladder_set("h2", None, 0)
    with store.write() as tx:
        assert tx.ladder_claim(now, 10) == []
        h1 = tx.get("h1")
        assert h1 is not None
        tx.update(h1, State.PENDING, 0)  # a new version makes the schedule stale
    with store.write() as tx:
        assert [h.id for h in tx.ladder_claim(now, 10)] == ["h1"]
        due = tx.ladder_claim(now + timedelta(hours=1), 10)
        assert sorted(h.id for h in due) == ["h0", "h1"]
        closed = tx.get("h0")
        assert closed is not None
        closed.state = State.APPROVED
        tx.update(closed, State.PENDING, 0)  # closing drops the schedule
    with store.write() as tx:
        assert [h.id for h in tx.ladder_claim(now + timedelta(hours=1), 10)] == ["h1"]
        assert len(tx.ladder_claim(now + timedelta(hours=1), 1)) == 1


def test_only_a_write_of_an_open_handoff_touches_the_schedule(
    store: SqlStore, clock: FakeClock
) -> None:
    """Schedules exist for open handoffs alone: a new closed row, and a write of a row
    already closed (an execution's finish), have none to drop and send no statement."""
    with store.write() as tx:
        tx._cur = sent = Statements(tx._cur)  # type: ignore[attr-defined]
        tx.insert(make_handoff("run", clock.now(), state=State.EXECUTING))
        tx.insert(make_handoff("open", clock.now()))
        h = tx.get("run")
        assert h is not None
        h.state = State.EXECUTED
        tx.update(h, State.EXECUTING, 0)
    assert [s.split()[0] for s in sent.sent if "ladder_due" in s] == ["INSERT"]  # "open"
    with store.write() as tx:
        tx._cur = sent = Statements(tx._cur)  # type: ignore[attr-defined]
        h = tx.get("open")
        assert h is not None
        h.state = State.APPROVED
        tx.update(h, State.PENDING, 0)  # closing drops the schedule
    assert [s.split()[0] for s in sent.sent if "ladder_due" in s] == ["DELETE"]
    with store.write() as tx:
        assert tx.ladder_claim(clock.now() + timedelta(days=9), 10) == []


def test_concurrent_ladder_claims_are_disjoint(store: SqlStore, clock: FakeClock) -> None:
    _seed(store, clock, 6)
    now, later = clock.now(), clock.now() + timedelta(hours=1)
    claimed: list[list[str]] = []
    first_in = threading.Event()

    def claim(hold: float) -> None:
        with store.write() as tx:
            rows = tx.ladder_claim(now, 4)
            first_in.set()
            claimed.append([h.id for h in rows])
            time.sleep(hold)
            for h in rows:
                tx.ladder_set(h.id, later, h.version)

    a = threading.Thread(target=claim, args=(0.3,))
    a.start()
    first_in.wait(5)
    b = threading.Thread(target=claim, args=(0,))
    b.start()
    a.join()
    b.join()
    ids = [i for batch in claimed for i in batch]
    assert len(ids) == len(set(ids)) == 6


def test_outbox_lease_done_retry_and_bury(store: SqlStore, clock: FakeClock) -> None:
    now = clock.now()
    with store.write() as tx:
        tx.enqueue("notify", {"to": "owner:finance"}, handoff_id="h1", at=now)
        tx.enqueue("webhook", {"n": 1}, handoff_id="h1", at=now)
        tx.enqueue("email", {"n": 2}, handoff_id=None, at=now)
    with store.write() as tx:
        [note] = tx.outbox_claim(now, 10, notify=True)
        assert note.channel == "notify" and note.payload == {"to": "owner:finance"}
        assert tx.outbox_done(note, now)
        rows = tx.outbox_claim(now, 10, notify=False, lease_until=now + timedelta(seconds=60))
    assert [(r.channel, r.attempts) for r in rows] == [("webhook", 1), ("email", 1)]
    assert rows[0].created_at == now
    with store.write() as tx:  # leased: hidden until the lease ends
        assert tx.outbox_claim(now + timedelta(seconds=59), 10, notify=False) == []
    hook, mail = rows
    with store.write() as tx:
        assert tx.outbox_done(hook, now)
        assert tx.outbox_done(mail, now, error="boom", retry_at=now + timedelta(seconds=5))
        assert not tx.outbox_done(hook, now)  # already delivered
    pending = store.outbox_pending()
    assert [(p["channel"], p["attempts"], p["last_error"]) for p in pending] == [
        ("email", 1, "boom")
    ]
    with store.write() as tx:
        [again] = tx.outbox_claim(
            now + timedelta(seconds=5), 10, notify=False, lease_until=now + timedelta(minutes=1)
        )
        assert again.attempts == 2
        assert not tx.outbox_done(mail, now, error="late")  # a lost lease: attempts moved on
        assert tx.outbox_done(again, now, error="gave up")
    assert store.outbox_pending() == []
    [dead] = store.dead_letters()
    assert (dead["channel"], dead["attempts"], dead["last_error"]) == ("email", 2, "gave up")
    assert '"n":2' in dead["payload"].replace(" ", "")


def test_outbox_purge_drops_only_rows_delivered_before_the_cut(
    store: SqlStore, clock: FakeClock
) -> None:
    now = clock.now()
    with store.write() as tx:
        for n in range(5):
            tx.enqueue("webhook", {"n": n}, handoff_id=None, at=now)
    with store.write() as tx:
        rows = tx.outbox_claim(now, 10, notify=False, lease_until=now + timedelta(seconds=60))
        for row in rows[:3]:
            assert tx.outbox_done(row, now + timedelta(days=row.payload["n"]))
    with store.write() as tx:  # delivered on days 0 and 1 are older than day 2
        assert tx.outbox_purge(now + timedelta(days=2), limit=100) == 2
    with store.write() as tx:  # the limit bounds one transaction
        assert tx.outbox_purge(now + timedelta(days=30), limit=0) == 0
        assert tx.outbox_purge(now + timedelta(days=30), limit=100) == 1
    left = [json.loads(p["payload"])["n"] for p in store.outbox_pending()]
    assert sorted(left) == [3, 4]  # undelivered rows are never purged


def test_callbacks_round_trip(store: SqlStore, clock: FakeClock) -> None:
    with store.write() as tx:
        assert tx.callback_get("bot") is None
        tx.callback_set("bot", "https://a.example/cb", "whsec_a", clock.now())
        tx.callback_set("bot", "https://b.example/cb", "whsec_b", clock.now())
        assert tx.callback_get("bot") == ("https://b.example/cb", "whsec_b")

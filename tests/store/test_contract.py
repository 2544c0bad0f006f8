"""The store contract: every backend passes the same tests (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from handoff._exceptions import AlreadyExists, ConflictError
from handoff.audit.trail import verify
from handoff.models import Decision, Handoff, Level, State, Verdict
from handoff.store import SqlStore, open_store
from handoff.store._tables import metadata
from handoff.testing import FakeClock

from .._factories import make_handoff
from ._statements import Statements


def test_insert_then_get_round_trips(store: SqlStore, clock: FakeClock) -> None:
    h = make_handoff("h1", clock.now(), args={"title": "Grüße ✓", "n": 3})
    with store.write() as tx:
        tx.insert(h)
        tx.event("submitted", handoff_id="h1", actor="bot", at=clock.now(), data={"x": 1})
    got = store.get("h1")
    assert got is not None
    assert got.model_dump() == h.model_dump()
    assert got.deadline is not None and got.deadline.tzinfo is not None
    assert store.get("nope") is None


def test_a_failed_transaction_leaves_nothing(store: SqlStore, clock: FakeClock) -> None:
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.insert(make_handoff("h1", clock.now()))
        tx.event("submitted", handoff_id="h1", actor="bot", at=clock.now(), data={})
        tx.enqueue("notify", {"to": "owner:finance"}, handoff_id="h1", at=clock.now())
        raise RuntimeError("boom")
    assert store.get("h1") is None
    assert store.events() == []
    assert store.outbox_pending() == []
    assert store.head()[0] == 0


def test_idempotency_key_is_unique_per_agent(store: SqlStore, clock: FakeClock) -> None:
    with store.write() as tx:
        tx.insert(make_handoff("h1", clock.now(), key="k1"))
    with pytest.raises(AlreadyExists) as err, store.write() as tx:
        tx.event("submitted", handoff_id="h2", actor="bot", at=clock.now(), data={})
        tx.insert(make_handoff("h2", clock.now(), key="k1"))
    assert err.value.field == "idempotency_key"
    assert store.get("h2") is None
    assert store.events() == []
    with store.write() as tx:
        found = tx.by_idempotency("bot", "k1")
    assert found is not None and found.id == "h1"


def test_update_is_compare_and_set(store: SqlStore, clock: FakeClock) -> None:
    h = make_handoff("h1", clock.now())
    with store.write() as tx:
        tx.insert(h)
    first = store.get("h1")
    second = store.get("h1")
    assert first is not None and second is not None
    first.state = State.APPROVED
    with store.write() as tx:
        tx.update(first, State.PENDING, 0)
    assert first.version == 1
    second.state = State.REJECTED
    with pytest.raises(ConflictError), store.write() as tx:
        tx.update(second, State.PENDING, 0)
    got = store.get("h1")
    assert got is not None and got.state is State.APPROVED and got.version == 1


def test_an_update_that_keeps_the_deadline_leaves_its_column_alone(
    store: SqlStore, clock: FakeClock
) -> None:
    """``same_deadline`` leaves the deadline out of the write (a column that is set has
    its index rewritten even when its value is the same) and compares it instead. A
    handoff whose deadline differs from the stored one after all is written whole, so
    the column still follows the document; a lost compare-and-set is still a conflict."""
    h = make_handoff("h1", clock.now())
    assert h.deadline is not None
    with store.write() as tx:
        tx.insert(h)
    kept = store.get("h1")
    assert kept is not None
    kept.state = State.APPROVED
    with store.write() as tx:
        tx._cur = sent = Statements(tx._cur)  # type: ignore[attr-defined]
        tx.update(kept, State.PENDING, 0, same_deadline=True)
    updates = [q for q in sent.sent if q.startswith("UPDATE handoffs")]
    assert len(updates) == 1 and " deadline = " not in updates[0]
    moved = store.get("h1")
    assert moved is not None and moved.version == 1 and moved.deadline == h.deadline
    moved.deadline = h.deadline + timedelta(hours=2)
    moved.state = State.EXECUTING
    with store.write() as tx:
        tx.update(moved, State.APPROVED, 1, same_deadline=True)
    got = store.get("h1")
    assert got is not None and got.version == 2 and got.deadline == moved.deadline
    soon = h.deadline + timedelta(hours=1)
    assert store.list_handoffs(states=[State.EXECUTING], due_before=soon) == []
    got.state = State.EXECUTED
    with pytest.raises(ConflictError), store.write() as tx:
        tx.update(got, State.EXECUTING, 1, same_deadline=True)  # not its version
    with store.write() as tx:  # no deadline at all, as on the auto path
        tx.insert(make_handoff("h2", clock.now(), deadline_in=None))
    none = store.get("h2")
    assert none is not None and none.deadline is None
    none.state = State.APPROVED
    with store.write() as tx:
        tx.update(none, State.PENDING, 0, same_deadline=True)
    after = store.get("h2")
    assert after is not None and after.state is State.APPROVED and after.version == 1


def test_racing_updates_have_one_winner(db_url: str, clock: FakeClock) -> None:
    setup = open_store(db_url)
    first = make_handoff("h1", clock.now())
    with setup.write() as tx:
        tx.insert(first)
        data = {"action_hash": first.action_hash}
        tx.event("submitted", handoff_id="h1", actor="bot", at=clock.now(), data=data)
        tx.event("pending", handoff_id="h1", actor="policy", at=clock.now(), data={"quorum": 1})
    wins: list[str] = []
    losses: list[str] = []
    barrier = threading.Barrier(8, timeout=30)

    def contender(name: str) -> None:
        s = open_store(db_url)
        h = s.get("h1")
        assert h is not None
        h.state = State.APPROVED
        vote = Decision(verdict=Verdict.APPROVE, reviewer=name, action_hash=h.action_hash)
        h.decisions = [vote]
        data = {"verdict": "approve", "action_hash": h.action_hash, "quorum": 1}
        barrier.wait()
        try:
            with s.write() as tx:
                tx.update(h, State.PENDING, 0)
                tx.event("approved", handoff_id="h1", actor=name, at=clock.now(), data=data)
            wins.append(name)
        except ConflictError:
            losses.append(name)
        finally:
            s.close()

    threads = [threading.Thread(target=contender, args=(f"r{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and len(losses) == 7
    assert [e.actor for e in setup.events() if e.kind == "approved"] == wins
    assert verify(setup).ok
    setup.close()


def test_concurrent_appends_keep_a_gapless_chain(db_url: str, clock: FakeClock) -> None:
    open_store(db_url).close()

    def writer(n: int) -> None:
        s = open_store(db_url)
        for i in range(15):
            with s.write() as tx:
                tx.event("note", handoff_id=None, actor=f"w{n}", at=clock.now(), data={"i": i})
                tx.event("note", handoff_id=None, actor=f"w{n}", at=clock.now(), data={"j": i})
        s.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s = open_store(db_url)
    seqs = [e.seq for e in s.events()]
    assert seqs == list(range(1, 121))
    report = verify(s)
    assert report.ok and report.checked == 120
    s.close()


def test_queue_order_is_risk_then_deadline(store: SqlStore, clock: FakeClock) -> None:
    now = clock.now()
    rows = [
        make_handoff("a", now, level=Level.MEDIUM, deadline_in=100),
        make_handoff("b", now, level=Level.HIGH, deadline_in=500),
        make_handoff("c", now, level=Level.HIGH, deadline_in=50),
        make_handoff("d", now, level=Level.LOW, deadline_in=10, owner="legal"),
        make_handoff("e", now, level=Level.HIGH, state=State.REJECTED),
    ]
    with store.write() as tx:
        for h in rows:
            tx.insert(h)
    ids = [h.id for h in store.list_handoffs(states=[State.PENDING])]
    assert ids == ["c", "b", "a", "d"]
    assert [h.id for h in store.list_handoffs(owner="legal")] == ["d"]
    assert [h.id for h in store.list_handoffs(level=Level.HIGH)] == ["c", "b", "e"]
    due = store.list_handoffs(states=[State.PENDING], due_before=now + timedelta(seconds=60))
    assert sorted(h.id for h in due) == ["c", "d"]
    assert store.count_by_state() == {"pending": 4, "rejected": 1}


def test_outbox_rows_commit_with_the_change(store: SqlStore, clock: FakeClock) -> None:
    with store.write() as tx:
        tx.insert(make_handoff("h1", clock.now()))
        tx.enqueue(
            "notify", {"to": "owner:finance", "handoff_id": "h1"}, handoff_id="h1", at=clock.now()
        )
    rows = store.outbox_pending()
    assert len(rows) == 1 and rows[0]["handoff_id"] == "h1" and rows[0]["attempts"] == 0


def test_migrations_match_the_tables_and_rerun_cleanly(store: SqlStore) -> None:
    store.migrate()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_learn_chunks_walk_the_window_in_order(store: SqlStore, clock: FakeClock) -> None:
    """Chunks follow (created_at, id) across ties and chunk edges, hold only the window,
    and carry each chunk's own events of the kinds asked for and its incidents."""
    from handoff.models import Incident

    start = clock.now()
    made = []
    with store.write() as tx:
        for i, minutes in enumerate((0, 0, 0, 10, 10, 20, 30)):  # ties across chunks of 2
            h = make_handoff(f"h{6 - i}", start + timedelta(minutes=minutes), owner=f"o{i % 2}")
            tx.insert(h)
            tx.event("submitted", handoff_id=h.id, actor="bot", at=h.created_at, data={})
            tx.event("noise", handoff_id=h.id, actor="bot", at=h.created_at, data={})
            made.append(h)
        tx.add_incident("i1", Incident(handoff_id="h2", description="x"), start)
    window = {"since": start, "until": start + timedelta(minutes=30)}
    chunks = list(store.learn_chunks(**window, kinds=("submitted",), size=2))
    got = [row[0] for c in chunks for row in c.handoffs]
    expected = sorted(made[:6], key=lambda h: (h.created_at, h.id))
    assert [h.id for h in expected] == ["h4", "h5", "h6", "h2", "h3", "h1"]
    assert [Handoff.model_validate_json(doc).id for doc in got] == [h.id for h in expected]
    assert [len(c.handoffs) for c in chunks] == [2, 2, 2]
    for c in chunks:
        ids = {Handoff.model_validate_json(r[0]).id for r in c.handoffs}
        assert {e[1] for e in c.events} == ids and {e[2] for e in c.events} == {"submitted"}
        assert [i[0] for i in c.incidents] == (["i1"] if "h2" in ids else [])
    assert store.learn_count(**window) == 6
    assert store.learn_count(**window, owner="o1") == 3
    assert store.learn_count(**window, tool="nope") == 0
    assert [len(c.handoffs) for c in store.learn_chunks(**window, owner="o1")] == [3]


def test_learn_views_cut_each_document_to_the_learn_fields(
    store: SqlStore, clock: FakeClock
) -> None:
    """The same chunks as ``learn_chunks``; each document is the JSON types of its
    package and execution and its values at ``VIEW``; events keep seq, handoff, kind and
    only a shadow assessment's data."""
    import json

    from handoff.store._learn import TYPED, VIEW

    start = clock.now()
    with store.write() as tx:
        for i in range(5):
            h = make_handoff(f"v{i}", start + timedelta(minutes=i % 3), owner=f"o{i % 2}")
            tx.insert(h)
            tx.event("submitted", handoff_id=h.id, actor="bot", at=h.created_at, data={"a": 1})
            tx.event("shadow_assessed", handoff_id=h.id, actor="p", at=h.created_at, data={"m": i})
    window = {"since": start, "until": start + timedelta(hours=1)}
    kinds = ("submitted", "shadow_assessed")
    whole = list(store.learn_chunks(**window, kinds=kinds, size=2))
    cut = list(store.learn_views(**window, kinds=kinds, size=2))
    assert [len(c.handoffs) for c in cut] == [len(c.handoffs) for c in whole] == [2, 2, 1]
    for full, view in zip(whole, cut, strict=True):
        for (doc, *row), (text, *vrow) in zip(full.handoffs, view.handoffs, strict=True):
            assert row == vrow
            d = json.loads(doc)
            types, values = json.loads(text)
            named = {type(None): "null", dict: "object"}
            assert types == [named[type(d[t])] if t in d else None for t in TYPED]
            expected = []
            for path in VIEW:
                value: object = d
                for key in path.split("."):
                    value = value.get(key) if isinstance(value, dict) else None
                expected.append(value)
            assert values == expected
        assert [e[:3] for e in view.events] == [e[:3] for e in full.events]
        assert [e[5] for e in view.events] == [
            e[5] if e[2] == "shadow_assessed" else "" for e in full.events
        ]
        assert view.incidents == full.incidents
    assert [len(c.handoffs) for c in store.learn_views(**window, owner="o1")] == [2]


def test_learn_facts_read_each_handoffs_facts_row_beside_its_columns(
    store: SqlStore, clock: FakeClock
) -> None:
    """The same chunks as ``learn_views``: each handoff is its id, its creation time, its
    facts row and its row's state, action hash and decisions digest."""
    from handoff.learn._fact import fact_of
    from handoff.learn._record import record_of_view

    start = clock.now()
    with store.write() as tx:
        for i in range(5):
            h = make_handoff(f"v{i}", start + timedelta(minutes=i % 3), owner=f"o{i % 2}")
            tx.insert(h)
            tx.event("submitted", handoff_id=h.id, actor="bot", at=h.created_at, data={"a": 1})
    window = {"since": start, "until": start + timedelta(hours=1)}
    views = list(store.learn_views(**window, kinds=("submitted",), size=2))
    facts = list(store.learn_facts(**window, kinds=("submitted",), size=2))
    assert [len(c.handoffs) for c in facts] == [len(c.handoffs) for c in views] == [2, 2, 1]
    for view, fact in zip(views, facts, strict=True):
        assert [record_of_view(r[0], *r[2:]).id for r in view.handoffs] == [
            fact_of(r).id for r in fact.handoffs
        ]
        assert [r[-3:] for r in fact.handoffs] == [r[-3:] for r in view.handoffs]
        assert fact.events == view.events and fact.incidents == view.incidents
    assert [len(c.handoffs) for c in store.learn_facts(**window, owner="o1")] == [2]

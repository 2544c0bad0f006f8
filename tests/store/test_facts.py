"""Each handoff's facts row (what Learn reads) is written with every change of its row,
and migration 0011 fills it in for the handoffs stored before it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from handoff._facts import facts_of
from handoff.models import (
    Decision,
    Evidence,
    Execution,
    Finding,
    Handoff,
    Package,
    StageRun,
    State,
    Verdict,
)
from handoff.store import SqlStore
from handoff.store._tables import handoff_facts
from handoff.testing import FakeClock

from .._factories import make_handoff


def _stored(store: SqlStore) -> dict[str, dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(handoff_facts)).mappings().all()
    return {r["id"]: dict(r) for r in rows}


def _decided(h: Handoff, clock: FakeClock) -> Handoff:
    """``h`` approved by two people (one with a rationale), packaged, with trigger codes,
    and run with a confirmed stage."""
    at = clock.now() + timedelta(minutes=7, microseconds=5)
    h = h.model_copy(deep=True)
    h.state = State.EXECUTED
    h.package = Package(evidence=[Evidence(source="crm"), Evidence(source="ticket 7")])
    h.action.context.evidence = [Evidence(source="agent memo")]
    h.assessment.triggers = [Finding(code="money", message="m"), Finding(code="new", message="n")]
    h.decisions = [
        Decision(verdict=Verdict.APPROVE, reviewer="ann", at=at, action_hash=h.action_hash),
        Decision(
            verdict=Verdict.CHOOSE,
            reviewer="bo",
            rationale='Grüße, "quoted"',
            option_id="approve",
            owner="finance",
            at=at + timedelta(seconds=1),
            action_hash=h.action_hash,
        ),
    ]
    h.execution = Execution(
        handoff_id=h.id,
        tool=h.action.tool,
        action_hash=h.action_hash,
        idempotency_key="k",
        started_at=at,
        finished_at=at + timedelta(seconds=3),
        stages=[StageRun(stage="full", idempotency_key="k", confirmation={"ok": 1}, at=at)],
    )
    return h


def test_the_facts_row_follows_every_change(store: SqlStore, clock: FakeClock) -> None:
    h = make_handoff("f1", clock.now(), args={"account_id": 7, "amount": 3})
    plain = make_handoff("f2", clock.now(), deadline_in=None)
    with store.write() as tx:
        tx.insert(h)
        tx.insert(plain)
    stored = _stored(store)
    assert stored == {"f1": facts_of(h), "f2": facts_of(plain)}
    assert stored["f1"]["target"] == "account_id=7" and stored["f1"]["decisions"] == "[]"
    done = _decided(h, clock)
    with store.write() as tx:
        tx.update(done, State.PENDING, h.version)
    stored = _stored(store)
    assert stored["f1"] == facts_of(done) and stored["f2"] == facts_of(plain)
    assert stored["f1"]["confirmed"] is True and stored["f1"]["packaged"] is True


def test_the_migration_fills_in_the_facts_of_stored_handoffs(
    store: SqlStore, clock: FakeClock
) -> None:
    """Down to 0010 (no facts) and up again: every handoff gets the row the store writes."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    made = [make_handoff(f"m{i}", clock.now() + timedelta(seconds=i)) for i in range(5)]
    made[2] = _decided(made[2], clock)
    with store.write() as tx:
        for h in made:
            tx.insert(h)
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("handoff.store").joinpath("migrations"))
    )
    with store.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010")
        conn.commit()
    store.migrate()
    assert _stored(store) == {h.id: facts_of(h) for h in made}


def test_an_update_writes_the_facts_of_a_row_that_had_none(
    store: SqlStore, clock: FakeClock
) -> None:
    """A handoff row copied in without its facts gets them with its next change."""
    h = make_handoff("f3", clock.now())
    with store.write() as tx:
        tx.insert(h)
    with store.engine.begin() as conn:
        conn.execute(handoff_facts.delete())
    done = _decided(h, clock)
    with store.write() as tx:
        tx.update(done, State.PENDING, h.version)
    assert _stored(store) == {"f3": facts_of(done)}

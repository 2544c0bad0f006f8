"""PostgreSQL on the wire: a dropped connection is replaced, and a round trip stays
within its budget of network exchanges (counted by a relay between us and the server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import pytest

from bench._actions import REVIEW, review_action
from bench._wire import Relay
from bench.paths import reviewers_for
from handoff import ControlPlane
from handoff.models import Incident
from handoff.policy import default_policy
from handoff.store import SqlStore, open_store

from ..conftest import PG_URL, drop_schema, pg_url_for_fresh_schema

#: The goal for one pause -> decide -> execute round trip (quorum of reviewers included).
ROUND_TRIP_EXCHANGES = 15
#: The approval that completes the quorum and the run it claims: the handoff's read, the
#: claim (the compare-and-set with the chain head's lock and the handoff's trail; the
#: events with the commit) and the finish (the compare-and-set with the head; the rest).
DECIDE_AND_EXECUTE_EXCHANGES = 5
#: ``execute`` of an approved handoff: the same read, claim and finish.
EXECUTE_EXCHANGES = 5


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = pg_url_for_fresh_schema()
    try:
        yield url
    finally:
        drop_schema(url)


def _plane(url: str) -> ControlPlane:
    plane = ControlPlane(open_store(url), default_policy())
    plane.register("cms.publish", lambda **args: {"published": args["post_id"]})
    return plane


def _submit(plane: ControlPlane, n: int) -> str:
    out = plane.submit(review_action(n))
    assert out.pending
    return out.handoff_id


def _decide_and_execute(plane: ControlPlane, hid: str) -> None:
    """The round trip's approvals, the last one claiming and running the execution."""
    *first, last = reviewers_for(REVIEW, plane.policy)
    for who in first:
        plane.decide(hid, verdict="approve", reviewer=who, rationale="ok")
    done = plane.decide_and_execute(hid, verdict="approve", reviewer=last, rationale="ok")
    assert done.status == "executed"


def _round_trip(plane: ControlPlane, n: int) -> str:
    """Pause -> decide -> execute, as ``python -m bench`` and ``bench.pg`` measure it."""
    hid = _submit(plane, n)
    _decide_and_execute(plane, hid)
    return hid


def _terminate(app: str) -> int:
    """End every server backend of the connections named ``app``, from outside; how many."""
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        pids = [
            pid
            for (pid,) in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app,)
            )
        ]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    return len(pids)


def test_operations_after_the_server_ends_the_connections_succeed(pg_url: str) -> None:
    app = f"handoff-{uuid.uuid4().hex[:8]}"
    plane = _plane(f"{pg_url}&application_name={app}")
    try:
        first = _round_trip(plane, 1)
        assert _terminate(app) >= 1
        # A write first: the pooled connection it is handed is dead.
        second = _round_trip(plane, 2)
        assert _terminate(app) >= 1
        # Then reads, each on a dead connection again.
        assert plane.store.get(first) is not None
        assert _terminate(app) >= 1
        assert {h.id for h in plane.store.list_handoffs(limit=10)} >= {first, second}
        assert _terminate(app) >= 1
        assert plane.store.count_events() > 0
    finally:
        plane.store.close()


@contextmanager
def _relayed(pg_url: str) -> Iterator[tuple[ControlPlane, Relay]]:
    """A plane whose every connection goes through a relay that counts exchanges."""
    target = urlsplit(PG_URL)
    with Relay(target.hostname or "127.0.0.1", target.port or 5432) as relay:
        netloc = f"{target.username}@127.0.0.1:{relay.port}"
        plane = _plane(pg_url.replace(target.netloc, netloc, 1))
        try:
            _round_trip(plane, 0)  # connects and warms the statement cache
            yield plane, relay
        finally:
            plane.store.close()


def test_a_round_trip_stays_within_its_exchange_budget(pg_url: str) -> None:
    with _relayed(pg_url) as (plane, relay):
        counts = []
        for n in range(1, 6):
            before = relay.exchanges
            _round_trip(plane, n)
            counts.append(relay.exchanges - before)
    assert max(counts) <= ROUND_TRIP_EXCHANGES, counts


def test_a_claim_reads_the_trail_in_the_exchange_of_its_compare_and_set(pg_url: str) -> None:
    with _relayed(pg_url) as (plane, relay):
        together, apart = [], []
        for n in range(1, 6):
            hid = _submit(plane, 2 * n)
            before = relay.exchanges
            _decide_and_execute(plane, hid)
            together.append(relay.exchanges - before)
            hid = _submit(plane, 2 * n + 1)
            for who in reviewers_for(REVIEW, plane.policy):
                plane.decide(hid, verdict="approve", reviewer=who, rationale="ok")
            before = relay.exchanges
            assert plane.execute(hid).status == "executed"
            apart.append(relay.exchanges - before)
    assert max(together) <= DECIDE_AND_EXECUTE_EXCHANGES, together
    assert max(apart) <= EXECUTE_EXCHANGES, apart


def test_a_rejected_statement_in_a_pipeline_rolls_the_whole_transaction_back(
    pg_url: str,
) -> None:
    store = open_store(pg_url)
    assert isinstance(store, SqlStore)
    try:
        plane = ControlPlane(store, default_policy())
        out = plane.submit(review_action(1))
        before = store.head()
        now = plane.clock.now()
        incident = Incident(handoff_id=out.handoff_id, description="x", reporter="t")
        with pytest.raises(psycopg.errors.UniqueViolation), store.write() as tx:
            tx.event("note", handoff_id=out.handoff_id, actor="t", at=now, data={})
            tx.add_incident("i-1", incident, now)
            tx.add_incident("i-1", incident, now)  # refused, but only known at the commit
        assert store.head() == before
        # The connection went back to the pool clean: the next write works.
        who = reviewers_for(REVIEW, plane.policy)[0]
        plane.decide(out.handoff_id, verdict="reject", reviewer=who, rationale="no")
        assert store.head()[0] > before[0]
    finally:
        store.close()

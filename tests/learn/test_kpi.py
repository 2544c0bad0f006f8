"""The KPI definitions of docs/kpis.md on a hand-built history with known answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import text

from handoff import ControlPlane
from handoff.learn.history import History, Window, load_history, parse_when
from handoff.learn.kpi import compute, missing_parts, percentile
from handoff.policy import default_policy
from handoff.store import SqlStore, open_store
from handoff.testing import FakeClock

from ._history import Built, build


@pytest.fixture
def built(db_url: str) -> Iterator[Built]:
    clock = FakeClock()
    plane = ControlPlane(open_store(db_url), default_policy(), clock=clock)
    try:
        yield build(plane, clock)
    finally:
        plane.close()


def _history(b: Built, window: Window | None = None) -> History:
    return load_history(b.plane.store, window, as_of=b.clock.now())


def test_each_kpi_has_its_hand_worked_value(built: Built) -> None:
    k = compute(_history(built)).overall
    assert k.handoffs == 9
    # Precision: E1..E6 escalated, E6 undecided; E2 rejected and E3 revised changed it.
    assert (k.escalations, k.decided, k.changed, k.precision) == (6, 5, 2, 0.4)
    # Missed: A1..A3 ran on their own, A2 has an incident; recall = 2 / (2 + 1).
    assert (k.auto_executed, k.missed, k.missed_incidents) == (3, 1, 1)
    assert k.missed_ids == [built.ids["A2"]]
    assert k.recall == pytest.approx(2 / 3)
    # Time to decision: 1 h, 1 h, 2 h, 3 h, 10 h -> nearest-rank p50 2 h, p90 10 h.
    assert (k.ttd_p50, k.ttd_p90) == (7200.0, 36000.0)
    # SLA: E4 decided 2 h past its deadline after one escalation and one reminder.
    assert (k.sla_settled, k.sla_met, k.sla_attainment) == (5, 4, 0.8)
    assert k.escalation_steps == {0: 4, 1: 1}
    assert k.reminders == 1
    # Rollback: A3's confirmation failed; 7 executions ended.
    assert (k.executions_ended, k.rolled_back) == (7, 1)
    assert k.rollback_rate == pytest.approx(1 / 7)
    # Audit readiness: E5's executor has no confirmation check.
    assert (k.executed_actions, k.audit_ready, k.audit_missing) == (7, 6, {"confirmation": 1})
    # Incidents per week (Mondays), zero weeks filled in.
    assert k.incidents_by_week == {"2026-01-05": 1, "2026-01-12": 1}


def test_per_owner_and_per_tool(built: Built) -> None:
    report = compute(_history(built))
    assert set(report.by_owner) == {"finance", "marketing-ops", "product"}
    mops = report.by_owner["marketing-ops"]
    assert (mops.escalations, mops.decided, mops.changed) == (4, 3, 1)
    assert (mops.auto_executed, mops.missed) == (2, 1)
    fin = report.by_owner["finance"]
    assert (fin.precision, fin.ttd_p50, fin.sla_attainment) == (0.5, 3600.0, 1.0)
    drafts = report.by_tool["cms.update_draft"]
    assert (drafts.rollback_rate, drafts.missed, drafts.escalations) == (0.5, 1, 0)
    assert report.by_tool["payments.transfer"].audit_missing == {"confirmation": 1}
    assert report.audit_ok is True


def test_window_keeps_only_handoffs_created_inside(built: Built) -> None:
    since = datetime.fromisoformat("2026-01-12T00:00:00+00:00")
    k = compute(_history(built, Window(since=since))).overall
    assert (k.handoffs, k.escalations, k.decided, k.sla_settled) == (1, 1, 0, 0)
    assert k.precision is None and k.ttd_p50 is None
    assert k.incidents_by_week == {"2026-01-12": 0}


def test_a_broken_chain_makes_later_records_not_ready(built: Built) -> None:
    store = built.plane.store
    assert isinstance(store, SqlStore)
    executed = next(e for e in store.events(built.ids["E5"]) if e.kind == "executed")
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE events SET actor = 'mallory' WHERE seq = :seq"), {"seq": executed.seq}
        )
    history = _history(built)
    k = compute(history).overall
    assert "chain" in missing_parts(built.plane.get(built.ids["E5"]), history)
    assert k.audit_missing["chain"] >= 1
    assert k.audit_ready < 6


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 90) == 4.0


def test_window_input_errors_name_the_field() -> None:
    from handoff._exceptions import InputError

    with pytest.raises(InputError) as exc:
        parse_when("last tuesday", "since")
    assert exc.value.field == "since"
    assert parse_when("2026-01-05", "since") == datetime.fromisoformat("2026-01-05T00:00+00:00")
    plane = ControlPlane(open_store("sqlite://"), default_policy())
    with pytest.raises(InputError) as exc:
        load_history(
            plane.store,
            Window(parse_when("2026-02-01", "since"), parse_when("2026-01-01", "until")),
        )
    assert exc.value.field == "until"

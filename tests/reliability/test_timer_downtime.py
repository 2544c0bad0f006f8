"""The short form of timer-downtime: 200 handoffs across a stop of twice the SLA, then
clock jumps of ±1 h and approvals racing the fallback at the deadline ±1 ms."""

from __future__ import annotations

from datetime import timedelta

from handoff.models import Event
from reliability import timer_downtime as td


def test_each_ladder_step_happens_once_across_downtime(db_kind: str) -> None:
    res = td.run(200, db_kind)
    assert res.failures == []
    # 8 cohorts of 25, born half an hour apart; at the stop the oldest is 3.5 h old.
    # Steps fall due at 1, 2, 3 and 4 h; the server ran through the first three hours.
    live = 25 * sum(sum(1 for due in (1, 2, 3) if 0.5 * (7 - j) >= due) for j in range(8))
    assert res.handoffs == 200 and res.live == live == 300
    assert res.after_restart == 200  # one fallback each after the restart ...
    assert res.skipped == 4 * 200 - live - 200  # ... and every step left over recorded
    assert res.duplicates == res.missed == 0
    # Every jump crosses at most one step of each handoff: all four are taken.
    assert res.jump_handoffs == 40 and res.jump_steps == 4 * 40
    assert res.jump_duplicates == res.jump_missed == 0
    assert res.races["deadline -1 ms"] == {"decision": 20}
    for label in ("deadline", "deadline +1 ms"):
        assert res.races[label]["decision"] + res.races[label]["fallback"] == 20
        assert res.races[label]["both"] == res.races[label]["neither"] == 0
    assert res.left_open == 0 and res.chain_ok
    assert "Verdict: pass." in td.table([res], 200)


def test_a_repeated_or_missing_step_is_reported() -> None:
    """The checker is not blind: a step taken twice, or neither taken nor skipped, fails."""
    born = td.START
    seen = [born, born + timedelta(hours=1), born + timedelta(hours=9)]
    want = td.reckon(born, seen)
    assert want == td.Expect(taken=(0, 3), skipped=(1, 2))
    ok: list[td.Step] = [(0, (), "reminded"), (3, (1, 2), "rejected")]
    assert td.ladder_problems(ok, want) == (0, 0, [])
    twice: list[td.Step] = [(0, (), "reminded"), (0, (), "reminded"), (3, (1, 2), "rejected")]
    dup, missed, problems = td.ladder_problems(twice, want)
    assert (dup, missed) == (1, 0) and problems
    lost: list[td.Step] = [(0, (), "reminded"), (3, (2,), "rejected")]
    dup, missed, problems = td.ladder_problems(lost, want)
    assert (dup, missed) == (0, 1) and problems


def _event(kind: str, actor: str, at: timedelta, **data: object) -> Event:
    return Event(
        seq=1,
        handoff_id="h_1",
        kind=kind,
        actor=actor,
        at=td.START + at,
        data=data,
        prev_hash="",
        hash="",
    )


def test_two_outcomes_or_an_early_fallback_are_reported() -> None:
    deadline = td.START
    approved = _event("approved", "r0", timedelta(0))
    fell = _event(
        "rejected", "sla", timedelta(0), fallback=True, due_at=deadline.isoformat(), skipped=[]
    )
    at = deadline
    assert td.race_problems(False, (200, "approved"), "approved", [approved], deadline, at) == (
        "decision",
        [],
    )
    assert td.race_problems(False, (409, "conflict"), "rejected", [fell], deadline, at) == (
        "fallback",
        [],
    )
    outcome, problems = td.race_problems(
        False, (200, "approved"), "approved", [approved, fell], deadline, at
    )
    assert outcome == "both" and "2 terminal outcomes" in problems
    early = at - timedelta(milliseconds=1)
    outcome, problems = td.race_problems(
        True, (409, "conflict"), "rejected", [fell], deadline, early
    )
    assert outcome == "fallback" and "the fallback came before the deadline" in problems

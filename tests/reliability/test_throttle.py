"""The short form of the throttle suite: guessing, spraying, an API flood and sessions
against two real ``handoff serve`` processes sharing one database, once per database."""

from __future__ import annotations

from reliability import throttle


def test_two_processes_share_the_lockout_the_budget_and_the_sessions(db_kind: str) -> None:
    res = throttle.run(db_kind, attempts=50, requests=160)
    assert res.failures == []
    assert res.statuses == {"401": 4, "429": 46}
    assert res.right_in_lock == 0 and res.spray_refused_at == 20
    assert (res.accepted, res.refused) == (100, 60)
    assert (res.checked, res.locks) == (25, 2) and res.guessed_checked == 5 and res.chain
    assert "Verdict: pass." in throttle.table([res])

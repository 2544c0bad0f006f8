"""The short form of double-decide: 20 handoffs, 20 racing verdicts each, over HTTP."""

from __future__ import annotations

from reliability import double_decide


def test_exactly_one_verdict_wins_each_race(db_kind: str) -> None:
    res = double_decide.run(20, db_kind)
    assert res.failures == []
    assert res.verdicts == 400
    assert res.conflicts == res.verdicts - res.winners
    # 16 one-reviewer handoffs have one winner each; the 4 two-reviewer ones 1 to 20.
    assert 20 <= res.winners < 16 + 4 * 20
    assert res.identical == res.dup_submits == 40
    assert res.chain_ok
    assert "| failures |" in double_decide.table([res], 20)


def test_a_lost_race_is_reported() -> None:
    """The checker is not blind: a second winner on a one-reviewer handoff is a failure."""
    replies: list[double_decide.Reply] = [
        ("h_1", "r0", "approve", 200, "approved"),
        ("h_1", "r1", "reject", 200, "rejected"),
    ]
    events = {"approved": 1, "rejected": 1}
    problems = double_decide.race_problems(replies, 1, "approved", events)
    assert any("2 winners" in p for p in problems)
    assert any("2 terminal events" in p for p in problems)
    two = double_decide.race_problems(replies[:1], 2, "approved", {"approved": 1}, 1)
    assert two == ["approved with 1 approvals, quorum 2"]
    assert double_decide.race_problems(replies[:1], 1, "approved", {"approved": 1}) == []

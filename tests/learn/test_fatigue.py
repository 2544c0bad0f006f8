"""Approval-fatigue guards: rubber-stamp reviewers and split actions."""

from __future__ import annotations

from handoff.learn.fatigue import rubber_stamps, split_actions
from handoff.learn.history import load_history
from handoff.testing import FakeClock, memory_plane

from ._history import Confirmed


def _transfers() -> list[str]:
    """Seven transfers for finance: fiona approves six within a minute and rejects one;
    felix takes 100 minutes over each of the six."""
    clock = FakeClock()
    plane = memory_plane(clock=clock)
    plane.register("payments.transfer", lambda **a: "sent")
    for i in range(7):
        hid = plane.submit(
            {"tool": "payments.transfer", "agent": "fin-agent", "args": {"amount": 10 + i}}
        ).handoff_id
        start = clock.now()
        clock.advance(minutes=1)
        if i == 6:
            plane.decide(hid, verdict="reject", reviewer="fiona", rationale="duplicate")
        else:
            plane.decide(hid, verdict="approve", reviewer="fiona")
            clock.set(start)
            clock.advance(minutes=100)
            plane.decide(hid, verdict="approve", reviewer="felix")
        clock.advance(hours=3)
    found = {r.reviewer: r for r in rubber_stamps(load_history(plane.store))}
    assert set(found) == {"fiona", "felix"}
    assert len(found["fiona"].reasons) == 1 and "median 1.0 min" in found["fiona"].reasons[0]
    assert found["felix"].reasons == ["approved all 6 decisions unchanged"]
    return list(found)


def test_rubber_stamps_by_speed_and_by_approving_everything() -> None:
    assert sorted(_transfers()) == ["felix", "fiona"]


def test_a_reviewer_who_sometimes_says_no_is_not_flagged() -> None:
    clock = FakeClock()
    plane = memory_plane(clock=clock)
    plane.register("cms.publish", Confirmed())
    for i in range(6):
        hid = plane.submit(
            {"tool": "cms.publish", "agent": "a", "args": {"title": f"t{i}", "body": "b"}}
        ).handoff_id
        clock.advance(minutes=30)
        if i % 3 == 0:
            plane.decide(hid, verdict="reject", reviewer="maya", rationale="no")
        else:
            plane.decide(hid, verdict="approve", reviewer="maya")
    assert rubber_stamps(load_history(plane.store)) == []


def _drafts(gaps_minutes: list[int]) -> list[list[str]]:
    clock = FakeClock()
    plane = memory_plane(clock=clock)
    plane.register("cms.update_draft", Confirmed())
    for gap in gaps_minutes:
        clock.advance(minutes=gap)
        plane.submit(
            {"tool": "cms.update_draft", "agent": "a", "args": {"id": "d-7", "patch": f"{gap}"}}
        )
    return [s.handoff_ids for s in split_actions(load_history(plane.store))]


def test_three_edits_of_one_target_within_an_hour_are_a_split_action() -> None:
    runs = _drafts([0, 10, 20, 15])
    assert len(runs) == 1 and len(runs[0]) == 4


def test_spread_out_or_too_few_are_not() -> None:
    assert _drafts([0, 50, 50, 50]) == []
    assert _drafts([0, 5]) == []

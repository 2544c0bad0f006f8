"""The before/after of a revision, as the handoff page shows it."""

from __future__ import annotations

from handoff.server.revision import Change, diff_args, last_revision

from .conftest import Server


def test_diff_args_and_the_last_revision(served: Server) -> None:
    assert diff_args({"a": 1, "n": {"x": "old"}, "gone": True}, {"a": 1, "n": {"x": "new"}}) == [
        Change("gone", "removed", "true", ""),
        Change("n.x", "changed", '"old"', '"new"'),
    ]
    plane = served.plane
    hid = plane.submit({"tool": "ops.pay", "agent": "bot", "args": {"amount": 100}}).handoff_id
    plane.decide(hid, verdict="revise", reviewer="ana", rationale="cap", args={"amount": 50})
    first = last_revision(plane.get(hid), plane.store.events(hid))
    assert first is not None and first.by == "ana" and first.changed == ["amount"]
    # the revised event keeps what the agent proposed, so the first revision diffs too
    assert first.changes == [Change("amount", "changed", "100", "50")]
    plane.decide(hid, verdict="revise", reviewer="ben", rationale="less", args={"amount": 40})
    second = last_revision(plane.get(hid), plane.store.events(hid))
    assert second is not None and second.changes == [Change("amount", "changed", "50", "40")]

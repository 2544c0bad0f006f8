"""Suggestions appear for histories built to trigger them, and not otherwise."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from importlib import resources
from pathlib import Path

from handoff import ControlPlane, Level
from handoff.learn.history import load_history
from handoff.learn.suggest import Suggestion, suggest
from handoff.policy import load_policy
from handoff.testing import FakeClock, memory_plane

from ._history import Confirmed, build

TEXT = resources.files("handoff").joinpath("default_policy.yaml").read_text("utf-8")


def _suggest(plane: ControlPlane, clock: FakeClock) -> list[Suggestion]:
    history = load_history(plane.store, as_of=clock.now(), check_audit=False)
    return suggest(history, plane.policy, TEXT, "policy.yaml")


def _publishes(rejected: int, total: int = 50) -> tuple[ControlPlane, FakeClock]:
    """``total`` posts for marketing-ops, each decided after 10 min; the first ``rejected``
    rejected, the rest approved unchanged."""
    clock = FakeClock()
    plane = memory_plane(clock=clock)
    plane.register("cms.publish", Confirmed())
    for i in range(total):
        out = plane.submit(
            {
                "tool": "cms.publish",
                "agent": "mktg-agent",
                "args": {"title": f"Post {i}", "body": f"We shipped feature number {i}."},
            }
        )
        clock.advance(minutes=10)
        if i < rejected:
            plane.decide(out.handoff_id, verdict="reject", reviewer="maya", rationale="off brand")
        else:
            plane.decide(out.handoff_id, verdict="approve", reviewer="maya")
    return plane, clock


def _applies(diff: str, tmp_path: Path) -> str:
    """Apply ``diff`` with ``git apply`` to a copy of the policy; the new text."""
    (tmp_path / "policy.yaml").write_text(TEXT, encoding="utf-8")
    subprocess.run(["git", "apply", "-"], input=diff.encode(), cwd=tmp_path, check=True)
    return (tmp_path / "policy.yaml").read_text(encoding="utf-8")


def test_approved_unchanged_49_of_50_lowers_to_auto(tmp_path: Path) -> None:
    plane, clock = _publishes(rejected=1)
    found = {s.kind: s for s in _suggest(plane, clock)}
    lower = found["lower_to_auto"]
    assert "49 were approved unchanged" in lower.evidence
    assert len(lower.handoff_ids) == 50
    assert '+  "cms.publish": {mode: auto}' in lower.diff
    new = _applies(lower.diff, tmp_path)
    policy = load_policy(tmp_path / "policy.yaml")
    assert policy.tools["cms.publish"].mode is not None
    assert policy.tools["cms.publish"].mode.value == "auto" and new != TEXT
    # 50 decisions, 1 changed: labels for the learned detector.
    assert "handoff learn fit labels.jsonl" in found["retrain"].command


def test_47_of_50_is_not_enough() -> None:
    plane, clock = _publishes(rejected=3)
    assert "lower_to_auto" not in {s.kind for s in _suggest(plane, clock)}


def test_49_decisions_are_too_few() -> None:
    plane, clock = _publishes(rejected=0, total=49)
    kinds = {s.kind for s in _suggest(plane, clock)}
    assert "lower_to_auto" not in kinds
    assert "retrain" not in kinds  # all approved: nothing to learn the other class from


def test_incident_on_an_auto_executed_tool_sends_it_to_review(tmp_path: Path) -> None:
    clock = FakeClock()
    b = build(memory_plane(clock=clock), clock)
    found = _suggest(b.plane, clock)
    review = [s for s in found if s.kind == "raise_to_review"]
    assert len(review) == 1
    assert review[0].handoff_ids == [b.ids["A2"]]
    assert "cms.update_draft" in review[0].title
    new = _applies(review[0].diff, tmp_path)
    assert '"cms.update_draft": {mode: review}' in new
    # Five decided escalations: no SLA owner reaches 5 settled, too few to retrain.
    assert {s.kind for s in found} == {"raise_to_review"}


def test_no_incidents_no_review_suggestion() -> None:
    plane, clock = _publishes(rejected=0, total=5)
    assert _suggest(plane, clock) == []


def test_an_owner_missing_its_sla_gets_a_longer_one(tmp_path: Path) -> None:
    clock = FakeClock()
    plane = memory_plane(clock=clock)
    plane.register("cms.publish", Confirmed())
    ids = [
        plane.submit(
            {
                "tool": "cms.publish",
                "agent": "mktg-agent",
                "args": {"title": f"Post {i}", "body": f"We shipped feature number {i}."},
            }
        ).handoff_id
        for i in range(6)
    ]
    start = clock.now()
    for i, hid in enumerate(ids):
        clock.set(start + timedelta(hours=1 if i < 2 else 9))  # 8 h SLA: four late
        plane.decide(hid, verdict="approve", reviewer="marco")
    found = [s for s in _suggest(plane, clock) if s.kind == "sla"]
    assert len(found) == 1
    assert "met its SLA in 2 of 6" in found[0].evidence
    assert sorted(found[0].handoff_ids) == sorted(ids[2:])
    assert "for marketing-ops (8h -> 16h)" in found[0].title
    _applies(found[0].diff, tmp_path)
    before, after = load_policy(None), load_policy(tmp_path / "policy.yaml")
    # Only marketing-ops waits longer: the policy's SLA and every other team stay.
    assert after.sla == before.sla
    assert after.owners["marketing-ops"].sla == {Level.MEDIUM: 16 * 3600}
    assert {n: o for n, o in after.owners.items() if n != "marketing-ops"} == {
        n: o for n, o in before.owners.items() if n != "marketing-ops"
    }
    assert after.sla_for("marketing-ops", Level.MEDIUM) == 16 * 3600
    assert after.sla_for("finance", Level.MEDIUM) == 8 * 3600
    with ControlPlane.open("sqlite://", after) as tuned:
        post = {"tool": "cms.publish", "args": {"title": "Launch", "body": "We shipped."}}
        assert tuned.submit(post).handoff.assessment.sla_seconds == 16 * 3600
        price = {"tool": "cms.publish", "args": {"title": "Sale", "body": "Now $49/month."}}
        out = tuned.submit(price)
        assert out.handoff.owner == "finance" and out.handoff.assessment.sla_seconds == 8 * 3600


def test_a_team_written_on_one_line_gets_its_own_sla() -> None:
    from handoff.learn.suggest import _owner_sla_diff

    text = "owners:\n  ops: {members: [ana]}\n  legal: {members: [lena]}\ndefault_owner: ops\n"
    diff = _owner_sla_diff(text, "p.yaml", "ops", Level.MEDIUM, 16 * 3600)
    assert "+  ops: {members: [ana], sla: {medium: 16h}}" in diff
    assert "legal" not in "".join(ln for ln in diff.splitlines() if ln[:1] in "+-")


def test_decisions_export_as_labelled_actions() -> None:
    from handoff.learn.suggest import labelled_actions
    from handoff.models import Action

    plane, _clock = _publishes(rejected=2, total=8)
    rows = labelled_actions(load_history(plane.store, check_audit=False))
    assert len(rows) == 8 and sum(r["label"] for r in rows) == 2
    assert all(Action.model_validate(r["action"]).tool == "cms.publish" for r in rows)

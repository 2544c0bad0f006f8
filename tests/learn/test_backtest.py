"""Backtest on the recorded history of ``_history``: the exact deltas of a candidate policy."""

from __future__ import annotations

from importlib import resources

import pytest

from handoff.learn.backtest import backtest
from handoff.learn.history import load_history, stream_history
from handoff.policy import default_policy, policy_from_yaml
from handoff.testing import FakeClock, memory_plane

from ._history import Built, build

DEFAULT = resources.files("handoff").joinpath("default_policy.yaml").read_text("utf-8")
#: Drafts go to review; publishing runs on its own.
CANDIDATE = DEFAULT.replace(
    '  "reports.schedule": {impact: 0.1, reversibility: 0.1}\n',
    '  "reports.schedule": {impact: 0.1, reversibility: 0.1}\n'
    '  "cms.update_draft": {mode: review}\n'
    '  "cms.publish": {mode: auto}\n',
)


@pytest.fixture(scope="module")
def built() -> Built:
    clock = FakeClock()
    return build(memory_plane(clock=clock), clock)


def test_candidate_gives_the_exact_deltas(built: Built) -> None:
    ids = built.ids
    candidate = policy_from_yaml(CANDIDATE, "candidate.yaml")
    assert candidate.version != default_policy().version
    bt = backtest(load_history(built.plane.store, as_of=built.clock.now()), candidate)
    assert bt.replayed == 9
    assert sorted(bt.added) == sorted([ids["A2"], ids["A3"]])
    assert sorted(bt.removed) == sorted(ids[n] for n in ("E1", "E2", "E3", "E4", "E6"))
    assert bt.caught == [ids["A2"]]  # the incident on A2 would have reached a reviewer
    assert sorted(bt.let_through) == sorted([ids["E2"], ids["E3"]])
    assert bt.load_active == {"finance": 2, "marketing-ops": 4}
    assert bt.load_candidate == {"finance": 1, "marketing-ops": 2}
    # Active: 2 changed of 5 decided. Candidate: E5 kept (unchanged), A2 and A3 added
    # (A2 counts as changed for its incident) -> 1 / 3.
    assert bt.precision_active == pytest.approx(0.4)
    assert bt.precision_candidate == pytest.approx(1 / 3)
    assert bt.precision_change == pytest.approx(1 / 3 - 0.4)
    assert bt.to_json()["reviewer_load"]["marketing-ops"] == {"active": 4, "candidate": 2}


def test_the_active_policy_changes_nothing(built: Built) -> None:
    bt = backtest(load_history(built.plane.store, as_of=built.clock.now()), default_policy())
    assert (bt.added, bt.removed, bt.caught, bt.let_through, bt.blocked) == ([], [], [], [], [])
    assert bt.precision_change == 0


def test_shadow_mode_stores_the_candidate_beside_the_active_assessment() -> None:
    clock = FakeClock()
    plane = memory_plane(clock=clock)
    candidate = policy_from_yaml(CANDIDATE, "candidate.yaml")
    plane.shadow_policy = candidate
    b = build(plane, clock)
    e1 = [e for e in plane.store.events(b.ids["E1"]) if e.kind == "shadow_assessed"]
    assert len(e1) == 1
    assert e1[0].data["mode"] == "auto" and e1[0].data["policy_version"] == candidate.version
    assert plane.get(b.ids["E1"]).assessment.mode.value == "review"  # never acted on
    assert plane.verify_audit().ok
    bt = backtest(load_history(plane.store, as_of=clock.now()), candidate)
    assert bt.from_shadow == bt.replayed == 9
    assert bt.caught == [b.ids["A2"]] and len(bt.added) == 2 and len(bt.removed) == 5
    # Another candidate has no shadow events of its own version: it is replayed.
    assert backtest(load_history(plane.store), default_policy()).from_shadow == 0


def test_repeated_actions_are_assessed_by_their_whole_context() -> None:
    """One run assesses a repeated action once; an action that differs only in its
    context (here the agent's stated confidence) is a different action."""
    clock = FakeClock()
    plane = memory_plane(clock=clock)
    draft = {"tool": "cms.update_draft", "agent": "mk", "args": {"draft_id": "d"}}
    unsure = {**draft, "context": {"confidence": 0.1}}
    ids = [plane.submit(a).handoff_id for a in (draft, unsure, draft, unsure)]
    modes = [plane.get(i).assessment.mode.value for i in ids]
    assert modes == ["auto", "review", "auto", "review"]
    for history in (load_history(plane.store), stream_history(plane.store, size=1)):
        bt = backtest(history, default_policy())
        assert (bt.added, bt.removed, bt.blocked) == ([], [], [])
        assert bt.load_candidate == bt.load_active == {"marketing-ops": 2}

"""Separation of duties over random teams, requesters, reviewers and revocations.

The requester may itself be a member of the owning team (an agent acting for a
finance clerk, say); it still never approves its own action. A member removed from
the team between request and decision can no longer decide, and an approval given
before the removal no longer counts towards the quorum. The check itself lives in
``reliability.separation`` (``make reliability`` runs 10,000 scenarios).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff.decide import _review
from handoff.models import Decision, Handoff
from handoff.policy import Policy
from reliability import separation
from reliability.separation import PEOPLE, Scenario, check

step = st.one_of(
    st.tuples(st.just("decide"), st.sampled_from(PEOPLE), st.sampled_from(["approve", "reject"])),
    st.tuples(st.just("revoke"), st.sampled_from(PEOPLE), st.just("")),
)
scenarios = st.builds(
    Scenario,
    members=st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=5, unique=True),
    lead=st.none() | st.sampled_from(PEOPLE),
    level=st.sampled_from(["medium", "high"]),
    agent=st.sampled_from(PEOPLE),
    on_behalf_of=st.none() | st.sampled_from(PEOPLE),
    steps=st.lists(step, max_size=10),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios)
def test_no_requester_approves_and_quorum_counts_current_members(scenario: Scenario) -> None:
    assert check(scenario).problems == []


def test_a_short_run_exercises_every_rule() -> None:
    counts = separation.run(300, seed=3)
    assert counts.problems == []
    assert counts.refused_requester > 0 and counts.refused_outsider > 0
    assert counts.approved > 0 and counts.revocations > 0 and counts.two_person > 0


def test_the_check_catches_a_requester_approving(monkeypatch: pytest.MonkeyPatch) -> None:
    def lenient(h: Handoff, d: Decision, policy: Policy) -> None:
        return None  # lets anyone decide: what the suite must catch

    monkeypatch.setattr(_review, "authorize", lenient)
    own = Scenario(["p1"], None, "medium", "p0", None, [("decide", "p0", "approve")])
    assert any("requester p0 decided" in p for p in check(own).problems)
    outsider = Scenario(["p1"], None, "medium", "p0", None, [("decide", "p5", "approve")])
    assert any("outside the team" in p for p in check(outsider).problems)

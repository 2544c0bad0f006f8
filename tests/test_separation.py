"""Separation of duties over random teams, requesters, reviewers and revocations.

The requester may itself be a member of the owning team (an agent acting for a
finance clerk, say); it still never approves its own action. A member removed from
the team between request and decision can no longer decide, and an approval given
before the removal no longer counts towards the quorum.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff import ConflictError, InputError, NotAuthorized, State
from handoff.policy import Policy, default_policy
from handoff.testing import memory_plane

PEOPLE = [f"p{i}" for i in range(8)]


def _policy(members: list[str], lead: str | None, level: str) -> Policy:
    base = default_policy().model_dump()
    base["owners"]["finance"] = {
        **base["owners"]["finance"],
        "members": members,
        "lead": lead,
    }
    base["tools"] = {"pay": {"level": level, "owner": "finance"}}
    return default_policy().model_validate(base)


def _without(policy: Policy, person: str) -> Policy:
    raw = policy.model_dump()
    team = raw["owners"]["finance"]
    team["members"] = [m for m in team["members"] if m != person]
    if team["lead"] == person:
        team["lead"] = None
    return default_policy().model_validate(raw)


step = st.one_of(
    st.tuples(st.just("decide"), st.sampled_from(PEOPLE), st.sampled_from(["approve", "reject"])),
    st.tuples(st.just("revoke"), st.sampled_from(PEOPLE), st.just("")),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    members=st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=5, unique=True),
    lead=st.none() | st.sampled_from(PEOPLE),
    level=st.sampled_from(["medium", "high"]),
    agent=st.sampled_from(PEOPLE),
    on_behalf_of=st.none() | st.sampled_from(PEOPLE),
    steps=st.lists(step, max_size=10),
)
def test_no_requester_approves_and_quorum_counts_current_members(
    members: list[str],
    lead: str | None,
    level: str,
    agent: str,
    on_behalf_of: str | None,
    steps: list[tuple[str, str, str]],
) -> None:
    plane = memory_plane(_policy(members, lead, level))
    plane.register("pay", lambda **_: None)
    out = plane.submit(
        {"tool": "pay", "args": {"amount": 10}, "agent": agent, "on_behalf_of": on_behalf_of}
    )
    hid = out.handoff_id
    assert hid is not None
    requester = {agent, on_behalf_of} - {None}
    quorum = plane.get(hid).assessment.quorum
    assert quorum >= (2 if level == "high" else 1)
    for kind, who, verdict in steps:
        if kind == "revoke":
            plane.policy = _without(plane.policy, who)
            continue
        before = plane.get(hid)
        allowed = plane.policy.members_of("finance") - requester
        try:
            after = plane.decide(hid, {"verdict": verdict, "reviewer": who, "rationale": "r"})
        except NotAuthorized:
            assert who not in allowed or who in {d.reviewer for d in before.approvals}
            continue
        except (ConflictError, InputError):
            assert before.state not in (State.PENDING, State.REDIRECTED) or who in {
                d.reviewer for d in before.approvals
            }
            continue
        assert who in allowed, (who, allowed)
        if after.state is State.APPROVED:
            current = plane.policy.members_of("finance")
            approvers = {d.reviewer for d in after.approvals}
            assert not approvers & requester
            assert len(approvers & current) >= quorum
    assert plane.verify_audit().ok
    plane.close()

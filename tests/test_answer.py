"""A handoff sent back for information is answered by its agent and waits for review again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from handoff import ConflictError, ControlPlane, InputError, NotAuthorized
from handoff.policy import default_policy
from handoff.store import open_store
from handoff.testing import FakeClock

PUBLISH = {
    "tool": "cms.publish",
    "agent": "writer",
    "args": {"title": "Spring sale", "body": "Our new plan is out."},
}


@pytest.fixture
def plane(db_url: str, clock: FakeClock) -> Iterator[ControlPlane]:
    p = ControlPlane(open_store(db_url), default_policy(), clock=clock)
    yield p
    p.close()


def sent_back(plane: ControlPlane) -> str:
    out = plane.submit(PUBLISH)
    assert out.pending and out.handoff.owner == "marketing-ops"
    h = plane.decide(
        out.handoff_id,
        verdict="redirect",
        reviewer="maya",
        rationale="Which campaign?",
        questions=["Which campaign is this for?", "Who signed it off?"],
    )
    assert h.state.value == "needs_info"
    return out.handoff_id


def test_the_agents_answer_puts_it_back_in_the_queue(plane: ControlPlane, clock: FakeClock) -> None:
    hid = sent_back(plane)
    clock.advance(3600)
    h = plane.answer(
        hid,
        agent="writer",
        answers=["Spring 2027", "Mona, the lead"],
        evidence=[{"source": "brief", "excerpt": "Spring 2027 campaign brief"}],
    )
    assert h.state.value == "pending" and h.owner == "marketing-ops"
    assert h.deadline == clock.now() + timedelta(seconds=h.assessment.sla_seconds or 0)
    said = [(e.source, e.excerpt) for e in h.package.evidence] if h.package else []
    assert ("answer 1", "Q: Which campaign is this for? A: Spring 2027") in said
    assert ("answer 2", "Q: Who signed it off? A: Mona, the lead") in said
    assert ("brief", "Spring 2027 campaign brief") in said
    assert [e.kind for e in plane.store.events(handoff_id=hid)][-1] == "answered"
    assert [h.id for h in plane.pending()] == [hid]
    approved = plane.decide(hid, verdict="approve", reviewer="maya")
    assert approved.state.value == "approved"
    assert plane.verify_audit().ok


def test_only_the_submitting_agent_answers_and_only_a_needs_info(plane: ControlPlane) -> None:
    hid = sent_back(plane)
    before = plane.store.count_events()
    with pytest.raises(NotAuthorized) as denied:
        plane.answer(hid, agent="someone-else", answers=["trust me"])
    assert denied.value.field == "agent"
    with pytest.raises(InputError) as empty:
        plane.answer(hid, agent="writer")
    assert empty.value.field == "answers"
    with pytest.raises(InputError) as bad:
        plane.answer(hid, agent="writer", answers=[1])
    assert bad.value.field is not None and bad.value.field.startswith("answers")
    assert plane.store.count_events() == before and plane.get(hid).state.value == "needs_info"
    plane.answer(hid, agent="writer", answers=["Spring 2027"])
    with pytest.raises(ConflictError) as again:
        plane.answer(hid, agent="writer", answers=["Spring 2027"])
    assert again.value.field == "state"

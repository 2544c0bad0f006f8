"""Hand-built records for tests that must not depend on the rubric."""

from __future__ import annotations

from datetime import datetime, timedelta

from handoff.models import Action, Assessment, Factor, Handoff, Level, Mode, State, action_hash


def make_handoff(
    hid: str,
    at: datetime,
    *,
    level: Level = Level.MEDIUM,
    owner: str = "finance",
    state: State = State.PENDING,
    key: str | None = None,
    args: dict[str, object] | None = None,
    deadline_in: float | None = 3600,
) -> Handoff:
    action = Action(
        tool="cms.publish", args=args or {"post": hid}, agent="bot", idempotency_key=key
    )
    assessment = Assessment(
        level=level,
        score=0.5,
        factors=[Factor(name="impact", score=0.5)],
        owner=owner,
        mode=Mode.REVIEW,
        policy_version="v",
    )
    return Handoff(
        id=hid,
        action=action,
        action_hash=action_hash(action.tool, action.args, action.agent, None),
        assessment=assessment,
        owner=owner,
        state=state,
        deadline=at + timedelta(seconds=deadline_in) if deadline_in else None,
        created_at=at,
        updated_at=at,
    )

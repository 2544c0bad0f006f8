"""The SLA ladder as pure functions: which step is due for a handoff, and what it does.

A policy's ``ladder`` places steps at shares of a handoff's SLA (``at: 0.5`` is half-way
to the deadline, ``at: 1.5`` half an SLA past it). The SLA window of an open handoff ends
at its ``deadline`` and is ``assessment.sla_seconds`` long, so a redirect (which restarts
the deadline and sets ``ladder_step`` back to 0) restarts the ladder too.

``ladder_step`` counts the steps already taken. The ladder always ends in the fallback:
a ladder without a fallback step gets one at the deadline or after its last step, so no
handoff waits for ever, and the fallback is ``reject`` or ``expire``, never an approval.

When several steps fell due while no scheduler ran (a restart), only the latest is taken
and the earlier ones are recorded as skipped: a reminder that comes after the escalation
it should have preceded helps nobody. Each step is taken or skipped exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..decide._review import Change
from ..decide.lifecycle import OPEN, check_move
from ..models import Decision, Handoff, State, Verdict
from ..policy import LadderStep, Policy

__all__ = ["ACTOR", "Due", "apply_step", "ladder_of", "next_due_at", "next_step"]

#: The actor of every ladder event and of a fallback decision.
ACTOR = "sla"


@dataclass(frozen=True, slots=True)
class Due:
    """The ladder step to take now: its position, the step, and when it fell due."""

    index: int
    step: LadderStep
    due_at: datetime
    skipped: tuple[int, ...] = ()


def ladder_of(policy: Policy) -> list[LadderStep]:
    """The policy's ladder in time order, ending at its first fallback (added if missing)."""
    steps = sorted(policy.ladder, key=lambda s: s.at)
    for i, step in enumerate(steps):
        if step.do == "fallback":
            return steps[: i + 1]
    last = max((s.at for s in steps), default=1.0)
    return [*steps, LadderStep(at=max(1.0, last), do="fallback")]


def _times(h: Handoff, policy: Policy) -> list[tuple[LadderStep, datetime]]:
    sla = h.assessment.sla_seconds
    if h.state not in OPEN or h.deadline is None or not sla:
        return []
    start = h.deadline - timedelta(seconds=sla)
    return [(s, start + timedelta(seconds=s.at * sla)) for s in ladder_of(policy)]


def next_due_at(h: Handoff, policy: Policy) -> datetime | None:
    """When the next step not yet taken falls due; None when none is left."""
    rest = _times(h, policy)[h.ladder_step :]
    return rest[0][1] if rest else None


def next_step(h: Handoff, policy: Policy, now: datetime) -> Due | None:
    """The step to take at ``now``, if any: the latest one due, the earlier ones skipped."""
    due = [
        (i, step, at)
        for i, (step, at) in enumerate(_times(h, policy))
        if i >= h.ladder_step and at <= now
    ]
    if not due:
        return None
    index, step, at = due[-1]
    return Due(index, step, at, tuple(i for i, _, _ in due[:-1]))


def apply_step(h: Handoff, due: Due, policy: Policy, now: datetime) -> Change:
    """The effect of taking ``due`` on ``h``: the changed handoff, events, notifications."""
    h = h.model_copy(update={"decisions": list(h.decisions)})
    h.ladder_step, h.updated_at = due.index + 1, now
    change = Change(h)
    data: dict[str, Any] = {
        "step": due.index,
        "at": due.step.at,
        "due_at": due.due_at.isoformat(),
        "skipped": list(due.skipped),
    }
    if due.step.do == "remind":
        target = _person_or_team(h, due.step.to, policy)
        change.events.append(("reminded", {**data, "to": target}))
        change.notify.append(_note(h, target, "reminder"))
    elif due.step.do == "escalate":
        _escalate(change, due.step, policy, data)
    else:
        _fallback(change, policy, data, now)
    return change


def _person_or_team(h: Handoff, to: str, policy: Policy) -> str:
    """The address a reminder goes to: a person (``user:``) or a team (``owner:``)."""
    team = policy.owners.get(h.owner or "")
    if to == "assignee" and h.assignee:
        return f"user:{h.assignee}"
    if to == "lead" and team is not None and team.lead:
        return f"user:{team.lead}"
    if to == "backup" and team is not None and team.backup:
        return f"owner:{team.backup}"
    return f"owner:{h.owner}"


def _escalate(change: Change, step: LadderStep, policy: Policy, data: dict[str, Any]) -> None:
    """Hand the decision up: the team lead becomes assignee, or the backup team the owner.

    Without a lead or backup in the policy the whole owning team is told again.
    """
    h = change.handoff
    team = policy.owners.get(h.owner or "")
    before = {"owner": h.owner, "assignee": h.assignee}
    if step.to == "lead" and team is not None and team.lead:
        h.assignee = team.lead
        target = f"user:{team.lead}"
    elif step.to == "backup" and team is not None and team.backup and team.backup != h.owner:
        h.owner, h.assignee = team.backup, None
        target = f"owner:{team.backup}"
    elif step.to == "assignee" and h.assignee:
        target = f"user:{h.assignee}"
    else:
        h.assignee = None
        target = f"owner:{h.owner}"
    change.events.append(
        (
            "escalated",
            {
                **data,
                "to": target,
                "from": before,
                "owner": h.owner,
                "assignee": h.assignee,
            },
        )
    )
    change.notify.append(_note(h, target, "escalated"))


def _fallback(change: Change, policy: Policy, data: dict[str, Any], now: datetime) -> None:
    h = change.handoff
    state = State.REJECTED if policy.fallback == "reject" else State.EXPIRED
    check_move(h.state, state)
    rationale = f"SLA expired: fallback {policy.fallback}"
    h.state = state
    if state is State.REJECTED:
        h.decisions.append(
            Decision(
                verdict=Verdict.REJECT,
                reviewer=ACTOR,
                rationale=rationale,
                at=now,
                action_hash=h.action_hash,
            )
        )
    change.events.append((state.value, {**data, "rationale": rationale, "fallback": True}))
    change.notify.append(_note(h, f"agent:{h.action.agent}", state.value))
    change.notify.append(_note(h, f"owner:{h.owner}", state.value))


def _note(h: Handoff, to: str, kind: str) -> dict[str, Any]:
    note: dict[str, Any] = {"to": to, "kind": kind, "handoff_id": h.id}
    if h.deadline is not None:
        note["deadline"] = h.deadline.isoformat()
    return note

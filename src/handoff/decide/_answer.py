"""Answer a ``needs_info``: the agent replies, and the handoff waits for review again.

A reviewer who cannot decide sends the handoff back with questions (``needs_info``).
Only the agent that submitted the action answers; its answers and evidence join the
package (each answer beside its question), and the handoff is ``pending`` for the same owner
with a fresh SLA. Approvals recorded before stay counted: the action, and so the hash
they approved, has not changed.
"""

from __future__ import annotations

from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from .._exceptions import ConflictError, InputError, NotAuthorized
from ..models import Answer, Evidence, Handoff, Package, State
from ..route.routing import deadline

if TYPE_CHECKING:
    from .._parts import PlaneParts

__all__ = ["answer"]


def _questions(h: Handoff) -> list[str]:
    """The questions of the decision that sent the handoff back."""
    for d in reversed(h.decisions):
        if d.verdict.value == "redirect" and d.owner is None:
            return list(d.questions) or ([d.rationale] if d.rationale else [])
    return []


def answer(plane: PlaneParts, handoff_id: str, reply: Answer) -> Handoff:
    """Record ``reply`` on a ``needs_info`` handoff and put it back in the queue."""
    if not reply.answers and not reply.evidence:
        raise InputError("give at least one answer or one piece of evidence", field="answers")
    h = plane.get(handoff_id)
    if h.action.agent != reply.agent:
        raise NotAuthorized(
            f"handoff {h.id} was submitted by {h.action.agent!r}; only it answers",
            field="agent",
        )
    if h.state is not State.NEEDS_INFO:
        raise ConflictError(
            f"handoff {h.id} is {h.state.value}; only one sent back for information"
            " (needs_info) takes answers",
            field="state",
        )
    questions = _questions(h)
    replies = [
        Evidence(source=f"answer {i}", excerpt=f"Q: {q or '(none asked)'} A: {a}")
        for i, (q, a) in enumerate(zip_longest(questions, reply.answers), 1)
        if a is not None
    ]
    package = h.package or Package()
    now = plane.clock.now()
    prev, version = h.state, h.version
    h = h.model_copy(
        update={
            "package": package.model_copy(
                update={"evidence": [*package.evidence, *replies, *reply.evidence]}
            ),
            "state": State.PENDING,
            "updated_at": now,
            "deadline": deadline(now, h.assessment.sla_seconds),
            "ladder_step": 0,
        }
    )
    data: dict[str, Any] = {
        "questions": questions,
        "answers": reply.answers,
        "evidence": [e.model_dump(mode="json", exclude_none=True) for e in reply.evidence],
    }
    with plane.store.write() as tx:
        tx.update(h, prev, version)
        tx.event("answered", handoff_id=h.id, actor=reply.agent, at=now, data=data)
        tx.enqueue(
            "notify",
            {"to": f"owner:{h.owner}", "kind": "pending", "handoff_id": h.id},
            handoff_id=h.id,
            at=now,
        )
    return h

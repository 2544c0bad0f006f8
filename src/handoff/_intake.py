"""The audit events and notifications a submit writes, in the submit's transaction.

``submitted`` always; then ``auto_approved`` and ``execution_started`` for an action
that runs at once, ``auto_approved`` or ``blocked`` from the policy alone, or
``pending`` with a notification to the owning team.
"""

from __future__ import annotations

from .execute import _stages
from .models import Handoff, State
from .store import Tx

__all__ = ["record_submit"]


def record_submit(tx: Tx, h: Handoff) -> None:
    a = h.assessment
    actor = h.action.agent
    tx.event(
        "submitted",
        handoff_id=h.id,
        actor=actor,
        at=h.created_at,
        data={
            "tool": h.action.tool,
            "action_hash": h.action_hash,
            "on_behalf_of": h.action.on_behalf_of,
            "level": a.level.value,
            "score": round(a.score, 4),
            "mode": a.mode.value,
            "triggers": [t.code for t in a.triggers],
            "policy_version": a.policy_version,
        },
    )
    if h.state is State.EXECUTING:
        tx.event("auto_approved", handoff_id=h.id, actor="policy", at=h.created_at, data={})
        tx.event(
            "execution_started",
            handoff_id=h.id,
            actor="handoff",
            at=h.created_at,
            data=_stages.started_data(h.execution) if h.execution else {},
        )
    elif h.state in (State.AUTO_APPROVED, State.BLOCKED):
        tx.event(h.state.value, handoff_id=h.id, actor="policy", at=h.created_at, data={})
    else:
        tx.event(
            "pending",
            handoff_id=h.id,
            actor="policy",
            at=h.created_at,
            data={
                "owner": h.owner,
                "quorum": a.quorum,
                "deadline": h.deadline.isoformat() if h.deadline else None,
            },
        )
        tx.enqueue(
            "notify",
            {"to": f"owner:{h.owner}", "kind": "pending", "handoff_id": h.id},
            handoff_id=h.id,
            at=h.created_at,
        )

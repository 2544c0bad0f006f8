"""The audit events and notifications a submit writes, in the submit's transaction,
and the answer to a submit that repeats an idempotency key.

``submitted`` always; then ``auto_approved`` and ``execution_started`` for an action
that runs at once, ``auto_approved`` or ``blocked`` from the policy alone, or
``pending`` with a notification to the owning team.
"""

from __future__ import annotations

from ._exceptions import ConflictError
from ._outcome import Outcome
from .execute import _stages
from .models import Action, Handoff, State, Verdict
from .store import Store, Tx

__all__ = ["record_submit", "replay"]


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


def replay(store: Store, act: Action, digest: str) -> Outcome | None:
    """The first outcome of a submit whose idempotency key was used already, or None.

    ``ConflictError`` when the key was used for another action.
    """
    with store.write() as tx:
        prior = tx.by_idempotency(act.agent, act.idempotency_key or "")
    if prior is None:
        return None
    # The whole hash (tool, args, agent, on_behalf_of), never the args alone: the
    # same key and args with another tool would otherwise answer the first outcome.
    if prior.action_hash == digest:
        return Outcome.of(prior)
    # After a revise the stored args are the reviewer's, so the agent's retry with
    # its own args (the hash its submit recorded) is still a retry: it gets the
    # reviewed handoff, never a new run. Other args under the key are another action.
    if any(d.verdict in (Verdict.REVISE, Verdict.CHOOSE) for d in prior.decisions):
        sent = {e.data.get("action_hash") for e in store.events(prior.id) if e.kind == "submitted"}
        if digest in sent:
            return Outcome.of(prior)
    raise ConflictError(
        "this idempotency key was already used for another action (tool, args or"
        " on_behalf_of differ)",
        field="idempotency_key",
    )

"""Executions run by the agent itself, in another process, with the same guarantees.

An agent that talks to ``handoff serve`` holds its own tools. To run an approved action
it *claims* the execution: the server checks the approved hash, moves the handoff to
``executing`` with a lease owned by a fresh token, and answers the exact approved args
and the idempotency key. The agent applies the action with that key, then reports the
result (or the error) with the token. So the audit trail records who ran what, when,
and how it ended, and nothing approved runs twice:

- a second claim while the lease holds is a conflict; after the handoff ended it gets
  the recorded outcome and nothing to run;
- a claim after the lease expired (the agent died mid-way) takes it over with a new
  token and the *same* idempotency key, so the downstream service dedupes the retry;
  a late report under the old token is then refused.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from .._exceptions import ConflictError, HashMismatch, NotApproved, NotAuthorized
from .._outcome import Outcome
from ..models import Handoff, RemoteClaim, StageRun, State
from . import _stages
from .execution import check_hash, idempotency_key, jsonable

if TYPE_CHECKING:
    from .._parts import PlaneParts

__all__ = ["RemoteClaim", "claim", "report"]

_PREFIX = "remote:"
_ENDED = (State.EXECUTED, State.FAILED, State.ROLLED_BACK)


def _check_agent(h: Handoff, agent: str) -> None:
    if h.action.agent != agent:
        raise NotAuthorized(
            f"handoff {h.id} was submitted by {h.action.agent!r}; only it runs the action",
            field="agent",
        )


def claim(plane: PlaneParts, handoff_id: str, agent: str) -> RemoteClaim | Outcome:
    """Claim an approved handoff for ``agent`` to run; an ended one gives its outcome."""
    h = plane.get(handoff_id)
    _check_agent(h, agent)
    if h.state in _ENDED:
        return Outcome.of(h)
    now = plane.clock.now()
    ex = h.execution
    if h.state is State.EXECUTING:
        if ex is None or not (ex.lease_owner or "").startswith(_PREFIX):
            raise ConflictError(f"handoff {h.id} is being run by the server", field="state")
        if ex.lease_until is not None and ex.lease_until > now:
            raise ConflictError(
                f"handoff {h.id} is being run under another claim until "
                f"{ex.lease_until.isoformat()}",
                field="state",
            )
    elif h.state not in (State.APPROVED, State.AUTO_APPROVED):
        raise ConflictError(
            f"handoff {h.id} is {h.state.value}; only an approved one can run", field="state"
        )
    if h.state is State.EXECUTING:
        try:
            check_hash(h.action, h.action_hash)
        except HashMismatch as exc:
            _stages.refuse(plane, h, exc)
            raise
    else:
        _stages.check_approved(plane, h)
    token = f"{_PREFIX}{agent}:{uuid.uuid4().hex}"
    prev, version = h.state, h.version
    if ex is None or prev is not State.EXECUTING:
        ex = _stages.new_execution(plane, h, ["full"], now)
        kind, data = "execution_started", _stages.started_data(ex)
        ex = ex.model_copy(update={"lease_owner": token})
    else:
        kind = "execution_resumed"
        data = {
            "stage": ex.stage,
            "idempotency_key": ex.idempotency_key,
            "attempt": ex.attempts + 1,
            "previous_owner": ex.lease_owner,
        }
        ex = ex.model_copy(
            update={
                "attempts": ex.attempts + 1,
                "lease_owner": token,
                "lease_until": now + plane.lease,
            }
        )
    allowed = ("executing",) if prev is State.EXECUTING else _stages.STARTABLE
    claimed = h.model_copy(update={"state": State.EXECUTING, "updated_at": now, "execution": ex})
    try:
        with plane.store.write() as tx:
            tx.prefetch_trail(h.id)  # require_chain's read, with the update
            tx.update(claimed, prev, version)  # a compare-and-set: one of two racing claims wins
            _stages.require_chain(tx, h, allowed)  # the chain holds the approval it consumes
            tx.event(kind, handoff_id=h.id, actor=agent, at=now, data={**data, "remote": True})
    except NotApproved as exc:
        _stages.refused(plane, h, exc)
        raise
    assert ex.lease_until is not None
    return RemoteClaim(
        handoff_id=h.id,
        token=token,
        idempotency_key=ex.idempotency_key,
        tool=h.action.tool,
        args=dict(h.action.args),
        action_hash=h.action_hash,
        lease_until=ex.lease_until,
        attempt=ex.attempts,
    )


def report(
    plane: PlaneParts,
    handoff_id: str,
    agent: str,
    token: str,
    *,
    result: Any = None,
    error: str | None = None,
) -> Outcome:
    """Record how a claimed run ended: ``executed`` with ``result``, or ``failed``."""
    h = plane.get(handoff_id)
    _check_agent(h, agent)
    ex = h.execution
    if h.state is not State.EXECUTING or ex is None or ex.lease_owner != token:
        raise ConflictError(
            f"handoff {h.id} is {h.state.value} and this claim no longer holds it "
            "(it ended or was taken over after its lease expired)",
            field="token",
        )
    if error is not None:
        return _stages.finish(plane, h, State.FAILED, error=error)
    step = StageRun(
        stage=ex.stage,
        idempotency_key=idempotency_key(h.id, ex.stage),
        result=jsonable(result),
        at=plane.clock.now(),
    )
    return _stages.finish(plane, h, State.EXECUTED, step=step)

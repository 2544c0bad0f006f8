"""Recovery: finish the executions a crash (or a killed worker) left in ``executing``.

``ControlPlane.recover()`` is explicit, never implicit in ``open``: whoever runs
executions calls it at start (``handoff serve``, the demo, the crash harness), and may
call it again on a timer. It picks executions whose lease expired and takes each over
with a compare-and-set (so two recovering processes cannot both take one), then:

- re-checks the args against the approved hash (a mismatch is refused and audited);
- an executor with ``confirm`` is asked first whether the interrupted stage took
  effect; when it did, the stage counts as done; when not, ``apply`` runs again
  with the **same** idempotency key;
- an executor without ``confirm`` is applied again with the same key (the contract
  says it dedupes by key);
- a plain function (no key) cannot be retried safely: it is marked ``failed`` with
  "interrupted; outcome unknown", unless registered with ``idempotent=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._exceptions import ConflictError, ExecutionError, HashMismatch, NotApproved
from ..models import Handoff, State
from . import _stages
from .execution import check_hash, is_idempotent

if TYPE_CHECKING:
    from .._parts import PlaneParts

__all__ = ["Recovery", "recover"]

UNKNOWN = "interrupted; outcome unknown"


@dataclass
class Recovery:
    """What one ``recover()`` pass did, by handoff id."""

    completed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.completed) + len(self.failed) + len(self.rolled_back)

    def __str__(self) -> str:
        parts = [
            f"{len(self.completed)} completed",
            f"{len(self.rolled_back)} rolled back",
            f"{len(self.failed)} failed",
        ]
        if self.held:
            parts.append(f"{len(self.held)} still leased")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return "recovered executions: " + ", ".join(parts)


def recover(plane: PlaneParts, limit: int = 1000) -> Recovery:
    report = Recovery()
    now = plane.clock.now()
    for h in plane.store.list_handoffs(states=[State.EXECUTING], limit=limit):
        ex = h.execution
        if ex is not None and ex.lease_until is not None and ex.lease_until > now:
            report.held.append(h.id)
            continue
        if h.action.tool not in plane.executors:
            report.skipped[h.id] = f"no executor is registered for {h.action.tool}"
            continue
        try:
            h = _take_over(plane, h)
        except ConflictError:
            continue  # another process took it (or it finished) meanwhile
        except NotApproved as exc:
            # Left as it is, for a person to look at; ``audit verify`` names it too.
            report.skipped[h.id] = exc.message
            continue
        state = _resume(plane, h)
        {
            State.EXECUTED: report.completed,
            State.ROLLED_BACK: report.rolled_back,
        }.get(state, report.failed).append(h.id)
    return report


def _take_over(plane: PlaneParts, h: Handoff) -> Handoff:
    """Claim an expired lease: new owner and lease, one more attempt, an event."""
    now = plane.clock.now()
    version = h.version
    ex = h.execution
    if ex is None:  # executing without a record: claimed by a version that kept none
        plan = ["full"]
        ex = _stages.new_execution(plane, h, plan, now)
        previous = None
    else:
        previous = ex.lease_owner
        ex = ex.model_copy(
            update={
                "attempts": ex.attempts + 1,
                "lease_owner": plane.worker,
                "lease_until": now + plane.lease,
            }
        )
    h.execution, h.updated_at = ex, now
    with plane.store.write() as tx:
        _stages.require_chain(tx, h, ("executing",))  # a row forged into executing runs nothing
        tx.update(h, State.EXECUTING, version)
        tx.event(
            "execution_resumed",
            handoff_id=h.id,
            actor="handoff",
            at=now,
            data={
                "stage": ex.stage,
                "idempotency_key": ex.idempotency_key,
                "attempt": ex.attempts,
                "previous_owner": previous,
            },
        )
    return h


def _resume(plane: PlaneParts, h: Handoff) -> State:
    executor = plane.executors.get(h.action.tool)
    try:
        check_hash(h.action, h.action_hash)
        if h.decisions and {d.action_hash for d in h.approvals} != {h.action_hash}:
            raise HashMismatch("the stored action is not the one approved", field="args")
    except HashMismatch as exc:
        return _stages.refuse(plane, h, exc).handoff.state
    if not is_idempotent(executor):
        return _stages.finish(plane, h, State.FAILED, error=UNKNOWN).handoff.state
    try:
        return _stages.run(plane, h, recovering=True).handoff.state
    except (ExecutionError, HashMismatch):
        return State.FAILED

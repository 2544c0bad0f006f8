"""Run one claimed execution through its stages: apply, confirm, commit; roll back on failure.

The claim (state ``executing``, an owner token and ``lease_until`` in the execution
record) is committed before the executor is touched, in the same statement as the
state change. Each stage then goes:

    check the hash -> apply(args, stage, key) -> confirm(result) -> commit

and every commit is one transaction with its event: ``stage_completed`` between stages
(which also renews the lease), ``executed`` after the last. A failed confirmation stops
the release, rolls back the applied stages newest first, and records ``rolled_back``, or
``failed`` with the reason when a rollback is impossible. An exception from ``apply``
rolls back the stages before it and records ``failed``.

Recovery re-enters ``run`` for an execution whose lease expired; ``recovering`` makes
the first stage ask ``confirm`` (with a receipt) before applying again with the same key.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._canonical import sha256_hex
from .._chain import GENESIS, event_hash
from .._exceptions import ExecutionError, HandoffError, HashMismatch, NotApproved
from .._outcome import Outcome
from .._projection import approval_problem, fold
from ..models import Execution, Handoff, Mode, StageRun, State
from .execution import (
    Confirmation,
    Executor,
    RollbackImpossible,
    check_hash,
    idempotency_key,
    jsonable,
    stage_plan,
    versions_of,
)

if TYPE_CHECKING:
    from .._parts import PlaneParts
    from ..policy import Policy
    from ..store import Tx

__all__ = [
    "check_approved",
    "claim_execution",
    "claim_on_approval",
    "claimed_copy",
    "finish",
    "new_execution",
    "refuse",
    "refused",
    "require_chain",
    "run",
    "stage_runs",
    "start",
    "started_data",
    "undo_stages",
    "worker_id",
]


def worker_id() -> str:
    """A token naming this process as the owner of the leases it takes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def new_execution(plane: PlaneParts, h: Handoff, plan: list[str], now: datetime) -> Execution:
    """The execution record a claim writes: first stage, key, and this worker's lease."""
    approved_by = [d.reviewer for d in h.approvals] or ["policy"]
    return Execution(
        handoff_id=h.id,
        tool=h.action.tool,
        action_hash=h.action_hash,
        idempotency_key=idempotency_key(h.id, plan[0]),
        stage=plan[0],
        plan=plan,
        started_at=now,
        lease_owner=plane.worker,
        lease_until=now + plane.lease,
        approved_by=approved_by,
    )


def started_data(ex: Execution) -> dict[str, Any]:
    data: dict[str, Any] = {"idempotency_key": ex.idempotency_key, "stage": ex.stage}
    if ex.plan != ["full"]:
        data["stages"] = ex.plan
    return data


#: The states (as the chain tells them) a new execution may start from.
STARTABLE = ("approved", "auto_approved")


def require_chain(tx: Tx, h: Handoff, allowed: tuple[str, ...] = STARTABLE) -> None:
    """Raise ``NotApproved`` unless the audit chain backs running ``h`` now.

    Called inside the transaction that starts (or takes over) the execution, so the
    approval read here is the one the ``execution_started`` event then consumes: the
    chain says ``executing`` from that commit on, and no edit of the row can make the
    same approval start a second run. The handoff's own events are re-hashed and each
    must link to the event before it, so an event row forged in place is refused too.
    """
    trail = tx.trail(h.id)
    for row, before in trail:
        seq, hid, kind, actor, at, data, prev_hash, digest = row
        linked = prev_hash == before if before is not None else seq == 1 and prev_hash == GENESIS
        if not linked or event_hash(prev_hash, seq, hid, kind, actor, at, data) != digest:
            raise NotApproved(
                f"handoff {h.id} cannot run: the audit chain is broken at its event {seq}",
                field="state",
            )
    problem = approval_problem(
        fold((r.kind, r.actor, r.data) for r, _ in trail), h.action_hash, allowed
    )
    if problem is not None:
        field, reason = problem
        raise NotApproved(f"handoff {h.id} cannot run: {reason}", field=field)


def claim_execution(plane: PlaneParts, h: Handoff, plan: list[str]) -> Handoff:
    """Approved -> executing, with the lease, as one compare-and-set and its event.

    The chain must hold the approval (``require_chain``), checked in the same
    transaction; a refusal is audited and ``NotApproved`` raised.
    """
    prev, version = h.state, h.version
    claimed = claimed_copy(plane, h, plan, plane.clock.now())
    try:
        with plane.store.write() as tx:
            # The compare-and-set first: the loser of a race is a conflict, not a
            # refusal; a chain that does not back the run still rolls the update back.
            tx.prefetch_trail(h.id)  # start's check, read with the update
            tx.update(claimed, prev, version)
            start(tx, claimed)
    except NotApproved as exc:
        refused(plane, h, exc)
        raise
    return claimed


def claimed_copy(plane: PlaneParts, h: Handoff, plan: list[str], now: datetime) -> Handoff:
    """``h`` as a claim writes it: ``executing``, with this worker's execution record."""
    claimed = h.model_copy(update={"state": State.EXECUTING, "updated_at": now})
    claimed.execution = new_execution(plane, h, plan, now)
    return claimed


def start(tx: Tx, claimed: Handoff) -> None:
    """In the claiming transaction, after the compare-and-set that wrote ``claimed``:
    check that the chain backs the run and record ``execution_started``, which consumes
    the approval."""
    assert claimed.execution is not None and claimed.updated_at is not None
    require_chain(tx, claimed)
    tx.event(
        "execution_started",
        handoff_id=claimed.id,
        actor="handoff",
        at=claimed.updated_at,
        data=started_data(claimed.execution),
    )


def claim_on_approval(
    plane: PlaneParts, policy: Policy, h: Handoff, now: datetime
) -> Handoff | None:
    """The claim to write in the same transaction as the decision that left ``h``
    approved, or None: not approved, no executor here for its tool, or a stored action
    that does not hash to what was approved. With None the decision commits alone, and
    ``execute`` (which audits a refusal) decides what happens next.
    """
    if h.state is not State.APPROVED or h.action.tool not in plane.executors:
        return None
    try:
        check_hash(h.action, h.action_hash)
    except HashMismatch:
        return None
    if {d.action_hash for d in h.approvals} != {h.action_hash}:
        return None
    executor = plane.executors.get(h.action.tool)
    return claimed_copy(plane, h, stage_plan(policy, h.action.tool, executor), now)


def run(plane: PlaneParts, h: Handoff, *, recovering: bool = False) -> Outcome:
    """Drive a claimed execution from its next stage to an end; returns the outcome.

    Raises ``ExecutionError`` when the executor's ``apply`` raised (after recording it).
    """
    ex = h.execution
    assert ex is not None
    executor = plane.executors.get(h.action.tool)
    done = {s.stage for s in ex.stages}
    for stage in [s for s in ex.plan if s not in done]:
        try:
            check_hash(h.action, h.action_hash)
        except HashMismatch as exc:
            refuse(plane, h, exc)
            raise
        key = idempotency_key(h.id, stage)
        applied: Any = None
        conf: Confirmation | None = None
        if recovering and hasattr(executor, "confirm"):
            found = _confirm(executor, {"idempotency_key": key, "stage": stage, "recovering": True})
            if found.ok:
                applied, conf = found.detail, found
        recovering = False
        if conf is None:
            try:
                applied = executor.apply(h.action.args, stage, key)
            except Exception as exc:  # the executor's failure is recorded, then re-raised
                error = f"{type(exc).__name__}: {exc}"
                undone, problem = undo_stages(executor, h.execution.stages if h.execution else [])
                if problem:
                    error += f"; rollback of earlier stages impossible: {problem}"
                finish(plane, h, State.FAILED, error=error, undone=undone)
                raise ExecutionError(f"the executor for {h.action.tool} failed: {exc}") from exc
            if hasattr(executor, "confirm"):
                conf = _confirm(executor, applied)
        step = StageRun(
            stage=stage,
            idempotency_key=key,
            result=jsonable(applied),
            confirmation=conf.as_json() if conf else None,
            at=plane.clock.now(),
        )
        if conf is not None and not conf.ok:
            return _stop(plane, h, executor, step, conf)
        if stage == ex.plan[-1]:
            return finish(plane, h, State.EXECUTED, step=step)
        h = _commit_stage(plane, h, step)
    return Outcome.of(h)  # every stage was already done: nothing left to run


def check_approved(plane: PlaneParts, h: Handoff, args: Mapping[str, Any] | None = None) -> None:
    """Before a claim: the stored action (and ``args``, when given) must hash to what
    the reviewers approved; otherwise the refusal is audited and ``HashMismatch`` raised."""
    try:
        check_hash(h.action, h.action_hash, args)
        if h.state is State.APPROVED and {d.action_hash for d in h.approvals} != {h.action_hash}:
            raise HashMismatch("the stored action is not the one approved", field="args")
    except HashMismatch as exc:
        refused(plane, h, exc)
        raise


def refused(plane: PlaneParts, h: Handoff, exc: HandoffError) -> None:
    """Audit a refused claim: an ``execution_refused`` event with the reason."""
    with plane.store.write() as tx:
        tx.event(
            "execution_refused",
            handoff_id=h.id,
            actor="handoff",
            at=plane.clock.now(),
            data={"reason": exc.message},
        )


def refuse(plane: PlaneParts, h: Handoff, exc: HashMismatch) -> Outcome:
    """The stored args no longer hash to the approved hash: audit it, undo, record failed."""
    refused(plane, h, exc)
    executor = plane.executors.get(h.action.tool)
    undone, problem = undo_stages(executor, h.execution.stages if h.execution else [])
    error = f"refused: {exc.message}"
    if problem:
        error += f"; rollback of earlier stages impossible: {problem}"
    return finish(plane, h, State.FAILED, error=error, undone=undone)


def _confirm(executor: Executor, result: Any) -> Confirmation:
    try:
        return Confirmation.of(executor.confirm(result))  # type: ignore[attr-defined]
    except Exception as exc:  # a confirm that breaks is a failed confirmation
        return Confirmation.failed(f"confirm raised {type(exc).__name__}: {exc}")


def _commit_stage(plane: PlaneParts, h: Handoff, step: StageRun) -> Handoff:
    """Record a passed stage and renew the lease, so recovery resumes after it."""
    assert h.execution is not None
    now = plane.clock.now()
    version = h.version
    nxt = h.execution.plan[h.execution.plan.index(step.stage) + 1]
    h.updated_at = now
    h.execution = h.execution.model_copy(
        update={
            "stages": [*h.execution.stages, step],
            "stage": nxt,
            "idempotency_key": idempotency_key(h.id, nxt),
            "lease_owner": plane.worker,
            "lease_until": now + plane.lease,
        }
    )
    with plane.store.write() as tx:
        tx.update(h, State.EXECUTING, version, same_deadline=True)
        tx.event(
            "stage_completed",
            handoff_id=h.id,
            actor="handoff",
            at=now,
            data={
                "stage": step.stage,
                "idempotency_key": step.idempotency_key,
                "confirmation": step.confirmation,
                "next": nxt,
            },
        )
    return h


def stage_runs(ex: Execution | None) -> list[StageRun]:
    """The stages an execution applied, each with its result: a finished run keeps its
    last stage's result once, as the execution's own."""
    if ex is None:
        return []
    runs = list(ex.stages)
    if runs and ex.status == "succeeded" and runs[-1].result is None:
        runs[-1] = runs[-1].model_copy(update={"result": ex.result})
    return runs


def undo_stages(executor: Executor, stages: list[StageRun]) -> tuple[list[Any], str | None]:
    """Roll back applied stages, newest first; returns the results and the first problem.

    A dry run changed nothing and is not rolled back. Without ``rollback`` on the
    executor, any applied stage makes the rollback impossible.
    """
    undone: list[Any] = []
    for s in reversed([s for s in stages if s.stage != "dry_run"]):
        fn = getattr(executor, "rollback", None)
        if fn is None:
            return undone, "the executor has no rollback"
        try:
            undone.append({"stage": s.stage, "result": jsonable(fn(s.result))})
        except RollbackImpossible as exc:
            return undone, str(exc) or "the executor cannot undo this change"
        except Exception as exc:  # recorded as the reason the rollback is impossible
            return undone, f"{type(exc).__name__}: {exc}"
    return undone, None


def _stop(
    plane: PlaneParts, h: Handoff, executor: Executor, step: StageRun, conf: Confirmation
) -> Outcome:
    """A failed confirmation: roll back everything applied, including this stage."""
    assert h.execution is not None
    undone, problem = undo_stages(executor, [*h.execution.stages, step])
    reason = f"confirmation failed in {step.stage}: {conf.reason}"
    if problem:
        return finish(
            plane,
            h,
            State.FAILED,
            step=step,
            error=f"{reason}; rollback impossible: {problem}",
            undone=undone,
            failed_check=conf,
        )
    return finish(
        plane, h, State.ROLLED_BACK, step=step, error=reason, undone=undone, failed_check=conf
    )


def finish(
    plane: PlaneParts,
    h: Handoff,
    state: State,
    *,
    step: StageRun | None = None,
    error: str | None = None,
    undone: list[Any] | None = None,
    failed_check: Confirmation | None = None,
) -> Outcome:
    """Executing -> ``state``: one transaction with its events and the agent's notice."""
    assert h.execution is not None
    now = plane.clock.now()
    version = h.version
    ex = h.execution
    result = step.result if step is not None and state is State.EXECUTED else None
    if step is not None and state is State.EXECUTED:
        # The result is kept once, as the execution's; its last stage does not copy it.
        step = step.model_copy(update={"result": None})
    stages = [*ex.stages, step] if step is not None else list(ex.stages)
    preview = h.package.preview if h.package else None
    h.state, h.updated_at = state, now
    h.execution = ex.model_copy(
        update={
            "status": {
                State.EXECUTED: "succeeded",
                State.FAILED: "failed",
                State.ROLLED_BACK: "rolled_back",
            }[state],
            "stage": step.stage if step is not None else ex.stage,
            "stages": stages,
            "result": result,
            "error": error,
            "confirmation": step.confirmation if step is not None else None,
            "rollback": undone or None,
            "versions": versions_of(result, preview) if state is State.EXECUTED else None,
            "lease_until": None,
            "finished_at": now,
        }
    )
    with plane.store.write() as tx:
        tx.update(h, State.EXECUTING, version, same_deadline=True)
        if state is State.EXECUTED:
            # The chain binds the result by digest; the row holds the result itself.
            data: dict[str, Any] = {"result_sha256": sha256_hex(result)}
            if h.execution.versions:
                data["versions"] = h.execution.versions
            if len(stages) > 1:
                data["stages"] = [s.stage for s in stages]
            tx.event("executed", handoff_id=h.id, actor="handoff", at=now, data=data)
        else:
            if failed_check is not None and step is not None:
                tx.event(
                    "confirmation_failed",
                    handoff_id=h.id,
                    actor="handoff",
                    at=now,
                    data={"stage": step.stage, "reason": failed_check.reason},
                )
            if state is State.ROLLED_BACK:
                tx.event(
                    "rolled_back",
                    handoff_id=h.id,
                    actor="handoff",
                    at=now,
                    data={"reason": error, "stages": [u["stage"] for u in undone or []]},
                )
            else:
                data = {"error": error}
                if undone:
                    data["rolled_back"] = [u["stage"] for u in undone]
                tx.event("execution_failed", handoff_id=h.id, actor="handoff", at=now, data=data)
        if h.assessment.mode is not Mode.AUTO:
            tx.enqueue(
                "notify",
                {"to": f"agent:{h.action.agent}", "kind": h.state.value, "handoff_id": h.id},
                handoff_id=h.id,
                at=now,
            )
    return Outcome.of(h)

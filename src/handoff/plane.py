"""ControlPlane: the one entry point. Submit, decide, wait, execute.

Every state change is one store transaction holding the change (a compare-and-set on the
handoff's state and version), its audit events and its outbox rows. Bad input raises an
``InputError`` naming the field before anything is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from . import rubric
from ._canonical import canonical_bytes
from ._clock import Clock, SystemClock
from ._exceptions import (
    ConflictError,
    ExecutionError,
    HashMismatch,
    InputError,
    NotFound,
    UnknownTool,
)
from ._guard import guard
from ._ids import new_id
from ._outcome import Outcome
from ._review import apply_decision
from .audit import VerifyReport, verify
from .execution import Executor, ExecutorRegistry, check_hash, idempotency_key
from .lifecycle import OPEN, check_move
from .models import (
    Action,
    Assessment,
    Decision,
    Execution,
    Handoff,
    Incident,
    Level,
    Mode,
    State,
    action_hash,
)
from .packaging import prepare
from .policy import Policy, load_policy
from .routing import deadline
from .store import SqlStore, Store, Tx, open_store

__all__ = ["ControlPlane", "parse_input"]

M = TypeVar("M", Action, Decision, Incident)


def parse_input(model: type[M], value: M | Mapping[str, Any], what: str) -> M:
    """Validate ``value`` as ``model``; an ``InputError`` names the first bad field."""
    if isinstance(value, model):
        return value
    if not isinstance(value, Mapping):
        raise InputError(f"{what} must be a JSON object", field=what)
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = ".".join(str(p) for p in err["loc"]) or what
        raise InputError(err["msg"].removeprefix("Value error, "), field=path) from None


class ControlPlane:
    """Decides when an agent's action runs on its own and carries each handoff through.

    Open one with ``ControlPlane.open()`` (a SQLite file ``handoff.db`` and the default
    policy) or ``ControlPlane.open("postgresql://...", policy="policy.yaml")``.
    """

    def __init__(self, store: Store, policy: Policy, *, clock: Clock | None = None) -> None:
        self.store = store
        self.policy = policy
        self.clock: Clock = clock or SystemClock()
        self.executors = ExecutorRegistry()

    @classmethod
    def open(
        cls,
        url: str | None = None,
        policy: str | Path | Policy | None = None,
        *,
        clock: Clock | None = None,
    ) -> ControlPlane:
        return cls(open_store(url), load_policy(policy), clock=clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> ControlPlane:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- Detect ------------------------------------------------------------------

    def register(self, tool: str, executor: Executor | Callable[..., Any]) -> Executor:
        """Register the executor that carries out ``tool`` once it may run."""
        return self.executors.register(tool, executor)

    def guard(
        self,
        tool: str,
        *,
        agent: str = "agent",
        on_behalf_of: str | None = None,
        wait: float | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorate an agent's tool function so every call goes through ``submit``.

        See ``handoff._guard`` for what a guarded call returns; in short, the function's
        value when it ran, an ``Outcome`` with status ``pending`` when a human decides.
        """
        return guard(self, tool, agent=agent, on_behalf_of=on_behalf_of, wait=wait)

    def assess(self, action: Action | Mapping[str, Any]) -> Assessment:
        """Detect only: score the action under the active policy, writing nothing."""
        return rubric.assess(parse_input(Action, action, "action"), self.policy)

    def _validate(self, action: Action | Mapping[str, Any]) -> Action:
        act = parse_input(Action, action, "action")
        size = len(act.model_dump_json(exclude_none=True))
        if size > self.policy.max_payload_bytes:
            raise InputError(
                f"the action is {size} bytes; the limit is {self.policy.max_payload_bytes}",
                field="action",
            )
        if act.tool not in self.executors and self.policy.tool_rule(act.tool) is None:
            raise UnknownTool(
                f"unknown tool {act.tool!r}: register an executor or list it under tools",
                field="tool",
            )
        return act

    # -- Pause, Package, Route -----------------------------------------------------

    def submit(self, action: Action | Mapping[str, Any]) -> Outcome:
        """Gate one action: run it now (auto), or pause it for a human (pending).

        With an ``idempotency_key``, a repeated submit of the same action returns the
        first outcome; the same key with different args is a ``ConflictError``.
        """
        act = self._validate(action)
        digest = action_hash(act.tool, act.args, act.agent, act.on_behalf_of)
        if act.idempotency_key:
            prior = self._replay(act, digest)
            if prior is not None:
                return prior
        assessment = rubric.assess(act, self.policy)
        now = self.clock.now()
        h = Handoff(
            id=new_id("h_", now),
            action=act,
            action_hash=digest,
            assessment=assessment,
            owner=assessment.owner,
            state=State.PENDING,
            created_at=now,
            updated_at=now,
        )
        if assessment.mode is Mode.AUTO and act.tool in self.executors:
            h.state = State.EXECUTING
            h.execution = Execution(
                handoff_id=h.id,
                tool=act.tool,
                action_hash=digest,
                idempotency_key=idempotency_key(h.id),
                started_at=now,
            )
        elif assessment.mode is Mode.AUTO:
            h.state = State.AUTO_APPROVED
        elif assessment.mode is Mode.BLOCK:
            h.state = State.BLOCKED
        else:
            h.package = prepare(act, assessment)
            h.deadline = deadline(now, assessment.sla_seconds)
        try:
            with self.store.write() as tx:
                tx.insert(h)
                self._record_submit(tx, h)
        except ConflictError:
            if act.idempotency_key:
                prior = self._replay(act, digest)
                if prior is not None:
                    return prior
            raise
        if h.state is State.EXECUTING:
            return self._run(h)
        return Outcome.of(h)

    def _replay(self, act: Action, digest: str) -> Outcome | None:
        with self.store.write() as tx:
            prior = tx.by_idempotency(act.agent, act.idempotency_key or "")
        if prior is None:
            return None
        if prior.action_hash != digest and prior.action.args != act.args:
            raise ConflictError(
                "this idempotency key was already used with different args",
                field="idempotency_key",
            )
        return Outcome.of(prior)

    def _record_submit(self, tx: Tx, h: Handoff) -> None:
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
                data={"idempotency_key": idempotency_key(h.id), "stage": "full"},
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

    # -- Decide ------------------------------------------------------------------

    def decide(
        self, handoff_id: str, decision: Decision | Mapping[str, Any] | None = None, **fields: Any
    ) -> Handoff:
        """Record a reviewer's decision; returns the handoff as it now stands.

        ``decide(id, verdict="approve", reviewer="sam", rationale="...")`` or with a
        ``Decision``. Raises ``NotAuthorized`` for a reviewer outside the owning team or
        the requester approving its own action, ``ConflictError`` when the handoff was
        already decided (two racing decisions cannot both win).
        """
        d = parse_input(Decision, decision if decision is not None else fields, "decision")
        for _attempt in range(5):
            h = self.get(handoff_id)
            now = self.clock.now()
            change = apply_decision(h, d, self.policy, now)
            try:
                with self.store.write() as tx:
                    tx.update(change.handoff, h.state, h.version)
                    for kind, data in change.events:
                        tx.event(kind, handoff_id=h.id, actor=d.reviewer, at=now, data=data)
                    for payload in change.notify:
                        tx.enqueue("notify", payload, handoff_id=h.id, at=now)
                return change.handoff
            except ConflictError:
                continue  # someone else moved it first: re-read and judge again
        raise ConflictError(f"handoff {handoff_id} keeps changing; try again", field="state")

    def cancel(self, handoff_id: str, actor: str, why: str) -> Handoff:
        """Withdraw an open or approved handoff (the agent no longer wants it)."""
        h = self.get(handoff_id)
        check_move(h.state, State.CANCELLED)
        prev, version = h.state, h.version
        h.state, h.updated_at = State.CANCELLED, self.clock.now()
        with self.store.write() as tx:
            tx.update(h, prev, version)
            tx.event("cancelled", handoff_id=h.id, actor=actor, at=h.updated_at, data={"why": why})
        return h

    def get(self, handoff_id: str) -> Handoff:
        h = self.store.get(handoff_id)
        if h is None:
            raise NotFound(f"no handoff {handoff_id!r}", field="handoff_id")
        return h

    def pending(self, owner: str | None = None, level: Level | None = None) -> list[Handoff]:
        """Open handoffs, riskiest first, then nearest deadline."""
        return self.store.list_handoffs(states=sorted(OPEN), owner=owner, level=level, limit=1000)

    def wait(self, handoff_id: str, timeout: float | None = None) -> Handoff:
        """Block until the handoff is decided or ``timeout`` seconds pass; returns it either way.

        Polls the store (the tables are the truth), backing off from 20 ms to 500 ms.
        """
        end = None if timeout is None else time.monotonic() + timeout
        pause = 0.02
        while True:
            h = self.get(handoff_id)
            if h.state not in OPEN:
                return h
            if end is not None and time.monotonic() >= end:
                return h
            left = pause if end is None else min(pause, max(0.0, end - time.monotonic()))
            time.sleep(left)
            pause = min(pause * 2, 0.5)

    # -- Execute -----------------------------------------------------------------

    def execute(self, handoff_id: str, args: Mapping[str, Any] | None = None) -> Outcome:
        """Run an approved handoff exactly once through its executor.

        ``args``, when given, must hash to what was approved; otherwise the refusal is
        audited and ``HashMismatch`` raised. Executing an already executed handoff
        returns the recorded result without running anything.
        """
        h = self.get(handoff_id)
        if h.state in (State.EXECUTED, State.FAILED, State.EXECUTING, State.ROLLED_BACK):
            return Outcome.of(h)
        if h.state not in (State.APPROVED, State.AUTO_APPROVED):
            raise ConflictError(
                f"handoff {h.id} is {h.state.value}; only an approved one can run",
                field="state",
            )
        self.executors.get(h.action.tool)
        try:
            check_hash(h.action, h.action_hash, args)
            approved = {d.action_hash for d in h.approvals}
            if h.state is State.APPROVED and approved != {h.action_hash}:
                raise HashMismatch("the stored action is not the one approved", field="args")
        except HashMismatch as exc:
            with self.store.write() as tx:
                tx.event(
                    "execution_refused",
                    handoff_id=h.id,
                    actor="handoff",
                    at=self.clock.now(),
                    data={"reason": exc.message},
                )
            raise
        prev, version = h.state, h.version
        now = self.clock.now()
        h.state, h.updated_at = State.EXECUTING, now
        h.execution = Execution(
            handoff_id=h.id,
            tool=h.action.tool,
            action_hash=h.action_hash,
            idempotency_key=idempotency_key(h.id),
            started_at=now,
        )
        with self.store.write() as tx:
            tx.update(h, prev, version)
            tx.event(
                "execution_started",
                handoff_id=h.id,
                actor="handoff",
                at=now,
                data={"idempotency_key": h.execution.idempotency_key, "stage": "full"},
            )
        return self._run(h)

    def _run(self, h: Handoff) -> Outcome:
        assert h.execution is not None
        executor = self.executors.get(h.action.tool)
        try:
            result = executor.apply(h.action.args, "full", h.execution.idempotency_key)
        except Exception as exc:  # the executor's failure is recorded, then re-raised
            self._finish(h, error=f"{type(exc).__name__}: {exc}")
            raise ExecutionError(f"the executor for {h.action.tool} failed: {exc}") from exc
        return self._finish(h, result=result)

    def _finish(self, h: Handoff, *, result: Any = None, error: str | None = None) -> Outcome:
        assert h.execution is not None
        now = self.clock.now()
        version = h.version
        h.state = State.FAILED if error else State.EXECUTED
        h.updated_at = now
        h.execution = h.execution.model_copy(
            update={
                "status": "failed" if error else "succeeded",
                "result": _jsonable(result),
                "error": error,
                "finished_at": now,
            }
        )
        with self.store.write() as tx:
            tx.update(h, State.EXECUTING, version)
            tx.event(
                "execution_failed" if error else "executed",
                handoff_id=h.id,
                actor="handoff",
                at=now,
                data={"error": error} if error else {"result": h.execution.result},
            )
            if h.assessment.mode is not Mode.AUTO:
                tx.enqueue(
                    "notify",
                    {"to": f"agent:{h.action.agent}", "kind": h.state.value, "handoff_id": h.id},
                    handoff_id=h.id,
                    at=now,
                )
        return Outcome("failed" if error else "executed", h, h.execution.result)

    # -- Learn and audit -----------------------------------------------------------

    def report_incident(self, incident: Incident | Mapping[str, Any]) -> str:
        """Record a problem found later with an executed action; returns the incident id."""
        inc = parse_input(Incident, incident, "incident")
        h = self.get(inc.handoff_id)
        if h.state not in (State.EXECUTED, State.FAILED, State.ROLLED_BACK):
            raise ConflictError(f"handoff {h.id} was not executed", field="handoff_id")
        now = self.clock.now()
        incident_id = new_id("i_", now)
        with self.store.write() as tx:
            tx.add_incident(incident_id, inc, now)
            tx.event(
                "incident_reported",
                handoff_id=h.id,
                actor=inc.reporter,
                at=now,
                data={"incident_id": incident_id, "severity": inc.severity.value},
            )
        return incident_id

    def verify_audit(self) -> VerifyReport:
        return verify(self.store)

    @property
    def url(self) -> str:
        return self.store.url if isinstance(self.store, SqlStore) else "custom"


def _jsonable(value: Any) -> Any:
    """The executor's result as JSON-safe data (its repr when it is not)."""
    try:
        canonical_bytes(value)
        return value
    except (TypeError, ValueError):
        return repr(value)

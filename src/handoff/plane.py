"""ControlPlane: the one entry point. Submit, decide, wait, execute.

Every state change is one store transaction holding the change (a compare-and-set on the
handoff's state and version), its audit events and its outbox rows. Bad input raises an
``InputError`` naming the field before anything is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from ._clock import Clock, default_clock
from ._exceptions import (
    ConflictError,
    HandoffError,
    InputError,
    NotApproved,
    NotAuthorized,
    NotFound,
    UnknownTool,
)
from ._ids import new_id
from ._intake import record_submit, replay
from ._outcome import Outcome
from ._principal import check_name, requester_warnings
from ._renamed import rationale_of, renamed
from .audit.trail import VerifyReport, verify
from .decide import _answer
from .decide._review import apply_decision, reassess_with
from .decide.lifecycle import OPEN, check_move
from .decide.passkeys import Passkeys, spend
from .detect import rubric
from .detect.judge import Judge
from .execute import _recovery, _remote, _rollback, _stages
from .execute._guard import guard
from .execute.execution import (
    ROLLBACK_TOOL,
    Executor,
    ExecutorRegistry,
    RollbackRate,
    is_plane_tool,
    preview_of,
    rollback_rate,
    stage_plan,
)
from .learn.backtest import record_shadow
from .models import (
    Action,
    Answer,
    Assessment,
    Decision,
    Event,
    Handoff,
    Incident,
    Level,
    Mode,
    RemoteClaim,
    State,
    action_hash,
)
from .package.packaging import prepare
from .policy import Policy, load_policy
from .route import sla
from .route.routing import deadline
from .store import Store, open_store

__all__ = ["ControlPlane", "parse_input"]

_log = logging.getLogger("handoff.plane")

M = TypeVar("M", Action, Answer, Decision, Incident)


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

    def __init__(
        self,
        store: Store,
        policy: Policy,
        *,
        clock: Clock | None = None,
        lease_seconds: float = 300.0,
    ) -> None:
        self.store = store
        self.policy = policy
        self.clock: Clock = clock or default_clock()
        self.executors = ExecutorRegistry()
        self.executors.register(ROLLBACK_TOOL, _rollback.RollbackExecutor(self))
        #: The owner token of the execution leases this plane takes (see ``recover``).
        self.worker = _stages.worker_id()
        #: How long a claimed execution stays this plane's before recovery may take it.
        self.lease = timedelta(seconds=lease_seconds)
        #: Shadow mode: a candidate policy assessed beside the active one on every submit;
        #: its assessment is stored as a ``shadow_assessed`` event and never acted on.
        self.shadow_policy: Policy | None = None
        #: LLM judges by policy version, for policies that configure ``detect.judge``.
        self._judges: dict[str, Judge] = {}

    @classmethod
    def open(
        cls,
        url: str | None = None,
        policy: str | Path | Policy | None = None,
        *,
        clock: Clock | None = None,
        lease_seconds: float = 300.0,
    ) -> ControlPlane:
        return cls(open_store(url), load_policy(policy), clock=clock, lease_seconds=lease_seconds)

    def close(self) -> None:
        for judge in self._judges.values():
            judge.close()
        self.store.close()

    def __enter__(self) -> ControlPlane:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- Detect ------------------------------------------------------------------

    def register(
        self, tool: str, executor: Executor | Callable[..., Any], *, idempotent: bool = False
    ) -> Executor:
        """Register the executor that carries out ``tool`` once it may run.

        ``idempotent`` tells recovery a plain function may be called again after a crash.
        """
        return self.executors.register(tool, executor, idempotent=idempotent)

    def guard(
        self,
        tool: str,
        *,
        agent: str = "agent",
        on_behalf_of: str | None = None,
        wait: float | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorate an agent's tool function so every call goes through ``submit``.

        See ``handoff.execute._guard`` for what a guarded call returns; in short, the function's
        value when it ran, an ``Outcome`` with status ``pending`` when a human decides.
        """
        return guard(self, tool, agent=agent, on_behalf_of=on_behalf_of, wait=wait)

    def assess(self, action: Action | Mapping[str, Any]) -> Assessment:
        """Detect only: score the action under the active policy, writing nothing."""
        return rubric.assess(parse_input(Action, action, "action"), self.policy)

    def _validate(self, action: Action | Mapping[str, Any], *, own: bool = False) -> Action:
        act = parse_input(Action, action, "action")
        if not own and is_plane_tool(act.tool):
            # handoff.rollback once ran at once for any agent naming any handoff: the
            # plane's own tools are reached through its methods, which check who asks.
            raise NotAuthorized(
                f"{act.tool!r} is one of the control plane's own tools and cannot be"
                " submitted; a reviewer of the owning team asks for a rollback with"
                " ControlPlane.rollback, POST /v1/handoffs/{id}/rollback or `handoff rollback`",
                field="tool",
            )
        try:
            size = len(act.model_dump_json(exclude_none=True))
        except PydanticSerializationError as exc:  # text no validator caught
            raise InputError(
                f"the action cannot be stored as JSON: {exc}", field="action"
            ) from None
        check_name(act.agent, "agent")
        if act.on_behalf_of is not None:
            check_name(act.on_behalf_of, "on_behalf_of")
        if size > self.policy.max_payload_bytes:
            raise InputError(
                f"the action is {size} bytes; the limit is {self.policy.max_payload_bytes}",
                field="action",
            )
        if (
            self.policy.accept_tools == "listed"
            and act.tool not in self.executors
            and self.policy.tool_rule(act.tool) is None
        ):
            raise UnknownTool(
                f"unknown tool {act.tool!r}: the policy accepts only listed tools"
                " (accept_tools: listed); register an executor or list it under tools",
                field="tool",
            )
        return act

    # -- Pause, Package, Route -----------------------------------------------------

    def submit(self, action: Action | Mapping[str, Any]) -> Outcome:
        """Gate one action: run it now (auto), or pause it for a human (pending).

        With an ``idempotency_key`` (scoped to the agent), a repeated submit of the same
        action (tool, args, agent and on_behalf_of) returns the first outcome; the same
        key with anything else is a ``ConflictError``.
        """
        return self._gate(self._validate(action))

    def _gate(
        self, act: Action, adjust: Callable[[Assessment], Assessment] | None = None
    ) -> Outcome:
        """``submit`` after validation; ``adjust`` lets the plane's own actions (a
        rollback) tighten the assessment before it is acted on."""
        digest = action_hash(act.tool, act.args, act.agent, act.on_behalf_of)
        if act.idempotency_key:
            prior = replay(self.store, act, digest)
            if prior is not None:
                return prior
        assessment = rubric.assess(act, self.policy)
        if self.policy.detect.judge is not None:
            assessment = self._judge()(act, assessment)
        if adjust is not None:
            assessment = adjust(assessment)
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
            h.state = State.EXECUTING  # claimed in the insert: one commit before apply
            ex = self.executors.get(act.tool)
            h.execution = _stages.new_execution(self, h, stage_plan(self.policy, act.tool, ex), now)
        elif assessment.mode is Mode.AUTO:
            h.state = State.AUTO_APPROVED
        elif assessment.mode is Mode.BLOCK:
            h.state = State.BLOCKED
        else:
            h.package = prepare(act, assessment, reassess_with(act, self.policy))
            h.package = h.package.model_copy(
                update={"warnings": requester_warnings(self.policy, act.on_behalf_of)}
            )
            if act.tool in self.executors:  # approvers see what the executor would change
                shown = preview_of(self.executors.get(act.tool), act.args)
                if shown is not None:
                    h.package = h.package.model_copy(update={"preview": shown})
            h.deadline = deadline(now, assessment.sla_seconds)
        try:
            with self.store.write() as tx:
                tx.insert(h)
                record_submit(tx, h)
                if self.shadow_policy is not None:
                    record_shadow(tx, h, self.shadow_policy)
        except ConflictError:
            if act.idempotency_key:
                prior = replay(self.store, act, digest)
                if prior is not None:
                    return prior
            raise
        if h.state is State.EXECUTING:
            return _stages.run(self, h)
        return Outcome.of(h)

    def _judge(self) -> Judge:
        """The policy's LLM judge (``detect.judge``), made once per policy version."""
        judge = self._judges.get(self.policy.version)
        if judge is None:
            judge = Judge.from_policy(self.policy)
            assert judge is not None  # only called when detect.judge is configured
            self._judges[self.policy.version] = judge
        return judge

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
        return self._decide(handoff_id, decision, fields, run=False)

    def decide_and_execute(
        self, handoff_id: str, decision: Decision | Mapping[str, Any] | None = None, **fields: Any
    ) -> Outcome:
        """``decide``, and when the decision completes the quorum, run the handoff here
        through its registered executor as ``execute`` would; returns how it ended.

        The claim (``executing``, the lease, ``execution_started``) is written in the
        same transaction as the approval it consumes: one commit fewer than ``decide``
        then ``execute``, and a crash after that commit is recovered like any claimed
        execution. A decision that does not approve is ``decide``'s, and so is an
        approval of a tool with no executor here (status ``approved``: the agent runs it
        through ``claim``). Only the process that holds the store can claim in the
        approval's transaction, so ``Client`` has no such call.
        """
        h = self._decide(handoff_id, decision, fields, run=True)
        if h.state is State.EXECUTING:
            return _stages.run(self, h)
        if h.state is State.APPROVED and h.action.tool in self.executors:
            return self.execute(h.id)  # the claim was refused: execute audits why
        return Outcome.of(h)

    def _decide(
        self,
        handoff_id: str,
        decision: Decision | Mapping[str, Any] | None,
        fields: dict[str, Any],
        *,
        run: bool,
    ) -> Handoff:
        """Write one decision; with ``run``, an approval that completes the quorum also
        claims the execution in its transaction (the handoff comes back ``executing``)."""
        d = parse_input(Decision, decision if decision is not None else fields, "decision")
        check_name(d.reviewer, "reviewer")
        proof = (
            None
            if d.step_up is None
            else Passkeys.of(self).confirm_decision(self.get(handoff_id), d, self.policy)
        )
        for _attempt in range(5):
            h = self.get(handoff_id)
            now = self.clock.now()
            change = apply_decision(h, d, self.policy, now, proof)
            self._preview_revised(change.handoff, [kind for kind, _ in change.events])
            claimed = (
                _stages.claim_on_approval(self, self.policy, change.handoff, now) if run else None
            )
            try:
                with self.store.write() as tx:
                    if claimed is not None:
                        tx.prefetch_trail(h.id)  # start's check, read with the update
                    tx.update(claimed or change.handoff, h.state, h.version)
                    if proof is not None:
                        spend(tx, proof, d.reviewer, now)
                    for kind, data in change.events:
                        tx.event(kind, handoff_id=h.id, actor=d.reviewer, at=now, data=data)
                    for payload in change.notify:
                        tx.enqueue("notify", payload, handoff_id=h.id, at=now)
                    if claimed is not None:
                        _stages.start(tx, claimed)
                return claimed or change.handoff
            except ConflictError:
                continue  # someone else moved it first: re-read and judge again
            except NotApproved:
                run = False  # the chain does not back a run: the decision alone, then
                continue  # execute refuses the run and audits why
        raise ConflictError(f"handoff {handoff_id} keeps changing; try again", field="state")

    def _preview_revised(self, h: Handoff, kinds: list[str]) -> None:
        """After a revise, the executor's preview is of the new args (or none at all)."""
        if "revised" not in kinds or h.package is None or h.action.tool not in self.executors:
            return
        shown = preview_of(self.executors.get(h.action.tool), h.action.args)
        h.package = h.package.model_copy(update={"preview": shown})

    def answer(
        self, handoff_id: str, answer: Answer | Mapping[str, Any] | None = None, **fields: Any
    ) -> Handoff:
        """The agent answers a ``needs_info``: ``answer(id, agent="bot", answers=[...])``.

        The answers and ``evidence`` join the package and the handoff is ``pending`` again
        (see ``handoff.decide._answer``); only the submitting agent may answer.
        """
        reply = parse_input(Answer, answer if answer is not None else fields, "answer")
        return _answer.answer(self, handoff_id, reply)

    def cancel(
        self, handoff_id: str, actor: str, rationale: str | None = None, *, why: str | None = None
    ) -> Handoff:
        """Withdraw an open or approved handoff (the agent no longer wants it)."""
        why = rationale_of(rationale, why, "ControlPlane.cancel")
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

    def events(self, handoff_id: str) -> list[Event]:
        """The audit trail of one handoff, oldest first."""
        self.get(handoff_id)
        return self.store.events(handoff_id)

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
        executor = self.executors.get(h.action.tool)
        _stages.check_approved(self, h, args)
        h = _stages.claim_execution(self, h, stage_plan(self.policy, h.action.tool, executor))
        return _stages.run(self, h)

    def claim(self, handoff_id: str) -> RemoteClaim | Outcome:
        """Claim an approved handoff to run the tool yourself, outside its executor.

        Returns the claim (the approved args, the idempotency key, a token and its
        lease), or the recorded outcome when the handoff already ended; see
        ``handoff.execute._remote``. Report how the run ended with ``complete``.
        """
        return _remote.claim(self, handoff_id, self.get(handoff_id).action.agent)

    def complete(
        self, handoff_id: str, token: str, *, result: Any = None, error: str | None = None
    ) -> Outcome:
        """Record the end of a claimed run: ``executed`` with ``result``, or ``failed``."""
        agent = self.get(handoff_id).action.agent
        return _remote.report(self, handoff_id, agent, token, result=result, error=error)

    def claim_execution(self, handoff_id: str, agent: str) -> RemoteClaim | Outcome:
        """Deprecated: ``claim``, which needs no ``agent``."""
        renamed("ControlPlane.claim_execution(id, agent)", "claim(id)")
        return _remote.claim(self, handoff_id, agent)

    def report_execution(
        self,
        handoff_id: str,
        agent: str,
        token: str,
        *,
        result: Any = None,
        error: str | None = None,
    ) -> Outcome:
        """Deprecated: ``complete``, which needs no ``agent``."""
        renamed("ControlPlane.report_execution(id, agent, token)", "complete(id, token)")
        return _remote.report(self, handoff_id, agent, token, result=result, error=error)

    def recover(self, limit: int = 1000) -> _recovery.Recovery:
        """Finish executions a crash left in ``executing`` once their lease has expired.

        Call it when a worker starts (and on a timer): each interrupted execution is
        completed with the same idempotency key or reconciled through ``confirm``; see
        ``handoff.execute._recovery``.
        """
        return _recovery.recover(self, limit)

    def rollback(
        self,
        handoff_id: str,
        actor: str,
        rationale: str | None = None,
        *,
        admin: bool = False,
        why: str | None = None,
    ) -> Outcome:
        """Ask to roll an executed handoff back: a ``handoff.rollback`` action for review.

        ``actor`` must be a member (or the lead) of the handoff's owning team, unless
        ``admin`` (the server sets it for admin accounts); anyone else gets
        ``NotAuthorized``. The rollback always waits for a reviewer of that team other
        than ``actor``, whatever the policy says; then ``execute`` runs it.
        """
        why = rationale_of(rationale, why, "ControlPlane.rollback")
        return _rollback.request_rollback(self, handoff_id, actor, why, admin=admin)

    def rollback_rate(self, since: datetime | None = None) -> list[RollbackRate]:
        """How often executions were rolled back, per tool and owner."""
        return rollback_rate(self.store, since)

    # -- Route: the SLA ladder -------------------------------------------------------

    def run_ladder(
        self, now: datetime | None = None, limit: int = 100, rounds: int = 50
    ) -> list[Handoff]:
        """Take every SLA ladder step that is due: remind, escalate, fall back.

        Steps are decided by ``handoff.route.sla``; each is a compare-and-set on the handoff
        (state, version, ``ladder_step``) written with its event and notifications, so
        it happens exactly once however many schedulers run. Works in transactions of
        ``limit`` handoffs, at most ``rounds`` of them per call; returns the handoffs
        that moved.
        """
        now = now or self.clock.now()
        moved: list[Handoff] = []
        for _ in range(rounds):
            if self._ladder_batch(now, limit, moved) < limit:
                break
        return moved

    def _ladder_batch(self, now: datetime, limit: int, moved: list[Handoff]) -> int:
        with self.store.write() as tx:
            claimed = tx.ladder_claim(now, limit)
            for h in claimed:
                try:
                    due = sla.next_step(h, self.policy, now)
                    change = sla.apply_step(h, due, self.policy, now) if due else None
                except HandoffError as exc:
                    # One handoff the policy cannot step (say, a move the lifecycle
                    # forbids) must not stop the ladder for the others: retry it later.
                    _log.error("SLA ladder step for %s failed: %s", h.id, exc)
                    tx.ladder_set(h.id, now + timedelta(minutes=5), h.version)
                    continue
                if change is not None:
                    tx.update(change.handoff, h.state, h.version)
                    for kind, data in change.events:
                        tx.event(kind, handoff_id=h.id, actor=sla.ACTOR, at=now, data=data)
                    for payload in change.notify:
                        tx.enqueue("notify", payload, handoff_id=h.id, at=now)
                    h = change.handoff
                    moved.append(h)
                tx.ladder_set(h.id, sla.next_due_at(h, self.policy), h.version)
        return len(claimed)

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
        return self.store.url

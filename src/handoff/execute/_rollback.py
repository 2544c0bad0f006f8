"""Rolling back an executed handoff, as an action that itself goes through review.

``ControlPlane.rollback(handoff_id, actor, why)`` submits a ``handoff.rollback`` action
(args ``{"handoff_id", "why"}``, agent = the person asking). Only a member or the lead
of the original's owning team may ask (or an admin, ``admin=True``); agents cannot
submit ``handoff.*`` tools at all, so the only way in is this one. The rollback is owned
by the original's team and always waits for a reviewer: an ``auto`` assessment becomes
``review``, a stricter mode the policy sets (``two_person``, ``block``) stays, and the
one who asked can never approve it. When it runs, ``RollbackExecutor`` calls the
original executor's ``rollback`` for each applied stage, newest first, and moves the
original handoff ``executed -> rolled_back`` with a ``rolled_back`` event naming the
rollback handoff. Running it twice is harmless: a rolled-back original is left as it
is. When some stages were undone and a later one could not be, the original is still
recorded ``rolled_back`` (its live effect is gone) with the stage that could not be
undone named as ``incomplete``; when nothing could be undone, the rollback fails and
nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._exceptions import ConflictError, InputError, NotAuthorized
from ..models import Action, Assessment, Context, Handoff, Mode, State
from ..policy import Policy
from ..route.routing import quorum_for
from ._stages import stage_runs, undo_stages
from .execution import ROLLBACK_TOOL, RollbackImpossible

if TYPE_CHECKING:
    from .._outcome import Outcome
    from ..plane import ControlPlane

__all__ = ["RollbackExecutor", "request_rollback"]


def request_rollback(
    plane: ControlPlane, handoff_id: str, actor: str, why: str, *, admin: bool = False
) -> Outcome:
    """Submit the rollback of ``handoff_id`` for review; see the module doc."""
    if not why.strip():
        raise InputError("a rollback needs a reason", field="why")
    h = plane.get(handoff_id)
    _check_asker(plane.policy, h, actor, admin)
    if h.action.tool == ROLLBACK_TOOL:
        raise ConflictError("a rollback cannot be rolled back", field="handoff_id")
    if h.state is not State.EXECUTED:
        raise ConflictError(
            f"handoff {h.id} is {h.state.value}; only an executed one can be rolled back",
            field="handoff_id",
        )
    executor = plane.executors.get(h.action.tool)
    if not hasattr(executor, "rollback"):
        raise ConflictError(
            f"the executor for {h.action.tool} cannot roll back (it has no rollback)",
            field="handoff_id",
        )
    versions = h.execution.versions if h.execution else None
    action = Action(
        tool=ROLLBACK_TOOL,
        args={"handoff_id": h.id, "why": why},
        agent=actor,
        context=Context(
            instruction=f"Roll back {h.action.tool} ({h.id}): {why}",
            thought=f"versions {versions}" if versions else "",
        ),
    )
    policy = plane.policy
    return plane._gate(plane._validate(action, own=True), lambda a: for_review(a, h.owner, policy))


def _check_asker(policy: Policy, h: Handoff, actor: str, admin: bool) -> None:
    if admin or not (policy.owners and h.owner):
        return
    if actor not in policy.members_of(h.owner):
        raise NotAuthorized(
            f"{actor} is not a member of the owning team {h.owner}; only its reviewers"
            " or an admin may ask for a rollback",
            field="actor",
        )


def for_review(a: Assessment, owner: str | None, policy: Policy) -> Assessment:
    """The rollback's assessment: never ``auto``, and owned by the original's team."""
    mode = a.mode if a.mode in (Mode.TWO_PERSON, Mode.BLOCK) else Mode.REVIEW
    return a.model_copy(
        update={
            "mode": mode,
            "owner": owner or a.owner,
            "quorum": max(a.quorum, quorum_for(a.level, mode, policy)),
            "sla_seconds": a.sla_seconds or policy.sla.get(a.level, 86400),
        }
    )


class RollbackExecutor:
    """The executor of ``handoff.rollback``: undoes another handoff through its executor."""

    stages = ("full",)
    idempotent = True

    def __init__(self, plane: ControlPlane) -> None:
        self.plane = plane

    def preview(self, args: Mapping[str, Any]) -> dict[str, Any]:
        h = self.plane.get(str(args["handoff_id"]))
        versions = (h.execution.versions if h.execution else None) or {}
        return {
            "target": f"{h.action.tool} {h.id}",
            "before": versions.get("after"),
            "after": versions.get("before"),
            "stages": [s.stage for s in (h.execution.stages if h.execution else [])],
        }

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        plane = self.plane
        h = plane.get(str(args["handoff_id"]))
        by = idempotency_key.rsplit(":", 1)[0]
        if h.state is State.ROLLED_BACK:
            return {"rolled_back": h.id, "already": True}
        if h.state is not State.EXECUTED or h.execution is None:
            raise ConflictError(f"handoff {h.id} is {h.state.value}", field="handoff_id")
        executor = plane.executors.get(h.action.tool)
        undone, problem = undo_stages(executor, stage_runs(h.execution))
        if problem and not undone:
            raise RollbackImpossible(problem)  # nothing changed: the original stays executed
        requester = plane.store.get(by)
        actor = requester.action.agent if requester is not None else "handoff"
        now = plane.clock.now()
        version = h.version
        h.state, h.updated_at = State.ROLLED_BACK, now
        record: dict[str, Any] = {"by": by, "stages": undone}
        if problem:  # some stages were undone: say which one could not be
            record["incomplete"] = problem
        h.execution = h.execution.model_copy(update={"status": "rolled_back", "rollback": record})
        with plane.store.write() as tx:
            tx.update(h, State.EXECUTED, version)
            tx.event(
                "rolled_back",
                handoff_id=h.id,
                actor=actor,
                at=now,
                data={
                    "by": by,
                    "why": args.get("why", ""),
                    "stages": [u["stage"] for u in undone],
                    **({"incomplete": problem} if problem else {}),
                },
            )
        return {
            "rolled_back": h.id,
            "stages": undone,
            **({"incomplete": problem} if problem else {}),
        }

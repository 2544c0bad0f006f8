"""Rolling back an executed handoff, as an action that itself goes through the gate.

``ControlPlane.rollback(handoff_id, actor, why)`` submits a ``handoff.rollback`` action
(args ``{"handoff_id", "why"}``, agent = the person asking). It is assessed like any
other action: by default the rubric rates it low and it runs at once; a policy rule for
``handoff.rollback`` makes it wait for a reviewer (and the requester can never approve
its own rollback). When it runs, ``RollbackExecutor`` calls the original executor's
``rollback`` for each applied stage, newest first, and moves the original handoff
``executed -> rolled_back`` with a ``rolled_back`` event naming the rollback handoff.
Running it twice is harmless: a rolled-back original is left as it is. When some stages
were undone and a later one could not be, the original is still recorded ``rolled_back``
(its live effect is gone) with the stage that could not be undone named as
``incomplete``; when nothing could be undone, the rollback fails and nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._exceptions import ConflictError, InputError
from ._stages import undo_stages
from .execution import ROLLBACK_TOOL, RollbackImpossible
from .models import Action, Context, State

if TYPE_CHECKING:
    from ._outcome import Outcome
    from .plane import ControlPlane

__all__ = ["RollbackExecutor", "request_rollback"]


def request_rollback(plane: ControlPlane, handoff_id: str, actor: str, why: str) -> Outcome:
    """Submit the rollback of ``handoff_id``; see the module doc."""
    if not why.strip():
        raise InputError("a rollback needs a reason", field="why")
    h = plane.get(handoff_id)
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
    return plane.submit(action)


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
        undone, problem = undo_stages(executor, h.execution.stages)
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

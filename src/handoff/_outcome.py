"""What ``ControlPlane.submit`` returns. Pending is a result, not an error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .models import Handoff, State

__all__ = ["Outcome", "Status"]

Status = Literal["executed", "pending", "blocked", "failed", "approved", "rejected", "needs_info"]

_STATUS: dict[State, Status] = {
    State.EXECUTED: "executed",
    State.PENDING: "pending",
    State.REDIRECTED: "pending",
    State.BLOCKED: "blocked",
    State.FAILED: "failed",
    State.ROLLED_BACK: "failed",
    State.APPROVED: "approved",
    State.AUTO_APPROVED: "approved",
    State.EXECUTING: "approved",
    State.REJECTED: "rejected",
    State.EXPIRED: "rejected",
    State.CANCELLED: "rejected",
    State.NEEDS_INFO: "needs_info",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of submitting (or executing) an action.

    ``status`` is ``executed`` (``result`` holds what the executor returned), ``pending``
    (a human decides; keep ``handoff_id`` and call ``wait``), ``blocked`` (the policy
    forbids it), ``approved`` (approved but not run yet), ``rejected``, ``needs_info``
    (a reviewer asked for more evidence) or ``failed``.
    """

    status: Status
    handoff: Handoff
    result: Any = None

    @classmethod
    def of(cls, handoff: Handoff) -> Outcome:
        result = handoff.execution.result if handoff.execution else None
        return cls(_STATUS[handoff.state], handoff, result)

    @property
    def handoff_id(self) -> str:
        return self.handoff.id

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    @property
    def reasons(self) -> list[str]:
        return self.handoff.assessment.reasons()

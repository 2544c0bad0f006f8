"""``Plane``: what an embedded ``ControlPlane`` and a remote ``Client`` both are.

Code written against ``Plane`` runs in-process or against ``handoff serve`` by changing
the one line that makes the plane::

    plane: Plane = ControlPlane.open()                           # embedded
    plane: Plane = Client("http://127.0.0.1:8000", api_key="hk_...")  # remote

Both classes have every method below with the same parameters and return types, and
raise the same exceptions. Where they differ is who runs a tool: an embedded plane runs
the executors registered on it; a ``Client`` keeps the executors registered on it in
the agent's process and, on ``execute``, claims the approved run from the server, runs
the tool here with the approved args and the claim's idempotency key, and reports the
end (``claim`` and ``complete`` are those two steps for callers that run the tool
themselves). Either way an approval runs once: a second ``execute`` answers the
recorded outcome and calls nothing. Who decides is the caller's business: an embedded
``decide`` takes ``reviewer=``; a ``Client`` decides as the reviewer its key was
issued to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from ._outcome import Outcome
from .execute.execution import Executor
from .models import (
    Action,
    Answer,
    Assessment,
    Decision,
    Event,
    Handoff,
    Incident,
    Level,
    RemoteClaim,
)

__all__ = ["Plane"]


@runtime_checkable
class Plane(Protocol):
    """Submit, decide, wait, execute: the control plane, embedded or over HTTP."""

    def submit(self, action: Action | Mapping[str, Any]) -> Outcome:
        """Gate one action: it runs now (low risk) or waits for a human (pending)."""
        ...

    def assess(self, action: Action | Mapping[str, Any]) -> Assessment:
        """Score the action under the active policy, recording nothing."""
        ...

    def get(self, handoff_id: str) -> Handoff:
        """The handoff as it stands; ``NotFound`` when there is none."""
        ...

    def wait(self, handoff_id: str, timeout: float | None = None) -> Handoff:
        """Block until the handoff is decided or ``timeout`` seconds pass."""
        ...

    def pending(self, owner: str | None = None, level: Level | None = None) -> list[Handoff]:
        """Open handoffs, riskiest first, then nearest deadline."""
        ...

    def events(self, handoff_id: str) -> list[Event]:
        """The audit trail of one handoff, oldest first."""
        ...

    def decide(
        self, handoff_id: str, decision: Decision | Mapping[str, Any] | None = None, **fields: Any
    ) -> Handoff:
        """Record a decision: ``decide(id, verdict="approve", rationale="...")``."""
        ...

    def answer(
        self, handoff_id: str, answer: Answer | Mapping[str, Any] | None = None, **fields: Any
    ) -> Handoff:
        """The agent answers a ``needs_info``; the handoff is pending again."""
        ...

    def register(
        self, tool: str, executor: Executor | Callable[..., Any], *, idempotent: bool = False
    ) -> Executor:
        """The executor that carries out ``tool`` once it may run."""
        ...

    def execute(self, handoff_id: str, args: Mapping[str, Any] | None = None) -> Outcome:
        """Run an approved handoff exactly once; an ended one answers its outcome.

        ``args``, when given, must hash to what was approved (else ``HashMismatch``).
        """
        ...

    def claim(self, handoff_id: str) -> RemoteClaim | Outcome:
        """Take the approved run to carry out here: the approved args, the idempotency
        key and a token with a lease; or the outcome when the handoff already ended."""
        ...

    def complete(
        self, handoff_id: str, token: str, *, result: Any = None, error: str | None = None
    ) -> Outcome:
        """Record how a claimed run ended: ``executed`` with ``result``, or ``failed``."""
        ...

    def report_incident(self, incident: Incident | Mapping[str, Any]) -> str:
        """Record a problem found later with an executed action; its incident id."""
        ...

    def close(self) -> None:
        """Release the store or the HTTP connection."""
        ...

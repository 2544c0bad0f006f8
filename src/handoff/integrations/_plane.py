"""What an integration needs from a plane: the ``ControlPlane`` interface, as a Protocol.

An embedded ``ControlPlane`` satisfies it, and so does any other object with the same
methods. ``register`` and ``execute`` are part of it because every integration makes the
agent's own tool call the executor of its action: an approval binds to the args' hash
and the call runs once, through ``execute``, in the process where the agent runs.
``assess`` lets an integration ask the rubric before anything is recorded, where the
framework asks whether a call needs approval before it runs the call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .._outcome import Outcome
from ..execute.execution import Executor
from ..models import Action, Assessment, Decision, Handoff

__all__ = ["Plane"]


class Plane(Protocol):
    """Submit, get, wait, execute, decide; and register the executor of a tool."""

    def submit(self, action: Action | Mapping[str, Any]) -> Outcome: ...

    def get(self, handoff_id: str) -> Handoff: ...

    def wait(self, handoff_id: str, timeout: float | None = None) -> Handoff: ...

    def execute(self, handoff_id: str, args: Mapping[str, Any] | None = None) -> Outcome: ...

    def decide(
        self, handoff_id: str, decision: Decision | Mapping[str, Any] | None = None, **fields: Any
    ) -> Handoff: ...

    def register(self, tool: str, executor: Executor | Callable[..., Any]) -> Executor: ...

    def assess(self, action: Action | Mapping[str, Any]) -> Assessment: ...

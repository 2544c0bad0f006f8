"""What the modules split out of ``plane.py`` read of the plane that calls them.

Stages, recovery, remote claims, answers, passkeys and ``guard`` are ``ControlPlane``
methods kept in modules of their own for size; each takes the plane as its first
argument. Typing that argument as one of these Protocols, not as ``ControlPlane``, keeps
those modules below ``plane.py``: the plane imports them, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from ._clock import Clock
from ._outcome import Outcome
from .execute.execution import Executor, ExecutorRegistry
from .models import Action, Handoff
from .store import Store

__all__ = ["GuardedPlane", "PlaneParts"]


class PlaneParts(Protocol):
    """The store, clock, executors and lease of a plane, and ``get``."""

    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def executors(self) -> ExecutorRegistry: ...

    @property
    def worker(self) -> str: ...

    @property
    def lease(self) -> timedelta: ...

    def get(self, handoff_id: str) -> Handoff: ...


class GuardedPlane(Protocol):
    """What ``@plane.guard`` calls: register the function, then submit, wait, execute."""

    def register(self, tool: str, executor: Executor | Callable[..., Any]) -> Executor: ...

    def submit(self, action: Action | Mapping[str, Any]) -> Outcome: ...

    def wait(self, handoff_id: str, timeout: float | None = None) -> Handoff: ...

    def execute(self, handoff_id: str, args: Mapping[str, Any] | None = None) -> Outcome: ...

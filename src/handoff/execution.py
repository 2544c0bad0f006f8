"""Execute: run an approved action through the executor registered for its tool.

An executor needs only ``apply(args, stage, idempotency_key)``; ``preview``, ``confirm``
and ``rollback`` are used when it has them. ``apply`` receives an idempotency key derived
from the handoff and stage and must be idempotent with it: a retry after a crash calls it
again with the same key and must not repeat the effect.

The plane binds every run to the approved ``action_hash``: ``check_hash`` refuses args
that differ from what was approved, before the executor is touched.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from ._exceptions import HashMismatch, UnknownTool
from .models import Action, action_hash

__all__ = [
    "Executor",
    "ExecutorRegistry",
    "FunctionExecutor",
    "check_hash",
    "idempotency_key",
]


@runtime_checkable
class Executor(Protocol):
    """Carries out one tool's actions. Only ``apply`` is required."""

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any: ...


class FunctionExecutor:
    """Wraps an agent's own tool function: ``apply`` calls it with the args as keywords.

    Plain functions get no idempotency key; the plane still never calls them twice for
    one approval, because the claim on the execution is committed before the call.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.is_async = inspect.iscoroutinefunction(fn)
        self.__name__ = getattr(fn, "__name__", "executor")

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        if self.is_async:
            # Guarded async tools reach here on a worker thread, where no loop runs.
            return asyncio.run(self.fn(**args))
        return self.fn(**args)


class ExecutorRegistry:
    """Executors by exact tool name."""

    def __init__(self) -> None:
        self._by_tool: dict[str, Executor] = {}

    def register(self, tool: str, executor: Executor | Callable[..., Any]) -> Executor:
        """Register ``executor`` (an Executor, or a plain function) for ``tool``."""
        if not isinstance(executor, Executor):
            if not callable(executor):
                raise TypeError("an executor must have apply() or be callable")
            executor = FunctionExecutor(executor)
        self._by_tool[tool] = executor
        return executor

    def get(self, tool: str) -> Executor:
        try:
            return self._by_tool[tool]
        except KeyError:
            raise UnknownTool(
                f"no executor is registered for tool {tool!r}", field="tool"
            ) from None

    def __contains__(self, tool: object) -> bool:
        return tool in self._by_tool

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_tool)


def idempotency_key(handoff_id: str, stage: str = "full") -> str:
    """The key an executor receives: one per handoff and stage, the same on every retry."""
    return f"{handoff_id}:{stage}"


def check_hash(action: Action, approved_hash: str, args: Mapping[str, Any] | None = None) -> None:
    """Raise ``HashMismatch`` unless ``args`` (or the action's own) hash to the approved hash."""
    run_args = dict(args) if args is not None else action.args
    got = action_hash(action.tool, run_args, action.agent, action.on_behalf_of)
    if got != approved_hash:
        raise HashMismatch(
            f"the args to run hash to {got[:12]}…, not the approved {approved_hash[:12]}…",
            field="args",
        )

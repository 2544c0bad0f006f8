"""Execute: the executor contract, the registry, stages, and the change log's figures.

The executor contract
---------------------

An executor carries out one tool's actions. Only ``apply`` is required; the plane uses
the others when the executor has them:

``apply(args, stage, idempotency_key) -> result``
    Make the change for ``stage`` (``dry_run``, ``canary`` or ``full``) and return a
    JSON-able result. **It must be idempotent with the key**: after a crash the plane
    calls it again with the same key, and a second call must return the first call's
    result without repeating the effect (send the key downstream as an
    ``Idempotency-Key``, or record it next to the effect and look it up first).
    A ``dict`` result may carry ``version`` and ``previous_version``: the executor's
    version ids, written to the change log.
``preview(args) -> dict``
    The change it would make, with nothing changed: ``before`` / ``after`` (text or
    version ids) and ideally a ``diff``. Shown to approvers in the package.
``confirm(result) -> Confirmation | bool``
    Did the stage take effect as intended? Called after every stage; a failure stops
    the release and rolls back what was applied. After a crash the plane has no
    result, so recovery calls ``confirm`` with a *receipt*:
    ``{"idempotency_key": ..., "stage": ..., "recovering": True}``; a ``confirm`` must
    judge from the key alone there (or fail, and the plane re-applies with the key).
``rollback(result)``
    Undo one applied stage; raise when it cannot. Must be safe to call twice.
``stages``
    The stages the executor knows (default: only ``full``). Stages the policy asks for
    that the executor does not know are skipped.

Plain functions are wrapped in ``FunctionExecutor``; they receive no key, so an
interrupted run of one cannot be retried safely: recovery marks it ``failed``
("interrupted; outcome unknown") unless it was registered with ``idempotent=True``.

The plane binds every stage to the approved ``action_hash``: ``check_hash`` refuses args
that differ from what was approved, before the executor is touched.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from .._canonical import canonical_bytes, sha256_hex
from .._exceptions import ExecutionError, HashMismatch, UnknownTool
from ..models import Action, State, action_hash
from ..policy import Policy

__all__ = [
    "PLANE_TOOLS",
    "ROLLBACK_TOOL",
    "STAGES",
    "Confirmation",
    "Executor",
    "ExecutorRegistry",
    "FunctionExecutor",
    "RollbackImpossible",
    "RollbackRate",
    "check_hash",
    "idempotency_key",
    "is_idempotent",
    "is_plane_tool",
    "jsonable",
    "preview_of",
    "rollback_rate",
    "stage_plan",
    "versions_of",
]

#: Every stage, in the order a release goes through them.
STAGES = ("dry_run", "canary", "full")
#: The tool of the action that rolls an executed handoff back (it goes through the gate).
ROLLBACK_TOOL = "handoff.rollback"
#: Tools named ``handoff.*`` (in any case) are the plane's own: no agent may submit one.
PLANE_TOOLS = "handoff."


def is_plane_tool(tool: str) -> bool:
    """Whether ``tool`` is in the plane's own namespace, which agents cannot submit to."""
    return tool.casefold().startswith(PLANE_TOOLS)


@runtime_checkable
class Executor(Protocol):
    """Carries out one tool's actions. Only ``apply`` is required; see the module doc."""

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any: ...


class RollbackImpossible(ExecutionError):
    """Raised by an executor's ``rollback`` when the change cannot be undone.

    The plane records the handoff ``failed`` with this message as the reason.
    """

    code = "rollback_impossible"


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What ``confirm`` found: ``ok``, or a failure with its ``reason``."""

    ok: bool
    reason: str = ""
    detail: Any = None

    @classmethod
    def passed(cls, detail: Any = None) -> Confirmation:
        return cls(True, "", detail)

    @classmethod
    def failed(cls, reason: str, detail: Any = None) -> Confirmation:
        return cls(False, reason, detail)

    @classmethod
    def of(cls, value: Any) -> Confirmation:
        """Read what a ``confirm`` returned: a Confirmation, a bool, or None (ok)."""
        if isinstance(value, Confirmation):
            return value
        if value is None or value is True:
            return cls.passed()
        if value is False:
            return cls.failed("the confirmation check failed")
        raise TypeError(f"confirm() must return a Confirmation or a bool, not {value!r}")

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok}
        if self.reason:
            out["reason"] = self.reason
        if self.detail is not None:
            out["detail"] = jsonable(self.detail)
        return out


class FunctionExecutor:
    """Wraps an agent's own tool function: ``apply`` calls it with the args as keywords.

    A function with an ``idempotency_key`` parameter gets the execution's key there (a
    downstream service drops a retry carrying it); others get none, and the plane still
    never calls them twice for one approval, because the claim on the execution is
    committed before the call. An interrupted call is not retried unless ``idempotent``
    is true.
    """

    stages = ("full",)

    def __init__(self, fn: Callable[..., Any], *, idempotent: bool = False) -> None:
        self.fn = fn
        self.idempotent = idempotent
        self.is_async = inspect.iscoroutinefunction(fn)
        self.__name__ = getattr(fn, "__name__", "executor")
        try:
            self.takes_key = "idempotency_key" in inspect.signature(fn).parameters
        except (TypeError, ValueError):  # a builtin without a signature
            self.takes_key = False

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        kwargs = dict(args)
        if self.takes_key and "idempotency_key" not in kwargs:
            kwargs["idempotency_key"] = idempotency_key
        if self.is_async:
            # Guarded async tools reach here on a worker thread, where no loop runs.
            return asyncio.run(self.fn(**kwargs))
        return self.fn(**kwargs)


class ExecutorRegistry:
    """Executors by exact tool name."""

    def __init__(self) -> None:
        self._by_tool: dict[str, Executor] = {}

    def register(
        self,
        tool: str,
        executor: Executor | Callable[..., Any],
        *,
        idempotent: bool = False,
    ) -> Executor:
        """Register ``executor`` (an Executor, or a plain function) for ``tool``.

        ``idempotent`` applies to plain functions: true says calling it twice with the
        same args has one effect, so recovery may call it again after a crash.
        """
        if not isinstance(executor, Executor):
            if not callable(executor):
                raise TypeError("an executor must have apply() or be callable")
            executor = FunctionExecutor(executor, idempotent=idempotent)
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


def is_idempotent(executor: Executor) -> bool:
    """May recovery apply again with the same key? Executors say so by contract."""
    return bool(getattr(executor, "idempotent", True))


def stage_plan(policy: Policy, tool: str, executor: Executor) -> list[str]:
    """The stages ``tool`` runs: the policy's, those the executor knows, ending in ``full``."""
    rule = policy.tool_rule(tool)
    if rule is None or not rule.stages:
        return ["full"]
    known = getattr(executor, "stages", ("full",))
    plan: list[str] = [s for s in STAGES[:-1] if s in rule.stages and s in known]
    return [*plan, "full"]


def preview_of(executor: Executor, args: Mapping[str, Any]) -> dict[str, Any] | None:
    """The executor's preview of ``args`` for the package; an error is shown, not raised."""
    fn = getattr(executor, "preview", None)
    if fn is None:
        return None
    try:
        value = fn(args)
    except Exception as exc:  # a broken preview must not stop the handoff
        return {"error": f"{type(exc).__name__}: {exc}"}
    out = jsonable(value)
    return out if isinstance(out, dict) else {"preview": out}


def versions_of(result: Any, preview: dict[str, Any] | None) -> dict[str, Any] | None:
    """Before/after versions for the change log: the executor's ids, else content hashes."""
    if isinstance(result, dict) and "version" in result:
        return {"before": result.get("previous_version"), "after": result["version"]}
    if preview and "after" in preview:
        return {
            "before": None if preview.get("before") is None else sha256_hex(preview["before"]),
            "after": sha256_hex(preview["after"]),
        }
    return None


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


def jsonable(value: Any) -> Any:
    """``value`` as JSON-safe data (its repr when it is not)."""
    try:
        canonical_bytes(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


@dataclass(frozen=True, slots=True)
class RollbackRate:
    """How often one tool's executions, under one owner, were rolled back."""

    tool: str
    owner: str | None
    executed: int
    rolled_back: int
    failed: int

    @property
    def total(self) -> int:
        return self.executed + self.rolled_back + self.failed

    @property
    def rate(self) -> float:
        """Rolled back / everything that ran to an end (0.0 when nothing ran)."""
        return self.rolled_back / self.total if self.total else 0.0


class _Counts(Protocol):
    def execution_counts(
        self, since: datetime | None = None
    ) -> list[tuple[str, str | None, str, int]]: ...


def rollback_rate(store: _Counts, since: datetime | None = None) -> list[RollbackRate]:
    """Rollback rate per tool and owner over executions that ended (after ``since``).

    Rollbacks themselves (``handoff.rollback`` actions) are not counted; a canary whose
    confirmation failed counts as rolled back, like a rollback asked for later.
    """
    table: dict[tuple[str, str | None], dict[str, int]] = {}
    for tool, owner, state, n in store.execution_counts(since):
        if tool == ROLLBACK_TOOL:
            continue
        row = table.setdefault((tool, owner), {})
        row[state] = row.get(state, 0) + n
    return [
        RollbackRate(
            tool,
            owner,
            row.get(State.EXECUTED.value, 0),
            row.get(State.ROLLED_BACK.value, 0),
            row.get(State.FAILED.value, 0),
        )
        for (tool, owner), row in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]

"""The MCP Tasks extension (``io.modelcontextprotocol/tasks``, protocol 2026-07-28).

A client that names the extension in a ``tools/call`` request's capabilities gets, for a
call that needs a human, a task handle at once instead of an "awaits approval" result.
The task is the handoff: its id is ``handoff-<handoff id>``, so ``tasks/get`` and
``tasks/cancel`` work after a gateway restart (the handoff lives in the store).

* ``tasks/get``: ``working`` while the handoff is open (or its call is running);
  once approved, the call runs through the gateway's settle path, exactly once, and
  the task is ``completed`` with the upstream result; a rejection (or expiry, a
  send-back...) is ``completed`` with a tool error carrying the reviewer's rationale;
  a cancelled handoff is a ``cancelled`` task.
* ``tasks/cancel``: cancels the handoff through the plane (recorded in its events).

An unknown task id, or one that is not the caller's, is a JSON-RPC ``-32602`` error; a
``tasks/*`` request from a client that does not declare the extension, ``-32021``.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

import anyio
import anyio.to_thread
import mcp_types as types
from mcp import MCPError
from mcp.server import Server, ServerRequestContext
from pydantic import Field

from ..._exceptions import HandoffError
from ...models import Handoff, State
from ...protocol import Plane
from .._brief import is_open, pending_report


class Gateway(Protocol):
    """What the Tasks answers need of the gateway (``_gateway.Gateway``; typed here so
    this module does not import it back)."""

    plane: Plane
    agent: str
    inbox_url: str
    _tools: dict[str, types.Tool]

    def handoff_tool(self, upstream_name: str) -> str: ...

    async def _settle(
        self, h: Handoff, proposed: dict[str, Any] | None
    ) -> types.CallToolResult: ...


__all__ = ["TASKS", "TASKS_VERSION", "Tasks", "task_id"]

TASKS = "io.modelcontextprotocol/tasks"
TASKS_VERSION = "2026-07-28"
POLL_MS = 2000
_PREFIX = "handoff-"
_CAPS_KEY = "io.modelcontextprotocol/clientCapabilities"

Status = Literal["working", "input_required", "completed", "failed", "cancelled"]


class TaskParams(types.RequestParams):
    """The params of ``tasks/get`` and ``tasks/cancel``."""

    task_id: str = Field(min_length=1)


class TaskHandle(types.Result):
    """A task as the wire carries it: ``resultType`` "task" when a call creates it,
    "complete" when ``tasks/get`` reports it (then with ``result`` once completed)."""

    result_type: Literal["task", "complete"] = "task"
    task_id: str
    status: Status
    status_message: str | None = None
    created_at: datetime
    last_updated_at: datetime
    ttl_ms: int | None = None
    poll_interval_ms: int | None = POLL_MS
    result: dict[str, Any] | None = None


@runtime_checkable
class _Cancels(Protocol):
    def cancel(self, handoff_id: str, actor: str, rationale: str | None = None) -> Handoff: ...


def task_id(handoff_id: str) -> str:
    """The task id of a handoff."""
    return f"{_PREFIX}{handoff_id}"


def wanted(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether this request may be answered with a task: it came on protocol 2026-07-28
    and names the Tasks extension in its own capabilities (``_meta``)."""
    if ctx.protocol_version != TASKS_VERSION:
        return False
    caps = (ctx.meta or {}).get(_CAPS_KEY)
    extensions = caps.get("extensions") if isinstance(caps, dict) else None
    return isinstance(extensions, dict) and TASKS in extensions


def _required(ctx: ServerRequestContext[Any, Any]) -> None:
    """Refuse a ``tasks/*`` request whose client did not declare the extension (-32021)."""
    if not wanted(ctx):
        needed = types.ClientCapabilities(extensions={TASKS: {}})
        data = types.MissingRequiredClientCapabilityErrorData(required_capabilities=needed)
        raise MCPError(
            types.MISSING_REQUIRED_CLIENT_CAPABILITY,
            f"Missing required client capability: the {TASKS} extension",
            data.model_dump(mode="json", by_alias=True, exclude_none=True),
        )


def _not_found(tid: str) -> MCPError:
    return MCPError(types.INVALID_PARAMS, f"taskId: no task {tid!r}")


class Tasks:
    """``tasks/get`` and ``tasks/cancel`` over the gateway's handoffs."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def install(self, server: Server[Any]) -> None:
        server.extensions[TASKS] = {}
        server.add_request_handler("tasks/get", TaskParams, self.get)
        server.add_request_handler("tasks/cancel", TaskParams, self.cancel)

    def handle(self, h: Handoff) -> dict[str, Any]:
        """The ``tools/call`` answer for a call whose handoff awaits a decision."""
        return self._wire(self._task(h, "working", result_type="task"))

    async def get(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> dict[str, Any]:
        from ._caller import client_name

        _required(ctx)
        h = await self._handoff(params.task_id, client_name(ctx, self.gateway.agent))
        if is_open(h) or h.state is State.EXECUTING:
            return self._wire(self._task(h, "working"))
        if h.state is State.CANCELLED:
            return self._wire(self._task(h, "cancelled"))
        result = await self.gateway._settle(h, None)
        h = await anyio.to_thread.run_sync(self.gateway.plane.get, h.id)
        if h.state is State.EXECUTING:  # another request is running it right now
            return self._wire(self._task(h, "working"))
        data = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        data.setdefault("isError", False)
        data.pop("resultType", None)
        return self._wire(self._task(h, "completed", result=data))

    async def cancel(
        self, ctx: ServerRequestContext[Any, Any], params: TaskParams
    ) -> types.EmptyResult:
        from ._caller import client_name

        _required(ctx)
        agent = client_name(ctx, self.gateway.agent)
        h = await self._handoff(params.task_id, agent)
        plane = self.gateway.plane
        if not isinstance(plane, _Cancels):
            raise MCPError(types.INTERNAL_ERROR, "this gateway's plane cannot cancel a handoff")
        if is_open(h) or h.state is State.APPROVED:
            why = f"{agent} cancelled task {params.task_id}"
            # decided or run meanwhile: cancellation is cooperative
            with contextlib.suppress(HandoffError):
                await anyio.to_thread.run_sync(plane.cancel, h.id, agent, why)
        return types.EmptyResult()

    async def _handoff(self, tid: str, agent: str) -> Handoff:
        if not tid.startswith(_PREFIX):
            raise _not_found(tid)
        try:
            h = await anyio.to_thread.run_sync(self.gateway.plane.get, tid[len(_PREFIX) :])
        except HandoffError:
            raise _not_found(tid) from None
        mine = {self.gateway.handoff_tool(n) for n in self.gateway._tools}
        if h.action.agent != agent or h.action.tool not in mine:
            raise _not_found(tid)
        return h

    def _task(
        self,
        h: Handoff,
        status: Status,
        *,
        result_type: Literal["task", "complete"] = "complete",
        result: dict[str, Any] | None = None,
    ) -> TaskHandle:
        if status == "working" and is_open(h):
            report = pending_report(h, self.gateway.inbox_url)
            message = f"{report['message']} Review: {report['inbox_url']}"
        else:
            message = f"handoff {h.id} is {h.state.value}"
        return TaskHandle(
            result_type=result_type,
            task_id=task_id(h.id),
            status=status,
            status_message=message,
            created_at=h.created_at,
            last_updated_at=h.updated_at,
            result=result,
        )

    @staticmethod
    def _wire(task: TaskHandle) -> dict[str, Any]:
        data = task.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["ttlMs"] = task.ttl_ms  # null: the task lives as long as its handoff
        return data

"""Pydantic AI: deferred tool approval backed by the rubric; a decision resumes the run.

Needs the ``pydantic-ai`` extra (``pip install 'handoff-plane[pydantic-ai]'``)::

    from pydantic_ai import Agent, DeferredToolRequests
    from handoff.integrations.pydantic_ai import ApprovalGate

    gate = ApprovalGate(plane, agent="writer")
    tools = FunctionToolset([publish_post])
    agent = Agent(
        model,
        toolsets=[gate.toolset(tools, names={"publish_post": "cms.publish_post"})],
        output_type=[str, DeferredToolRequests],
    )

    result = await agent.run("announce the launch")
    if isinstance(result.output, DeferredToolRequests):   # a human decides; keep the history
        history = result.all_messages()
    ...                                                   # later, once the handoff is decided
    results, still = gate.resume(requests)                # ToolApproved / ToolDenied
    if not still:
        result = await agent.run(message_history=history, deferred_tool_results=results)

The gate is a ``WrapperToolset``, Pydantic AI's own way to change how a toolset's calls
run (its ``ApprovalRequiredToolset`` is one). It asks the rubric about every call: one
the rubric lets run on its own runs at once; any other becomes a handoff and pauses the
run with ``ApprovalRequired``, whose metadata carries the handoff id (``DeferredToolRequests
.metadata[call_id]["handoff_id"]``).

The idempotency key of a call is made from the run, the call id and the whole action.
The run is the conversation up to the model turn that made the call, that turn's
timestamp included: the same prompt asked twice is two runs, while the history saved
and sent back to resume is the same run. Arguments are compared by value.

The gate runs the tool only through handoff: it claims the approved handoff, runs the
tool with the approved args (the reviewer's, when revised; ``override_args`` is set to
them so the run's record agrees) and records the tool's result. A ``ToolApproved`` that
handoff has not given pauses the call again; resuming the same history twice runs
nothing a second time: an executed handoff answers its recorded result.
"""

from __future__ import annotations

from ._extra import missing_extra

try:
    from pydantic_ai import RunContext
    from pydantic_ai.exceptions import ApprovalRequired
    from pydantic_ai.messages import ModelRequest, ModelResponse, ToolCallPart
    from pydantic_ai.tools import (
        DeferredToolRequests,
        DeferredToolResults,
        ToolApproved,
        ToolDenied,
    )
    from pydantic_ai.toolsets import AbstractToolset, WrapperToolset
    from pydantic_ai.toolsets.abstract import ToolsetTool
    from pydantic_core import to_jsonable_python
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("pydantic-ai-slim", "pydantic-ai") from exc

import asyncio
import json
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .._exceptions import ConflictError
from .._outcome import Outcome
from ..models import Action, Handoff, State, Verdict
from ..protocol import Plane
from ._brief import DEFAULT_INBOX_URL, is_open, pending_report, refusal, revision_note
from ._calls import APPROVED, by_value, call_key, run_fingerprint, submit_and_run

__all__ = ["ApprovalGate", "HandoffToolset"]

_ENDED = (State.EXECUTED, State.FAILED, State.ROLLED_BACK)


@dataclass
class _Invocation:
    """One call of a gated tool, as the run hands it over: what the executor runs."""

    loop: asyncio.AbstractEventLoop
    toolset: AbstractToolset[Any]
    name: str
    ctx: RunContext[Any]
    tool: ToolsetTool[Any]


#: Set around the plane call that may run the tool; ``asyncio.to_thread`` copies it into
#: the worker thread the plane runs the executor in.
_INVOCATION: ContextVar[_Invocation | None] = ContextVar("handoff_pydantic_ai", default=None)


class _AgentTool:
    """Executor of a gated tool: runs the wrapped toolset's call on the run's loop.

    The plane calls it from a worker thread, once per approved handoff, with the
    approved args; they are validated by the tool's own schema first, so a reviewer's
    revision reaches the tool as the types it declares. Outside the agent's run (a CLI
    ``execute``, recovery) there is no call to run, so it refuses.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        inv = _INVOCATION.get()
        if inv is None:
            raise RuntimeError(
                f"{self.name} runs only inside the agent's run: resume the run with"
                " ApprovalGate.resume and agent.run"
            )

        async def call() -> Any:
            validated = inv.tool.args_validator.validate_python(dict(args))
            return await inv.toolset.call_tool(inv.name, validated, inv.ctx, inv.tool)

        result = asyncio.run_coroutine_threadsafe(call(), inv.loop).result()
        return to_jsonable_python(result, serialize_unknown=True)


def _jsonable(args: Any) -> dict[str, Any]:
    plain = to_jsonable_python(args, serialize_unknown=True, bytes_mode="base64")
    return by_value(plain) if isinstance(plain, dict) else {}


def _made(ctx: RunContext[Any]) -> tuple[list[Any], ModelResponse | None, ToolCallPart | None]:
    """The messages before the model turn that made this call, that turn and the call."""
    for i, message in enumerate(ctx.messages):
        if not isinstance(message, ModelResponse):
            continue
        for part in message.parts:
            if isinstance(part, ToolCallPart) and part.tool_call_id == ctx.tool_call_id:
                return list(ctx.messages[:i]), message, part
    return list(ctx.messages), None, None


def _run(before: list[Any], turn: ModelResponse | None) -> str:
    """The run a call belongs to: the prompts before it and the turn that made it."""
    said: list[dict[str, Any]] = []
    for message in before:
        if not isinstance(message, ModelRequest):
            continue
        for part in message.parts:
            if part.part_kind in ("system-prompt", "user-prompt"):
                role = "system" if part.part_kind == "system-prompt" else "user"
                said.append({"role": role, "content": to_jsonable_python(part.content)})
    if turn is not None:
        said.append({"role": "assistant", "content": turn.timestamp.isoformat()})
    return run_fingerprint(said)


@dataclass
class HandoffToolset(WrapperToolset[Any]):
    """A toolset whose calls run only as handoff lets them (see the module doc).

    Made by ``ApprovalGate.toolset``; ``names`` maps a tool's name in the agent to the
    tool name handoff knows (its own name when absent).
    """

    gate: ApprovalGate = field(kw_only=True)
    names: dict[str, str] = field(default_factory=dict, kw_only=True)

    async def call_tool(
        self, name: str, tool_args: dict[str, Any], ctx: RunContext[Any], tool: ToolsetTool[Any]
    ) -> Any:
        gate = self.gate
        action_tool = self.names.get(name, name)
        before, turn, call = _made(ctx)
        proposed = _jsonable(tool_args)
        if ctx.tool_call_approved and call is not None:
            # The run was told to go on; which action that is comes from the call the
            # model made, never from the args the resume passed (override_args).
            proposed = _jsonable(tool.args_validator.validate_python(call.args_as_dict()))
        action = gate.action(action_tool, _run(before, turn), ctx.tool_call_id or "", proposed)
        here = _Invocation(asyncio.get_running_loop(), self.wrapped, name, ctx, tool)
        token = _INVOCATION.set(here)
        try:
            outcome = await asyncio.to_thread(gate.call, action)
        except ConflictError as exc:
            return f"{name} did not run: {exc.message}"
        finally:
            _INVOCATION.reset(token)
        h = outcome.handoff
        if is_open(h):  # asked now, or approved in the run but not in handoff
            raise ApprovalRequired(metadata=gate.metadata(h))
        return gate.answer(outcome, proposed, name)


class ApprovalGate:
    """Gate an agent's toolsets through ``plane`` and resume its runs by the decisions.

    ``agent`` is the name the actions carry (the requester a reviewer sees); ``inbox_url``
    is where the pending reports point reviewers.
    """

    def __init__(
        self, plane: Plane, *, agent: str = "pydantic-ai-agent", inbox_url: str = DEFAULT_INBOX_URL
    ) -> None:
        self.plane = plane
        self.agent = agent
        self.inbox_url = inbox_url
        self._registered: set[str] = set()

    def toolset(
        self, toolset: AbstractToolset[Any], *, names: Mapping[str, str] | None = None
    ) -> HandoffToolset:
        """``toolset`` gated by handoff; ``names`` maps tool names to handoff's.

        Every tool of the toolset is gated: give the agent its read-only tools in
        another toolset, or let the rubric run them at once (the default policy does
        for names that read).
        """
        names = dict(names or {})
        for handoff_name in names.values():
            self._register(handoff_name)
        return HandoffToolset(toolset, gate=self, names=names)

    def _register(self, name: str) -> None:
        if name not in self._registered:
            self.plane.register(name, _AgentTool(name))
            self._registered.add(name)

    def action(self, name: str, run: str, call_id: str, args: Mapping[str, Any]) -> Action:
        """The action one call stands for, with its idempotency key."""
        args = by_value(dict(args))
        key = call_key("pydantic-ai", run, call_id, name, args, self.agent)
        return Action(tool=name, args=args, agent=self.agent, idempotency_key=key)

    def call(self, action: Action) -> Outcome:
        """Submit ``action`` (a low-risk one runs now) and run it if it is approved.

        Called from a worker thread with the call set in ``_INVOCATION``.
        """
        self._register(action.tool)
        return submit_and_run(self.plane, action)

    def metadata(self, h: Handoff) -> dict[str, Any]:
        """What the pause carries for a call: the handoff id and the pending report."""
        report = pending_report(h, self.inbox_url)
        return {
            "handoff_id": h.id,
            "owner": h.owner,
            "inbox_url": report["inbox_url"],
            "message": report["message"],
        }

    def answer(self, o: Outcome | Handoff, proposed: dict[str, Any], name: str) -> Any:
        """What the model reads: the recorded result (led by a revision note) or a refusal."""
        h = o.handoff if isinstance(o, Outcome) else o
        if isinstance(o, Outcome) and o.status == "executed":
            return self._result(o.result, proposed, h, name)
        if h.state in _ENDED:
            ex = h.execution
            if h.state is not State.EXECUTED or ex is None:
                return f"{name} failed: {ex.error if ex else None} (handoff {h.id})"
            return self._result(ex.result, proposed, h, name)
        if h.state is State.EXECUTING:
            return str(pending_report(h, self.inbox_url)["message"]).replace(h.action.tool, name, 1)
        return refusal(h, name)

    @staticmethod
    def _result(result: Any, proposed: dict[str, Any], h: Handoff, name: str) -> Any:
        note = revision_note(proposed, h, name)
        if note is None:
            return result
        return f"{note}\n\n{result if isinstance(result, str) else json.dumps(result)}"

    def handoffs(self, requests: DeferredToolRequests) -> list[Handoff]:
        """The handoffs behind a paused run's approvals, in order."""
        return [h for _call, h in self._pairs(requests)]

    def _pairs(self, requests: DeferredToolRequests) -> list[tuple[ToolCallPart, Handoff]]:
        pairs = []
        for call in requests.approvals:
            hid = (requests.metadata.get(call.tool_call_id) or {}).get("handoff_id")
            if isinstance(hid, str):  # else an approval this gate did not ask for
                pairs.append((call, self.plane.get(hid)))
        return pairs

    def resume(
        self, requests: DeferredToolRequests, *, wait: float = 0.0
    ) -> tuple[DeferredToolResults, list[Handoff]]:
        """The results for every decided handoff, and the handoffs still awaiting a human.

        Approve becomes ``ToolApproved`` (revise: with ``override_args``, the reviewer's
        args); reject, send back, expiry or a policy block becomes ``ToolDenied`` with the
        rationale. A handoff that already ran becomes ``ToolApproved`` too: the call then
        answers the recorded result and runs nothing. Pass the results to ``agent.run``
        with the saved history once nothing is left open. ``wait`` blocks up to that many
        seconds for each open handoff.
        """
        results = DeferredToolResults()
        still: list[Handoff] = []
        for call, first in self._pairs(requests):
            h = first
            if is_open(h) and wait > 0:
                h = self.plane.wait(h.id, wait)
            if is_open(h) or h.state is State.EXECUTING:
                still.append(h)
            elif h.state in APPROVED or h.state in _ENDED:
                revised = any(d.verdict in (Verdict.REVISE, Verdict.CHOOSE) for d in h.decisions)
                args = dict(h.action.args) if revised and h.state in APPROVED else None
                results.approvals[call.tool_call_id] = ToolApproved(override_args=args)
            else:
                results.approvals[call.tool_call_id] = ToolDenied(refusal(h, call.tool_name))
        return results, still

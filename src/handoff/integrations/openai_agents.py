"""OpenAI Agents SDK: ``needs_approval`` backed by the rubric; a decision resumes the run.

Needs the ``openai-agents`` extra (``pip install 'handoff-plane[openai-agents]'``)::

    from handoff.integrations.openai_agents import ApprovalGate

    gate = ApprovalGate(plane, agent="writer")
    agent = Agent(name="writer", tools=[gate.tool(publish_post, name="cms.publish_post")])

    result = await Runner.run(agent, "announce the launch")
    if result.interruptions:                      # a human decides; keep the state
        saved = result.to_state().to_string()
    ...                                           # later, once the handoff is decided
    state = await RunState.from_string(agent, saved)
    if not await gate.resume(state):              # approve -> state.approve, reject -> state.reject
        result = await Runner.run(agent, state)

Every call of a gated tool is submitted as an action whose idempotency key is made from
the run (its input), the call id and the whole action, so asking again finds the same
handoff and a new run never inherits an old run's outcome. Arguments are compared by
value: ``250`` and ``250.0`` are one amount. An action the rubric lets run on its own
runs at once; any other pauses the run as the SDK's tool approval.

The gate takes over the tool's invocation, so the tool runs only through handoff: it
claims the approved handoff, runs the tool with the approved args (the reviewer's, when
revised) and records the tool's own result. Resuming the same saved state twice, or a
call the SDK was told to approve while handoff has not, runs nothing a second time: an
executed handoff answers its recorded result. Everything the gate needs to resume lives
in the plane, so a resume in another process behaves the same.
"""

from __future__ import annotations

from ._extra import missing_extra

try:
    from agents import FunctionTool, RunContextWrapper, RunState, ToolApprovalItem
    from agents.tool_context import ToolContext
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("openai-agents", "openai-agents") from exc

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any

from .._exceptions import ConflictError
from .._outcome import Outcome
from ..models import Action, Handoff, Mode, State
from ..protocol import Plane
from ._brief import DEFAULT_INBOX_URL, is_open, pending_report, refusal, revision_note
from ._calls import APPROVED, by_value, call_key, run_fingerprint, submit_and_run

__all__ = ["ApprovalGate", "NeedsApproval"]

NeedsApproval = Callable[[RunContextWrapper[Any], dict[str, Any], str], Awaitable[bool]]
Invoker = Callable[[ToolContext[Any], str], Awaitable[Any]]

_ENDED = (State.EXECUTED, State.FAILED, State.ROLLED_BACK)

#: The SDK invocation a gated tool's executor runs: the loop, the tool context, the
#: tool's own invoker. Set around the plane call that may run the tool, and copied into
#: the worker thread by ``asyncio.to_thread``.
_INVOCATION: ContextVar[tuple[asyncio.AbstractEventLoop, ToolContext[Any], Invoker] | None] = (
    ContextVar("handoff_openai_invocation", default=None)
)


class _SdkTool:
    """Executor of a gated SDK tool: runs the tool's own invoker, on the run's loop.

    The plane calls it from a worker thread, once per approved handoff; what it returns
    is the recorded result. Outside the agent's run (a CLI ``execute``, recovery) there
    is no SDK invocation to run, so it refuses.
    """

    def __init__(self, sdk_name: str) -> None:
        self.sdk_name = sdk_name

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        invocation = _INVOCATION.get()
        if invocation is None:
            raise RuntimeError(
                f"{self.sdk_name} runs only inside the agent's run: resume the run with"
                " ApprovalGate.resume and Runner.run"
            )
        loop, ctx, inner = invocation

        async def call() -> Any:
            return await inner(ctx, json.dumps(dict(args)))

        return asyncio.run_coroutine_threadsafe(call(), loop).result()


def _args(arguments: Any) -> dict[str, Any]:
    """The call's arguments by value, from the model's JSON text (``{}`` when empty)."""
    parsed = json.loads(arguments) if isinstance(arguments, str) and arguments else {}
    return by_value(parsed) if isinstance(parsed, dict) else {}


class ApprovalGate:
    """Gate an agent's function tools through ``plane`` and resume its runs by the decisions.

    ``agent`` is the name the actions carry (the requester a reviewer sees); ``inbox_url``
    is where the pending reports point reviewers.
    """

    def __init__(
        self, plane: Plane, *, agent: str = "openai-agent", inbox_url: str = DEFAULT_INBOX_URL
    ) -> None:
        self.plane = plane
        self.agent = agent
        self.inbox_url = inbox_url
        #: SDK tool name -> handoff tool name
        self._names: dict[str, str] = {}

    def tool(self, tool: FunctionTool, *, name: str | None = None) -> FunctionTool:
        """Gate ``tool`` in place and return it; ``name`` is the handoff tool name.

        Sets ``needs_approval`` to the rubric and routes the tool's invocation through
        handoff (see the module doc).
        """
        action_tool = name or tool.name
        tool.needs_approval = self.needs_approval(action_tool, sdk_name=tool.name)
        # A plain async callable, not the SDK's own invoker type: the SDK then asks
        # needs_approval with the model's args instead of forcing an approval whenever
        # its validation turns 250 into 250.0; the gate compares by value itself.
        tool.on_invoke_tool = self._invoker(tool.on_invoke_tool, action_tool, tool.name)
        return tool

    def needs_approval(self, name: str, *, sdk_name: str | None = None) -> NeedsApproval:
        """The ``needs_approval`` callable for the tool handoff knows as ``name``.

        Pass ``sdk_name`` (the tool's name in the SDK) when it differs from ``name``, so
        ``resume`` can tell which action an interruption belongs to.
        """
        self._names[sdk_name or name] = name
        self.plane.register(name, _SdkTool(sdk_name or name))

        async def needs_approval(
            ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str
        ) -> bool:
            run = run_fingerprint(ctx.turn_input)
            return await asyncio.to_thread(self._needs_approval, name, run, call_id, params)

        return needs_approval

    def _needs_approval(self, name: str, run: str, call_id: str, params: dict[str, Any]) -> bool:
        action = self._action(name, run, call_id, params)
        if self.plane.assess(action).mode is Mode.AUTO:
            return False  # submitted when the SDK invokes it, which runs it at once
        # Anything decided (a replay, a policy block) is answered by the invocation.
        return is_open(self.plane.submit(action).handoff)

    def _action(self, name: str, run: str, call_id: str, args: Mapping[str, Any]) -> Action:
        args = by_value(dict(args))
        key = call_key("openai", run, call_id, name, args, self.agent)
        return Action(tool=name, args=args, agent=self.agent, idempotency_key=key)

    def _submit(self, name: str, run: str, call_id: str, args: Mapping[str, Any]) -> Handoff:
        return self.plane.submit(self._action(name, run, call_id, args)).handoff

    def _invoker(self, inner: Invoker, name: str, sdk_name: str) -> Invoker:
        async def invoke(ctx: ToolContext[Any], arguments: str) -> Any:
            run = run_fingerprint(ctx.turn_input)
            proposed = _args(arguments)
            action = self._action(name, run, ctx.tool_call_id, proposed)
            token = _INVOCATION.set((asyncio.get_running_loop(), ctx, inner))
            try:
                outcome = await asyncio.to_thread(submit_and_run, self.plane, action)
            except ConflictError as exc:
                return f"{sdk_name} did not run: {exc.message}"
            finally:
                _INVOCATION.reset(token)
            return self._answer(outcome, proposed, sdk_name)

        return invoke

    def _answer(self, o: Outcome | Handoff, proposed: dict[str, Any], sdk_name: str) -> Any:
        """What the model reads: the recorded result (led by a revision note), a
        refusal, or the pending report."""
        h = o.handoff if isinstance(o, Outcome) else o
        if isinstance(o, Outcome) and o.status == "executed":
            note = revision_note(proposed, h, sdk_name)
            return o.result if note is None else f"{note}\n\n{o.result}"
        if h.state in _ENDED:
            ex = h.execution
            if h.state is not State.EXECUTED or ex is None:
                error = ex.error if ex else None
                return f"{sdk_name} failed: {error} (handoff {h.id})"
            result = ex.result if isinstance(ex.result, str) else json.dumps(ex.result)
            note = revision_note(proposed, h, sdk_name)
            return result if note is None else f"{note}\n\n{result}"
        if is_open(h) or h.state is State.EXECUTING:
            report = pending_report(h, self.inbox_url)
            return str(report["message"]).replace(h.action.tool, sdk_name, 1)
        return refusal(h, sdk_name)

    def handoffs(self, state: RunState[Any]) -> list[Handoff]:
        """The handoffs behind a paused run's interruptions, in order."""
        return [h for _item, h in self._pairs(state)]

    def _pairs(self, state: RunState[Any]) -> list[tuple[ToolApprovalItem, Handoff]]:
        run = run_fingerprint(state.to_json().get("original_input"))
        pairs = []
        for item in state.get_interruptions():
            raw = item.raw_item
            sdk_name = item.tool_name or getattr(raw, "name", "")
            call_id = getattr(raw, "call_id", None)
            if sdk_name not in self._names or not isinstance(call_id, str):
                continue  # an approval this gate did not ask for
            args = _args(getattr(raw, "arguments", None))
            pairs.append((item, self._submit(self._names[sdk_name], run, call_id, args)))
        return pairs

    async def resume(self, state: RunState[Any], *, wait: float = 0.0) -> list[Handoff]:
        """Apply every decided handoff to ``state``; return those still awaiting a human.

        Approve or revise becomes ``state.approve`` (the tool then runs once, with the
        approved args); reject, send back, expiry or a policy block becomes
        ``state.reject`` with the rationale. A handoff that already ran becomes
        ``state.reject`` with its recorded result, so the call is never approved twice.
        Run ``Runner.run(agent, state)`` once nothing is left open.
        """
        pairs = await asyncio.to_thread(self._pairs, state)
        still: list[Handoff] = []
        for item, first in pairs:
            h = first
            if is_open(h) and wait > 0:
                h = await asyncio.to_thread(self.plane.wait, h.id, wait)
            if is_open(h) or h.state is State.EXECUTING:
                still.append(h)
            elif h.state in APPROVED:
                state.approve(item)
            else:
                sdk_name = item.tool_name or h.action.tool
                proposed = _args(getattr(item.raw_item, "arguments", None))
                state.reject(item, rejection_message=self._answer(h, proposed, sdk_name))
        return still

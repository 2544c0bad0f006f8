"""Google ADK: tool confirmation backed by the rubric; a decision resumes the run.

Needs the ``adk`` extra (``pip install 'handoff-plane[adk]'``)::

    from handoff.integrations.adk import ApprovalGate

    gate = ApprovalGate(plane, agent="writer")
    publish = gate.tool(publish_post, name="cms.publish_post")
    agent = LlmAgent(name="writer", model=..., tools=[publish])

    async for event in runner.run_async(user_id=u, session_id=s, new_message=prompt):
        ...                                   # a risky call ends with adk_request_confirmation
    ...                                       # later, once the handoff is decided
    session = await runner.session_service.get_session(app_name=a, user_id=u, session_id=s)
    answer, still = gate.resume(session.events)
    if answer is not None:                    # the confirmations, as the user's message
        async for event in runner.run_async(user_id=u, session_id=s, new_message=answer): ...

ADK pauses a call by ``tool_context.request_confirmation``: it emits an
``adk_request_confirmation`` call whose ``toolConfirmation.payload`` the gate fills with
the handoff id, and re-runs the original call when a ``FunctionResponse`` to it says
``confirmed``. The gate asks the rubric about every call: one the rubric lets run on
its own runs at once; any other becomes a handoff and asks for that confirmation.

The idempotency key of a call is made from the run (the session and the event that
carries the call), the call id and the whole action. The gate runs the tool only
through handoff: whatever the confirmation says, a call runs once its handoff is
approved, with the approved args (the reviewer's, when revised), and its result is
recorded. A confirmation handoff has not given runs nothing (the model reads the
pending report), a declined one runs nothing, and an executed handoff answers its
recorded result.
"""

from __future__ import annotations

from ._extra import missing_extra

try:
    from google.adk.events import Event
    from google.adk.tools.base_tool import BaseTool
    from google.adk.tools.function_tool import FunctionTool
    from google.adk.tools.tool_context import ToolContext
    from google.genai import types
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("google-adk", "adk") from exc

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from .._exceptions import ConflictError
from .._outcome import Outcome
from ..models import Action, Handoff, State
from ..protocol import Plane
from ._brief import DEFAULT_INBOX_URL, is_open, pending_report, refusal, revision_note
from ._calls import APPROVED, by_value, call_key, run_fingerprint, submit_and_run

__all__ = ["CONFIRMATION", "ApprovalGate", "HandoffTool"]

#: The name of the call ADK emits to ask for a tool confirmation.
CONFIRMATION = "adk_request_confirmation"

_ENDED = (State.EXECUTED, State.FAILED, State.ROLLED_BACK)


@dataclass
class _Invocation:
    """One call of a gated tool, as the run hands it over: what the executor runs."""

    loop: asyncio.AbstractEventLoop
    tool: BaseTool
    ctx: ToolContext


#: Set around the plane call that may run the tool; ``asyncio.to_thread`` copies it into
#: the worker thread the plane runs the executor in.
_INVOCATION: ContextVar[_Invocation | None] = ContextVar("handoff_adk", default=None)


class _AdkTool:
    """Executor of a gated tool: runs the wrapped tool on the run's loop.

    The plane calls it from a worker thread, once per approved handoff, with the
    approved args. Outside the agent's run (a CLI ``execute``, recovery) there is no
    call to run, so it refuses.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        inv = _INVOCATION.get()
        if inv is None:
            raise RuntimeError(
                f"{self.name} runs only inside the agent's run: resume the run with"
                " ApprovalGate.resume and the runner"
            )
        run = inv.tool.run_async(args=dict(args), tool_context=inv.ctx)
        result = asyncio.run_coroutine_threadsafe(run, inv.loop).result()
        return to_jsonable_python(result, serialize_unknown=True)


def _run(ctx: ToolContext) -> str:
    """The run a call belongs to: its session and the event that carries the call."""
    session = ctx.session
    event_id = next(
        (
            e.id
            for e in session.events
            if any(fc.id == ctx.function_call_id for fc in e.get_function_calls())
        ),
        ctx.invocation_id,
    )
    said = [{"role": "session", "content": [session.app_name, session.user_id, session.id]}]
    return run_fingerprint([*said, {"role": "event", "content": event_id}])


class HandoffTool(BaseTool):
    """An ADK tool whose calls run only as handoff lets them (see the module doc).

    Made by ``ApprovalGate.tool``: it shows the model the wrapped tool's declaration.
    """

    def __init__(self, gate: ApprovalGate, inner: BaseTool, action_tool: str) -> None:
        super().__init__(name=inner.name, description=inner.description)
        self.gate = gate
        self.inner = inner
        self.action_tool = action_tool

    def _get_declaration(self) -> types.FunctionDeclaration | None:
        return self.inner._get_declaration()

    async def run_async(self, *, args: dict[str, Any], tool_context: ToolContext) -> Any:
        gate = self.gate
        proposed = by_value(to_jsonable_python(args, serialize_unknown=True))
        call_id = tool_context.function_call_id or ""
        action = gate.action(self.action_tool, _run(tool_context), call_id, proposed)
        confirmation = tool_context.tool_confirmation
        declined = confirmation is not None and not confirmation.confirmed
        here = _Invocation(asyncio.get_running_loop(), self.inner, tool_context)
        token = _INVOCATION.set(here)
        try:
            outcome = await asyncio.to_thread(gate.call, action, run=not declined)
        except ConflictError as exc:
            return {"error": f"{self.name} did not run: {exc.message}"}
        finally:
            _INVOCATION.reset(token)
        h = outcome.handoff
        if is_open(h):
            report = pending_report(h, gate.inbox_url)
            if confirmation is None:  # the pause: ADK asks the user to confirm
                tool_context.request_confirmation(hint=report["message"], payload=gate.payload(h))
                tool_context.actions.skip_summarization = True
            # else confirmed in the application while handoff has not decided: ADK asks
            # no second time after a confirmation, so the model reads the pending report
            return {"status": "pending", "handoff_id": h.id, "message": report["message"]}
        if declined and h.state not in _ENDED:
            if h.state in APPROVED:  # declined in the application: nothing runs
                return {"error": f"{self.name} was declined (handoff {h.id})"}
            return {"error": refusal(h, self.name)}
        return gate.answer(outcome, proposed, self.name)


class ApprovalGate:
    """Gate an agent's tools through ``plane`` and resume its runs by the decisions.

    ``agent`` is the name the actions carry (the requester a reviewer sees); ``inbox_url``
    is where the pending reports point reviewers.
    """

    def __init__(
        self, plane: Plane, *, agent: str = "adk-agent", inbox_url: str = DEFAULT_INBOX_URL
    ) -> None:
        self.plane = plane
        self.agent = agent
        self.inbox_url = inbox_url

    def tool(self, tool: BaseTool | Callable[..., Any], *, name: str | None = None) -> HandoffTool:
        """``tool`` (an ADK tool or a plain function) gated by handoff.

        ``name`` is the handoff tool name (default: the tool's own). Do not give the
        wrapped tool ``require_confirmation`` of its own: the gate asks.
        """
        inner = tool if isinstance(tool, BaseTool) else FunctionTool(tool)
        action_tool = name or inner.name
        self.plane.register(action_tool, _AdkTool(action_tool))
        return HandoffTool(self, inner, action_tool)

    def action(self, name: str, run: str, call_id: str, args: Mapping[str, Any]) -> Action:
        """The action one call stands for, with its idempotency key."""
        args = by_value(dict(args))
        key = call_key("adk", run, call_id, name, args, self.agent)
        return Action(tool=name, args=args, agent=self.agent, idempotency_key=key)

    def call(self, action: Action, *, run: bool = True) -> Outcome:
        """Submit ``action`` (a low-risk one runs now) and run it if it is approved.

        Called from a worker thread with the call set in ``_INVOCATION``. ``run`` is
        False when the application declined the confirmation: nothing more runs.
        """
        return submit_and_run(self.plane, action) if run else self.plane.submit(action)

    def payload(self, h: Handoff) -> dict[str, Any]:
        """What the confirmation request carries: the handoff id and the pending report."""
        report = pending_report(h, self.inbox_url)
        return {"handoff_id": h.id, "owner": h.owner, "inbox_url": report["inbox_url"]}

    def answer(self, o: Outcome | Handoff, proposed: dict[str, Any], name: str) -> Any:
        """What the model reads: the recorded result (led by a revision note) or a refusal."""
        h = o.handoff if isinstance(o, Outcome) else o
        if isinstance(o, Outcome) and o.status == "executed":
            return self._result(o.result, proposed, h, name)
        if h.state in _ENDED:
            ex = h.execution
            if h.state is not State.EXECUTED or ex is None:
                return {"error": f"{name} failed: {ex.error if ex else None} (handoff {h.id})"}
            return self._result(ex.result, proposed, h, name)
        if h.state is State.EXECUTING:
            message = str(pending_report(h, self.inbox_url)["message"])
            return {"status": "executing", "message": message.replace(h.action.tool, name, 1)}
        return {"error": refusal(h, name)}

    @staticmethod
    def _result(result: Any, proposed: dict[str, Any], h: Handoff, name: str) -> Any:
        note = revision_note(proposed, h, name)
        if note is None:
            return result
        text = result if isinstance(result, str) else json.dumps(result)
        return {"result": text, "revised": note}

    def _requests(self, events: Iterable[Event]) -> list[tuple[types.FunctionCall, str]]:
        """The confirmation requests in ``events`` this gate made and no one answered yet."""
        asked: list[tuple[types.FunctionCall, str]] = []
        answered: set[str] = set()
        for event in events:
            for fr in event.get_function_responses():
                if fr.name == CONFIRMATION and fr.id:
                    answered.add(fr.id)
            for fc in event.get_function_calls():
                payload = ((fc.args or {}).get("toolConfirmation") or {}).get("payload")
                hid = payload.get("handoff_id") if isinstance(payload, dict) else None
                if fc.name == CONFIRMATION and fc.id and isinstance(hid, str):
                    asked.append((fc, hid))
        return [(fc, hid) for fc, hid in asked if fc.id not in answered]

    def handoffs(self, events: Iterable[Event]) -> list[Handoff]:
        """The handoffs behind a paused run's unanswered confirmation requests, in order."""
        return [self.plane.get(hid) for _fc, hid in self._requests(events)]

    def resume(
        self, events: Iterable[Event], *, wait: float = 0.0
    ) -> tuple[types.Content | None, list[Handoff]]:
        """The user's message that answers every decided handoff, and those still open.

        ``events`` are the session's (``session.events``). Approve or revise becomes
        ``confirmed: true`` (the call then runs once, with the approved args); reject,
        send back, expiry or a policy block becomes ``confirmed: false`` (the model
        reads the rationale). A handoff that already ran is confirmed too: the call then
        answers its recorded result and runs nothing. The message is None when nothing
        is decided. ``wait`` blocks up to that many seconds for each open handoff.
        """
        parts: list[types.Part] = []
        still: list[Handoff] = []
        for fc, hid in self._requests(events):
            h = self.plane.get(hid)
            if is_open(h) and wait > 0:
                h = self.plane.wait(h.id, wait)
            if is_open(h) or h.state is State.EXECUTING:
                still.append(h)
                continue
            confirmed = h.state in APPROVED or h.state in _ENDED
            response = {"confirmed": confirmed, "payload": {"handoff_id": h.id}}
            answer = types.FunctionResponse(name=CONFIRMATION, id=fc.id, response=response)
            parts.append(types.Part(function_response=answer))
        content = types.Content(role="user", parts=parts) if parts else None
        return content, still

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

Every call of a gated tool is submitted as an action (``idempotency_key`` is the tool call
id, so asking again finds the same handoff). An action the rubric lets run on its own
runs at once; any other pauses the run as the SDK's tool approval. The SDK runs the tool
itself, so the handoff's execution records that the approval was used (its result is
``{"go_ahead": true}``), and the run's own output holds the tool's result.

The SDK runs a tool call only with the args the model gave. When a reviewer revises
them, ``resume`` rejects the call with a message naming the approved args; the model's
next call with exactly those args runs without a second review (bound to their hash).
"""

from __future__ import annotations

from ._extra import missing_extra

try:
    from agents import FunctionTool, RunContextWrapper, RunState, ToolApprovalItem
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("openai-agents", "openai-agents") from exc

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ..models import Action, Handoff, State, action_hash
from ._brief import DEFAULT_INBOX_URL, is_open, refusal, revision_note
from ._plane import Plane

__all__ = ["ApprovalGate", "NeedsApproval"]

NeedsApproval = Callable[[RunContextWrapper[Any], dict[str, Any], str], Awaitable[bool]]

_GO = (State.APPROVED, State.AUTO_APPROVED)


class _Permit:
    """Executor of a gated SDK tool: the SDK runs the tool, so running records the go-ahead."""

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        return {"go_ahead": True}


class ApprovalGate:
    """Gate an agent's function tools through ``plane`` and resume its runs by the decisions.

    ``agent`` is the name the actions carry (the requester a reviewer sees); ``inbox_url``
    is where ``links`` points reviewers.
    """

    def __init__(
        self, plane: Plane, *, agent: str = "openai-agent", inbox_url: str = DEFAULT_INBOX_URL
    ) -> None:
        self.plane = plane
        self.agent = agent
        self.inbox_url = inbox_url
        self._names: dict[str, str] = {}
        #: approved revisions awaiting the model's call with exactly their args
        self._revised: dict[str, str] = {}

    def tool(self, tool: FunctionTool, *, name: str | None = None) -> FunctionTool:
        """Set ``tool.needs_approval`` to the gate; ``name`` is the handoff tool name."""
        tool.needs_approval = self.needs_approval(name or tool.name, sdk_name=tool.name)
        return tool

    def needs_approval(self, name: str, *, sdk_name: str | None = None) -> NeedsApproval:
        """The ``needs_approval`` callable for the tool handoff knows as ``name``.

        Pass ``sdk_name`` (the tool's name in the SDK) when it differs from ``name``, so
        ``resume`` can tell which action an interruption belongs to.
        """
        self._names[sdk_name or name] = name
        self.plane.register(name, _Permit())

        async def needs_approval(
            ctx: RunContextWrapper[Any], params: dict[str, Any], call_id: str
        ) -> bool:
            return await asyncio.to_thread(self._needs_approval, name, params, call_id)

        return needs_approval

    def _action(self, name: str, args: Mapping[str, Any], call_id: str) -> Action:
        return Action(
            tool=name, args=dict(args), agent=self.agent, idempotency_key=f"openai:{call_id}"
        )

    def _needs_approval(self, name: str, params: dict[str, Any], call_id: str) -> bool:
        digest = action_hash(name, params, self.agent, None)
        revised = self._revised.pop(digest, None)
        if revised is not None:
            self.plane.execute(revised, params)  # refuses args other than those approved
            return False
        outcome = self.plane.submit(self._action(name, params, call_id))
        return outcome.status != "executed"

    def handoffs(self, state: RunState[Any]) -> list[Handoff]:
        """The handoffs behind a paused run's interruptions, in order."""
        return [h for _item, h in self._pairs(state)]

    def _pairs(self, state: RunState[Any]) -> list[tuple[ToolApprovalItem, Handoff]]:
        pairs = []
        for item in state.get_interruptions():
            raw = item.raw_item
            sdk_name = item.tool_name or getattr(raw, "name", "")
            call_id = getattr(raw, "call_id", None)
            arguments = getattr(raw, "arguments", None)
            if sdk_name not in self._names or not isinstance(call_id, str):
                continue  # an approval this gate did not ask for
            args = json.loads(arguments) if isinstance(arguments, str) and arguments else {}
            outcome = self.plane.submit(self._action(self._names[sdk_name], args, call_id))
            pairs.append((item, outcome.handoff))
        return pairs

    async def resume(self, state: RunState[Any], *, wait: float = 0.0) -> list[Handoff]:
        """Apply every decided handoff to ``state``; return those still awaiting a human.

        Approve (or an approval of a policy auto-run) becomes ``state.approve``; reject,
        send back, expiry or a policy block becomes ``state.reject`` with the rationale; a
        revise becomes ``state.reject`` with the approved args (see the module doc).
        Run ``Runner.run(agent, state)`` once nothing is left open.
        """
        pairs = await asyncio.to_thread(self._pairs, state)
        still: list[Handoff] = []
        for item, first in pairs:
            h = first
            if is_open(h) and wait > 0:
                h = await asyncio.to_thread(self.plane.wait, h.id, wait)
            if is_open(h):
                still.append(h)
                continue
            proposed = json.loads(getattr(item.raw_item, "arguments", None) or "{}")
            note = revision_note(proposed, h)
            if h.state in _GO and note is None:
                await asyncio.to_thread(self.plane.execute, h.id, proposed)
                state.approve(item)
            elif h.state in (*_GO, State.EXECUTED) and note is not None:
                if h.state in _GO:
                    self._revised[h.action_hash] = h.id
                args = json.dumps(h.action.args, sort_keys=True)
                message = f"{note}. Call {h.action.tool} again with exactly these args: {args}"
                state.reject(item, rejection_message=message)
            elif h.state is State.EXECUTED and note is None:
                state.approve(item)  # resumed before: the go-ahead was already used
            else:
                state.reject(item, rejection_message=refusal(h))
        return still

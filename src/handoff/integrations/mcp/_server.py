"""The MCP handoff server: tools for agents that want to ask a human deliberately.

``request_handoff`` submits an action the agent means to take itself (``tool`` and
``args``, ``agent.request`` by default) with the decision brief it wrote: a summary,
options and the decision required. Detect still scores it, and handoff's own findings
are added to the agent's brief. ``get_handoff`` tells the agent what was decided (with
revised args, a chosen option or the questions of a reviewer who sent it back);
``list_my_handoffs`` lists the requests this server process took from the calling agent.

The agent carries out an approved request itself; handoff keeps the decision record.
A request the policy lets run on its own comes back ``executed`` at once, meaning
"go ahead". To make every deliberate request go to a human, give its tool
``mode: review`` under ``tools:`` in the policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import anyio.to_thread
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from pydantic import ValidationError

from ..._exceptions import HandoffError, NotFound
from ..._outcome import Outcome
from ...models import Action, Handoff
from ...protocol import Plane
from .._brief import DEFAULT_INBOX_URL, inbox_link, is_open, refusal
from ._caller import client_name

__all__ = ["HandoffServer"]

DEFAULT_TOOL = "agent.request"

_OPTION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {
            "type": "string",
            "description": "Your own id; handoff's (approve, reject, send_back, ...) are refused.",
        },
        "title": {"type": "string"},
        "description": {"type": "string"},
        "risk": {"enum": ["low", "medium", "high"]},
        "effort": {"enum": ["low", "medium", "high"]},
        "expected_impact": {"type": "string"},
        "args": {"type": "object", "description": "The args to run if this option is chosen."},
    },
    "required": ["id", "title"],
}
_ID: dict[str, Any] = {
    "type": "object",
    "properties": {"handoff_id": {"type": "string"}},
    "required": ["handoff_id"],
}
TOOLS = [
    types.Tool(
        name="request_handoff",
        description=(
            "Ask a human to decide before you act. Describe the action (tool and args) and"
            " the decision brief: a summary, 2-3 options and the exact decision required."
            " Returns a handoff id; poll get_handoff until it is decided."
        ),
        input_schema={
            "type": "object",
            "properties": {
                "summary": {"type": "string", "description": "What you want to do and why."},
                "decision_required": {"type": "string", "description": "One question."},
                "options": {"type": "array", "items": _OPTION, "maxItems": 10},
                "tool": {
                    "type": "string",
                    "description": f"Dotted name of the action (default {DEFAULT_TOOL}).",
                },
                "args": {"type": "object", "description": "The action's arguments."},
                "assumptions": {"type": "array", "items": {"type": "string"}},
                "open_questions": {"type": "array", "items": {"type": "string"}},
                "evidence": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "source": {"type": "string"},
                            "excerpt": {"type": "string"},
                            "uri": {"type": "string"},
                        },
                        "required": ["source"],
                    },
                },
                "on_behalf_of": {"type": "string"},
            },
            "required": ["summary", "decision_required"],
        },
    ),
    types.Tool(
        name="get_handoff",
        description="The state of one of your handoffs and, once decided, the decision.",
        input_schema=_ID,
    ),
    types.Tool(
        name="list_my_handoffs",
        description="Your handoffs requested through this server, newest first.",
        input_schema={"type": "object", "properties": {}},
    ),
]


class _Acknowledge:
    """Executor of a deliberate request: the agent acts itself, so running is a no-op."""

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        return {"go_ahead": True}


def describe(h: Handoff, inbox_url: str) -> dict[str, Any]:
    """What an agent needs to know about its handoff, as JSON."""
    status = Outcome.of(h).status
    d = h.decisions[-1] if h.decisions else None
    if is_open(h):
        message = f"awaiting a decision by {h.owner or 'a reviewer'}"
    elif status in ("approved", "executed"):
        message = "decided: go ahead with args" if h.decisions else "the policy lets it run"
    else:
        message = refusal(h)
    return {
        "handoff_id": h.id,
        "tool": h.action.tool,
        "status": status,
        "state": h.state.value,
        "owner": h.owner,
        "level": h.assessment.level.value,
        "args": h.action.args,
        "decision": None
        if d is None
        else {
            "verdict": d.verdict.value,
            "reviewer": d.reviewer,
            "rationale": d.rationale,
            "args": d.args,
            "option_id": d.option_id,
            "questions": d.questions,
        },
        "inbox_url": inbox_link(inbox_url, h.id),
        "message": message,
    }


def _reply(data: Any, *, error: bool = False) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=json.dumps(data, indent=2, default=str))],
        structured_content=data if isinstance(data, dict) else {"handoffs": data},
        is_error=error,
    )


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


class HandoffServer:
    """The three tools of ``handoff mcp-serve`` over ``plane``."""

    def __init__(
        self,
        plane: Plane,
        *,
        inbox_url: str = DEFAULT_INBOX_URL,
        agent: str = "mcp-client",
        name: str = "handoff",
    ) -> None:
        self.plane = plane
        self.inbox_url = inbox_url
        self.agent = agent
        self.name = name
        self._requested: dict[str, list[str]] = {}
        self._tools: set[str] = set()

    def server(self) -> Server[Any]:
        return Server(self.name, on_list_tools=self.list_tools, on_call_tool=self.call_tool)

    async def list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=TOOLS)

    async def call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        agent = client_name(ctx, self.agent)
        args = dict(params.arguments or {})
        try:
            if params.name == "request_handoff":
                return await self._request(agent, args)
            if params.name == "get_handoff":
                h = await self._own(agent, args.get("handoff_id"))
                return _reply(describe(h, self.inbox_url))
            if params.name == "list_my_handoffs":
                ids = list(reversed(self._requested.get(agent, [])))
                found = [await anyio.to_thread.run_sync(self.plane.get, i) for i in ids]
                return _reply([describe(h, self.inbox_url) for h in found])
        except HandoffError as exc:
            return _error(str(exc))
        return _error(f"unknown tool {params.name!r}")

    async def _own(self, agent: str, handoff_id: Any) -> Handoff:
        """The caller's handoff, read from the plane, so it outlives this server process."""
        mine = HandoffError(f"no handoff {handoff_id!r} of yours", field="handoff_id")
        if not isinstance(handoff_id, str) or not handoff_id:
            raise mine
        try:
            h = await anyio.to_thread.run_sync(self.plane.get, handoff_id)
        except NotFound:
            raise mine from None
        if h.action.agent != agent:
            raise mine
        return h

    async def _request(self, agent: str, args: dict[str, Any]) -> types.CallToolResult:
        tool = args.pop("tool", None) or DEFAULT_TOOL
        package: dict[str, Any] = {
            k: args.pop(k)
            for k in ("summary", "decision_required", "options", "assumptions", "open_questions")
            if k in args
        }
        evidence = args.pop("evidence", [])
        package["evidence"] = evidence
        try:
            action = Action.model_validate(
                {
                    "tool": tool,
                    "args": args.pop("args", None) or {},
                    "agent": agent,
                    "on_behalf_of": args.pop("on_behalf_of", None),
                    "context": {"evidence": evidence},
                    "package": package,
                }
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            return _error(f"{where}: {err['msg']}")
        if args:
            return _error(f"unknown fields: {', '.join(sorted(args))}")
        if action.tool not in self._tools:
            self.plane.register(action.tool, _Acknowledge())
            self._tools.add(action.tool)
        outcome = await anyio.to_thread.run_sync(self.plane.submit, action)
        self._requested.setdefault(agent, []).append(outcome.handoff_id)
        return _reply(describe(outcome.handoff, self.inbox_url))

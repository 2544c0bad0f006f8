"""The MCP gateway: an MCP server in front of another, with every tool call gated.

The gateway lists the upstream server's tools as its own and sends each call through
``plane.submit`` as an action: the tool (the upstream name after a prefix, by default
the upstream server's own name: ``mcp-git.git_commit``), the call's arguments, the
calling client's ``clientInfo.name`` as the agent, and the tool's MCP annotations from
``tools/list``, which Detect lets raise the risk but never lower it. The upstream call
*is* the execution: each upstream tool gets an executor that forwards the call, so an
approval binds to the args' hash and the call runs once, through the plane.

What the calling agent gets back:

* auto: the upstream result, as if it had called the upstream server itself;
* pending, for a client that takes MCP Tasks on protocol 2026-07-28: a task handle at
  once, polled with ``tasks/get`` and cancellable with ``tasks/cancel`` (``_tasks``);
* pending otherwise: at once, a progress notification (when the client asked for progress) and,
  for a client that supports URL-mode elicitation, a request to open the handoff in the
  inbox; each names the handoff id, so a client whose own timeout ends first still
  knows it. Then, after waiting up to ``wait`` seconds for a decision, a tool result
  (not an error) whose structured content says it awaits approval, with the handoff id
  and the inbox link. The agent polls with the gateway's own ``handoff_status`` tool, or
  simply retries the same call: a retry in the same session with the same tool and
  arguments finds the handoff its first attempt opened (``_pending``), and once it is
  approved either one runs the call, exactly once, and returns the upstream result;
* rejected (or sent back, expired, blocked): a tool error with the reviewer's rationale;
* revised: the upstream result of the call with the reviewer's args, led by a text
  block (and ``_meta["handoff/revision"]``) saying what changed.

Everything of MCP that is not a tool call (prompts, resources, completions, logging,
sampling, elicitation, roots, notices) passes through unchanged (``_relay``).

A result over ``_results.KEEP_BYTES`` is recorded as its digest and a preview, not
whole; the caller gets it whole from memory (``_results``).

Listed tools lose their ``outputSchema``: a pending report is not the upstream tool's
output, and a client would otherwise reject it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, cast

import anyio
import anyio.to_thread
import mcp_types as types
from anyio import from_thread
from mcp import ClientSession
from mcp.server import Server, ServerRequestContext

from ..._exceptions import ExecutionError, HandoffError, UpstreamToolError
from ...models import Action, Handoff, State, ToolAnnotations, Verdict
from ...plane import parse_input
from ...policy import Policy
from ...protocol import Plane
from .._brief import DEFAULT_INBOX_URL, is_open, pending_report, refusal, revision_note
from ._caller import client_name
from ._pending import OpenCalls
from ._relay import Relay
from ._results import PREVIEW_CHARS, Results, recorded_form
from ._tasks import Tasks, wanted
from ._upstream import annotations_of, rules_for, server_prefix, unmatched_rules

__all__ = ["STATUS_TOOL", "Gateway", "UpstreamToolError", "client_name"]

STATUS_TOOL = "handoff_status"
CONTEXT_META_KEY = "handoff/context"
REVISION_META_KEY = "handoff/revision"
_BAD_CHARS = re.compile(r"[^A-Za-z0-9_\-.]")

# The request a tool call came in on, read by its executor on a worker thread to pass
# the upstream's progress notices on to that request.
_CALLER: ContextVar[ServerRequestContext[Any, Any] | None] = ContextVar(
    "handoff_mcp_caller", default=None
)

_STATUS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "handoff_id": {
            "type": "string",
            "description": "The handoff id from an earlier 'awaits approval' result.",
        }
    },
    "required": ["handoff_id"],
}


def _upstream_error(result: dict[str, Any]) -> UpstreamToolError:
    """The error for an upstream ``isError`` answer, carrying it for the agent."""
    # The message is recorded as the execution's error: its start is enough there
    # (the agent gets ``result`` whole), as for a large result (``_results``).
    text = _text_of(result) or "the upstream tool reported an error"
    short = text if len(text) <= PREVIEW_CHARS else f"{text[:PREVIEW_CHARS]}..."
    return UpstreamToolError(short, result=result)


def _text_of(result: Mapping[str, Any]) -> str:
    return " ".join(
        str(block.get("text", ""))
        for block in result.get("content", [])
        if block.get("type") == "text"
    ).strip()


def _text_result(text: str, *, error: bool = False, data: Any = None) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=text)], structured_content=data, is_error=error
    )


class _Forward:
    """The executor of one upstream tool: forward the call and return its result as JSON.

    ``apply`` runs on a worker thread (the gateway calls the plane through
    ``anyio.to_thread``) and hops back to the event loop that owns the upstream session.
    What it returns is what the plane records: a large result is left whole in
    ``results`` and only its digest and a preview are returned (``recorded_form``).
    """

    def __init__(self, upstream: ClientSession, name: str, results: Results) -> None:
        self.upstream = upstream
        self.name = name
        self.results = results

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        caller = _CALLER.get()
        progress = _progress_to(caller) if caller is not None else None
        call = functools.partial(
            self.upstream.call_tool, self.name, dict(args), progress_callback=progress
        )
        result = from_thread.run(call)
        data = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        if result.is_error:
            raise _upstream_error(data)
        recorded, digest = recorded_form(data)
        if digest is not None:
            self.results.put(digest, recorded["_meta"]["handoff/result"]["bytes"], data)
        return recorded


def _progress_to(ctx: ServerRequestContext[Any, Any]) -> Any:
    async def report(progress: float, total: float | None, message: str | None) -> None:
        await ctx.session.report_progress(progress, total, message)

    return report


class Gateway:
    """Serve the upstream session's tools, gated by ``plane``.

    ``prefix`` is put before every upstream tool name to make the handoff tool name
    (``crm.`` turns ``send_email`` into ``crm.send_email``, which policy globs can
    match); when it is None, the upstream server's name from its initialize result is
    used (see ``server_prefix``), and ``""`` means no prefix. ``wait`` is how many
    seconds a call waits for a decision before it answers "awaits approval"; ``agent``
    names clients that do not identify themselves.
    """

    def __init__(
        self,
        plane: Plane,
        upstream: ClientSession,
        *,
        prefix: str | None = None,
        wait: float = 0.0,
        inbox_url: str = DEFAULT_INBOX_URL,
        agent: str = "mcp-client",
        name: str = "handoff-gateway",
        relay: Relay | None = None,
    ) -> None:
        self.plane = plane
        self.upstream = upstream
        self.given_prefix = prefix
        self.wait = wait
        self.inbox_url = inbox_url
        self.agent = agent
        self.name = name
        self._tools: dict[str, types.Tool] = {}
        self._notes: dict[str, ToolAnnotations | None] = {}
        self.results = Results()
        self.calls = OpenCalls()
        self._elicited: set[str] = set()  # handoffs whose inbox link a client was shown
        self.relay = relay or Relay()
        self.relay.upstream = self.relay.upstream or upstream
        self.relay.on_tools_changed = self.load_tools
        self.tasks = Tasks(self)

    @property
    def server_name(self) -> str | None:
        """The upstream server's ``serverInfo.name``; None before it has initialized."""
        info = self.upstream.server_info
        return info.name if info is not None else None

    @property
    def prefix(self) -> str:
        """The prefix in use: the one given, or the one made from the server's name."""
        if self.given_prefix is not None:
            return self.given_prefix
        return server_prefix(self.server_name)

    def start_report(self, policy: Policy | None) -> list[str]:
        """Lines for the operator at start: where the prefix came from, and each policy
        rule written for this prefix that matches none of the upstream tools."""
        prefix, server = self.prefix, self.server_name
        lines: list[str] = []
        if self.given_prefix is None:
            lines.append(
                f"handoff gateway: tools are named {prefix}<tool> after the upstream"
                f" server's name {server!r}; --prefix sets another"
                if prefix
                else f"handoff gateway: the upstream server's name {server!r} gives no"
                " prefix; tools keep their own names; --prefix sets one"
            )
        if policy is None or not prefix:
            return lines
        names = [self.handoff_tool(n) for n in self._tools]
        lines.append(
            f"handoff gateway: {len(rules_for(policy, prefix))} rule(s) of policy"
            f" {policy.name!r} name tools under {prefix!r}"
        )
        lines += [
            f"handoff gateway: policy rule {where} matches none of the"
            f" {len(names)} upstream tools; it guards nothing"
            for where, _ in unmatched_rules(policy, prefix, names)
        ]
        return lines

    def handoff_tool(self, upstream_name: str) -> str:
        """The action's tool name for an upstream tool: prefixed, made a valid name."""
        name = _BAD_CHARS.sub("_", f"{self.prefix}{upstream_name}").strip(".")
        return name if name[:1].isalpha() or name[:1] == "_" else f"_{name}"

    async def load_tools(self) -> list[types.Tool]:
        """Read the upstream tool list and register a forwarding executor for each tool."""
        tools: list[types.Tool] = []
        cursor: str | None = None
        while True:
            page = await self.upstream.list_tools(
                params=types.PaginatedRequestParams(cursor=cursor) if cursor else None
            )
            tools.extend(page.tools)
            cursor = page.next_cursor
            if not cursor:
                break
        self._tools = {t.name: t for t in tools}
        self._notes = {t.name: annotations_of(t) for t in tools}
        for t in tools:
            self.plane.register(
                self.handoff_tool(t.name), _Forward(self.upstream, t.name, self.results)
            )
        return tools

    def server(self) -> Server[Any]:
        """A low-level MCP server answering ``tools/list`` and ``tools/call``, and
        passing on whatever else the upstream serves (``_relay``)."""
        server: Server[Any] = Server(
            self.name,
            instructions=(
                "Tool calls go through handoff. A call that needs a human answers with"
                f" status 'pending' and a handoff_id; call {STATUS_TOOL} with it later."
            ),
            on_list_tools=self.list_tools,
            # a task handle (a dict, ``resultType: "task"``) is passed through as is
            on_call_tool=cast(Any, self.call_tool),
        )
        self.relay.install(server, self.upstream.server_capabilities)
        self.tasks.install(server)
        return server

    def initialization_options(self, server: Server[Any]) -> Any:
        """``server``'s initialization options, with the upstream's list_changed flags."""
        caps = self.upstream.server_capabilities
        return server.create_initialization_options(self.relay.notification_options(caps))

    # -- MCP handlers ----------------------------------------------------------------

    async def list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        self.relay.seen(ctx)
        tools = [t.model_copy(update={"output_schema": None}) for t in self._tools.values()]
        if STATUS_TOOL not in self._tools:
            tools.append(
                types.Tool(
                    name=STATUS_TOOL,
                    description=(
                        "Ask whether a tool call that awaits approval was decided; runs it"
                        " once approved and returns its result."
                    ),
                    input_schema=_STATUS_SCHEMA,
                )
            )
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult | dict[str, Any]:
        self.relay.seen(ctx)
        _CALLER.set(ctx)
        agent = client_name(ctx, self.agent)
        args = dict(params.arguments or {})
        if params.name == STATUS_TOOL and STATUS_TOOL not in self._tools:
            return await self._status(agent, args)
        if params.name not in self._tools:
            await self.load_tools()  # the upstream may have added tools since we listed
            if params.name not in self._tools:
                return _text_result(f"unknown tool {params.name!r}", error=True)
        session, call = _connection_of(ctx), self.calls.key(agent, params.name, args)
        async with self.calls.lock(session, call):
            known = self.calls.find(session, call)
            h = await self._get(known) if known is not None else None
            fresh = h is None  # this attempt opens the handoff (not a retry of one)
            if h is None:
                try:
                    outcome = await self._submit(params, args, agent)
                except ExecutionError as exc:
                    return _failure(exc)
                except HandoffError as exc:  # includes a bad handoff/context in _meta
                    return _text_result(f"handoff refused the call: {exc}", error=True)
                h = outcome.handoff
                if outcome.status == "executed":
                    return self._result(outcome.result, args, h)
                if is_open(h):  # remembered before any wait: a client may give up first
                    self.calls.remember(session, call, h.id)
        if is_open(h) and wanted(ctx):  # a task handle at once; the client polls tasks/get
            return self.tasks.handle(h)
        if is_open(h):
            h = await self._wait_telling(ctx, h, first=fresh)
        if not is_open(h) and h.id in self._elicited:
            await self._elicitation_done(ctx, h.id)
        result = await self._settle(h, args)
        if not is_open(h) and h.state is not State.EXECUTING:
            self.calls.forget(session, call)
        return result

    async def _submit(
        self, params: types.CallToolRequestParams, args: dict[str, Any], agent: str
    ) -> Any:
        raw_context = (params.meta or {}).get(CONTEXT_META_KEY)
        fields = {
            "tool": self.handoff_tool(params.name),
            "args": args,
            "agent": agent,
            "annotations": self._notes.get(params.name),
            "context": raw_context or {},
        }
        action = parse_input(Action, fields, "action")
        return await anyio.to_thread.run_sync(self.plane.submit, action)

    async def _get(self, handoff_id: str) -> Handoff | None:
        try:
            return await anyio.to_thread.run_sync(self.plane.get, handoff_id)
        except HandoffError:  # gone (say, purged): the call is gated afresh
            return None

    async def _wait(self, handoff_id: str, seconds: float) -> Handoff:
        """``plane.wait`` on the event loop, so a client's cancellation ends it at once."""
        end = anyio.current_time() + seconds
        pause = 0.05
        while True:
            h = await anyio.to_thread.run_sync(self.plane.get, handoff_id)
            left = end - anyio.current_time()
            if not is_open(h) or left <= 0:
                return h
            await anyio.sleep(min(pause, left))
            pause = min(pause * 2, 0.5)

    async def _wait_telling(
        self, ctx: ServerRequestContext[Any, Any], h: Handoff, *, first: bool
    ) -> Handoff:
        """Wait up to ``wait`` seconds for a decision, having named the handoff to the
        client first: in a progress notification (when it asked for progress) and, on
        the call's ``first`` attempt, when the client supports URL-mode elicitation, as
        the inbox link for its user to open (a retry does not ask the user again). A
        client that gives up before the wait ends thus still knows the handoff id."""
        report = pending_report(h, self.inbox_url)
        message = f"{report['message']} Review: {report['inbox_url']}"
        with anyio.move_on_after(5):
            await ctx.session.report_progress(0, None, message)
        async with anyio.create_task_group() as tg:
            if first and _supports_url_elicitation(ctx):
                self._elicited.add(h.id)
                tg.start_soon(self._elicit, ctx, h.id, message, report["inbox_url"])
            if self.wait > 0:
                h = await self._wait(h.id, self.wait)
            if not is_open(h):  # decided: the link is no longer needed
                tg.cancel_scope.cancel()
        return h

    async def _elicitation_done(self, ctx: ServerRequestContext[Any, Any], handoff_id: str) -> None:
        """Tell the client the inbox link it was shown has served: the handoff is decided."""
        self._elicited.discard(handoff_id)
        done = types.ElicitCompleteNotification(
            params=types.ElicitCompleteNotificationParams(elicitation_id=handoff_id)
        )
        with anyio.move_on_after(5), contextlib.suppress(Exception):
            await ctx.session.send_notification(done)

    async def _elicit(
        self, ctx: ServerRequestContext[Any, Any], handoff_id: str, message: str, url: str
    ) -> None:
        """Ask the client to show the inbox link; its answer changes nothing here (the
        decision is made in the inbox), so a refusal or an error is let pass."""
        with anyio.move_on_after(max(self.wait, 5.0)), contextlib.suppress(Exception):
            await ctx.session.elicit_url(
                message, url, handoff_id, related_request_id=ctx.request_id
            )

    # -- settling a handoff ----------------------------------------------------------

    async def _status(self, agent: str, args: dict[str, Any]) -> types.CallToolResult:
        handoff_id = args.get("handoff_id")
        if not isinstance(handoff_id, str) or not handoff_id:
            return _text_result("handoff_id: a handoff id is required", error=True)
        try:
            h = await anyio.to_thread.run_sync(self.plane.get, handoff_id)
        except HandoffError as exc:
            return _text_result(str(exc), error=True)
        mine = {self.handoff_tool(n) for n in self._tools}
        if h.action.agent != agent or h.action.tool not in mine:
            return _text_result(f"handoff_id: no handoff {handoff_id!r} of yours", error=True)
        if is_open(h) and self.wait > 0:
            h = await self._wait(h.id, self.wait)
        # A poll does not know the args first proposed: a revise is reported as such.
        return await self._settle(h, None)

    async def _settle(self, h: Handoff, proposed: dict[str, Any] | None) -> types.CallToolResult:
        if is_open(h):
            return _text_result(
                json.dumps(pending_report(h, self.inbox_url), indent=2),
                data=pending_report(h, self.inbox_url),
            )
        if h.state in (State.APPROVED, State.AUTO_APPROVED):
            async with self.calls.running(h.id):
                try:
                    # a second attempt that waited here finds it executed: nothing reruns
                    outcome = await anyio.to_thread.run_sync(self.plane.execute, h.id)
                except ExecutionError as exc:
                    return _failure(exc)
                except HandoffError as exc:
                    return _text_result(f"handoff refused to run the call: {exc}", error=True)
            return self._result(outcome.result, proposed, outcome.handoff)
        if h.state is State.EXECUTED and h.execution is not None:
            return self._result(h.execution.result, proposed, h)
        if h.state is State.EXECUTING:
            running = {"status": "executing", "handoff_id": h.id}
            return _text_result(f"{h.action.tool} is running (handoff {h.id})", data=running)
        if h.state in (State.FAILED, State.ROLLED_BACK):
            error = h.execution.error if h.execution else None
            return _text_result(f"{h.action.tool} failed: {error} (handoff {h.id})", error=True)
        refused = {"status": h.state.value, "handoff_id": h.id}
        return _text_result(refusal(h), error=True, data=refused)

    def _result(
        self, result: Any, proposed: dict[str, Any] | None, h: Handoff
    ) -> types.CallToolResult:
        out = (
            types.CallToolResult.model_validate(self.results.whole(result))
            if isinstance(result, dict)
            else _text_result(str(result))
        )
        note = revision_note(proposed, h) if proposed is not None else _revised_note(h)
        if note is None:
            return out
        meta = dict(out.meta or {})
        meta[REVISION_META_KEY] = {"handoff_id": h.id, "args": h.action.args, "note": note}
        content: list[types.ContentBlock] = [types.TextContent(text=note), *out.content]
        return out.model_copy(update={"content": content, "meta": meta})


def _revised_note(h: Handoff) -> str | None:
    """When the proposed args are unknown (a poll), say so if any revise was decided."""
    revised = [d for d in h.decisions if d.verdict is Verdict.REVISE]
    if not revised:
        return None
    d = revised[-1]
    return (
        f"{d.reviewer} revised {h.action.tool} before it ran; it ran with"
        f" {json.dumps(h.action.args, sort_keys=True, ensure_ascii=False)}"
        + (f" ({d.rationale})" if d.rationale else "")
    )


def _failure(exc: ExecutionError) -> types.CallToolResult:
    cause = exc.__cause__
    if isinstance(cause, UpstreamToolError):
        return types.CallToolResult.model_validate(cause.result)
    return _text_result(str(exc), error=True)


def _connection_of(ctx: ServerRequestContext[Any, Any]) -> object:
    """What names the client's session: its connection. ``ctx.session`` is made afresh
    for each request, so it cannot; the connection lives as long as the session."""
    return getattr(ctx.session, "_connection", ctx.session)


def _supports_url_elicitation(ctx: ServerRequestContext[Any, Any]) -> bool:
    caps = ctx.session.client_capabilities
    return caps is not None and caps.elicitation is not None and caps.elicitation.url is not None

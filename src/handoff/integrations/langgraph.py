"""LangGraph: a pending handoff becomes an ``interrupt()``; the decision resumes the graph.

Needs the ``langgraph`` extra (``pip install 'handoff-plane[langgraph]'``). Gate a tool the
model calls, or an action inside any node::

    from handoff.integrations.langgraph import gate, gate_tool, resume_command

    tools = ToolNode([gate_tool(plane, publish_post, name="cms.publish")])
    ...
    graph.invoke(inputs, config)                       # pauses: __interrupt__ carries the package
    graph.invoke(resume_command(plane, handoff_id), config)   # once a reviewer decided

Every gated call of one model turn that awaits a human is in one interrupt, whose value
follows LangChain's human-in-the-loop middleware (or, with
``interrupt_schema="agent_inbox"``, the Agent Inbox's ``HumanInterrupt`` list); see
``handoff.integrations._hitl`` for the shapes and the answers read. The graph resumes
with the middleware's decisions (``approve``, ``edit``, ``reject``, ``respond``) or the
Agent Inbox's responses: ``resume_command`` builds them from the decisions recorded in
handoff, or a reviewer's UI sends its own, with who decided.

An answer handoff refuses (a reviewer outside the owning team, the requester, a second
approval by the same person, a missing field) is never raised into the graph: LangGraph
replays a task's answers on every later resume, so a raise would wedge the thread. The
graph pauses again with ``error`` naming the field, and the next answer is read.

The checkpointer keeps the graph's state; handoff keeps the decision record, and it wins:
an answer for a handoff decided meanwhile (in the inbox, say) is not used. An approved
action runs once, through the plane, bound to the approved args' hash.
"""

from __future__ import annotations

from ._extra import missing_extra

try:
    from langchain_core.tools import BaseTool, InjectedToolArg, ToolException
    from langchain_core.tools import tool as as_tool
    from langgraph.config import get_config
    from langgraph.errors import GraphInterrupt
    from langgraph.types import Command, interrupt
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("langgraph", "langgraph") from exc

import hashlib
import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Annotated, Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, create_model

from .._canonical import canonical_json
from .._exceptions import InputError
from .._outcome import Outcome
from ..models import Action, Handoff, State
from ..plane import parse_input
from ..protocol import Plane
from ._brief import DEFAULT_INBOX_URL, is_open, refusal, revision_note
from ._calls import by_value
from ._hitl import ALLOWED_DECISIONS, SCHEMAS, answer_text, decision_of, record, request

__all__ = [
    "ALLOWED_DECISIONS",
    "decision_response",
    "gate",
    "gate_tool",
    "resume_command",
    "review_request",
]

#: The tool call being run by a gated tool: its id, its raw args and its whole turn.
_CALL: ContextVar[tuple[str | None, dict[str, Any] | None, Any] | None] = ContextVar(
    "handoff_tool_call", default=None
)

#: One review at a time per model turn: the calls of a turn run in parallel threads, and
#: LangGraph numbers a task's interrupts with one counter, so only one call may read the
#: answers. What it found wrong is kept for the calls that pause after it in the same run.
_GUARD = threading.Lock()
_LOCKS: dict[str, threading.Lock] = {}
_ERRORS: dict[str, dict[str, Any] | None] = {}


def review_request(
    h: Handoff, inbox_url: str = DEFAULT_INBOX_URL, name: str = "", schema: str = "hitl"
) -> Any:
    """The interrupt value for one handoff (see ``_hitl.request`` for a turn's calls)."""
    return request([(h, name or h.action.tool)], inbox_url, schema)


def decision_response(h: Handoff, name: str = "") -> dict[str, Any]:
    """The resume value for a decided handoff, in the middleware's ``decisions`` shape."""
    return {"handoff_id": h.id, "decisions": [decision_of(h, name)]}


def resume_command(plane: Plane, handoff_id: str, *more: str) -> Command[Any]:
    """``Command(resume=...)`` for a graph paused on these handoffs, once all are decided.

    Give every handoff of the interrupt, in its order (``value["handoffs"]``).
    """
    ids = [handoff_id, *more]
    decisions = [decision_of(plane.get(i)) for i in ids]
    return Command(resume={"handoff_ids": ids, "decisions": decisions})


def _graph_key(tool: str, call_id: str | None) -> str | None:
    """An idempotency key stable across a resume: the thread, the task and the tool call.

    A resumed node runs again from its start, so its submit must find the first one.
    """
    try:
        config = get_config()
    except RuntimeError:  # not inside a graph: no resume, so no key is needed
        return None
    configurable = config.get("configurable") or {}
    parts = [
        str(configurable.get("thread_id", "")),
        str(configurable.get("checkpoint_ns", "")),
        call_id or "",
        tool,
    ]
    return "langgraph:" + hashlib.sha256(canonical_json(parts).encode()).hexdigest()[:32]


def _reviewer() -> Any:
    try:
        return (get_config().get("configurable") or {}).get("handoff_reviewer")
    except RuntimeError:
        return None


def _answers() -> list[Any]:
    """Every answer LangGraph holds for this task, oldest first.

    Each earlier run read (and recorded) one of them, so only the last can be new.
    """
    found: list[Any] = []
    while True:
        try:
            found.append(interrupt(None))
        except GraphInterrupt:
            return found


def _reviewed(h: Handoff) -> bool:
    """True for a handoff a human was asked about (an auto-run one never is)."""
    return is_open(h) or bool(h.decisions) or h.state in (State.EXPIRED, State.CANCELLED)


_PLANE = threading.Lock()


def _lock(batch: str) -> threading.Lock:
    with _GUARD:
        return _LOCKS.setdefault(batch, threading.Lock())


def _settle(
    plane: Plane,
    turn: list[tuple[Action, str]],
    own: int,
    *,
    wait: float,
    inbox_url: str,
    schema: str,
) -> Handoff:
    """Submit the turn's calls; pause until the call at ``own`` is decided; return it."""
    # A turn's calls run in parallel threads; one plane call at a time keeps an embedded
    # plane's single database connection out of two transactions at once.
    with _PLANE:
        hs = [plane.submit(act).handoff for act, _name in turn]  # on a resume, replayed
    if is_open(hs[own]) and wait > 0:
        hs[own] = plane.wait(hs[own].id, wait)
    if not is_open(hs[own]):
        return hs[own]
    batch = canonical_json(sorted(h.id for h in hs))
    with _lock(batch), _PLANE:
        hs = [plane.get(h.id) for h in hs]
        if not is_open(hs[own]):
            return hs[own]  # another call of the turn read the answer
        review = [i for i, h in enumerate(hs) if _reviewed(h)]
        answers = _answers()
        if answers:
            _ERRORS[batch] = record(plane, [hs[i] for i in review], answers[-1], _reviewer())
            hs = [plane.get(h.id) for h in hs]
        if not any(is_open(h) for h in hs):  # the turn is settled: forget it
            with _GUARD:
                _ERRORS.pop(batch, None)
                _LOCKS.pop(batch, None)
        if not is_open(hs[own]):
            return hs[own]
        entries = [(hs[i], turn[i][1]) for i in review]
        interrupt(request(entries, inbox_url, schema, _ERRORS.get(batch)))
    raise AssertionError("unreachable: no answer is left for this run")  # pragma: no cover


def gate(
    plane: Plane,
    action: Action | Mapping[str, Any],
    *,
    wait: float = 0.0,
    inbox_url: str = DEFAULT_INBOX_URL,
    name: str = "",
    interrupt_schema: str = "hitl",
) -> Outcome:
    """Submit ``action`` from inside a graph node; interrupt the graph while a human decides.

    Returns the settled ``Outcome``: ``executed`` (with the executor's result),
    ``rejected``, ``needs_info`` (a reviewer answered instead), ``blocked`` or
    ``failed``. Call it where the node would have run the action; register the action's
    executor on the plane first. ``wait`` seconds are spent waiting for a decision before
    interrupting; ``interrupt_schema`` is ``hitl`` (the middleware's) or ``agent_inbox``.

    Without an ``idempotency_key``, the key is made from the thread, the task and the
    tool call; a node that gates the same tool twice gives each call a key of its own.
    """
    if interrupt_schema not in SCHEMAS:
        raise InputError(f"one of {list(SCHEMAS)}", field="interrupt_schema")
    act = parse_input(Action, action, "action")
    call = _CALL.get()
    if act.idempotency_key is None:
        act = act.model_copy(update={"idempotency_key": _graph_key(act.tool, call and call[0])})
    turn, own = [(act, name or act.tool)], 0
    if call is not None and call[2] is not None:
        turn, own = call[2](act, name or act.tool)
    h = _settle(plane, turn, own, wait=wait, inbox_url=inbox_url, schema=interrupt_schema)
    if h.state in (State.APPROVED, State.AUTO_APPROVED):
        return plane.execute(h.id)
    return Outcome.of(h)


class _GatedTool(BaseTool):
    """A LangChain tool whose every call goes through ``gate`` before the inner tool runs."""

    inner: BaseTool
    plane: Any
    action_tool: str
    agent: str
    wait: float
    inbox_url: str
    interrupt_schema: str

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        token = _CALL.set(self._call(input))
        try:
            return super().invoke(_without_runtime(input), config, **kwargs)
        finally:
            _CALL.reset(token)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        token = _CALL.set(self._call(input))
        try:
            return await super().ainvoke(_without_runtime(input), config, **kwargs)
        finally:
            _CALL.reset(token)

    def _call(self, tool_input: Any) -> tuple[str | None, dict[str, Any] | None, Any]:
        """This call's id and raw args, and how to find the other calls of its turn."""
        if not isinstance(tool_input, dict) or not isinstance(tool_input.get("args"), dict):
            return None, None, None
        call_id = tool_input.get("id") if isinstance(tool_input.get("id"), str) else None
        args = {k: v for k, v in tool_input["args"].items() if k != "runtime"}
        runtime = tool_input["args"].get("runtime")
        if call_id is None or runtime is None:
            return call_id, args, None

        def turn(own: Action, name: str) -> tuple[list[tuple[Action, str]], int]:
            return _turn(runtime, call_id, own, name, self.plane)

        return call_id, args, turn

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        for k in ("run_manager", "config", "runtime"):
            kwargs.pop(k, None)
        call = _CALL.get()
        proposed = by_value(call[1]) if call and call[1] is not None else kwargs
        action = Action(tool=self.action_tool, args=proposed, agent=self.agent)
        outcome = gate(
            self.plane,
            action,
            wait=self.wait,
            inbox_url=self.inbox_url,
            name=self.name,
            interrupt_schema=self.interrupt_schema,
        )
        h = outcome.handoff
        if h.state is State.NEEDS_INFO:
            return answer_text(h)  # the reviewer answered in place of the tool
        if outcome.status != "executed":
            raise ToolException(
                refusal(h, self.name) if h.state is not State.FAILED else _failed(h)
            )
        note = revision_note(proposed, h, self.name)
        return outcome.result if note is None else f"{note}\n\n{outcome.result}"


def _without_runtime(tool_input: Any) -> Any:
    """The call without the ``runtime`` the ToolNode injected for the gate's own use."""
    if isinstance(tool_input, dict) and isinstance(tool_input.get("args"), dict):
        args = {k: v for k, v in tool_input["args"].items() if k != "runtime"}
        return {**tool_input, "args": args}
    return tool_input


def _turn(
    runtime: Any, call_id: str, own: Action, name: str, plane: Any
) -> tuple[list[tuple[Action, str]], int]:
    """The gated calls of the model turn that made ``call_id``, as actions, and which is
    this one. Calls of other tools (or other planes) are left to themselves."""
    state = getattr(runtime, "state", None)
    messages = state.get("messages") if isinstance(state, Mapping) else state
    if not isinstance(messages, list):
        messages = getattr(state, "messages", None) or []
    message = next(
        (
            m
            for m in reversed(messages)
            if isinstance(m, AIMessage) and any(c.get("id") == call_id for c in m.tool_calls)
        ),
        None,
    )
    tools = {t.name: t for t in getattr(runtime, "tools", None) or []}
    if message is None:
        return [(own, name)], 0
    turn: list[tuple[Action, str]] = []
    own_at = 0
    for c in message.tool_calls:
        t = tools.get(c["name"])
        if c.get("id") == call_id:
            own_at = len(turn)
            turn.append((own, name))
        elif isinstance(t, _GatedTool) and t.plane is plane:
            key = _graph_key(t.action_tool, c.get("id"))
            args = by_value({k: v for k, v in c["args"].items() if k != "runtime"})
            act = Action(tool=t.action_tool, args=args, agent=t.agent, idempotency_key=key)
            turn.append((act, t.name))
    return turn, own_at


def _failed(h: Handoff) -> str:
    error = h.execution.error if h.execution else None
    return f"{h.action.tool} failed: {error} (handoff {h.id})"


def _with_runtime(schema: Any) -> Any:
    """``schema`` plus a ``runtime`` field the model never sees: the ToolNode fills it with
    the step's state and tools, from which a gated call finds the other calls of its turn.
    A JSON-schema tool keeps its schema (its calls pause one by one)."""
    if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        return schema
    if "runtime" in schema.model_fields:
        return schema
    return create_model(
        schema.__name__,
        __base__=schema,
        runtime=(Annotated[Any, InjectedToolArg], None),
    )


def gate_tool(
    plane: Plane,
    tool: BaseTool | Callable[..., Any],
    *,
    name: str | None = None,
    agent: str = "langgraph-agent",
    wait: float = 0.0,
    inbox_url: str = DEFAULT_INBOX_URL,
    interrupt_schema: str = "hitl",
) -> BaseTool:
    """The same tool, gated: the model sees its name and schema unchanged.

    ``name`` is the handoff tool name the policy matches (default: the tool's own name).
    The inner tool becomes the action's executor, so it runs only once allowed, with the
    approved (possibly revised) args. A refusal comes back to the model as an error tool
    message carrying the reviewer's rationale; a revision is named before the result; a
    reviewer's ``respond`` is the tool's result. ``interrupt_schema`` is ``hitl`` (the
    middleware's request) or ``agent_inbox`` (a list of ``HumanInterrupt``).
    """
    if interrupt_schema not in SCHEMAS:
        raise InputError(f"one of {list(SCHEMAS)}", field="interrupt_schema")
    inner = tool if isinstance(tool, BaseTool) else as_tool(tool)
    action_tool = name or inner.name
    plane.register(action_tool, lambda **args: inner.invoke(args))
    return _GatedTool(
        name=inner.name,
        description=inner.description,
        args_schema=_with_runtime(inner.args_schema),
        handle_tool_error=True,
        inner=inner,
        plane=plane,
        action_tool=action_tool,
        agent=agent,
        wait=wait,
        inbox_url=inbox_url,
        interrupt_schema=interrupt_schema,
    )

"""LangGraph: a pending handoff becomes an ``interrupt()``; the decision resumes the graph.

Needs the ``langgraph`` extra (``pip install 'handoff-plane[langgraph]'``). Gate a tool the
model calls, or an action inside any node::

    from handoff.integrations.langgraph import gate, gate_tool, resume_command

    tools = ToolNode([gate_tool(plane, publish_post, name="cms.publish")])
    ...
    graph.invoke(inputs, config)                       # pauses: __interrupt__ carries the package
    graph.invoke(resume_command(plane, handoff_id), config)   # once a reviewer decided

The interrupt value follows LangChain's human-in-the-loop middleware: ``action_requests``
(name, args, description) and ``review_configs`` (``approve``, ``edit``, ``reject``), plus
``handoff`` with the handoff id, the package and the inbox link. The graph resumes with
``{"decisions": [...]}`` in the same shape: ``resume_command`` builds it from the
decision recorded in handoff, or a UI that speaks the middleware's protocol sends its own
(each decision with a ``reviewer``; handoff records it as approve, revise or reject).
A resume that cannot be recorded (one without a reviewer, say) pauses the graph again,
with an ``error`` naming the field in the new interrupt value.

The checkpointer keeps the graph's state; handoff keeps the decision record, and it wins:
a resume that disagrees with a recorded decision is ignored in favour of the record. An
approved action runs once, through the plane, bound to the approved args' hash.
"""

from __future__ import annotations

from ._extra import missing_extra

try:
    from langchain_core.tools import BaseTool, ToolException
    from langchain_core.tools import tool as as_tool
    from langgraph.config import get_config
    from langgraph.types import Command, interrupt
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("langgraph", "langgraph") from exc

import hashlib
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from langchain_core.runnables import RunnableConfig

from .._canonical import canonical_json
from .._exceptions import ConflictError, InputError
from .._outcome import Outcome
from ..models import Action, Handoff, State, Verdict
from ..plane import parse_input
from ._brief import DEFAULT_INBOX_URL, is_open, pending_report, refusal, revision_note
from ._plane import Plane

__all__ = [
    "ALLOWED_DECISIONS",
    "decision_response",
    "gate",
    "gate_tool",
    "resume_command",
    "review_request",
]

ALLOWED_DECISIONS = ["approve", "edit", "reject"]

#: The id of the tool call being run, set by a gated tool for ``gate``'s idempotency key.
_TOOL_CALL_ID: ContextVar[str | None] = ContextVar("handoff_tool_call_id", default=None)


def review_request(
    h: Handoff, inbox_url: str = DEFAULT_INBOX_URL, name: str = ""
) -> dict[str, Any]:
    """The interrupt value: a human-in-the-loop request carrying the handoff package."""
    package = h.package
    description = (
        f"{package.summary}\n\n{package.decision_required}" if package else refusal(h)
    ).strip()
    action_name = name or h.action.tool
    return {
        "action_requests": [
            {"name": action_name, "args": h.action.args, "description": description}
        ],
        "review_configs": [
            {"action_name": action_name, "allowed_decisions": list(ALLOWED_DECISIONS)}
        ],
        "handoff": {
            **pending_report(h, inbox_url),
            "package": package.model_dump(mode="json") if package else None,
        },
    }


def decision_response(h: Handoff, name: str = "") -> dict[str, Any]:
    """The resume value for a decided handoff, in the middleware's ``decisions`` shape."""
    if is_open(h):
        raise ConflictError(f"handoff {h.id} awaits a decision still", field="handoff_id")
    d = h.decisions[-1] if h.decisions else None
    who = {"reviewer": d.reviewer, "rationale": d.rationale} if d else {}
    if h.state in _GO:
        if d is not None and d.verdict in (Verdict.REVISE, Verdict.CHOOSE):
            edited = {"name": name or h.action.tool, "args": h.action.args}
            decision = {"type": "edit", "edited_action": edited, **who}
        else:
            decision = {"type": "approve", **who}
    else:
        decision = {"type": "reject", "message": refusal(h), **who}
    return {"handoff_id": h.id, "decisions": [decision]}


def resume_command(plane: Plane, handoff_id: str) -> Command[Any]:
    """``Command(resume=...)`` that resumes a graph paused on ``handoff_id``, once decided."""
    return Command(resume=decision_response(plane.get(handoff_id)))


_GO = (State.APPROVED, State.AUTO_APPROVED, State.EXECUTING, State.EXECUTED, State.FAILED)
_VERDICTS = {"approve": Verdict.APPROVE, "edit": Verdict.REVISE, "reject": Verdict.REJECT}


def _record(plane: Plane, h: Handoff, response: Any) -> Handoff:
    """Read a resume value; record its decision in handoff unless one is recorded already."""
    if not isinstance(response, Mapping):
        raise InputError("resume with {'decisions': [...]} or resume_command()", field="resume")
    if response.get("handoff_id") not in (None, h.id):
        raise InputError(
            f"this resume is for handoff {response['handoff_id']!r}, not {h.id!r}",
            field="resume.handoff_id",
        )
    h = plane.get(h.id)
    decisions = response.get("decisions") or []
    if not is_open(h) or not decisions:
        return h
    if not isinstance(decisions, list) or len(decisions) != 1:
        raise InputError("give exactly one decision per action", field="resume.decisions")
    d = decisions[0]
    kind = d.get("type") if isinstance(d, Mapping) else None
    if kind not in _VERDICTS:
        raise InputError(
            f"type must be one of {ALLOWED_DECISIONS}, not {kind!r}", field="decisions[0].type"
        )
    reviewer = d.get("reviewer")
    if not isinstance(reviewer, str) or not reviewer:
        raise InputError(
            "handoff records who decided: add a reviewer", field="decisions[0].reviewer"
        )
    fields: dict[str, Any] = {"verdict": _VERDICTS[kind].value, "reviewer": reviewer}
    fields["rationale"] = d.get("rationale") or d.get("message") or ""
    if kind == "edit":
        edited = d.get("edited_action")
        if not isinstance(edited, Mapping) or not isinstance(edited.get("args"), Mapping):
            raise InputError("an edit needs edited_action.args", field="decisions[0].edited_action")
        fields["args"] = dict(edited["args"])
    try:
        return plane.decide(h.id, **fields)
    except InputError as exc:
        where = "edited_action.args" if exc.field == "args" else exc.field or ""
        raise InputError(exc.message, field=f"decisions[0].{where}".rstrip(".")) from None


def _graph_key(tool: str) -> str | None:
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
        _TOOL_CALL_ID.get() or "",
        tool,
    ]
    return "langgraph:" + hashlib.sha256(canonical_json(parts).encode()).hexdigest()[:32]


def gate(
    plane: Plane,
    action: Action | Mapping[str, Any],
    *,
    wait: float = 0.0,
    inbox_url: str = DEFAULT_INBOX_URL,
    name: str = "",
) -> Outcome:
    """Submit ``action`` from inside a graph node; interrupt the graph while a human decides.

    Returns the settled ``Outcome``: ``executed`` (with the executor's result),
    ``rejected``, ``needs_info``, ``blocked`` or ``failed``. Call it where the node would
    have run the action; register the action's executor on the plane first.
    ``wait`` seconds are spent waiting for a decision before interrupting.

    Without an ``idempotency_key``, the key is made from the thread, the task and the
    tool call; a node that gates the same tool twice gives each call a key of its own.
    """
    act = parse_input(Action, action, "action")
    if act.idempotency_key is None:
        act = act.model_copy(update={"idempotency_key": _graph_key(act.tool)})
    outcome = plane.submit(act)  # on a resume, the first submit is replayed
    h = outcome.handoff
    if outcome.status == "executed":
        return outcome
    if is_open(h) and wait > 0:
        h = plane.wait(h.id, wait)
    request = review_request(h, inbox_url, name)
    while is_open(h):
        try:
            h = _record(plane, h, interrupt(request))
        except InputError as exc:
            # LangGraph keeps every resume value of a task, so raising would replay this
            # one forever: pause again, saying what was wrong, and wait for the next.
            request = {**request, "error": {"field": exc.field, "message": exc.message}}
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

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        token = _TOOL_CALL_ID.set(_call_id(input))
        try:
            return super().invoke(input, config, **kwargs)
        finally:
            _TOOL_CALL_ID.reset(token)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        token = _TOOL_CALL_ID.set(_call_id(input))
        try:
            return await super().ainvoke(input, config, **kwargs)
        finally:
            _TOOL_CALL_ID.reset(token)

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("run_manager", None)
        kwargs.pop("config", None)
        action = Action(tool=self.action_tool, args=kwargs, agent=self.agent)
        outcome = gate(self.plane, action, wait=self.wait, inbox_url=self.inbox_url, name=self.name)
        h = outcome.handoff
        if outcome.status != "executed":
            raise ToolException(refusal(h) if h.state is not State.FAILED else _failed(h))
        note = revision_note(kwargs, h)
        return outcome.result if note is None else f"{note}\n\n{outcome.result}"


def _call_id(tool_input: Any) -> str | None:
    """The id of the tool call a ``ToolNode`` passes in (a ``ToolCall`` dict), if any."""
    call_id = tool_input.get("id") if isinstance(tool_input, dict) else None
    return call_id if isinstance(call_id, str) else None


def _failed(h: Handoff) -> str:
    error = h.execution.error if h.execution else None
    return f"{h.action.tool} failed: {error} (handoff {h.id})"


def gate_tool(
    plane: Plane,
    tool: BaseTool | Callable[..., Any],
    *,
    name: str | None = None,
    agent: str = "langgraph-agent",
    wait: float = 0.0,
    inbox_url: str = DEFAULT_INBOX_URL,
) -> BaseTool:
    """The same tool, gated: the model sees its name and schema unchanged.

    ``name`` is the handoff tool name the policy matches (default: the tool's own name).
    The inner tool becomes the action's executor, so it runs only once allowed, with the
    approved (possibly revised) args. A refusal comes back to the model as an error tool
    message carrying the reviewer's rationale; a revision is named before the result.
    """
    inner = tool if isinstance(tool, BaseTool) else as_tool(tool)
    action_tool = name or inner.name
    plane.register(action_tool, lambda **args: inner.invoke(args))
    return _GatedTool(
        name=inner.name,
        description=inner.description,
        args_schema=inner.args_schema,
        handle_tool_error=True,
        inner=inner,
        plane=plane,
        action_tool=action_tool,
        agent=agent,
        wait=wait,
        inbox_url=inbox_url,
    )

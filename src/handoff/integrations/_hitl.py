"""The shapes LangGraph reviewers speak: LangChain's human-in-the-loop middleware and
the Agent Inbox.

A pause is one interrupt for every call of a model turn that awaits a human. Its value
is either the middleware's request (``action_requests`` and ``review_configs``, plus
``handoff``/``handoffs`` with the packages) or, for the Agent Inbox, a list of
``HumanInterrupt`` (``action_request``, ``config``, ``description``). Either kind of
answer is read here into one decision per action:

- middleware, batched: ``{"decisions": [...]}``, one per action, in order;
- middleware, per call: one decision alone (``{"type": "approve"}``), for one action;
- Agent Inbox: a list of ``HumanResponse`` (``accept``, ``edit``, ``response``,
  ``ignore``).

Decision types are ``approve``, ``edit`` (``edited_action.args``), ``reject``
(``message``) and ``respond`` (``message``: the human answers in place of the tool).
handoff records who decided: ``reviewer`` on the decision, on the resume value, or the
run's ``configurable["handoff_reviewer"]``, set by the application that signed the
reviewer in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import ConflictError, HandoffError, InputError
from ..models import Handoff, State, Verdict
from ..protocol import Plane
from ._brief import is_open, pending_report, refusal

__all__ = [
    "ALLOWED_DECISIONS",
    "SCHEMAS",
    "decision_of",
    "record",
    "request",
]

ALLOWED_DECISIONS = ["approve", "edit", "reject", "respond"]
SCHEMAS = ("hitl", "agent_inbox")

_GO = (State.APPROVED, State.AUTO_APPROVED, State.EXECUTING, State.EXECUTED, State.FAILED)
#: The Agent Inbox's response types, in the middleware's words (its edit is an edit).
_INBOX_TYPES = {"accept": "approve", "response": "respond", "ignore": "reject"}


def _description(h: Handoff, inbox_url: str) -> str:
    package = h.package
    text = f"{package.summary}\n\n{package.decision_required}" if package else refusal(h)
    if not is_open(h):
        text = f"Decided already ({h.state.value}); this answer is not used.\n\n{text}"
    return f"{text.strip()}\n\nInbox: {pending_report(h, inbox_url)['inbox_url']}"


def _report(h: Handoff, inbox_url: str) -> dict[str, Any]:
    package = h.package
    return {
        **pending_report(h, inbox_url),
        "state": h.state.value,
        "package": package.model_dump(mode="json") if package else None,
    }


def request(
    entries: list[tuple[Handoff, str]],
    inbox_url: str,
    schema: str = "hitl",
    error: Mapping[str, Any] | None = None,
) -> Any:
    """The interrupt value for ``entries`` (each a handoff and the tool's name)."""
    if schema == "agent_inbox":
        out = []
        for h, name in entries:
            text = _description(h, inbox_url)
            if error:
                text = f"**Not recorded:** {error['field']}: {error['message']}\n\n{text}"
            flags = ("allow_accept", "allow_edit", "allow_respond", "allow_ignore")
            out.append(
                {
                    "action_request": {"action": name, "args": h.action.args},
                    "config": dict.fromkeys(flags, True),
                    "description": text,
                    "handoff": _report(h, inbox_url),
                }
            )
        return out
    value: dict[str, Any] = {
        "action_requests": [
            {"name": name, "args": h.action.args, "description": _description(h, inbox_url)}
            for h, name in entries
        ],
        "review_configs": [
            {"action_name": name, "allowed_decisions": list(ALLOWED_DECISIONS)}
            for _h, name in entries
        ],
        "handoff": _report(entries[0][0], inbox_url),
        "handoffs": [_report(h, inbox_url) for h, _name in entries],
    }
    if error:
        value["error"] = dict(error)
    return value


def _decisions(value: Any, n: int) -> list[Any]:
    if isinstance(value, list):
        decisions: Any = value
    elif isinstance(value, Mapping) and "decisions" in value:
        decisions = value["decisions"]
    elif isinstance(value, Mapping) and "type" in value:
        decisions = [value]  # the middleware's per-call answer: one decision alone
    else:
        raise InputError(
            "resume with {'decisions': [...]}, one decision, or resume_command()",
            field="resume",
        )
    if not isinstance(decisions, list) or len(decisions) != n:
        raise InputError(
            f"give one decision for each of the {n} action(s), in order",
            field="resume.decisions",
        )
    return decisions


def _one(d: Any, i: int, reviewer: Any) -> dict[str, Any]:
    """A decision in handoff's terms: verdict, reviewer, rationale and (for an edit) args."""
    at = f"decisions[{i}]"
    given = d.get("type") if isinstance(d, Mapping) else None
    kind = _INBOX_TYPES.get(given, given) if isinstance(given, str) else None
    if kind not in ALLOWED_DECISIONS:
        raise InputError(
            f"type must be one of {ALLOWED_DECISIONS} (or the Agent Inbox's accept, edit,"
            f" response, ignore), not {given!r}",
            field=f"{at}.type",
        )
    assert isinstance(d, Mapping)
    who = d.get("reviewer") or reviewer
    if not isinstance(who, str) or not who:
        raise InputError("handoff records who decided: add a reviewer", field=f"{at}.reviewer")
    text = d.get("rationale") or d.get("message")
    if text is None and isinstance(d.get("args"), str):
        text = d["args"]  # the Agent Inbox's response carries its text in args
    fields: dict[str, Any] = {"reviewer": who, "rationale": text or ""}
    if kind == "approve":
        fields["verdict"] = Verdict.APPROVE.value
    elif kind == "reject":
        fields["verdict"] = Verdict.REJECT.value
        if given == "ignore" and not text:
            fields["rationale"] = "ignored in the Agent Inbox"
    elif kind == "respond":
        if not fields["rationale"]:
            raise InputError("a respond needs a message", field=f"{at}.message")
        fields["verdict"] = Verdict.REDIRECT.value  # no owner: sent back with the answer
    else:
        edited = d.get("edited_action") or d.get("args")
        if not isinstance(edited, Mapping) or not isinstance(edited.get("args"), Mapping):
            raise InputError("an edit needs edited_action.args", field=f"{at}.edited_action")
        fields["verdict"] = Verdict.REVISE.value
        fields["args"] = dict(edited["args"])
    return fields


def record(
    plane: Plane, handoffs: list[Handoff], value: Any, reviewer: Any = None
) -> dict[str, Any] | None:
    """Record the answer ``value`` for ``handoffs``; the first refusal, or None.

    Every decision that can be recorded is; a handoff decided in the meantime (in the
    inbox, say) keeps its record and its answer is not used.
    """
    if isinstance(value, Mapping):
        reviewer = value.get("reviewer") or reviewer
        ids = value.get("handoff_ids") or (
            [value["handoff_id"]] if value.get("handoff_id") else None
        )
        if ids is not None and list(ids) != [h.id for h in handoffs]:
            return {
                "field": "resume.handoff_ids",
                "message": f"this resume is for {list(ids)}, not {[h.id for h in handoffs]}",
            }
    first: dict[str, Any] | None = None
    try:
        decisions = _decisions(value, len(handoffs))
    except InputError as exc:
        return {"field": exc.field, "message": exc.message}
    for i, (h, d) in enumerate(zip(handoffs, decisions, strict=True)):
        try:
            fields = _one(d, i, reviewer)
            if is_open(plane.get(h.id)):
                plane.decide(h.id, **fields)
        except HandoffError as exc:
            where = "edited_action.args" if exc.field == "args" else exc.field or ""
            if not where.startswith("decisions["):
                where = f"decisions[{i}].{where}".rstrip(".")
            if first is None:
                first = {"field": where, "message": exc.message}
    return first


def decision_of(h: Handoff, name: str = "") -> dict[str, Any]:
    """The answer that tells what happened to ``h``: approve, edit, reject or respond."""
    if is_open(h):
        raise ConflictError(f"handoff {h.id} awaits a decision still", field="handoff_id")
    d = h.decisions[-1] if h.decisions else None
    who = {"reviewer": d.reviewer, "rationale": d.rationale} if d else {}
    if h.state in _GO:
        if any(x.verdict in (Verdict.REVISE, Verdict.CHOOSE) for x in h.decisions):
            edited = {"name": name or h.action.tool, "args": h.action.args}
            return {"type": "edit", "edited_action": edited, **who}
        return {"type": "approve", **who}
    if h.state is State.NEEDS_INFO:
        return {"type": "respond", "message": answer_text(h), **who}
    return {"type": "reject", "message": refusal(h, name), **who}


def answer_text(h: Handoff) -> str:
    """What a reviewer who sent the call back said, in place of the tool's result."""
    d = h.decisions[-1] if h.decisions else None
    if d is None:
        return refusal(h)
    extra = [q for q in d.questions if q != d.rationale]
    return " ".join([d.rationale, *extra]).strip() or refusal(h)

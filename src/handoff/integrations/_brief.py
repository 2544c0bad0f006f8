"""What every integration tells an agent about a handoff, in the same words.

A pending handoff becomes a short report (id, owner, why, the decision required and the
inbox link); a refused one becomes one sentence with the reviewer's rationale; a revised
one says which arguments the reviewer changed. The inbox link is
``{inbox_url}/handoffs/{id}`` on the server ``handoff serve`` runs.
"""

from __future__ import annotations

from typing import Any

from ..decide.lifecycle import OPEN
from ..models import Decision, Handoff, State, Verdict

__all__ = [
    "DEFAULT_INBOX_URL",
    "changed_args",
    "inbox_link",
    "is_open",
    "pending_report",
    "refusal",
    "revision_note",
]

DEFAULT_INBOX_URL = "http://127.0.0.1:8000"

#: States in which the action will not run, and why, in the agent's terms.
_REFUSED = {
    State.REJECTED: "rejected",
    State.NEEDS_INFO: "sent back for more information",
    State.EXPIRED: "expired without a decision",
    State.CANCELLED: "cancelled",
    State.BLOCKED: "blocked by the policy",
}


def inbox_link(inbox_url: str, handoff_id: str) -> str:
    return f"{inbox_url.rstrip('/')}/handoffs/{handoff_id}"


def is_open(h: Handoff) -> bool:
    """True while a human has yet to decide."""
    return h.state in OPEN


def _last(h: Handoff) -> Decision | None:
    return h.decisions[-1] if h.decisions else None


def pending_report(h: Handoff, inbox_url: str) -> dict[str, Any]:
    """A JSON report of a handoff that awaits a decision, for the agent to keep and poll."""
    package = h.package
    return {
        "status": "pending",
        "handoff_id": h.id,
        "tool": h.action.tool,
        "owner": h.owner,
        "level": h.assessment.level.value,
        "deadline": h.deadline.isoformat() if h.deadline else None,
        "reasons": h.assessment.reasons()[:5],
        "summary": package.summary if package else "",
        "decision_required": package.decision_required if package else "",
        "inbox_url": inbox_link(inbox_url, h.id),
        "message": (
            f"{h.action.tool} awaits approval by {h.owner or 'a reviewer'} (handoff {h.id});"
            " it has not run. Ask again later with the handoff id."
        ),
    }


def refusal(h: Handoff, name: str = "") -> str:
    """One sentence saying why the action will not run, with the reviewer's rationale.

    ``name`` is the tool as the agent knows it (default: the handoff's tool name), so
    the model reads about the tool it called.
    """
    tool = name or h.action.tool
    how = _REFUSED.get(h.state, h.state.value)
    d = _last(h)
    if h.state is State.BLOCKED:
        why = "; ".join(h.assessment.reasons()[:3]) or "the policy forbids this action"
        return f"{tool} was {how}: {why} (handoff {h.id})"
    if d is None:
        return f"{tool} was {how} (handoff {h.id})"
    text = f"{tool} was {how} by {d.reviewer}: {d.rationale or 'no rationale given'}"
    if h.state is State.NEEDS_INFO and d.questions:
        text += " Questions: " + " ".join(d.questions)
    return f"{text} (handoff {h.id})"


def changed_args(original: dict[str, Any], h: Handoff) -> list[str]:
    """The argument names a reviewer changed (empty when it ran as proposed)."""
    now = h.action.args
    return sorted(k for k in set(original) | set(now) if original.get(k) != now.get(k))


def revision_note(original: dict[str, Any], h: Handoff, name: str = "") -> str | None:
    """What the reviewer changed before the action ran, or None when nothing changed.

    ``name`` is the tool as the agent knows it (default: the handoff's tool name).
    """
    changed = changed_args(original, h)
    if not changed:
        return None
    d = next(
        (d for d in reversed(h.decisions) if d.verdict in (Verdict.REVISE, Verdict.CHOOSE)),
        None,
    )
    who = d.reviewer if d else "a reviewer"
    parts = [f"{k}={h.action.args.get(k)!r}" for k in changed]
    note = f"{who} revised {name or h.action.tool} before it ran: " + ", ".join(parts)
    if d and d.rationale:
        note += f" ({d.rationale})"
    return note

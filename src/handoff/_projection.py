"""What the audit chain says about a handoff: its state, action hash and decisions.

The ``handoffs`` table is a cache of the chain, written in the same transaction as its
events; the chain is the truth, because only the chain is hash-linked (and signed by
checkpoints). Folding a handoff's events in seq order gives back three things the row
must agree with:

- the **state**: every state-changing event kind names the state it leads to, so the
  state is the one named by the last of them (``approval_recorded``, ``reminded``,
  ``stage_completed`` and the like change nothing);
- the **action hash**: the ``submitted`` event's, replaced by each ``revised`` one's;
- the **decisions**: one ``(verdict, reviewer, action_hash)`` per decision event, in
  order, which the row keeps as ``decisions_hash`` (see ``digest``).

``audit.verify`` runs this fold over millions of events, so it works on raw stored
columns (``kind``, ``actor``, ``data`` text) and parses ``data`` only where it must.
A claim to execute folds the handoff's own events (``approval``) and needs the
approving events, bound to the hash that would run, in the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "APPROVING",
    "STATE_OF",
    "Projection",
    "approval_problem",
    "decision_of",
    "digest",
    "fold",
    "hash_of",
    "row_digest",
]

#: The state each state-changing event kind leads to.
STATE_OF: dict[str, str] = {
    "pending": "pending",
    "auto_approved": "auto_approved",
    "blocked": "blocked",
    "approved": "approved",
    "rejected": "rejected",
    "redirected": "redirected",
    "needs_info": "needs_info",
    "expired": "expired",
    "cancelled": "cancelled",
    "execution_started": "executing",
    "execution_resumed": "executing",
    "executed": "executed",
    "execution_failed": "failed",
    "rolled_back": "rolled_back",
}
#: Verdicts that count towards a quorum.
APPROVING = frozenset({"approve", "revise", "choose"})
#: Decision events whose verdict follows from the kind alone.
_VERDICT_OF = {"rejected": "reject", "redirected": "redirect", "needs_info": "redirect"}
#: Decision events whose verdict and hash are in ``data``.
_VOTES = frozenset({"approved", "approval_recorded"})
#: The prefix of a ``submitted`` (or vote) event's canonical data: ``action_hash``
#: sorts first.
_SUBMITTED = '{"action_hash":"'

Decided = tuple[str, str, str | None]


def hash_of(kind: str, data: str) -> str | None:
    """The action hash a ``submitted`` or ``revised`` event sets; None for other kinds.

    Canonical JSON sorts keys, so a ``submitted`` event's data starts with its hash:
    sliced without parsing, which is most of what verify saves per handoff.
    """
    if kind == "submitted":
        if data.startswith(_SUBMITTED) and data[80:81] == '"':
            return data[16:80]
        got = _load(data).get("action_hash")
    elif kind == "revised":
        got = _load(data).get("to_hash")
    else:
        return None
    return got if isinstance(got, str) else None


def _load(data: str) -> dict[str, Any]:
    """An event's data as a dict; ``{}`` for anything else, so an odd event (one the
    plane never writes) carries nothing and the row comparison shows what it lacks."""
    try:
        got = json.loads(data)
    except ValueError:
        return {}
    return got if isinstance(got, dict) else {}


def decision_of(kind: str, actor: str, data: str, current: str | None) -> Decided | None:
    """The decision a decision event records, with the hash it was bound to; ``current``
    is the action hash when the event was written (reject and redirect carry none)."""
    if kind in _VOTES:
        # Canonical JSON sorts keys: the hash comes first and the verdict (a plain
        # word) last, and no string value can hold an unescaped quote; so both are
        # sliced, which is ten times cheaper than parsing.
        at = data.rfind(',"verdict":"')
        if data.startswith(_SUBMITTED) and data[80:81] == '"' and at > 0 and data[-2:] == '"}':
            return (data[at + 12 : -2], actor, data[16:80])
        d = _load(data)
        got = d.get("action_hash")
        return (str(d.get("verdict")), actor, got if isinstance(got, str) else None)
    verdict = _VERDICT_OF.get(kind)
    return None if verdict is None else (verdict, actor, current)


def digest(decisions: Iterable[Decided], start: str = "") -> str:
    """The row's ``decisions_hash``: empty for no decisions, else a hash chain over them
    (each link is sha256 of the previous link and one length-prefixed decision).

    Chained, so a digest extends with later decisions without the earlier ones: verify
    joins the account of one stretch of the audit chain onto the row's digest for the
    stretch before it. Computed alike from a document and from the chain.
    """
    acc = start
    for verdict, reviewer, bound in decisions:
        bound = bound or ""
        link = f"{acc}\n{len(verdict)}:{verdict}{len(reviewer)}:{reviewer}{len(bound)}:{bound}"
        acc = hashlib.sha256(link.encode()).hexdigest()
    return acc


def row_digest(decisions: Iterable[Any]) -> str:
    """``digest`` of a handoff's ``Decision`` models (what the store writes and checks)."""
    return digest([(d.verdict.value, d.reviewer, d.action_hash) for d in decisions])


@dataclass(slots=True)
class Projection:
    """One handoff as its events tell it."""

    state: str | None = None
    action_hash: str | None = None
    decisions: list[Decided] = field(default_factory=list)
    #: The largest quorum any event recorded (a revise can only raise it).
    quorum: int = 0
    submitted: bool = False


def fold(events: Iterable[tuple[str, str, str]]) -> Projection:
    """Fold one handoff's ``(kind, actor, data)`` events, in seq order."""
    p = Projection()
    for kind, actor, data in events:
        state = STATE_OF.get(kind)
        if state is not None:
            p.state = state
        if kind == "submitted" or kind == "revised":
            p.submitted = p.submitted or kind == "submitted"
            p.action_hash = hash_of(kind, data)
        elif kind == "pending" or kind in _VOTES:
            quorum = _load(data).get("quorum")
            p.quorum = max(p.quorum, quorum if isinstance(quorum, int) else 0)
        decided = decision_of(kind, actor, data, p.action_hash)
        if decided is not None:
            p.decisions.append(decided)
    return p


def approval_problem(
    p: Projection, action_hash: str, allowed: Iterable[str]
) -> tuple[str, str] | None:
    """Why the chain does not back running ``action_hash`` now, as ``(field, reason)``;
    None when it does.

    ``allowed`` are the projected states a claim may start from (``approved`` and
    ``auto_approved`` for a new run, ``executing`` to take over an expired lease). A
    human approval also needs approving events from distinct reviewers, bound to
    ``action_hash``, as many as the largest quorum the chain recorded.
    """
    allowed = set(allowed)
    if not p.submitted:
        return "state", "the audit chain has no submitted event for it"
    if p.state not in allowed:
        want = " or ".join(sorted(allowed))
        return "state", f"the audit chain says it is {p.state}, not {want}"
    if p.action_hash != action_hash:
        return "action_hash", "the action to run is not the one the audit chain holds"
    if p.state == "auto_approved" or (p.state == "executing" and not p.decisions):
        return None
    voters = {who for verdict, who, h in p.decisions if verdict in APPROVING and h == action_hash}
    need = max(p.quorum, 1)
    if len(voters) < need:
        return (
            "decisions",
            f"the audit chain holds {len(voters)} approval(s) of this action; the quorum is {need}",
        )
    return None

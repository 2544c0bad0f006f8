"""Backtest: replay recorded actions through a candidate policy and compare.

Each recorded action (tool, args, agent and its context, exactly as stored) is assessed
under the candidate with the same pure ``rubric.assess`` the plane uses, and the
candidate's mode is set beside what actually happened. Nothing is written.

What a human would have done with an escalation the candidate adds is not recorded,
so the candidate's precision is an estimate: an added escalation on an action that ran
on its own counts as "changed" when an incident was later reported against it (a
reviewer would have caught it) and as "approved unchanged" otherwise. A revised handoff
is replayed with its revised args, the only ones the store keeps. When a handoff has a
``shadow_assessed`` event (shadow mode) for the candidate's version, that recorded
assessment is used instead of assessing again, so the comparison is on live traffic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..detect import rubric
from ..models import Handoff, Mode, State
from ..policy import Policy
from ..store import Tx
from .history import History, auto_executed, decided_at, escalated, human_changed

__all__ = ["Backtest", "backtest", "record_shadow"]

_REVIEW = (Mode.REVIEW, Mode.TWO_PERSON)


@dataclass
class Backtest:
    """The active policy's recorded outcome against the candidate's, over one history."""

    candidate_version: str
    replayed: int = 0
    from_shadow: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    caught: list[str] = field(default_factory=list)
    let_through: list[str] = field(default_factory=list)
    load_active: dict[str, int] = field(default_factory=dict)
    load_candidate: dict[str, int] = field(default_factory=dict)
    precision_active: float | None = None
    precision_candidate: float | None = None

    @property
    def precision_change(self) -> float | None:
        if self.precision_active is None or self.precision_candidate is None:
            return None
        return self.precision_candidate - self.precision_active

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate_version": self.candidate_version,
            "replayed": self.replayed,
            "from_shadow": self.from_shadow,
            "escalations_added": self.added,
            "escalations_removed": self.removed,
            "newly_blocked": self.blocked,
            "incidents_caught": self.caught,
            "changed_let_through": self.let_through,
            "reviewer_load": {
                owner: {
                    "active": self.load_active.get(owner, 0),
                    "candidate": self.load_candidate.get(owner, 0),
                }
                for owner in sorted(set(self.load_active) | set(self.load_candidate))
            },
            "precision_active": self.precision_active,
            "precision_candidate": self.precision_candidate,
            "precision_change": self.precision_change,
        }


def _candidate(
    h: Handoff, candidate: Policy, shadows: list[dict[str, Any]]
) -> tuple[Mode, str | None, bool]:
    """The candidate's mode and owner for ``h``; True when read from a shadow event."""
    for data in shadows:
        if data.get("policy_version") == candidate.version:
            return Mode(data["mode"]), data.get("owner"), True
    a = rubric.assess(h.action, candidate)
    return a.mode, a.owner, False


def backtest(history: History, candidate: Policy) -> Backtest:
    """Compare what happened under the recorded policies with what ``candidate`` would do."""
    out = Backtest(candidate.version)
    load_a: Counter[str] = Counter()
    load_c: Counter[str] = Counter()
    changed_a = decided_a = 0
    changed_c = decided_c = 0
    for h in history.handoffs:
        if h.action.tool == "handoff.rollback":
            continue  # a rollback request is the plane's own action, not an agent's
        shadows = [e.data for e in history.events_of(h.id, "shadow_assessed")]
        mode, owner, shadowed = _candidate(h, candidate, shadows)
        out.replayed += 1
        out.from_shadow += shadowed
        was, now = escalated(h), mode in _REVIEW
        incidents = bool(history.incidents_of(h.id))
        decided = decided_at(h) is not None
        if was:
            load_a[h.assessment.owner or "-"] += 1
            if decided:
                decided_a += 1
                changed_a += human_changed(h)
        if now:
            load_c[owner or "-"] += 1
        if now and not was:
            out.added.append(h.id)
            if auto_executed(h):
                decided_c += 1
                changed_c += incidents
                if incidents:
                    out.caught.append(h.id)
        elif was and not now:
            out.removed.append(h.id)
            if decided and human_changed(h):
                out.let_through.append(h.id)
        elif was and now and decided:
            decided_c += 1
            changed_c += human_changed(h)
        if mode is Mode.BLOCK and h.state is not State.BLOCKED:
            out.blocked.append(h.id)
            if auto_executed(h) and incidents and h.id not in out.caught:
                out.caught.append(h.id)
    out.load_active, out.load_candidate = dict(sorted(load_a.items())), dict(sorted(load_c.items()))
    out.precision_active = changed_a / decided_a if decided_a else None
    out.precision_candidate = changed_c / decided_c if decided_c else None
    return out


def record_shadow(tx: Tx, h: Handoff, shadow: Policy) -> None:
    """Shadow mode: assess ``h``'s action under ``shadow`` and store it beside the active
    assessment, in the submit's own transaction, as a ``shadow_assessed`` event."""
    a = rubric.assess(h.action, shadow)
    tx.event(
        "shadow_assessed",
        handoff_id=h.id,
        actor="policy",
        at=h.created_at,
        data={
            "policy_version": a.policy_version,
            "level": a.level.value,
            "mode": a.mode.value,
            "owner": a.owner,
            "score": round(a.score, 4),
            "triggers": [t.code for t in a.triggers],
        },
    )

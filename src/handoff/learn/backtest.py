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

Within one run, an action recorded more than once (the same tool, args, agent and
context: a scheduled report, a retried call) is assessed once: ``assess`` is pure, so
its mode and owner under the candidate are remembered by the action's stored value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..detect import rubric
from ..models import Handoff, Mode, State
from ..policy import Policy
from ..store import Tx
from ._fact import with_action
from ._record import Learned
from .history import History, auto_executed, decided_at, escalated, human_changed

__all__ = ["Backtest", "backtest", "record_shadow"]

_REVIEW = (Mode.REVIEW, Mode.TWO_PERSON)
#: How many distinct actions one run remembers the candidate's answer for.
_REMEMBERED = 100_000


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


class _Assessor:
    """The candidate's mode and owner for recorded actions, each distinct action
    assessed once per run (at most ``_REMEMBERED`` of them remembered)."""

    def __init__(self, candidate: Policy) -> None:
        self.candidate = candidate
        self.seen: dict[str, tuple[Mode, str | None]] = {}

    def __call__(self, h: Learned, shadows: list[dict[str, Any]]) -> tuple[Mode, str | None, bool]:
        """The candidate's mode and owner for ``h``; True when read from a shadow event."""
        for data in shadows:
            if data.get("policy_version") == self.candidate.version:
                return Mode(data["mode"]), data.get("owner"), True
        # A record's key is its parsed JSON's repr: one text per value (strings quoted,
        # floats exact, 1, 1.0 and True apart) at half the cost of dumping it again; the
        # same action with its keys in another order is only assessed once more.
        key = h.action.model_dump_json() if isinstance(h, Handoff) else repr(h.action.raw)
        known = self.seen.get(key)
        if known is None:
            action = h.action if isinstance(h, Handoff) else h.action.model()
            a = rubric.assess(action, self.candidate)
            known = a.mode, a.owner
            if len(self.seen) < _REMEMBERED:
                self.seen[key] = known
        return known[0], known[1], False


def backtest(
    history: History, candidate: Policy, progress: Callable[[int], None] | None = None
) -> Backtest:
    """Compare what happened under the recorded policies with what ``candidate`` would do.

    The history is replayed a chunk at a time; ``progress`` is told how many handoffs
    each chunk held, as it is done.
    """
    out = Backtest(candidate.version)
    load_a: Counter[str] = Counter()
    load_c: Counter[str] = Counter()
    tally = [0, 0, 0, 0]  # changed and decided, active then candidate
    caught: set[str] = set()
    assessor = _Assessor(candidate)
    for chunk in history.chunks():
        for h in chunk.handoffs:
            _replay(with_action(h), chunk, assessor, out, load_a, load_c, tally, caught)
        if progress is not None:
            progress(len(chunk.handoffs))
    changed_a, decided_a, changed_c, decided_c = tally
    out.load_active, out.load_candidate = dict(sorted(load_a.items())), dict(sorted(load_c.items()))
    out.precision_active = changed_a / decided_a if decided_a else None
    out.precision_candidate = changed_c / decided_c if decided_c else None
    return out


def _replay(
    h: Learned,
    history: History,
    assessor: _Assessor,
    out: Backtest,
    load_a: Counter[str],
    load_c: Counter[str],
    tally: list[int],
    caught: set[str],
) -> None:
    """Replay one handoff into ``out``, the loads and the precision ``tally``."""
    if h.action.tool == "handoff.rollback":
        return  # a rollback request is the plane's own action, not an agent's
    shadows = [e.data for e in history.events_of(h.id, "shadow_assessed")]
    mode, owner, shadowed = assessor(h, shadows)
    out.replayed += 1
    out.from_shadow += shadowed
    was, now = escalated(h), mode in _REVIEW
    incidents = bool(history.incidents_of(h.id))
    decided = decided_at(h) is not None
    if was:
        load_a[h.assessment.owner or "-"] += 1
        if decided:
            tally[1] += 1
            tally[0] += human_changed(h)
    if now:
        load_c[owner or "-"] += 1
    if now and not was:
        out.added.append(h.id)
        if auto_executed(h):
            tally[3] += 1
            tally[2] += incidents
            if incidents:
                out.caught.append(h.id)
                caught.add(h.id)
    elif was and not now:
        out.removed.append(h.id)
        if decided and human_changed(h):
            out.let_through.append(h.id)
    elif was and now and decided:
        tally[3] += 1
        tally[2] += human_changed(h)
    if mode is Mode.BLOCK and h.state is not State.BLOCKED:
        out.blocked.append(h.id)
        if auto_executed(h) and incidents and h.id not in caught:
            out.caught.append(h.id)
            caught.add(h.id)


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

"""The six KPIs of Learn, computed from a ``History``, overall, per owner and per tool.

Each figure is defined in docs/kpis.md exactly as computed here; change both together.
Rates are ``None`` when their denominator is zero: "no data" is not "0 %".
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..decide.lifecycle import OPEN
from ..models import State
from ._fact import Counted
from .history import (
    History,
    decided_at,
    escalated,
    human_changed,
)

__all__ = [
    "AUDIT_PARTS",
    "KpiReport",
    "KpiTallies",
    "Kpis",
    "Tally",
    "compute",
    "duration",
    "kpis",
    "missing_parts",
    "percentile",
    "share",
    "sla_met",
    "week_of",
]

#: What a complete record of an executed action holds, in the order reports list them.
AUDIT_PARTS = ("assessment", "package", "decisions", "execution", "confirmation", "chain")
_ENDED = (State.EXECUTED, State.FAILED, State.ROLLED_BACK)
_END_EVENTS = ("executed", "execution_failed", "rolled_back")


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``p`` % at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def week_of(when: datetime) -> date:
    """The Monday starting the ISO week of ``when`` (UTC)."""
    day = when.date()
    return day - timedelta(days=day.weekday())


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


@dataclass
class Kpis:
    """The KPI figures of one slice of history (all of it, one owner, or one tool)."""

    handoffs: int = 0
    # Escalation precision.
    escalations: int = 0
    decided: int = 0
    changed: int = 0
    precision: float | None = None
    # Missed escalations.
    auto_executed: int = 0
    missed: int = 0
    missed_incidents: int = 0
    missed_ids: list[str] = field(default_factory=list)
    recall: float | None = None
    # Time to decision, seconds.
    ttd_p50: float | None = None
    ttd_p90: float | None = None
    # SLA attainment.
    sla_settled: int = 0
    sla_met: int = 0
    sla_attainment: float | None = None
    escalation_steps: dict[int, int] = field(default_factory=dict)
    reminders: int = 0
    # Rollback rate.
    executions_ended: int = 0
    rolled_back: int = 0
    rollback_rate: float | None = None
    # Audit readiness.
    executed_actions: int = 0
    audit_ready: int = 0
    audit_readiness: float | None = None
    audit_missing: dict[str, int] = field(default_factory=dict)
    # Incident trend (week start -> count).
    incidents: int = 0
    incidents_by_week: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["escalation_steps"] = {str(k): v for k, v in self.escalation_steps.items()}
        return out


@dataclass
class KpiReport:
    """The KPIs of a window overall, per owner and per tool, and the audit result."""

    since: datetime | None
    until: datetime | None
    as_of: datetime
    overall: Kpis
    by_owner: dict[str, Kpis]
    by_tool: dict[str, Kpis]
    audit_ok: bool | None
    audit: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "as_of": self.as_of.isoformat(),
            "audit": {"ok": self.audit_ok, "result": self.audit},
            "overall": self.overall.to_json(),
            "by_owner": {k: v.to_json() for k, v in self.by_owner.items()},
            "by_tool": {k: v.to_json() for k, v in self.by_tool.items()},
        }


def compute(history: History) -> KpiReport:
    """All KPIs of the history: overall, then per owner and per tool, in one pass over
    its chunks (memory holds a chunk and the tallies, never the whole window)."""
    tallies = KpiTallies(history)
    history.feed(tallies)
    return tallies.report()


class KpiTallies:
    """The KPI tallies of a history overall, per owner and per tool (a ``Sink``).

    Audit readiness reads the audit chain's report (``reads_audit``): ``History.feed``
    resets the tallies and feeds them again should a chain verified aside turn out
    broken."""

    reads_audit = True

    def __init__(self, history: History) -> None:
        self.history = history
        self.reset()

    def reset(self) -> None:
        """Back to no handoff counted."""
        self.overall = Tally(self.history)
        self.owners: dict[str, Tally] = {}
        self.tools: dict[str, Tally] = {}

    def take(self, part: History) -> None:
        owners, tools, overall = self.owners, self.tools, self.overall
        for h in part.handoffs:
            shape, wait, weeks = _seen(h, part)
            hid, created = h.id, h.created_at
            overall.tick(shape, hid, created, wait, weeks)
            owner, tool = h.owner or "-", h.action.tool
            (owners.get(owner) or owners.setdefault(owner, Tally(self.history))).tick(
                shape, hid, created, wait, weeks
            )
            (tools.get(tool) or tools.setdefault(tool, Tally(self.history))).tick(
                shape, hid, created, wait, weeks
            )

    def report(self) -> KpiReport:
        audit = self.history.audit
        return KpiReport(
            since=self.history.window.since,
            until=self.history.window.until,
            as_of=self.history.as_of,
            overall=self.overall.kpis(),
            by_owner={k: t.kpis() for k, t in sorted(self.owners.items())},
            by_tool={k: t.kpis() for k, t in sorted(self.tools.items())},
            audit_ok=None if audit is None else audit.ok,
            audit=None if audit is None else str(audit),
        )


def kpis(history: History) -> Kpis:
    """The figures of one slice; see docs/kpis.md for each definition."""
    tally = Tally(history)
    for chunk in history.chunks():
        for h in chunk.handoffs:
            tally.add(h, chunk)
    return tally.kpis()


#: What one handoff adds to the counts of a slice (``Tally.tick``): escalated, decided,
#: changed by a human, SLA met (None: not settled), escalation steps, reminders,
#: ran on its own, its incidents if it ran on its own unescalated, the missing parts of
#: its record (None: its execution has not ended), rolled back. A window has a few
#: dozen distinct shapes: a slice counts each shape, not each handoff's fields (``Tally``).
Shape = tuple[bool, bool, bool, bool | None, int, int, bool, int, tuple[str, ...] | None, bool]


_NO_WEEKS: list[date] = []


def _seen(h: Counted, part: History) -> tuple[Shape, float | None, list[date]]:
    """What ``h`` adds to each slice it belongs to, worked out once: its shape, its
    time to decision (None when undecided or not escalated) and the weeks of its
    incidents reported in the window; ``escalated`` and ``decided_at`` read once, and
    ``sla_met`` and ``missing_parts`` written out with them."""
    up = escalated(h)
    wait, changed, sla, steps, reminders = None, False, None, 0, 0
    recorded = part.events.get(h.id, _NO_EVENTS)
    state, deadline = h.state, h.deadline
    if up:
        when = decided_at(h)
        if when is not None:
            wait = (when - h.created_at).total_seconds()
            changed = human_changed(h)
        if deadline is not None and state is not State.CANCELLED:
            if when is not None:
                sla = when <= deadline
            elif state in OPEN:
                sla = None if deadline >= part.as_of else False
            else:
                sla = False  # the ladder fell back, or it expired
        if sla is not None:
            for e in recorded:
                steps += e.kind == "escalated"
                reminders += e.kind == "reminded"
    found = part.incidents_of(h.id)
    executed = h.execution is not None
    gaps, rolled = None, False
    if state in _ENDED:
        rolled = state is State.ROLLED_BACK
        gaps = tuple(_gaps(h, up, recorded, part))
    weeks = [week_of(i.at) for i in found if part.window.holds(i.at)] if found else _NO_WEEKS
    missed = len(found) if executed and not up else 0
    shape = (up, wait is not None, changed, sla, steps, reminders, executed, missed, gaps, rolled)
    return shape, wait, weeks


_NO_EVENTS: list[Any] = []


class Tally:
    """The KPIs of one slice, counted one handoff at a time.

    Each handoff's shape is counted (a few dozen distinct per window) and summed into
    the figures at the end; only the decision times (for the percentiles) and the ids
    of missed escalations are kept, a float and an id each.
    """

    def __init__(self, history: History) -> None:
        self.window, self.as_of = history.window, history.as_of
        self.k = Kpis()
        self.waits = array("d")
        self.shapes: dict[Shape, int] = {}
        self.weeks: Counter[date] = Counter()
        self.first: datetime | None = None
        self.steps: Counter[int] = Counter()
        self.missing: Counter[str] = Counter()

    def add(self, h: Counted, part: History) -> None:
        """Count ``h``, reading its events and incidents from ``part`` (its chunk)."""
        shape, wait, weeks = _seen(h, part)
        self.tick(shape, h.id, h.created_at, wait, weeks)

    def tick(
        self, shape: Shape, hid: str, created: datetime, wait: float | None, weeks: list[date]
    ) -> None:
        """Count one handoff of ``shape``."""
        shapes = self.shapes
        shapes[shape] = shapes.get(shape, 0) + 1
        if self.first is None or created < self.first:
            self.first = created
        if wait is not None:
            self.waits.append(wait)
        if shape[7]:
            self.k.missed_ids.append(hid)
        if weeks:
            for week in weeks:
                self.weeks[week] += 1

    def _sum(self) -> None:
        """The counts of the figures, from the shapes counted."""
        k = self.k
        k.handoffs = k.escalations = k.decided = k.changed = 0
        k.sla_settled = k.sla_met = k.reminders = 0
        k.auto_executed = k.missed = k.missed_incidents = 0
        k.executions_ended = k.rolled_back = k.executed_actions = k.audit_ready = 0
        steps: Counter[int] = Counter()
        missing: Counter[str] = Counter()
        for shape, n in self.shapes.items():
            up, decided, changed, sla, step, reminders, executed, incidents, gaps, rolled = shape
            k.handoffs += n
            if up:  # precision, time to decision, SLA
                k.escalations += n
                if decided:
                    k.decided += n
                    k.changed += changed * n
                if sla is not None:
                    k.sla_settled += n
                    k.sla_met += sla * n
                    steps[step] += n
                    k.reminders += reminders * n
            elif executed:  # ran on its own; an incident makes it a missed escalation
                k.auto_executed += n
                if incidents:
                    k.missed += n
                    k.missed_incidents += incidents * n
            if gaps is not None:  # ended: rollback, audit readiness
                k.executions_ended += n
                k.rolled_back += rolled * n
                k.executed_actions += n
                if gaps:
                    for gap in gaps:
                        missing[gap] += n
                else:
                    k.audit_ready += n
        self.steps, self.missing = steps, missing

    def kpis(self) -> Kpis:
        """The finished figures."""
        self._sum()
        k = self.k
        k.precision = _rate(k.changed, k.decided)
        k.recall = _rate(k.changed, k.changed + k.missed)
        waits = list(self.waits)
        k.ttd_p50, k.ttd_p90 = percentile(waits, 50), percentile(waits, 90)
        k.sla_attainment = _rate(k.sla_met, k.sla_settled)
        k.escalation_steps = dict(sorted(self.steps.items()))
        k.rollback_rate = _rate(k.rolled_back, k.executions_ended)
        k.audit_readiness = _rate(k.audit_ready, k.executed_actions)
        k.audit_missing = {p: self.missing[p] for p in AUDIT_PARTS if self.missing[p]}
        weeks = self.weeks
        k.incidents = sum(weeks.values())
        first = self.window.since or self.first
        last = min(self.window.until or self.as_of, self.as_of)
        if first is None:
            k.incidents_by_week = {d.isoformat(): n for d, n in sorted(weeks.items())}
            return k
        day, end = week_of(first), max([week_of(last), *weeks])
        out: dict[str, int] = {}
        while day <= end:
            out[day.isoformat()] = weeks.get(day, 0)
            day += timedelta(weeks=1)
        k.incidents_by_week = out
        return k


def sla_met(h: Counted, as_of: datetime) -> bool | None:
    """Whether an escalation met its SLA; None while undecidable (or without a deadline)."""
    if not escalated(h) or h.deadline is None or h.state is State.CANCELLED:
        return None
    when = decided_at(h)
    if when is not None:
        return when <= h.deadline
    if h.state in OPEN:
        return None if h.deadline >= as_of else False
    return False  # the ladder fell back, or it expired


def missing_parts(h: Counted, history: History) -> list[str]:
    """The parts of an executed action's record that are missing (empty when complete)."""
    return _gaps(h, escalated(h), history.events_of(h.id), history)


def _gaps(h: Counted, up: bool, recorded: list[Any], history: History) -> list[str]:
    """``missing_parts`` of ``h``, ``escalated`` (``up``) and its events known."""
    out: list[str] = []
    ex = h.execution
    if not h.assessment.policy_version:
        out.append("assessment")
    if up:
        if h.package is None:
            out.append("package")
        if len(h.approvals) < h.assessment.quorum:
            out.append("decisions")
    kinds = {e.kind for e in recorded}
    if ex is None or ex.finished_at is None or kinds.isdisjoint(_END_EVENTS):
        out.append("execution")
    if ex is None or (
        ex.confirmation is None and not any(s.confirmation is not None for s in ex.stages)
    ):
        out.append("confirmation")
    report = history.audit
    bad = report.bad_seq or 0 if report is not None and not report.ok else None
    if "submitted" not in kinds or (bad is not None and any(e.seq >= bad for e in recorded)):
        out.append("chain")
    return out


def share(v: float | None) -> str:
    """A rate for people: ``-`` when undefined, one decimal under 10 %."""
    if v is None:
        return "-"
    return f"{v:.1%}" if 0 < v < 0.1 else f"{v:.0%}"


def duration(v: float | None) -> str:
    """Seconds for people: ``42 s``, ``17 min``, ``4.7 h``; ``-`` when undefined."""
    if v is None:
        return "-"
    if v < 60:
        return f"{v:.0f} s"
    return f"{v / 60:.0f} min" if v < 3600 else f"{v / 3600:.1f} h"

"""The Learn computations as they were before streaming: every figure over the whole
history in memory, a slice at a time. The streamed computations must give the same
results (test_history_stream.py); only the tests use this."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from handoff._facts import TARGET_KEYS
from handoff.decide.lifecycle import OPEN
from handoff.detect import rubric
from handoff.learn.backtest import Backtest
from handoff.learn.fatigue import SPLIT_MIN, SPLIT_WINDOW, SplitAction
from handoff.learn.history import History, auto_executed, decided_at, escalated, human_changed
from handoff.learn.kpi import AUDIT_PARTS, KpiReport, Kpis, _rate, percentile, week_of
from handoff.models import Handoff, Mode, State
from handoff.policy import Policy

_ENDED = (State.EXECUTED, State.FAILED, State.ROLLED_BACK)
_END_EVENTS = ("executed", "execution_failed", "rolled_back")
_REVIEW = (Mode.REVIEW, Mode.TWO_PERSON)


def compute(history: History) -> KpiReport:
    """All KPIs of the history: overall, then per owner and per tool."""

    def by(key: Callable[[Handoff], str]) -> dict[str, Kpis]:
        groups: dict[str, set[str]] = defaultdict(set)
        for h in history.handoffs:
            groups[key(h)].add(h.id)
        return {k: kpis(history.subset(ids)) for k, ids in sorted(groups.items())}

    audit = history.audit
    return KpiReport(
        since=history.window.since,
        until=history.window.until,
        as_of=history.as_of,
        overall=kpis(history),
        by_owner=by(lambda h: h.owner or "-"),
        by_tool=by(lambda h: h.action.tool),
        audit_ok=None if audit is None else audit.ok,
        audit=None if audit is None else str(audit),
    )


def kpis(history: History) -> Kpis:
    """The figures of one slice; see docs/kpis.md for each definition."""
    k = Kpis(handoffs=len(history.handoffs))
    _precision(history, k)
    _missed(history, k)
    _time_and_sla(history, k)
    _rollback(history, k)
    _audit(history, k)
    _trend(history, k)
    return k


def _precision(history: History, k: Kpis) -> None:
    for h in history.handoffs:
        if not escalated(h):
            continue
        k.escalations += 1
        if decided_at(h) is not None:
            k.decided += 1
            k.changed += human_changed(h)
    k.precision = _rate(k.changed, k.decided)


def _missed(history: History, k: Kpis) -> None:
    for h in history.handoffs:
        if not auto_executed(h):
            continue
        k.auto_executed += 1
        found = history.incidents_of(h.id)
        if found:
            k.missed += 1
            k.missed_incidents += len(found)
            k.missed_ids.append(h.id)
    k.recall = _rate(k.changed, k.changed + k.missed)


def _time_and_sla(history: History, k: Kpis) -> None:
    waits: list[float] = []
    steps: Counter[int] = Counter()
    for h in history.handoffs:
        if not escalated(h):
            continue
        when = decided_at(h)
        if when is not None:
            waits.append((when - h.created_at).total_seconds())
        met = sla_met(h, history.as_of)
        if met is None:
            continue
        k.sla_settled += 1
        k.sla_met += met
        steps[len(history.events_of(h.id, "escalated"))] += 1
        k.reminders += len(history.events_of(h.id, "reminded"))
    k.ttd_p50, k.ttd_p90 = percentile(waits, 50), percentile(waits, 90)
    k.sla_attainment = _rate(k.sla_met, k.sla_settled)
    k.escalation_steps = dict(sorted(steps.items()))


def sla_met(h: Handoff, as_of: datetime) -> bool | None:
    """Whether an escalation met its SLA; None while undecidable (or without a deadline)."""
    if not escalated(h) or h.deadline is None or h.state is State.CANCELLED:
        return None
    when = decided_at(h)
    if when is not None:
        return when <= h.deadline
    if h.state in OPEN:
        return None if h.deadline >= as_of else False
    return False  # the ladder fell back, or it expired


def _rollback(history: History, k: Kpis) -> None:
    for h in history.handoffs:
        if h.state in _ENDED:
            k.executions_ended += 1
            k.rolled_back += h.state is State.ROLLED_BACK
    k.rollback_rate = _rate(k.rolled_back, k.executions_ended)


def missing_parts(h: Handoff, history: History) -> list[str]:
    """The parts of an executed action's record that are missing (empty when complete)."""
    out: list[str] = []
    ex = h.execution
    if not h.assessment.policy_version:
        out.append("assessment")
    if escalated(h):
        if h.package is None:
            out.append("package")
        if len(h.approvals) < h.assessment.quorum:
            out.append("decisions")
    if ex is None or ex.finished_at is None or not history.events_of(h.id, *_END_EVENTS):
        out.append("execution")
    if ex is None or (
        ex.confirmation is None and not any(s.confirmation is not None for s in ex.stages)
    ):
        out.append("confirmation")
    report = history.audit
    bad = report.bad_seq or 0 if report is not None and not report.ok else None
    recorded = history.events_of(h.id)
    if not history.events_of(h.id, "submitted") or (
        bad is not None and any(e.seq >= bad for e in recorded)
    ):
        out.append("chain")
    return out


def _audit(history: History, k: Kpis) -> None:
    missing: Counter[str] = Counter()
    for h in history.handoffs:
        if h.state not in _ENDED:
            continue
        k.executed_actions += 1
        gaps = missing_parts(h, history)
        missing.update(gaps)
        k.audit_ready += not gaps
    k.audit_readiness = _rate(k.audit_ready, k.executed_actions)
    k.audit_missing = {p: missing[p] for p in AUDIT_PARTS if missing[p]}


def _trend(history: History, k: Kpis) -> None:
    weeks: Counter[date] = Counter()
    for inc in history.incidents:
        if history.window.holds(inc.at):
            weeks[week_of(inc.at)] += 1
    k.incidents = sum(weeks.values())
    starts = [h.created_at for h in history.handoffs]
    first = history.window.since or (min(starts) if starts else None)
    last = min(history.window.until or history.as_of, history.as_of)
    if first is None:
        k.incidents_by_week = {d.isoformat(): n for d, n in sorted(weeks.items())}
        return
    day, end = week_of(first), max([week_of(last), *weeks])
    out: dict[str, int] = {}
    while day <= end:
        out[day.isoformat()] = weeks.get(day, 0)
        day += timedelta(weeks=1)
    k.incidents_by_week = out


def _target(h: Handoff) -> str | None:
    """What the action acts on: the first of ``TARGET_KEYS``, else the first ``*_id`` arg."""
    args = h.action.args
    keys = [k for k in TARGET_KEYS if k in args] + sorted(k for k in args if k.endswith("_id"))
    for key in keys:
        value = args[key]
        if isinstance(value, str | int) and not isinstance(value, bool):
            return f"{key}={value}"
    return None


def split_actions(history: History) -> list[SplitAction]:
    """Runs of at least ``SPLIT_MIN`` actions on one target, each under the escalation
    threshold (mode auto), within one hour."""
    groups: dict[tuple[str, str, str], list[Handoff]] = defaultdict(list)
    for h in history.handoffs:
        target = _target(h)
        if target is not None and h.assessment.mode is Mode.AUTO:
            groups[(h.action.tool, target, h.action.agent)].append(h)
    out: list[SplitAction] = []
    for (tool, target, agent), hs in sorted(groups.items()):
        hs.sort(key=lambda h: h.created_at)
        start = 0
        while start < len(hs):
            end = start
            while end + 1 < len(hs) and hs[end + 1].created_at - hs[start].created_at <= (
                SPLIT_WINDOW
            ):
                end += 1
            run = hs[start : end + 1]
            if len(run) >= SPLIT_MIN:
                out.append(
                    SplitAction(
                        tool,
                        target,
                        agent,
                        [h.id for h in run],
                        run[0].created_at.isoformat(),
                        run[-1].created_at.isoformat(),
                    )
                )
                start = end + 1
            else:
                start += 1
    return out


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

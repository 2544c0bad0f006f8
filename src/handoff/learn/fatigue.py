"""Approval-fatigue guards: rubber-stamp reviewers and actions split to stay under a threshold.

Both read a ``History`` and report; neither blocks anything. A reviewer who approves
everything, or approves high-risk handoffs in a fraction of the time the team takes,
is a review that no longer reviews. An agent that cuts one transfer into nine small
ones gets nine low-risk assessments where one would have been high. The thresholds are
documented in docs/kpis.md.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..models import Handoff, Level, Mode, Verdict
from ..route.sla import ACTOR
from .history import History, escalated

__all__ = ["RubberStamp", "SplitAction", "rubber_stamps", "split_actions"]

MIN_DECISIONS = 5
FAST_SHARE = 0.25
SPLIT_MIN = 3
SPLIT_WINDOW = timedelta(hours=1)
TARGET_KEYS = ("to", "account", "recipient", "target", "user", "id")


@dataclass(frozen=True)
class RubberStamp:
    """A reviewer whose approvals look automatic, and why."""

    reviewer: str
    decisions: int
    approved_unchanged: int
    high_median_seconds: float | None
    team_high_median_seconds: float | None
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewer": self.reviewer,
            "decisions": self.decisions,
            "approved_unchanged": self.approved_unchanged,
            "high_median_seconds": self.high_median_seconds,
            "team_high_median_seconds": self.team_high_median_seconds,
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class SplitAction:
    """Several sub-threshold actions on one target by one agent within the window."""

    tool: str
    target: str
    agent: str
    handoff_ids: list[str]
    first: str
    last: str

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "target": self.target,
            "agent": self.agent,
            "handoff_ids": self.handoff_ids,
            "first": self.first,
            "last": self.last,
        }


def rubber_stamps(history: History) -> list[RubberStamp]:
    """Reviewers with enough decisions who approve everything or approve high risk too fast."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    high: dict[str, list[float]] = defaultdict(list)
    for h in history.handoffs:
        if not escalated(h):
            continue
        for d in h.decisions:
            if d.reviewer == ACTOR or d.at is None:
                continue
            counts[d.reviewer][0] += 1
            plain = d.verdict is Verdict.APPROVE or (
                d.verdict is Verdict.CHOOSE and d.option_id == "approve"
            )
            counts[d.reviewer][1] += plain
            if plain and h.assessment.level is Level.HIGH:
                high[d.reviewer].append((d.at - h.created_at).total_seconds())
    every = [s for times in high.values() for s in times]
    team = statistics.median(every) if every else None
    out: list[RubberStamp] = []
    for who, (n, unchanged) in sorted(counts.items()):
        if n < MIN_DECISIONS:
            continue
        mine = statistics.median(high[who]) if high[who] else None
        reasons = []
        if unchanged == n:
            reasons.append(f"approved all {n} decisions unchanged")
        if mine is not None and team and len(high[who]) >= 2 and mine < FAST_SHARE * team:
            reasons.append(
                f"median {mine / 60:.1f} min to approve high risk, team median {team / 60:.1f} min"
            )
        if reasons:
            out.append(RubberStamp(who, n, unchanged, mine, team, reasons))
    return out


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

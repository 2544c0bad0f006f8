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
from datetime import datetime, timedelta
from typing import Any

from .._facts import target_of
from ..models import Handoff, Level, Mode, Verdict
from ..route.sla import ACTOR
from ._fact import Counted
from ._record import Record
from .history import History, escalated

__all__ = ["RubberStamp", "SplitAction", "Splits", "Stamps", "rubber_stamps", "split_actions"]

MIN_DECISIONS = 5
FAST_SHARE = 0.25
SPLIT_MIN = 3
SPLIT_WINDOW = timedelta(hours=1)


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
    stamps = Stamps()
    history.feed(stamps)
    return stamps.found()


class Stamps:
    """The rubber-stamp tally, fed a chunk at a time (a ``Sink``)."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.high: dict[str, list[float]] = defaultdict(list)

    def take(self, part: History) -> None:
        counts, high = self.counts, self.high
        for h in part.handoffs:
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

    def found(self) -> list[RubberStamp]:
        counts, high = self.counts, self.high
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
                    f"median {mine / 60:.1f} min to approve high risk,"
                    f" team median {team / 60:.1f} min"
                )
            if reasons:
                out.append(RubberStamp(who, n, unchanged, mine, team, reasons))
        return out


def _target(h: Counted) -> str | None:
    """What the action acts on (``handoff._facts.target_of``): a facts row has it."""
    if isinstance(h, Handoff | Record):
        return target_of(h.action.args)
    return h.action.target


#: One auto action of a split-action group: when it was created, and its id.
_Seen = tuple[datetime, str]
_Group = tuple[str, str, str]


def split_actions(history: History) -> list[SplitAction]:
    """Runs of at least ``SPLIT_MIN`` actions on one target, each under the escalation
    threshold (mode auto), within one hour."""
    splits = Splits()
    history.feed(splits)
    return splits.found()


class Splits:
    """The split-action finder, fed a chunk at a time (a ``Sink``).

    The history comes in ``created_at`` order, so each group (tool, target, agent) keeps
    only the actions of its last hour: a run is settled as soon as an action arrives
    more than an hour after the run's first, and groups idle for an hour are settled
    and dropped at the end of each chunk.
    """

    def __init__(self) -> None:
        self.pending: dict[_Group, list[_Seen]] = {}
        self.runs: list[tuple[_Group, list[_Seen]]] = []

    def take(self, part: History) -> None:
        pending, runs = self.pending, self.runs
        for h in part.handoffs:
            if h.assessment.mode is not Mode.AUTO:
                continue
            target = _target(h)
            if target is None:
                continue
            key = (h.action.tool, target, h.action.agent)
            seen = pending.setdefault(key, [])
            seen.append((h.created_at, h.id))
            _settle(key, seen, runs, h.created_at)
        if part.handoffs:
            now = part.handoffs[-1].created_at
            for key in [k for k, v in pending.items() if now - v[-1][0] > SPLIT_WINDOW]:
                _settle(key, pending.pop(key), runs, None)

    def found(self) -> list[SplitAction]:
        for key, seen in self.pending.items():
            _settle(key, seen, self.runs, None)
        self.pending.clear()
        runs = sorted(self.runs, key=lambda r: r[0])  # stable: a group's runs stay in order
        return [
            SplitAction(
                tool,
                target,
                agent,
                [i for _, i in run],
                run[0][0].isoformat(),
                run[-1][0].isoformat(),
            )
            for (tool, target, agent), run in runs
        ]


def _settle(
    key: _Group, seen: list[_Seen], runs: list[tuple[_Group, list[_Seen]]], now: datetime | None
) -> None:
    """Settle the runs of ``seen`` that start more than an hour before ``now`` (all of
    them when ``now`` is None), leaving in ``seen`` what a later action may still join.

    The same greedy walk as over the whole group: a run starts at the oldest action and
    takes every action within the hour after it; a run long enough is reported and the
    walk goes on after it, a short one moves the start on by one action.
    """
    while seen and (now is None or now - seen[0][0] > SPLIT_WINDOW):
        end = 0
        while end + 1 < len(seen) and seen[end + 1][0] - seen[0][0] <= SPLIT_WINDOW:
            end += 1
        if len(seen[: end + 1]) >= SPLIT_MIN:
            runs.append((key, seen[: end + 1]))
            del seen[: end + 1]
        else:
            del seen[0]

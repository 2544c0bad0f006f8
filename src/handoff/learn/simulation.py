"""A simulated month of traffic, so Learn has a history to read: ``handoff demo --days 30``.

The marketing-ops agent of the demo keeps working, day after day, with the demo's
actions as templates (weekdays busy, weekends quiet). Reviewers answer with habits of
their own: marketing-ops' marco approves everything within minutes; finance and legal
revise and reject some; security is slow, so its two-hour SLA is often missed and the
ladder escalates; product sometimes redirects to security. A few auto-run draft fixes
and published posts turn out wrong later and get incidents; a few posts fail their
confirmation check and are rolled back. One day the agent edits one draft four times in
forty minutes (a split action).

It runs the real ``ControlPlane`` on a SQLite file with a fake clock that walks from
``days`` ago to now, so the KPIs, the backtest, the suggestions and the report have
something meaningful to say. Seeded: the same ``seed`` gives the same month.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import random
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console

from .._exceptions import HandoffError, InputError
from ..decide.lifecycle import OPEN
from ..models import Handoff, State
from ..plane import ControlPlane
from ..policy import default_policy
from ..store import open_store
from ..testing import FakeClock
from .history import load_history
from .kpi import compute

__all__ = ["SimExecutor", "Summary", "simulate"]

#: How often each tool's templates are drawn, per 100 actions.
WEIGHTS = {
    "cms.update_draft": 34,
    "reports.schedule": 18,
    "social.post": 14,
    "cms.publish": 10,
    "email.send_campaign": 8,
    "crm.update_workflow": 8,
    "iam.grant_role": 8,
}
#: Per owner: reviewers in the order they pick work up, delay range in minutes, and the
#: chances of approve / revise / reject / redirect.
HABITS: dict[str, tuple[list[str], tuple[int, int], tuple[float, float, float, float]]] = {
    "marketing-ops": (["marco", "marco", "marco", "maya"], (1, 6), (0.97, 0.0, 0.03, 0.0)),
    "finance": (["fiona", "felix"], (20, 240), (0.55, 0.25, 0.2, 0.0)),
    "legal": (["lena", "luis"], (60, 600), (0.5, 0.3, 0.2, 0.0)),
    "security": (["sam", "sofia", "selma"], (40, 300), (0.75, 0.0, 0.25, 0.0)),
    "product": (["priya", "pablo"], (30, 240), (0.75, 0.0, 0.15, 0.1)),
}
INCIDENT_CHANCE = {"cms.update_draft": 0.02, "cms.publish": 0.04, "social.post": 0.01}


class SimExecutor:
    """Applies nothing outside the database; confirms, except for one post in thirty."""

    stages = ("full",)

    def __init__(self, tool: str) -> None:
        self.tool = tool

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        return {"tool": self.tool, "key": idempotency_key, "stage": stage}

    def confirm(self, result: Any) -> bool:
        if self.tool != "cms.publish" or not isinstance(result, dict):
            return True
        digest = hashlib.sha256(str(result.get("key")).encode()).digest()
        return digest[0] % 30 != 0

    def rollback(self, result: Any) -> None:
        return None


@dataclass
class Summary:
    """What the simulated month produced."""

    days: int
    actions: int = 0
    states: Counter[str] = field(default_factory=Counter)
    incidents: int = 0
    seconds: float = 0.0


@dataclass(order=True)
class _Due:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)


def _templates() -> dict[str, list[dict[str, Any]]]:
    text = resources.files("handoff").joinpath("demo/session.json").read_text("utf-8")
    session = json.loads(text)
    by_tool: dict[str, list[dict[str, Any]]] = {}
    for a in session["actions"]:
        act = {
            "tool": a["tool"],
            "args": a["args"],
            "context": a.get("context", {}),
            "agent": session["agent"],
            "on_behalf_of": session.get("on_behalf_of"),
        }
        by_tool.setdefault(a["tool"], []).append(act)
    return by_tool


class _Month:
    def __init__(self, plane: ControlPlane, clock: FakeClock, rng: random.Random) -> None:
        self.plane, self.clock, self.rng = plane, clock, rng
        self.queue: list[_Due] = []
        self.seq = 0
        self.templates = _templates()
        self.summary = Summary(0)

    def at(self, when: datetime, kind: str, **data: Any) -> None:
        self.seq += 1
        heapq.heappush(self.queue, _Due(when, self.seq, kind, data))

    def plan(self, start: datetime, days: int) -> None:
        tools = [t for t in WEIGHTS if t in self.templates]
        weights = [WEIGHTS[t] for t in tools]
        for day in range(days):
            base = start + timedelta(days=day)
            n = 30 if base.weekday() < 5 else 6
            for _ in range(n):
                minute = self.rng.randint(0, 9 * 60)
                tool = self.rng.choices(tools, weights)[0]
                self.at(base + timedelta(minutes=minute), "submit", tool=tool)
            for hour in range(0, 24):
                self.at(base + timedelta(hours=hour, minutes=59), "ladder")
        split_day = start + timedelta(days=max(0, days // 2), hours=2)
        for i in range(4):
            self.at(
                split_day + timedelta(minutes=10 * i), "submit", tool="cms.update_draft", split=1
            )

    def run(self, end: datetime) -> None:
        while self.queue and self.queue[0].at <= end:
            due = heapq.heappop(self.queue)
            self.clock.set(due.at)
            getattr(self, f"_{due.kind}")(**due.data)

    def _submit(self, tool: str, split: int = 0) -> None:
        act = dict(self.rng.choice(self.templates[tool]))
        args = dict(act["args"])
        n = self.summary.actions
        if "draft_id" in args:
            args["draft_id"] = "d-7001" if split else f"d-{1000 + n}"
        for key in ("title", "slug", "subject"):
            if isinstance(args.get(key), str) and not split:
                args[key] = f"{args[key]} #{n}"
        act["args"] = args
        out = self.plane.submit(act)
        self.summary.actions += 1
        h = out.handoff
        if h.state in OPEN:
            self._assign(h)
        elif h.state is State.EXECUTED:
            self._maybe_incident(h)

    def _assign(self, h: Handoff) -> None:
        people, (lo, hi), _ = HABITS.get(h.owner or "", (["priya"], (30, 240), (1, 0, 0, 0)))
        reviewers = list(dict.fromkeys(people))
        first = self.rng.choice(people)
        order = [first] + [p for p in reviewers if p != first]
        when = self.clock.now()
        for who in order[: max(1, h.assessment.quorum)]:
            when += timedelta(minutes=self.rng.randint(lo, hi))
            self.at(when, "decide", handoff_id=h.id, reviewer=who)

    def _decide(self, handoff_id: str, reviewer: str) -> None:
        h = self.plane.get(handoff_id)
        if h.state not in OPEN:
            return  # decided already, or the ladder fell back
        _, _, (p_ok, p_rev, p_rej, _) = HABITS.get(h.owner or "", ([], (0, 0), (1, 0, 0, 0)))
        roll = self.rng.random()
        try:
            if roll < p_ok:
                h = self.plane.decide(h.id, verdict="approve", reviewer=reviewer)
            elif roll < p_ok + p_rev and (edited := _edit(h.action.args)) is not None:
                h = self.plane.decide(
                    h.id, verdict="revise", reviewer=reviewer, rationale="tone it down", args=edited
                )
            elif roll < p_ok + p_rev + p_rej:
                h = self.plane.decide(
                    h.id, verdict="reject", reviewer=reviewer, rationale="not what we agreed"
                )
            elif h.owner != "security":
                h = self.plane.decide(
                    h.id,
                    verdict="redirect",
                    reviewer=reviewer,
                    rationale="touches access",
                    owner="security",
                )
                self._assign(h)
                return
            else:
                h = self.plane.decide(h.id, verdict="approve", reviewer=reviewer)
        except HandoffError:
            return  # not this reviewer's to decide any more (escalated, redirected)
        if h.state is State.APPROVED:
            try:
                self._maybe_incident(self.plane.execute(h.id).handoff)
            except HandoffError:
                return

    def _maybe_incident(self, h: Handoff) -> None:
        if h.state is not State.EXECUTED:
            return
        if self.rng.random() < INCIDENT_CHANCE.get(h.action.tool, 0.0):
            later = self.clock.now() + timedelta(hours=self.rng.randint(4, 72))
            self.at(later, "incident", handoff_id=h.id)

    def _incident(self, handoff_id: str) -> None:
        self.plane.report_incident(
            {
                "handoff_id": handoff_id,
                "severity": self.rng.choice(["low", "medium", "medium", "high"]),
                "description": "a reader reported a broken link and a wrong figure",
                "reporter": "support",
            }
        )
        self.summary.incidents += 1

    def _ladder(self) -> None:
        self.plane.run_ladder()


def _edit(args: Mapping[str, Any]) -> dict[str, Any] | None:
    for key in ("body", "text", "message", "subject", "title"):
        if isinstance(args.get(key), str):
            return {**args, key: args[key] + " (edited by the reviewer)"}
    return None


def simulate(
    db: Path,
    days: int,
    *,
    keep: bool = False,
    seed: int = 7,
    console: Console | None = None,
) -> Summary:
    """Record ``days`` days of traffic into the SQLite file ``db``, ending now."""
    if not 1 <= days <= 365:
        raise InputError("days must be between 1 and 365", field="days")
    if "://" in str(db):
        raise InputError("the simulation runs on a SQLite file; give a path", field="db")
    con = console or Console(highlight=False)
    started = time.perf_counter()
    if not keep:
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")):
            path.unlink(missing_ok=True)
    end = datetime.now(UTC).replace(microsecond=0)
    start = (end - timedelta(days=days)).replace(hour=8, minute=0, second=0)
    clock = FakeClock(start)
    plane = ControlPlane(open_store(f"sqlite:///{db}"), default_policy(), clock=clock)
    try:
        for tool in WEIGHTS:
            plane.register(tool, SimExecutor(tool))
        month = _Month(plane, clock, random.Random(seed))
        month.summary.days = days
        con.print(f"simulating {days} days of agent traffic into {db} ...")
        month.plan(start, days)
        month.run(end)
        summary = month.summary
        summary.states = Counter(plane.store.count_by_state())
        report = compute(load_history(plane.store, as_of=end))
    finally:
        plane.close()
    summary.seconds = time.perf_counter() - started
    k = report.overall
    con.print(
        f"{summary.actions} actions, {k.escalations} escalated, {summary.incidents} incidents,"
        f" {sum(summary.states.values())} handoffs in {summary.seconds:.1f}s"
    )
    states = ", ".join(f"{s} {n}" for s, n in sorted(summary.states.items()))
    con.print(f"states: {states}", style="dim")
    con.print(str(report.audit), style="green" if report.audit_ok else "red")
    shown = f"--db {db}"
    con.print("next:", style="bold")
    for cmd in (
        f"handoff kpi {shown}",
        f"handoff kpi {shown} --since 7d --chart kpi.svg",
        f"handoff policy suggest {shown}",
        f"handoff policy backtest CANDIDATE.yaml {shown}",
        f"handoff report {shown} -o oversight-report",
    ):
        con.print(f"    {cmd}", markup=False)
    return summary

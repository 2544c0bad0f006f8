"""A small recorded history with known answers, built through the real ControlPlane.

Every figure the KPI tests expect is worked out by hand in the comments below, so a
change in a definition shows up as a failing number, not a silently different chart.

Timeline (FakeClock, starting Monday 2026-01-05 09:00 UTC):

    A1 reports.schedule   auto, executed, confirmed
    A2 cms.update_draft   auto, executed, confirmed; an incident -> a missed escalation
    A3 cms.update_draft   auto, the confirmation fails -> rolled back
    E1 cms.publish        marketing-ops, approved unchanged after 1 h, executed; an incident
    E2 cms.publish        finance (pricing), rejected after 2 h
    E3 cms.publish        marketing-ops, revised after 3 h, executed
    E4 cms.publish        marketing-ops, reminded at 5 h, escalated at 9 h, approved at 10 h
                          (8 h SLA missed), executed
    E5 payments.transfer  finance, two approvals (30 min, 1 h), executed by an executor
                          without a confirmation check
    E6 cms.publish        marketing-ops, submitted 2026-01-13, still open inside its SLA
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff import ControlPlane
from handoff.testing import FakeClock

START = datetime.fromisoformat("2026-01-05T09:00:00+00:00")


class Confirmed:
    """An executor that records what it did and confirms it, except for draft ``bad``."""

    stages = ("full",)

    def __init__(self) -> None:
        self.done: dict[str, Any] = {}

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        return self.done.setdefault(idempotency_key, {"ok": True, "args": dict(args)})

    def confirm(self, result: Any) -> bool:
        return bool(result.get("args", {}).get("draft_id") != "bad")

    def rollback(self, result: Any) -> None:
        return None


def transfer(**args: Any) -> str:
    return "sent"


@dataclass
class Built:
    plane: ControlPlane
    clock: FakeClock
    ids: dict[str, str]


def _publish(title: str, body: str) -> dict[str, Any]:
    return {"tool": "cms.publish", "agent": "mktg-agent", "args": {"title": title, "body": body}}


def build(plane: ControlPlane, clock: FakeClock) -> Built:
    """Record the timeline above on ``plane``; returns the handoff ids by name."""
    ex = Confirmed()
    for tool in ("reports.schedule", "cms.update_draft", "cms.publish"):
        plane.register(tool, ex)
    plane.register("payments.transfer", transfer)
    ids: dict[str, str] = {}
    at = clock.set

    at(START)
    ids["A1"] = plane.submit(
        {"tool": "reports.schedule", "agent": "ops-agent", "args": {"report": "weekly"}}
    ).handoff_id
    ids["A2"] = plane.submit(
        {"tool": "cms.update_draft", "agent": "mktg-agent", "args": {"draft_id": "d1"}}
    ).handoff_id
    ids["A3"] = plane.submit(
        {"tool": "cms.update_draft", "agent": "mktg-agent", "args": {"draft_id": "bad"}}
    ).handoff_id
    ids["E1"] = plane.submit(_publish("Hello", "We shipped a new feature today.")).handoff_id
    ids["E2"] = plane.submit(
        _publish("Spring pricing", "Pro is now only $49/month, 20% off until May.")
    ).handoff_id
    ids["E3"] = plane.submit(_publish("Launch", "Our new dashboard is live.")).handoff_id
    ids["E4"] = plane.submit(_publish("Team", "Meet the team behind the product.")).handoff_id
    ids["E5"] = plane.submit(
        {"tool": "payments.transfer", "agent": "fin-agent", "args": {"amount": 50, "to": "a-1"}}
    ).handoff_id

    at(START.replace(hour=9, minute=30))
    plane.decide(ids["E5"], verdict="approve", reviewer="fiona", rationale="invoice 7")
    at(START.replace(hour=10))
    plane.decide(ids["E1"], verdict="approve", reviewer="maya", rationale="fine")
    plane.execute(ids["E1"])
    plane.decide(ids["E5"], verdict="approve", reviewer="felix", rationale="ok")
    plane.execute(ids["E5"])
    at(START.replace(hour=11))
    plane.decide(ids["E2"], verdict="reject", reviewer="fiona", rationale="not in the plan")
    at(START.replace(hour=12))
    plane.decide(
        ids["E3"],
        verdict="revise",
        reviewer="marco",
        rationale="softer wording",
        args={"title": "Launch", "body": "Our new dashboard is out."},
    )
    plane.execute(ids["E3"])
    at(START.replace(hour=14))
    plane.run_ladder()  # E4 at 5 h: the reminder (half its 8 h SLA)
    at(START.replace(hour=18))
    plane.run_ladder()  # E4 at 9 h: escalated to the lead
    at(START.replace(hour=19))
    plane.decide(ids["E4"], verdict="approve", reviewer="mona", rationale="late but fine")
    plane.execute(ids["E4"])
    plane.report_incident(
        {"handoff_id": ids["A2"], "severity": "high", "description": "broke the page"}
    )
    at(datetime.fromisoformat("2026-01-13T10:00:00+00:00"))
    plane.report_incident({"handoff_id": ids["E1"], "description": "typo went out"})
    ids["E6"] = plane.submit(_publish("Open", "A post nobody decided yet.")).handoff_id
    at(datetime.fromisoformat("2026-01-13T11:00:00+00:00"))
    return Built(plane, clock, ids)

"""Prometheus metrics at ``/metrics``.

Gauges are read from the database at scrape time (the tables are the truth, and every
server process then reports the same numbers); the decision latency histogram counts
the decisions this process recorded, from submission to the verdict that closed the
handoff.

    handoff_handoffs{state, owner, level}       handoffs by state, owner team and level
    handoff_sla_breached{owner}                 open handoffs past their deadline
    handoff_sla_steps_total{kind}               reminders, escalations, fallbacks taken
    handoff_outbox_backlog{channel}             outbox rows not delivered yet
    handoff_outbox_dead                         outbox rows that failed every attempt
    handoff_decision_latency_seconds            submit -> deciding verdict
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ..decide.lifecycle import OPEN
from ..models import Handoff
from ..plane import ControlPlane
from ..route import sla

__all__ = ["Metrics", "router"]

router = APIRouter()


class _StoreCollector(Collector):
    """Reads the gauges from the database on each scrape."""

    def __init__(self, plane: ControlPlane) -> None:
        self.plane = plane

    def collect(self) -> Iterator[Metric]:
        by_state = GaugeMetricFamily(
            "handoff_handoffs",
            "Handoffs by state, owner team and level",
            labels=["state", "owner", "level"],
        )
        breached = GaugeMetricFamily(
            "handoff_sla_breached", "Open handoffs past their deadline", labels=["owner"]
        )
        steps = CounterMetricFamily("handoff_sla_steps", "SLA ladder steps taken", labels=["kind"])
        backlog = GaugeMetricFamily(
            "handoff_outbox_backlog", "Outbox rows not delivered yet", labels=["channel"]
        )
        dead = GaugeMetricFamily("handoff_outbox_dead", "Outbox rows that failed every attempt")
        g = self.plane.store.gauges(self.plane.clock.now(), sla_actor=sla.ACTOR)
        for state, owner, level, n in g.handoffs:
            by_state.add_metric([state, owner or "", level], n)
        for owner, n in g.breached:
            breached.add_metric([owner or ""], n)
        for kind, n in g.steps:
            steps.add_metric([kind], n)
        for channel, n in g.backlog:
            backlog.add_metric([channel], n)
        dead.add_metric([], g.dead)
        yield from (by_state, breached, steps, backlog, dead)


class Metrics:
    """One registry per app, so several apps in one process (tests) do not collide."""

    def __init__(self, plane: ControlPlane) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_StoreCollector(plane))
        self.latency = Histogram(
            "handoff_decision_latency_seconds",
            "Seconds from submission to the verdict that decided the handoff",
            buckets=(60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 86400, 3 * 86400, 7 * 86400),
            registry=self.registry,
        )

    def decided(self, h: Handoff) -> None:
        """Count ``h`` when the decision just recorded closed it."""
        if h.state not in OPEN and h.decisions:
            last = h.decisions[-1].at or h.updated_at
            self.latency.observe(max(0.0, (last - h.created_at).total_seconds()))

    def render(self) -> bytes:
        return generate_latest(self.registry)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    m: Metrics = request.app.state.metrics
    return Response(m.render(), media_type=CONTENT_TYPE_LATEST)

"""The KPI dashboard of the inbox: ``GET /dashboard``.

The same figures as ``handoff kpi`` (docs/kpis.md) for the last ``days`` days, with the
charts drawn on the server as inline SVG by ``handoff.learn.charts``: no script and no chart
library, so the inbox's Content-Security-Policy holds. A GET that only reads.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from markupsafe import Markup

from ..learn.charts import kpi_chart
from ..learn.fatigue import rubber_stamps, split_actions
from ..learn.history import Window, load_history
from ..learn.kpi import compute, duration, share
from .auth import plane_of, session_of
from .inbox import _login_redirect, _page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
async def dashboard(request: Request, days: int = 30) -> Response:
    """KPIs, charts and approval-fatigue findings for the last ``days`` days."""
    found = session_of(request)
    if found is None:
        return _login_redirect(request)
    plane = plane_of(request)
    days = min(max(days, 1), 365)
    now = plane.clock.now()

    def figures() -> dict[str, Any]:
        history = load_history(plane.store, Window(since=now - timedelta(days=days)), as_of=now)
        report = compute(history)
        return {
            "report": report,
            # Drawn by handoff.learn.charts, which escapes every label it writes.
            "charts": [Markup(svg) for svg in kpi_chart(report)],
            "stamps": rubber_stamps(history),
            "splits": split_actions(history),
        }

    context = await run_in_threadpool(figures)
    context.update(
        session=found[1], days=days, pct=share, dur=duration, choices=(7, 30, 90), now=now
    )
    return _page(request, "dashboard.html", context)

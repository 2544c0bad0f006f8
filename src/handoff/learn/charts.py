"""Charts as SVG text, drawn on the server: no JavaScript, no chart library, no CDN.

Each function returns one self-contained ``<svg>`` element, so the dashboard inlines it,
the report embeds it and ``handoff kpi --chart FILE.svg`` writes it to a file. Every
label is escaped: tool and owner names come from agents and policies.
"""

from __future__ import annotations

import re
from html import escape

from .kpi import KpiReport, share

__all__ = ["bars", "combine", "kpi_chart", "rates", "weekly"]

_FONT = "font-family='system-ui, sans-serif' font-size='12'"
_BLUE, _RED, _GREY = "#2f6fb0", "#c0392b", "#d9dee5"


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    head = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'"
        f" viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}'"
        f" class='chart'><title>{escape(title)}</title>"
        f"<rect width='{width}' height='{height}' fill='white'/>"
        f"<text x='8' y='18' {_FONT} font-weight='bold'>{escape(title)}</text>"
    )
    return head + "".join(body) + "</svg>"


def rates(title: str, items: list[tuple[str, float | None]], width: int = 460) -> str:
    """Horizontal bars for shares in [0, 1]; a missing rate is drawn as "-"."""
    label_w, bar_w, row = 150, width - 220, 22
    body: list[str] = []
    for i, (label, value) in enumerate(items):
        y = 32 + i * row
        body.append(f"<text x='8' y='{y + 13}' {_FONT}>{escape(label)}</text>")
        body.append(f"<rect x='{label_w}' y='{y + 2}' width='{bar_w}' height='14' fill='{_GREY}'/>")
        if value is not None:
            w = round(bar_w * max(0.0, min(1.0, value)), 1)
            body.append(f"<rect x='{label_w}' y='{y + 2}' width='{w}' height='14' fill='{_BLUE}'/>")
        shown = share(value)
        body.append(f"<text x='{label_w + bar_w + 8}' y='{y + 13}' {_FONT}>{shown}</text>")
    return _svg(width, 40 + row * len(items), title, body)


def bars(title: str, items: list[tuple[str, float]], unit: str = "", width: int = 460) -> str:
    """Horizontal bars for counts or durations, scaled to the largest value."""
    label_w, bar_w, row = 150, width - 230, 22
    top = max((v for _, v in items), default=0.0) or 1.0
    body: list[str] = []
    for i, (label, value) in enumerate(items):
        y = 32 + i * row
        w = round(bar_w * value / top, 1)
        body.append(f"<text x='8' y='{y + 13}' {_FONT}>{escape(label[:22])}</text>")
        body.append(f"<rect x='{label_w}' y='{y + 2}' width='{w}' height='14' fill='{_BLUE}'/>")
        body.append(
            f"<text x='{label_w + w + 6}' y='{y + 13}' {_FONT}>{value:g}{escape(unit)}</text>"
        )
    if not items:
        body.append(f"<text x='8' y='44' {_FONT} fill='#777'>no data</text>")
    return _svg(width, 40 + row * max(1, len(items)), title, body)


def weekly(title: str, counts: dict[str, int], width: int = 460) -> str:
    """Columns per week (keys are the Mondays, ISO dates), for the incident trend."""
    height, base, left = 200, 160, 30
    n = max(1, len(counts))
    slot = (width - left - 10) / n
    top = max(counts.values(), default=0) or 1
    body = [f"<line x1='{left}' y1='{base}' x2='{width - 10}' y2='{base}' stroke='#999'/>"]
    for i, (week, count) in enumerate(counts.items()):
        h = round((base - 40) * count / top, 1)
        x = round(left + i * slot + slot * 0.15, 1)
        w = round(slot * 0.7, 1)
        body.append(
            f"<rect x='{x}' y='{base - h}' width='{w}' height='{h}' fill='{_RED}'>"
            f"<title>week of {escape(week)}: {count}</title></rect>"
        )
        body.append(
            f"<text x='{x + w / 2}' y='{base - h - 4}' {_FONT} text-anchor='middle'>{count}</text>"
        )
        if n <= 8 or i % max(1, n // 8) == 0:
            body.append(
                f"<text x='{x + w / 2}' y='{base + 16}' {_FONT} text-anchor='middle'>"
                f"{escape(week[5:])}</text>"
            )
    if not counts:
        body.append(f"<text x='{left}' y='{base - 10}' {_FONT} fill='#777'>no data</text>")
    return _svg(width, height, title, body)


def kpi_chart(report: KpiReport) -> list[str]:
    """The standard set: the rates, time to decision by owner, incidents per week."""
    k = report.overall
    shares = rates(
        "KPIs",
        [
            ("escalation precision", k.precision),
            ("recall (implied)", k.recall),
            ("SLA attainment", k.sla_attainment),
            ("rollback rate", k.rollback_rate),
            ("audit readiness", k.audit_readiness),
        ],
    )
    ttd = bars(
        "Time to decision p50 by owner (hours)",
        [
            (owner, round((v.ttd_p50 or 0) / 3600, 1))
            for owner, v in report.by_owner.items()
            if v.ttd_p50 is not None
        ],
        " h",
    )
    precision = rates(
        "Escalation precision by owner",
        [(owner, v.precision) for owner, v in report.by_owner.items() if v.escalations],
    )
    trend = weekly("Incidents per week", k.incidents_by_week)
    return [shares, precision, ttd, trend]


def combine(svgs: list[str], width: int = 940) -> str:
    """Several charts in one SVG document, two per row (for ``--chart FILE.svg``)."""
    x = y = row_h = 0
    parts: list[str] = []
    for i, svg in enumerate(svgs):
        m = re.search(r"width='(\d+)' height='(\d+)'", svg)
        w, h = (int(m.group(1)), int(m.group(2))) if m else (460, 200)
        if i % 2 == 0 and i:
            y += row_h + 10
            x, row_h = 0, 0
        parts.append(svg.replace("<svg ", f"<svg x='{x}' y='{y}' ", 1))
        x += w + 10
        row_h = max(row_h, h)
    total = y + row_h
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{total}'"
        f" viewBox='0 0 {width} {total}'>" + "".join(parts) + "</svg>"
    )

"""The oversight report for auditors: one HTML page and two CSV files for a window.

``report.html`` says who decided what, when, on which evidence and under which policy
version, with the SLA and KPI figures, the approval-fatigue findings and the result of
verifying the audit chain. ``decisions.csv`` has one row per decision (and one per
action that ran on its own), ``kpis.csv`` one row per figure per slice, for
spreadsheets. Every agent-written string is escaped by Jinja2's autoescape; the only
markup let through is the SVG the chart module draws.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from jinja2 import Environment
from markupsafe import Markup, escape

from .._exceptions import InputError
from ..policy import Policy
from ._fact import Counted
from .charts import kpi_chart
from .fatigue import Splits, Stamps
from .history import History, IncidentRecord, decided_at, escalated
from .kpi import KpiReport, Kpis, KpiTallies, duration, share

__all__ = ["decision_rows", "kpi_rows", "row_html", "write_report"]

ROW_FIELDS = [
    "handoff_id",
    "tool",
    "agent",
    "owner",
    "level",
    "mode",
    "policy_version",
    "created_at",
    "deadline",
    "reviewer",
    "verdict",
    "decided_at",
    "rationale",
    "triggers",
    "evidence",
    "state",
    "sla_met",
    "incidents",
]
KPI_FIELDS = [
    "precision",
    "recall",
    "missed",
    "ttd_p50",
    "ttd_p90",
    "sla_attainment",
    "rollback_rate",
    "audit_readiness",
    "incidents",
]


def decision_rows(history: History) -> Iterator[dict[str, Any]]:
    """One row per human decision, and one per action that went through without one,
    read a chunk at a time."""
    for part in history.chunks():
        for h in part.handoffs:
            for values in _rows(h, part):
                yield dict(zip(ROW_FIELDS, values, strict=True))


def _rows(h: Counted, history: History) -> list[tuple[Any, ...]]:
    """``h``'s decision rows as values in ``ROW_FIELDS`` order."""
    a = h.assessment
    when = decided_at(h)
    met = "" if when is None or h.deadline is None else ("yes" if when <= h.deadline else "no")
    evidence = [e.source for e in (h.package.evidence if h.package else [])]
    evidence += [e.source for e in h.action.context.evidence if e.source not in evidence]
    head = (
        h.id,
        h.action.tool,
        h.action.agent,
        h.owner or "",
        a.level.value,
        a.mode.value,
        a.policy_version,
        h.created_at.isoformat(),
        h.deadline.isoformat() if h.deadline else "",
    )
    tail = (
        " ".join(t.code for t in a.triggers),
        "; ".join(evidence),
        h.state.value,
        met if escalated(h) else "",
        len(history.incidents_of(h.id)),
    )
    if not h.decisions:
        return [(*head, "", "", "", "", *tail)]
    return [
        (*head, d.reviewer, d.verdict.value, d.at.isoformat() if d.at else "", d.rationale, *tail)
        for d in h.decisions
    ]


def kpi_rows(report: KpiReport) -> list[dict[str, Any]]:
    """One row per slice (overall, owner:..., tool:...) with the headline figures."""
    slices: list[tuple[str, Kpis]] = [("overall", report.overall)]
    slices += [(f"owner:{k}", v) for k, v in report.by_owner.items()]
    slices += [(f"tool:{k}", v) for k, v in report.by_tool.items()]
    return [
        {"slice": name, "handoffs": k.handoffs, **{f: getattr(k, f) for f in KPI_FIELDS}}
        for name, k in slices
    ]


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>handoff oversight report {{ span }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; } .ok { color: #1e7b34; } .bad { color: #b3261e; }
.charts svg { margin: 0 1rem 1rem 0; border: 1px solid #eee; }
code { font-size: 12px; }
</style></head><body>
<h1>Oversight report</h1>
<p>Window: <b>{{ span }}</b>. Generated {{ generated }}. Policy <b>{{ policy.name }}</b>,
version <code>{{ policy.version }}</code> (each decision below names the version its
assessment was made under).</p>
<h2>Audit chain</h2>
<p class="{{ 'ok' if report.audit_ok else 'bad' }}">{{ report.audit or 'not checked' }}</p>
<h2>KPIs</h2>
<p>Definitions: docs/kpis.md.</p>
<table><tr><th>slice</th><th>handoffs</th><th>escalated</th><th>precision</th>
<th>missed</th><th>recall</th><th>decision p50</th><th>p90</th><th>SLA met</th>
<th>escalation steps</th><th>rollback</th><th>audit ready</th><th>incidents</th></tr>
{% for name, k in slices %}<tr><td>{{ name }}</td><td>{{ k.handoffs }}</td>
<td>{{ k.escalations }}</td><td>{{ pct(k.precision) }} ({{ k.changed }}/{{ k.decided }})</td>
<td>{{ k.missed }}</td><td>{{ pct(k.recall) }}</td><td>{{ dur(k.ttd_p50) }}</td>
<td>{{ dur(k.ttd_p90) }}</td>
<td>{{ pct(k.sla_attainment) }} ({{ k.sla_met }}/{{ k.sla_settled }})</td>
<td>{% for s, n in k.escalation_steps.items() %}{{ s }}: {{ n }} {% endfor %}</td>
<td>{{ pct(k.rollback_rate) }}</td>
<td>{{ pct(k.audit_readiness) }} ({{ k.audit_ready }}/{{ k.executed_actions }})</td>
<td>{{ k.incidents }}</td></tr>
{% endfor %}</table>
{% if report.overall.audit_missing %}<p>Executed actions missing part of their record:
{% for p, n in report.overall.audit_missing.items() %}
{{ p }} {{ n }}{{ ', ' if not loop.last }}{% endfor %}.</p>{% endif %}
<div class="charts">{% for svg in charts %}{{ svg }}{% endfor %}</div>
<h2>Approval fatigue</h2>
{% if not stamps and not splits %}
<p>No rubber-stamp reviewers and no split actions found.</p>{% endif %}
<ul>{% for r in stamps %}
<li>Reviewer <b>{{ r.reviewer }}</b>: {{ r.reasons | join('; ') }}</li>{% endfor %}
{% for s in splits %}
<li>{{ s.handoff_ids | length }} &times; {{ s.tool }} on {{ s.target }}
by {{ s.agent }}
between {{ s.first }} and {{ s.last }}: {{ s.handoff_ids | join(', ') }}</li>{% endfor %}</ul>
<h2>Decisions</h2>
<table><tr><th>handoff</th><th>tool</th><th>owner</th><th>level / mode</th><th>created</th>
<th>reviewer</th><th>verdict</th><th>when</th><th>rationale</th><th>triggers and evidence</th>
<th>policy</th><th>SLA met</th><th>state</th><th>incidents</th></tr>
{% for rows in decisions %}{{ rows }}{% endfor %}</table>
<h2>Incidents</h2>
<table><tr><th>id</th><th>handoff</th><th>reported</th><th>severity</th><th>by</th><th>description</th></tr>
{% for i in incidents %}<tr><td><code>{{ i.id }}</code></td><td><code>{{ i.handoff_id }}</code></td>
<td>{{ i.at.isoformat()[:16] }}</td><td>{{ i.incident.severity.value }}</td>
<td>{{ i.incident.reporter }}</td><td>{{ i.incident.description }}</td></tr>
{% endfor %}</table>
</body></html>
"""


class _Incidents:
    """The window's incidents, in the order they were reported (a ``Sink``)."""

    def __init__(self) -> None:
        self.found: list[IncidentRecord] = []

    def take(self, part: History) -> None:
        self.found += part.incidents


def row_html(r: dict[str, Any]) -> str:
    """One decision row of the page's table, every value escaped.

    Written out rather than looped in the template: a million rows through Jinja's
    loop cost a second per 100,000; tests/learn check it against the template form.
    """
    e = escape
    evidence = f"<br>evidence: {e(r['evidence'])}" if r["evidence"] else ""
    reviewer = r["reviewer"] or f"(none: {r['mode']})"
    return (
        f"<tr><td><code>{e(r['handoff_id'])}</code></td><td>{e(r['tool'])}</td>\n"
        f"<td>{e(r['owner'])}</td><td>{e(r['level'])} / {e(r['mode'])}</td>"
        f"<td>{e(r['created_at'][:16])}</td>\n"
        f"<td>{e(reviewer)}</td><td>{e(r['verdict'])}</td>\n"
        f"<td>{e(r['decided_at'][:16])}</td><td>{e(r['rationale'])}</td>\n"
        f"<td>{e(r['triggers'])}{evidence}</td>\n"
        f"<td><code>{e(r['policy_version'][:12])}</code></td><td>{e(r['sla_met'])}</td>"
        f"<td>{e(r['state'])}</td>\n"
        f"<td>{e(r['incidents'] or '')}</td></tr>\n"
    )


class _Escaped(dict[str, str]):
    """``escape``'s text of the few values that repeat row after row (tools, owners,
    modes, policy versions, states), worked out once each; at most ``_KEPT`` kept."""

    def __missing__(self, key: str) -> str:
        text = str(escape(key))
        if len(self) < _KEPT:
            self[key] = text
        return text


_KEPT = 10_000


def _html(rows: list[tuple[Any, ...]], known: _Escaped) -> str:
    """The table rows of one handoff's decision rows, as ``row_html`` writes each: the
    handoff's own cells escaped once, then each decision's."""
    e = escape
    (hid, tool, _agent, owner, level, mode, version, created, _deadline) = rows[0][:9]
    (triggers, evidence, state, met, incidents) = rows[0][13:]
    head = (
        f"<tr><td><code>{e(hid)}</code></td><td>{known[tool]}</td>\n"
        f"<td>{known[owner]}</td><td>{known[level]} / {known[mode]}</td>"
        f"<td>{e(created[:16])}</td>\n"
    )
    seen = f"<br>evidence: {e(evidence)}" if evidence else ""
    tail = (
        f"<td>{known[triggers]}{seen}</td>\n"
        f"<td><code>{known[version[:12]]}</code></td><td>{known[met]}</td>"
        f"<td>{known[state]}</td>\n"
        f"<td>{incidents or ''}</td></tr>\n"
    )
    return "".join(
        f"{head}<td>{known[r[9] or f'(none: {mode})']}</td><td>{known[r[10]]}</td>\n"
        f"<td>{e(r[11][:16])}</td><td>{e(r[12])}</td>\n{tail}"
        for r in rows
    )


class _Decisions:
    """The decision rows, written to decisions.csv as each chunk passes and, as the
    page's table rows, to a scratch file for the page, whose table comes after the
    figures (a ``Sink``).

    Reading the table back from the scratch file costs a fraction of reading and
    parsing the handoffs again, and memory holds one chunk and one block of the file.
    """

    def __init__(self, writer: Any, scratch: IO[str]) -> None:
        self.writer, self.scratch = writer, scratch
        self.known = _Escaped()

    def take(self, part: History) -> None:
        known, rows, html = self.known, [], []
        for h in part.handoffs:
            mine = _rows(h, part)
            rows += mine
            html.append(_html(mine, known))
        self.writer.writerows(rows)
        self.scratch.write("".join(html))

    def html(self, block: int = 1 << 20) -> Iterator[Markup]:
        """The page's table rows, in the order they were taken, a block at a time."""
        self.scratch.seek(0)
        while text := self.scratch.read(block):
            yield Markup(text)


def write_report(history: History, policy: Policy, out: Path) -> list[Path]:
    """Write report.html, decisions.csv and kpis.csv into ``out``; returns the paths.

    One pass over the history: the KPIs, fatigue findings and incidents (the page opens
    with them), and the decision rows, written to decisions.csv as they come and read
    back for the page's table, so a window of a million handoffs is read once and never
    held in memory.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {out} ({exc.strerror})", field="output") from None
    paths = [out / "report.html", out / "decisions.csv", out / "kpis.csv"]
    try:
        with (
            paths[1].open("w", newline="", encoding="utf-8") as fh,
            tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as scratch,
        ):
            writer = csv.writer(fh)
            writer.writerow(ROW_FIELDS)
            decisions = _Decisions(writer, scratch)
            tallies, stamps, splits, incidents = (
                KpiTallies(history),
                Stamps(),
                Splits(),
                _Incidents(),
            )
            history.feed(tallies, stamps, splits, incidents, decisions)
            report = tallies.report()
            incidents.found.sort(key=lambda i: (i.at, i.id))
            with paths[0].open("w", encoding="utf-8") as page:
                _page(page, history, policy, report, stamps, splits, incidents, decisions)
        with paths[2].open("w", newline="", encoding="utf-8") as fh:
            kpis = csv.DictWriter(fh, fieldnames=["slice", "handoffs", *KPI_FIELDS])
            kpis.writeheader()
            kpis.writerows(kpi_rows(report))
    except OSError as exc:
        raise InputError(f"cannot write into {out} ({exc.strerror})", field="output") from None
    return paths


def _page(
    page: IO[str],
    history: History,
    policy: Policy,
    report: KpiReport,
    stamps: Stamps,
    splits: Splits,
    incidents: _Incidents,
    decisions: _Decisions,
) -> None:
    w = history.window
    span = (
        f"{w.since.isoformat() if w.since else 'the beginning'}"
        f" to {w.until.isoformat() if w.until else 'now'}"
    )
    env = Environment(autoescape=True, keep_trailing_newline=True)
    slices: list[tuple[str, Kpis]] = [("overall", report.overall)]
    slices += [(f"owner {k}", v) for k, v in report.by_owner.items()]
    slices += [(f"tool {k}", v) for k, v in report.by_tool.items()]
    page.writelines(
        env.from_string(_TEMPLATE).generate(
            span=span,
            generated=datetime.now(UTC).isoformat(timespec="seconds"),
            policy=policy,
            report=report,
            slices=slices,
            # The charts are markup drawn by charts.py, which escapes every label.
            charts=[Markup(svg) for svg in kpi_chart(report)],
            stamps=stamps.found(),
            splits=splits.found(),
            decisions=decisions.html(),
            incidents=incidents.found,
            pct=share,
            dur=duration,
        )
    )

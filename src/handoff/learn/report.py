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
from ._fact import Counted, FactAssessment
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
#: The commas between a decision row's values.
_COMMAS = len(ROW_FIELDS) - 1
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
    cells = _Cells()
    for part in history.chunks():
        for h in part.handoffs:
            for values in cells.of(h, part)[0]:
                yield dict(zip(ROW_FIELDS, values, strict=True))


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


class _Cells:
    """One handoff's decision rows, as values in ``ROW_FIELDS`` order for decisions.csv
    and as the page's table rows (``row_html``'s text), both from the same values.

    Every value that can hold markup is escaped. The ISO times cannot (``isoformat``
    writes digits and ``-:T.+``), nor can an id that is an identifier; any other id is
    escaped too. tests/learn check the rows against ``row_html`` with markup in every
    free-text field.
    """

    def __init__(self) -> None:
        self.known = _Escaped()
        #: A facts row's trigger codes (JSON text, a few distinct) joined for the row.
        self.codes: dict[str, str] = {}

    def triggers(self, a: Any) -> str:
        if type(a) is not FactAssessment:
            return " ".join(t.code for t in a.triggers)
        joined = self.codes.get(a.codes)
        if joined is None:
            joined = " ".join(t.code for t in a.triggers)
            if len(self.codes) < _KEPT:
                self.codes[a.codes] = joined
        return joined

    def of(self, h: Counted, history: History) -> tuple[list[tuple[Any, ...]], str, str]:
        """``h``'s rows, their text in decisions.csv if no value needs quoting (see
        ``_Decisions.take``) and their text in the page's table."""
        known, a = self.known, h.assessment
        hid, owner, deadline = h.id, h.owner or "", h.deadline
        tool, level, mode = h.action.tool, a.level._value_, a.mode._value_
        version, state = a.policy_version, h.state._value_
        created = h.created_at.isoformat()
        when = decided_at(h)
        met = (
            ""
            if when is None or deadline is None or not escalated(h)
            else ("yes" if when <= deadline else "no")
        )
        found = [e.source for e in (h.package.evidence if h.package else ())]
        found += [e.source for e in h.action.context.evidence if e.source not in found]
        evidence, triggers = "; ".join(found), self.triggers(a)
        incidents = len(history.incidents_of(hid))
        head = (hid, tool, h.action.agent, owner, level, mode, version, created)
        tail = (triggers, evidence, state, met, incidents)
        first = ",".join(head)
        last = f"{triggers},{evidence},{state},{met},{incidents}\r\n"
        cells = (
            f"<tr><td><code>{hid if hid.isidentifier() else escape(hid)}</code></td>"
            f"<td>{known[tool]}</td>\n<td>{known[owner]}</td>"
            f"<td>{known[level]} / {known[mode]}</td><td>{created[:16]}</td>\n"
        )
        seen = f"<br>evidence: {known[evidence]}" if evidence else ""
        end = (
            f"<td>{known[triggers]}{seen}</td>\n"
            f"<td><code>{known[version[:12]]}</code></td><td>{known[met]}</td>"
            f"<td>{known[state]}</td>\n<td>{incidents or ''}</td></tr>\n"
        )
        due, nobody = deadline.isoformat() if deadline else "", f"(none: {mode})"
        if not h.decisions:
            return (
                [(*head, due, "", "", "", "", *tail)],
                f"{first},{due},,,,,{last}",
                f"{cells}<td>{known[nobody]}</td><td></td>\n<td></td><td></td>\n{end}",
            )
        rows, text, html = [], [], []
        for d in h.decisions:
            at, verdict = d.at.isoformat() if d.at else "", d.verdict._value_
            rows.append((*head, due, d.reviewer, verdict, at, d.rationale, *tail))
            text.append(f"{first},{due},{d.reviewer},{verdict},{at},{d.rationale},{last}")
            html.append(
                f"{cells}<td>{known[d.reviewer or nobody]}</td><td>{known[verdict]}</td>\n"
                f"<td>{at[:16]}</td><td>{known[d.rationale]}</td>\n{end}"
            )
        return rows, "".join(text), "".join(html)


class _Decisions:
    """The decision rows, written to decisions.csv as each chunk passes and, as the
    page's table rows, to a scratch file for the page, whose table comes after the
    figures (a ``Sink``).

    Reading the table back from the scratch file costs a fraction of reading and
    parsing the handoffs again, and memory holds one chunk and one block of the file.
    """

    def __init__(self, out: IO[str], scratch: IO[str]) -> None:
        self.out, self.scratch = out, scratch
        self.writer = csv.writer(out)
        self.writer.writerow(ROW_FIELDS)
        self.cells = _Cells()

    def take(self, part: History) -> None:
        of, rows, text, html = self.cells.of, [], [], []
        for h in part.handoffs:
            mine, line, page = of(h, part)
            rows += mine
            text.append(line)
            html.append(page)
        self.scratch.write("".join(html))
        # The rows joined by commas are what ``csv.writer`` writes when no value holds a
        # comma, a quote or a line break (so needs no quoting): checked for the whole
        # chunk at once, by the count of each. The writer checks every character of
        # every value, in a loop that costs more than building the rows.
        joined, n = "".join(text), len(rows)
        if (
            joined.count(",") == _COMMAS * n
            and joined.count("\n") == n
            and joined.count("\r") == n
            and '"' not in joined
        ):
            self.out.write(joined)
        else:
            self.writer.writerows(rows)

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
            decisions = _Decisions(fh, scratch)
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

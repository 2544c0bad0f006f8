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
from ..decide.lifecycle import OPEN
from ..models import State
from ..policy import Policy
from ..route.sla import ACTOR as LADDER_ACTOR
from ._fact import Counted, FactAssessment, FactContext, FactPackage
from .charts import kpi_chart
from .fatigue import Splits, Stamps
from .history import History, IncidentRecord, decided_at
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
            for values in cells.rows(h, part):
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
    """A chunk's decision rows, as decisions.csv's text and as the page's table rows
    (``row_html``'s text), both from the same values; ``rows`` gives one handoff's
    rows as values in ``ROW_FIELDS`` order (``decision_rows``, and decisions.csv when a
    value needs quoting).

    Every value that can hold markup is escaped. The ISO times cannot (``isoformat``
    writes digits and ``-:T.+``), nor can an id that is an identifier; any other id is
    escaped too. tests/learn check the rows against ``row_html`` with markup in every
    free-text field.
    """

    def __init__(self) -> None:
        self.known = _Escaped()
        #: A facts row's trigger codes (JSON text, a few distinct) joined for the row.
        self.codes: dict[str, str] = {}
        #: A facts row's evidence sources (package's, action's: JSON text) joined.
        self.sources: dict[tuple[str | None, str], str] = {}
        #: The text of the values that repeat row after row, a few hundred distinct:
        #: by (tool, agent, owner, level, mode, policy version) and by (triggers,
        #: evidence, policy version, SLA met, state); at most ``_KEPT`` of each kept.
        self.leads: dict[tuple[str, ...], tuple[str, str, str]] = {}
        self.tails: dict[tuple[str, ...], tuple[str, str]] = {}

    def lead(self, key: tuple[str, ...]) -> tuple[str, str, str]:
        """decisions.csv's text from tool to policy version; the page's from the id's
        end to the creation time; the page's reviewer cell when nobody decided."""
        known, (tool, _agent, owner, level, mode, _version) = self.known, key
        found = (
            ",".join(key),
            f"</code></td><td>{known[tool]}</td>\n<td>{known[owner]}</td>"
            f"<td>{known[level]} / {known[mode]}</td><td>",
            f"<td>{known[f'(none: {mode})']}</td>",
        )
        if len(self.leads) < _KEPT:
            self.leads[key] = found
        return found

    def tail(self, key: tuple[str, ...]) -> tuple[str, str]:
        """decisions.csv's text from triggers to SLA met; the page's from the triggers
        to the incidents' cell."""
        known, (triggers, evidence, version, met, state) = self.known, key
        seen = f"<br>evidence: {known[evidence]}" if evidence else ""
        found = (
            f"{triggers},{evidence},{state},{met}",
            f"<td>{known[triggers]}{seen}</td>\n<td><code>{known[version[:12]]}</code></td>"
            f"<td>{known[met]}</td><td>{known[state]}</td>\n<td>",
        )
        if len(self.tails) < _KEPT:
            self.tails[key] = found
        return found

    def triggers(self, a: Any) -> str:
        if type(a) is not FactAssessment:
            return " ".join(t.code for t in a.triggers)
        joined = self.codes.get(a.codes)
        if joined is None:
            joined = " ".join(t.code for t in a.triggers)
            if len(self.codes) < _KEPT:
                self.codes[a.codes] = joined
        return joined

    def evidence(self, h: Counted) -> str:
        """The sources of the package's evidence, then the action's not among them."""
        pkg, context = h.package, h.action.context
        key = None
        if type(context) is FactContext and (pkg is None or type(pkg) is FactPackage):
            key = (None if pkg is None else pkg.sources, context.sources)
            if key[1] == "[]" and (key[0] is None or key[0] == "[]"):
                return ""
            joined = self.sources.get(key)
            if joined is not None:
                return joined
        found = [e.source for e in (pkg.evidence if pkg else ())]
        found += [e.source for e in context.evidence if e.source not in found]
        joined = "; ".join(found)
        if key is not None and len(self.sources) < _KEPT:
            self.sources[key] = joined
        return joined

    def rows(self, h: Counted, history: History) -> list[tuple[Any, ...]]:
        """``h``'s rows, as values in ``ROW_FIELDS`` order."""
        a, when, deadline = h.assessment, decided_at(h), h.deadline
        met = "" if when is None or deadline is None else ("yes" if when <= deadline else "no")
        head = (
            h.id,
            h.action.tool,
            h.action.agent,
            h.owner or "",
            a.level._value_,
            a.mode._value_,
            a.policy_version,
            h.created_at.isoformat(),
            deadline.isoformat() if deadline else "",
        )
        tail = (
            self.triggers(a),
            self.evidence(h),
            h.state._value_,
            met,
            len(history.incidents_of(h.id)),
        )
        if not h.decisions:
            return [(*head, "", "", "", "", *tail)]
        return [
            (
                *head,
                d.reviewer,
                d.verdict._value_,
                d.at.isoformat() if d.at else "",
                d.rationale,
                *tail,
            )
            for d in h.decisions
        ]

    def chunk(self, part: History) -> tuple[str, int, str]:
        """The chunk's rows as decisions.csv's text if no value needs quoting (see
        ``_Decisions.take``), their number, and as the page's table rows.

        One loop over the chunk with everything it reads held in locals: the same values
        as ``rows`` (``decided_at``'s test written out: a deadline makes a handoff
        ``escalated``), each row written by one format.
        """
        known, codes, triggers_of, evidence_of = (
            self.known,
            self.codes,
            self.triggers,
            self.evidence,
        )
        incidents_of, unsettled, ladder = part.incidents_of, _UNSETTLED, LADDER_ACTOR
        leads, tails = self.leads, self.tails
        text: list[str] = []
        html: list[str] = []
        put_text, put_html = text.append, html.append
        for h in part.handoffs:
            a, hid, deadline, made = h.assessment, h.id, h.deadline, h.decisions
            created, level, mode = h.created_at.isoformat(), a.level._value_, a.mode._value_
            key = (h.action.tool, h.action.agent, h.owner or "", level, mode, a.policy_version)
            lead = leads.get(key) or self.lead(key)
            met = ""
            if deadline is None:
                due = ""
            else:
                due = deadline.isoformat()
                if made and h.state not in unsettled:
                    last = made[-1]
                    if last.reviewer != ladder and last.at is not None:
                        met = "yes" if last.at <= deadline else "no"
            triggers = codes.get(a.codes) if type(a) is FactAssessment else None
            if triggers is None:
                triggers = triggers_of(a)
            end = (triggers, evidence_of(h), a.policy_version, met, h.state._value_)
            tail = tails.get(end) or self.tail(end)
            incidents = len(incidents_of(hid))
            shown = hid if hid.isidentifier() else escape(hid)
            if not made:
                put_text(f"{hid},{lead[0]},{created},{due},,,,,{tail[0]},{incidents}\r\n")
                put_html(
                    f"<tr><td><code>{shown}{lead[1]}{created[:16]}</td>\n{lead[2]}"
                    f"<td></td>\n<td></td><td></td>\n{tail[1]}{incidents or ''}</td></tr>\n"
                )
                continue
            for d in made:
                at, verdict, reviewer = (
                    d.at.isoformat() if d.at else "",
                    d.verdict._value_,
                    d.reviewer,
                )
                put_text(
                    f"{hid},{lead[0]},{created},{due},{reviewer},{verdict},{at},{d.rationale}"
                    f",{tail[0]},{incidents}\r\n"
                )
                who = f"<td>{known[reviewer]}</td>" if reviewer else lead[2]
                put_html(
                    f"<tr><td><code>{shown}{lead[1]}{created[:16]}</td>\n{who}"
                    f"<td>{known[verdict]}</td>\n<td>{at[:16]}</td><td>{known[d.rationale]}</td>"
                    f"\n{tail[1]}{incidents or ''}</td></tr>\n"
                )
        return "".join(text), len(text), "".join(html)


#: States in which no human decision settled a handoff (``decided_at``).
_UNSETTLED = frozenset(OPEN | {State.CANCELLED, State.EXPIRED})


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
        joined, n, html = self.cells.chunk(part)
        self.scratch.write(html)
        # The rows joined by commas are what ``csv.writer`` writes when no value holds a
        # comma, a quote or a line break (so needs no quoting): checked for the whole
        # chunk at once, by the count of each. The writer checks every character of
        # every value, in a loop that costs more than building the rows.
        if (
            joined.count(",") == _COMMAS * n
            and joined.count("\n") == n
            and joined.count("\r") == n
            and '"' not in joined
        ):
            self.out.write(joined)
        else:
            rows = self.cells.rows
            self.writer.writerows(r for h in part.handoffs for r in rows(h, part))

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

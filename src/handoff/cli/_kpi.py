"""Learn in the terminal: ``kpi``, ``incident``, ``report``, ``policy backtest|suggest``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .._exceptions import InputError
from ..learn.charts import combine, kpi_chart
from ..learn.fatigue import RubberStamp, SplitAction, Splits, Stamps
from ..learn.history import History, Window, load_history, parse_when, stream_history
from ..learn.kpi import KpiReport, Kpis, KpiTallies, duration, share
from ..models import Level
from ..store import Store
from ._common import DbOption, JsonFlag, console, echo_json, err, open_plane, reporting

__all__ = [
    "incident_app",
    "kpi",
    "oversight_report",
    "policy_backtest",
    "policy_suggest",
]

incident_app = typer.Typer(
    help="Report problems found with executed actions.", no_args_is_help=True
)

SinceOption = Annotated[
    str | None,
    typer.Option("--since", "--from", help="Start: 2026-01-05, an ISO time, or an age (7d)."),
]
UntilOption = Annotated[
    str | None, typer.Option("--until", "--to", help="End (excluded); same forms as --since.")
]


def window_of(since: str | None, until: str | None) -> Window:
    return Window(parse_when(since, "since"), parse_when(until, "until"))


def narrowed(
    store: Store, window: Window, owner: str | None, tool: str | None, *, check_audit: bool
) -> History:
    """The streamed history of one owner team and/or one tool; an unknown name (no
    handoff of it in a window that has some) is an input error."""
    since, until = window.since, window.until
    if (owner is not None or tool is not None) and (
        store.learn_count(since=since, until=until, owner=owner, tool=tool) == 0
        and store.learn_count(since=since, until=until)
    ):
        what, name = ("owner", owner) if owner else ("tool", tool)
        raise InputError(f"no handoffs for {what} {name!r} in this window", field=what)
    return stream_history(
        store, window, check_audit=check_audit, owner=owner, tool=tool, facts=True
    )


def _overall(k: Kpis) -> Table:
    t = Table(title="KPIs", title_justify="left", show_header=True)
    t.add_column("KPI")
    t.add_column("value", justify="right")
    t.add_column("from")
    steps = ", ".join(f"{n}x{s}" for s, n in k.escalation_steps.items()) or "-"
    t.add_row(
        "escalation precision", share(k.precision), f"{k.changed} changed / {k.decided} decided"
    )
    t.add_row(
        "missed escalations",
        str(k.missed),
        f"{k.missed_incidents} incidents on {k.auto_executed} auto-executed",
    )
    t.add_row("recall (implied)", share(k.recall), f"{k.changed} / ({k.changed} + {k.missed})")
    t.add_row("time to decision p50", duration(k.ttd_p50), f"{k.decided} decided")
    t.add_row("time to decision p90", duration(k.ttd_p90), "")
    t.add_row(
        "SLA attainment",
        share(k.sla_attainment),
        f"{k.sla_met} met / {k.sla_settled}; steps {{{steps}}}; {k.reminders} reminders",
    )
    t.add_row(
        "rollback rate", share(k.rollback_rate), f"{k.rolled_back} / {k.executions_ended} ended"
    )
    missing = ", ".join(f"{p} {n}" for p, n in k.audit_missing.items()) or "none missing"
    t.add_row(
        "audit readiness",
        share(k.audit_readiness),
        f"{k.audit_ready} / {k.executed_actions} executed; {missing}",
    )
    trend = " ".join(str(n) for n in k.incidents_by_week.values()) or "-"
    t.add_row("incidents per week", str(k.incidents), trend)
    return t


def _slices(title: str, slices: dict[str, Kpis]) -> Table:
    t = Table(title=title, title_justify="left")
    for col in ("", "handoffs", "escalated", "precision", "missed", "p50", "p90", "SLA"):
        t.add_column(col, justify="left" if col == "" else "right")
    for col in ("rollback", "audit", "incidents"):
        t.add_column(col, justify="right")
    for name, k in slices.items():
        t.add_row(
            name,
            str(k.handoffs),
            str(k.escalations),
            share(k.precision),
            str(k.missed),
            duration(k.ttd_p50),
            duration(k.ttd_p90),
            share(k.sla_attainment),
            share(k.rollback_rate),
            share(k.audit_readiness),
            str(k.incidents),
        )
    return t


def render(report: KpiReport, stamps: list[RubberStamp], splits: list[SplitAction]) -> None:
    console.print(_overall(report.overall))
    console.print(_slices("By owner", report.by_owner))
    console.print(_slices("By tool", report.by_tool))
    style = "green" if report.audit_ok else "red"
    console.print(report.audit or "audit not checked", style=style)
    for r in stamps:
        console.print(f"rubber stamp? {r.reviewer}: {'; '.join(r.reasons)}", style="yellow")
    for s in splits:
        console.print(
            f"split action? {len(s.handoff_ids)} x {s.tool} on {s.target} by {s.agent}"
            f" between {s.first} and {s.last}",
            style="yellow",
        )


def kpi(
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner team.")] = None,
    tool: Annotated[str | None, typer.Option("--tool", help="Only this tool.")] = None,
    as_json: JsonFlag = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", metavar="FILE.svg", help="Write the charts as SVG.")
    ] = None,
) -> None:
    """The six KPIs for a window, overall, per owner and per tool (docs/kpis.md)."""
    with reporting():
        if chart is not None and chart.suffix.lower() != ".svg":
            raise InputError("charts are written as SVG; name the file FILE.svg", field="chart")
        window = window_of(since, until)
        stamps, splits = Stamps(), Splits()
        with open_plane(db) as plane:
            history = narrowed(plane.store, window, owner, tool, check_audit=True)
            tallies = KpiTallies(history)
            history.feed(tallies, stamps, splits)
        report = tallies.report()
        if chart is not None:
            try:
                chart.write_text(combine(kpi_chart(report)), encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot write {chart} ({exc.strerror})", field="chart") from None
    if as_json:
        out = report.to_json()
        out["rubber_stamps"] = [r.to_json() for r in stamps.found()]
        out["split_actions"] = [s.to_json() for s in splits.found()]
        echo_json(out)
    else:
        render(report, stamps.found(), splits.found())
    if chart is not None:
        err.print(f"wrote {chart}")


@incident_app.command("report")
def report_incident(
    handoff_id: Annotated[str, typer.Argument(metavar="HANDOFF_ID", help="The executed handoff.")],
    description: Annotated[
        str, typer.Option("--description", "-d", help="What went wrong.", show_default=False)
    ],
    severity: Annotated[
        Level, typer.Option("--severity", help="low, medium or high.")
    ] = Level.MEDIUM,
    reporter: Annotated[str, typer.Option("--reporter", "--as", help="Who reports it.")] = "cli",
    db: DbOption = None,
) -> None:
    """Record a problem found with an executed action (a missed escalation when it ran on
    its own)."""
    with reporting(), open_plane(db) as plane:
        incident_id = plane.report_incident(
            {
                "handoff_id": handoff_id,
                "severity": severity.value,
                "description": description,
                "reporter": reporter,
            }
        )
        h = plane.get(handoff_id)
    note = " (ran on its own: a missed escalation)" if h.assessment.mode.value == "auto" else ""
    console.print(f"incident {incident_id} recorded against {handoff_id}{note}", style="green")


def oversight_report(
    out: Annotated[Path, typer.Option("-o", "--output", help="Directory to write into.")],
    since: SinceOption = None,
    until: UntilOption = None,
    db: DbOption = None,
) -> None:
    """Write the oversight report for auditors: report.html, decisions.csv, kpis.csv."""
    from ..learn.report import write_report

    with reporting():
        window = window_of(since, until)
        with open_plane(db) as plane:
            history = stream_history(plane.store, window, facts=True)
            files = write_report(history, plane.policy, out)
    for f in files:
        console.print(f"wrote {f}")


def policy_backtest(
    candidate: Annotated[
        Path, typer.Argument(metavar="CANDIDATE.yaml", help="The policy to try on the history.")
    ],
    db: DbOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Replay the recorded actions under a candidate policy: what it would change."""
    from ..learn.backtest import backtest
    from ..policy import load_policy

    with reporting():
        pol = load_policy(candidate)
        window = window_of(since, until)
        with open_plane(db) as plane:
            history = stream_history(plane.store, window, check_audit=False)
            if as_json or not err.is_terminal:
                result = backtest(history, pol)
            else:
                total = plane.store.learn_count(since=window.since, until=window.until)
                with Progress(
                    TextColumn("replaying"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=err,
                    transient=True,
                ) as bar:
                    task = bar.add_task("replay", total=total)
                    result = backtest(history, pol, lambda n: bar.advance(task, n))
    if as_json:
        echo_json(result.to_json())
        return
    console.print(
        f"{candidate.name} (version {pol.version[:16]}) on {result.replayed} recorded actions"
        + (f", {result.from_shadow} from shadow assessments" if result.from_shadow else ""),
        style="bold",
    )
    t = Table(show_header=False)
    t.add_column()
    t.add_column(justify="right")
    t.add_column()
    t.add_row("escalations added", str(len(result.added)), _short(result.added))
    t.add_row("escalations removed", str(len(result.removed)), _short(result.removed))
    t.add_row("incidents it would have caught", str(len(result.caught)), _short(result.caught))
    t.add_row(
        "human-changed actions it would let run",
        str(len(result.let_through)),
        _short(result.let_through),
    )
    t.add_row("newly blocked", str(len(result.blocked)), _short(result.blocked))
    change = result.precision_change
    t.add_row(
        "escalation precision",
        f"{share(result.precision_active)} -> {share(result.precision_candidate)}",
        "" if change is None else f"{change * 100:+.1f} points (estimate)",
    )
    console.print(t)
    load = Table(title="Reviewer load by owner (escalations)", title_justify="left")
    for col in ("owner", "active", "candidate", "change"):
        load.add_column(col, justify="left" if col == "owner" else "right")
    for owner, n in result.to_json()["reviewer_load"].items():
        load.add_row(
            owner, str(n["active"]), str(n["candidate"]), f"{n['candidate'] - n['active']:+d}"
        )
    console.print(load)


def _short(ids: list[str], shown: int = 3) -> str:
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


def policy_suggest(
    db: DbOption = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            envvar="HANDOFF_POLICY",
            help="The policy file the diffs apply to (default: the built-in policy).",
            show_default=False,
        ),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            metavar="FILE.jsonl",
            help="Also write the decisions as labelled actions for `handoff learn fit`.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Propose policy edits from the history, as diffs, each with its evidence."""
    from importlib import resources

    from ..learn.suggest import labelled_actions, suggest

    with reporting():
        if policy is None:
            text = resources.files("handoff").joinpath("default_policy.yaml").read_text("utf-8")
            name = "policy.yaml"
        else:
            try:
                text = policy.read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot read {policy} ({exc.strerror})", field="policy") from None
            name = policy.name
        window = window_of(since, until)
        with open_plane(db, policy) as plane:
            history = load_history(plane.store, window, check_audit=False)
            found = suggest(history, plane.policy, text, name)
        if labels is not None:
            rows = labelled_actions(history)
            try:
                with labels.open("w", encoding="utf-8") as fh:
                    for row in rows:
                        fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            except OSError as exc:
                raise InputError(
                    f"cannot write {labels} ({exc.strerror})", field="labels"
                ) from None
            err.print(f"wrote {len(rows)} labelled actions to {labels}")
    if as_json:
        echo_json([s.to_json() for s in found])
        return
    if not found:
        console.print("no suggestions: the history gives no reason to change the policy")
        return
    if policy is None:
        console.print(
            "diffs apply to a copy of the built-in policy saved as policy.yaml", style="dim"
        )
    for i, s in enumerate(found, 1):
        console.print(f"{i}. {s.title}", style="bold")
        console.print(f"   evidence: {s.evidence}", markup=False, soft_wrap=True)
        if s.command:
            console.print(f"   run: {s.command}", markup=False)
        if s.diff:
            console.print(s.diff, markup=False, highlight=False, soft_wrap=True, end="")

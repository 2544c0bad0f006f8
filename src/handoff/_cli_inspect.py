"""Commands that read no database: ``assess``, ``eval`` and ``policy check``."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from . import rubric
from ._cli_common import JsonFlag, PolicyOption, console, echo_json, err, reporting
from ._cli_common import read_json as read_json_file
from ._cli_render import render_assessment
from .evaluation import evaluate
from .evaluation import render as render_report
from .models import Action
from .plane import parse_input
from .policy import Policy, load_policy

__all__ = ["assess", "eval_cases", "policy_app"]

policy_app = typer.Typer(help="Check a policy file.", no_args_is_help=True)


def assess(
    action_file: Annotated[
        Path, typer.Argument(metavar="ACTION.json", help="One action as a JSON object.")
    ],
    policy: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Assess one action under the policy (Detect only: nothing is stored or run)."""
    with reporting():
        pol = load_policy(policy)
        action = parse_input(Action, read_json_file(action_file, "action"), "action")
        a = rubric.assess(action, pol)
    if as_json:
        echo_json(a.model_dump(mode="json"))
        return
    console.print(f"{action.tool} under policy {pol.name}", style="bold")
    render_assessment(a, console)


def eval_cases(
    cases: Annotated[
        Path, typer.Argument(metavar="CASES.jsonl", help="Labelled trajectories, one per line.")
    ],
    policy: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Score Detect and Route on labelled cases: precision, recall, F1, owner accuracy."""
    with reporting():
        pol = load_policy(policy)
        if as_json:
            report = evaluate(cases, pol)
        else:
            with Progress(
                TextColumn("assessing"),
                BarColumn(),
                MofNCompleteColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            ) as bar:
                task = bar.add_task("cases", total=None)

                def tick(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                report = evaluate(cases, pol, progress=tick)
    if as_json:
        echo_json(report.to_json())
        return
    render_report(report, console)
    console.print(f"policy {pol.name} version {report.policy_version[:16]}", style="dim")


@policy_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The policy YAML file.")],
    explain: Annotated[
        bool, typer.Option("--explain", help="List trigger rules, tool rules and routes.")
    ] = False,
) -> None:
    """Validate a policy; exit 2 naming file:line and the path at fault."""
    with reporting():
        pol = load_policy(file)
    console.print(f"policy ok: {pol.name}  version {pol.version[:16]}", style="green")
    owners = Table(title="Owners", title_justify="left")
    for col in ("team", "members", "lead", "backup", "description"):
        owners.add_column(col)
    for name, team in pol.owners.items():
        owners.add_row(
            name, ", ".join(team.members), team.lead or "-", team.backup or "-", team.description
        )
    if pol.owners:
        console.print(owners)
    else:
        console.print("no owner teams: any reviewer but the requester may decide", style="dim")
    console.print(f"default owner {pol.default_owner}", style="dim")
    if explain:
        _explain(pol)


def _explain(pol: Policy) -> None:
    # The detectors package exports its detector functions, not a list of the codes they
    # can fire, so this lists what the policy says about each code it has a rule for.
    console.print(
        "Trigger codes this policy has rules for (a fired code without a rule raises the "
        "level to medium):",
        style="bold",
    )
    rules = Table(show_edge=False)
    for col in ("code", "enabled", "level floor", "mode", "owner"):
        rules.add_column(col)
    for code, r in sorted(pol.triggers.items()):
        rules.add_row(
            code,
            "yes" if r.enabled else "no",
            r.level.value if r.level else ("-" if code.startswith("subject.") else "medium"),
            r.mode.value if r.mode else "-",
            r.owner or "-",
        )
    console.print(rules)
    if pol.tools:
        tools = Table(title="Tool rules", title_justify="left", show_edge=False)
        for col in ("tool", "level", "mode", "owner", "impact", "reversibility"):
            tools.add_column(col)
        for pattern, t in pol.tools.items():
            tools.add_row(
                pattern,
                t.level.value if t.level else "-",
                t.mode.value if t.mode else "-",
                t.owner or "-",
                "-" if t.impact is None else f"{t.impact:g}",
                "-" if t.reversibility is None else f"{t.reversibility:g}",
            )
        console.print(tools)
    if pol.routes:
        console.print("Routes (first match names the owner when no trigger does):", style="bold")
        for i, route in enumerate(pol.routes):
            w = route.when
            cond = [f"tool={w.tool}"] if w.tool else []
            cond += [f"triggers={'|'.join(w.triggers)}"] if w.triggers else []
            cond += [f"domain={w.domain!r}"] if w.domain else []
            console.print(f"  {i:2}. {' and '.join(cond) or 'always'} -> {route.owner}")
    levels = ", ".join(
        f"{lvl.value}: {pol.modes.get(lvl, '-')}, quorum {pol.quorum.get(lvl, 1)}, "
        f"sla {pol.sla.get(lvl, '-')}s"
        for lvl in pol.sla
    )
    console.print(f"levels: {levels}", style="dim")

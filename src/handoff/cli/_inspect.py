"""Commands that read no database: ``assess``, ``eval`` and ``policy check``."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from .._exceptions import InputError
from ..detect import codes, rubric
from ..detect.judge import Judge, JudgeConfig
from ..detect.learned import LearnedModel, fit, load_model, number
from ..learn._lodo import LodoReport, lodo, render_lodo
from ..learn._sources import by_source, render_sources
from ..learn.evaluation import Cases, EvalReport, JsonDict, case_examples, load_cases, score_cases
from ..learn.evaluation import render as render_report
from ..models import Action
from ..plane import parse_input
from ..policy import Policy, load_policy
from ._common import JsonFlag, PolicyOption, console, echo_json, err, reporting
from ._common import read_json as read_json_file
from ._kpi import policy_backtest, policy_suggest
from ._render import render_assessment

__all__ = ["assess", "eval_cases", "policy_app"]

policy_app = typer.Typer(
    help="Check a policy file; backtest a candidate; suggest edits.", no_args_is_help=True
)
policy_app.command("backtest")(policy_backtest)
policy_app.command("suggest")(policy_suggest)


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
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="CASES.jsonl...",
            help="Labelled trajectories, one per line; several files are scored per source.",
        ),
    ],
    policy: PolicyOption = None,
    as_json: JsonFlag = False,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="everything|regex",
            help="Score a baseline instead: escalate every action, or risky verbs only.",
        ),
    ] = None,
    learned: Annotated[
        Path | None,
        typer.Option(
            "--learned",
            metavar="MODEL.json",
            help="Also score rules plus this learned model (from `handoff learn fit`).",
        ),
    ] = None,
    by_domain: Annotated[
        bool,
        typer.Option("--lodo", help="Add leave-one-domain-out figures (retrains --learned)."),
    ] = False,
    judge: Annotated[
        bool, typer.Option("--judge", help="Consult the policy's detect.judge on the band.")
    ] = False,
    details: Annotated[
        bool, typer.Option("--details", help="With --json: each escalated case's reasons.")
    ] = False,
    loso: Annotated[
        bool,
        typer.Option(
            "--loso",
            help="With several files: also fit the learned scorer on the other sources and "
            "score each held-out source with it.",
        ),
    ] = False,
) -> None:
    """Score Detect and Route on labelled cases: precision, recall, F1, owner accuracy.

    With several files, each source is scored on its own beside the two baselines, and
    with ``--loso`` beside rules plus a learned scorer fitted on the other sources only:
    the honest figure for agents the detector was not tuned on.
    """
    if len(files) > 1 or loso:
        _eval_sources(files, policy, as_json, loso)
        return
    cases = files[0]
    with reporting():
        pol = load_policy(policy)
        if baseline is not None and (learned or judge or by_domain):
            raise InputError("--baseline stands alone: no --learned, --judge or --lodo")
        loaded = load_cases(cases)
        model = load_model(learned) if learned is not None else None
        rules = pol.with_learned(None) if model is not None else pol
        reviewer = _judge(pol) if judge else None
        sections: dict[str, EvalReport | LodoReport] = {}
        name = f"baseline:{baseline}" if baseline else "rules" if model else "policy"
        sections[name] = _scored(
            loaded, cases.name, rules, as_json, baseline=baseline, review=reviewer
        )
        if model is not None:
            sections["rules+learned"] = score_cases(
                loaded, cases.name, pol.with_learned(model), review=reviewer
            )
        if by_domain:
            bare = pol.with_learned(None)
            sections["lodo:rules"] = lodo(loaded, cases.name, bare)
            # The model to retrain per held-out domain: --learned, else the policy's own.
            basis = model if model is not None else pol.learned
            if isinstance(basis, LearnedModel):
                sections["lodo:rules+learned"] = lodo(
                    loaded, cases.name, bare, train=_trainer(basis, bare)
                )
        if reviewer is not None:
            reviewer.close()
    if as_json:
        out = {k: _as_json(v, details) for k, v in sections.items()}
        if reviewer is not None:
            stats = {"model": reviewer.config.model, "consulted": reviewer.calls}
            out[name]["judge"] = {**stats, "failed": reviewer.failures}
        echo_json(next(iter(out.values())) if len(out) == 1 else out)
        return
    for title, section in sections.items():
        if len(sections) > 1:
            console.rule(title)
        if isinstance(section, LodoReport):
            render_lodo(section, console, f"Leave-one-domain-out ({title})")
        else:
            render_report(section, console)
    if reviewer is not None:
        console.print(
            f"judge {reviewer.config.model}: {reviewer.calls} consulted, "
            f"{reviewer.failures} failed (the rubric's decision kept)",
            style="dim",
            markup=False,
        )
    console.print(f"policy {pol.name} version {pol.version[:16]}", style="dim")


def _eval_sources(files: list[Path], policy: Path | None, as_json: bool, loso: bool) -> None:
    with reporting():
        pol = load_policy(policy)
        names = [f.name.removesuffix(".jsonl").removeprefix("cases-") for f in files]
        if len(set(names)) != len(names):
            raise InputError("each case file must have its own name", field="cases")
        sources = {n: load_cases(f) for n, f in zip(names, files, strict=True)}
        basis = pol.learned if isinstance(pol.learned, LearnedModel) else None
        bare = pol.with_learned(None)
        train = (
            (_trainer(basis, bare) if basis is not None else _default_trainer(bare))
            if loso
            else None
        )
        report = by_source(sources, pol, train)
    if as_json:
        echo_json(report.to_json())
        return
    render_sources(report, console)
    console.print(f"policy {pol.name} version {pol.version[:16]}", style="dim")


def _default_trainer(pol: Policy) -> Callable[[Cases], LearnedModel]:
    """Fits the shipped scorer's settings on the cases it is given."""

    def train(rest: Cases) -> LearnedModel:
        return fit(case_examples(rest, pol), raise_at=0.9)

    return train


def _scored(
    loaded: Cases,
    name: str,
    pol: Policy,
    quiet: bool,
    *,
    baseline: str | None,
    review: Judge | None,
) -> EvalReport:
    if quiet:
        return score_cases(loaded, name, pol, baseline=baseline, review=review)
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

        return score_cases(loaded, name, pol, tick, baseline=baseline, review=review)


def _judge(pol: Policy) -> Judge:
    found = Judge.from_policy(pol)
    if found is None:
        raise InputError("--judge: the policy has no detect.judge section", field="detect.judge")
    return found


def _trainer(model: LearnedModel, pol: Policy) -> Callable[[Cases], LearnedModel]:
    """Fits a model like ``model`` (same settings) on the cases it is given."""
    meta = model.meta
    epochs = meta.get("epochs")
    l2 = number(meta.get("l2"))

    def train(rest: Cases) -> LearnedModel:
        return fit(
            case_examples(rest, pol),
            epochs=epochs if isinstance(epochs, int) and epochs > 0 else 12,
            l2=l2 if l2 is not None else 1e-2,
            raise_at=model.raise_at,
            lower_below=model.lower_below,
            dim_bits=model.dim_bits,
        )

    return train


def _as_json(section: EvalReport | LodoReport, details: bool) -> JsonDict:
    out = section.to_json()
    if details and isinstance(section, EvalReport):
        out["escalations"] = [
            {
                "id": r.id,
                "expected": r.expected,
                "step": r.step,
                "tool": r.tool,
                "owner": r.owner,
                "level": r.level,
                "reasons": list(r.reasons),
                "evidence": list(r.evidence),
            }
            for r in section.results
            if r.escalated
        ]
    return out


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
    model = pol.learned
    if isinstance(model, LearnedModel):
        lower = "off" if model.lower_below is None else f"{model.lower_below:g}"
        console.print(
            f"learned model {model.sha256[:16]}: {len(model.weights)} weights, "
            f"raise at p >= {model.raise_at:g}, lower below {lower} (before detect overrides)",
            style="dim",
        )
    judge = JudgeConfig.from_policy(pol.detect)
    if judge is not None:
        console.print(f"judge {judge.model} at {judge.base_url}, band {judge.band}", style="dim")
    if explain:
        _explain(pol)


def _explain(pol: Policy) -> None:
    console.print(
        "Trigger codes (a fired code without a rule raises the level to medium; subject.*"
        " only routes):",
        style="bold",
    )
    rules = Table(show_edge=False)
    for col in ("code", "fires when", "enabled", "level floor", "mode", "owner"):
        rules.add_column(col)
    for code, meaning in sorted(codes.TRIGGER_CODES.items()):
        r = pol.triggers.get(code)
        floor = "-" if code.startswith("subject.") else "medium"
        rules.add_row(
            code,
            meaning,
            "yes" if r is None or r.enabled else "no",
            r.level.value if r is not None and r.level else floor,
            r.mode.value if r is not None and r.mode else "-",
            (r.owner if r is not None else None) or "-",
        )
    console.print(rules)
    console.print("Notes (inform the scores, never hand off on their own):", style="bold")
    for code, meaning in sorted(codes.NOTES.items()):
        console.print(f"  {code}: {meaning}", markup=False)
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

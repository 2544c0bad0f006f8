"""How the terminal shows assessments and handoffs (``handoff assess``, ``pending``, ``show``).

Every string an agent wrote is untrusted: it is printed as literal text (never as rich
markup) with invisible and control characters made visible, so a reviewer sees what
is really there.
"""

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .._invisible import spell
from ..decide._review import count_approvals
from ..models import Action, Assessment, Event, Handoff, Level
from ..package._diff import diff_args, differs
from ..policy import Policy

__all__ = [
    "LEVEL_STYLE",
    "countdown",
    "describe",
    "pending_table",
    "quorum_progress",
    "render_assessment",
    "render_handoff",
    "render_option_diffs",
    "top_reason",
    "txt",
    "visible",
]

LEVEL_STYLE = {Level.LOW: "green", Level.MEDIUM: "yellow", Level.HIGH: "bold red"}


def visible(text: str) -> str:
    """``text`` with invisible and control characters spelled out as ``<U+200B>``.

    Which characters are invisible is ``handoff._invisible``'s one definition, shared
    with the web inbox, Slack and email.
    """
    return spell(text)


def txt(value: object, style: str = "", limit: int | None = None) -> Text:
    """Agent-written ``value`` as literal rich text, cut to ``limit`` characters."""
    s = visible(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "…"
    return Text(s, style=style)


def describe(action: Action) -> str:
    """A short human label for what the action does, read from its usual arguments."""
    args = action.args
    if isinstance(args.get("role"), str) and isinstance(args.get("user"), str):
        where = f" on {args['system']}" if isinstance(args.get("system"), str) else ""
        return f"{args['role']}{where} for {args['user']}"
    if isinstance(args.get("find"), str) and isinstance(args.get("replace"), str):
        target = args.get("draft_id") or args.get("title") or ""
        return f"{target} '{args['find']}' -> '{args['replace']}'".strip()
    for key in ("title", "subject", "text", "change", "name", "message"):
        if isinstance(args.get(key), str):
            return str(args[key])
    return json.dumps(args, ensure_ascii=False)


def _span(seconds: float) -> str:
    s = int(abs(seconds))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m = s // 60
    if d:
        return f"{d}d {h}h"
    if h:
        return f"{h}h {m:02d}m"
    return f"{m}m"


def countdown(deadline: datetime | None, now: datetime) -> str:
    if deadline is None:
        return "-"
    left = (deadline - now).total_seconds()
    return f"in {_span(left)}" if left >= 0 else f"overdue {_span(left)}"


def quorum_progress(h: Handoff, policy: Policy) -> str:
    return f"{count_approvals(h, policy)}/{h.assessment.quorum}"


def top_reason(a: Assessment) -> str:
    reasons = a.reasons()
    return reasons[0] if reasons else ""


def pending_table(
    handoffs: Iterable[Handoff], policy: Policy, now: datetime, title: str | None = None
) -> Table:
    """One row per handoff: id, tool, level, owner, quorum, due; then what and why."""
    table = Table(title=title, title_justify="left", box=None, header_style="bold underline")
    table.add_column("id", no_wrap=True, min_width=28)
    table.add_column("tool", no_wrap=True)
    table.add_column("level", no_wrap=True)
    table.add_column("owner", no_wrap=True)
    table.add_column("quorum", justify="center", no_wrap=True)
    table.add_column("due", no_wrap=True)
    table.add_column("what / top reason")
    for h in handoffs:
        a = h.assessment
        owner = h.owner or "-"
        if h.state.value == "redirected":
            owner += " (redirected)"
        what = txt(describe(h.action), limit=90)
        reason = top_reason(a)
        if reason:
            what.append("\n").append(reason, style="dim")
        table.add_row(
            h.id,
            h.action.tool,
            Text(a.level.value, style=LEVEL_STYLE[a.level]),
            owner,
            quorum_progress(h, policy),
            countdown(h.deadline, now),
            what,
        )
    return table


def render_assessment(a: Assessment, console: Console) -> None:
    """Level, score, mode, owner, quorum; then every factor and trigger with its evidence."""
    head = Text()
    head.append("level ", style="dim").append(a.level.value, style=LEVEL_STYLE[a.level])
    head.append("  score ", style="dim").append(f"{a.score:.3f}")
    head.append("  mode ", style="dim").append(a.mode.value, style="bold")
    head.append("  owner ", style="dim").append(a.owner or "-")
    head.append("  quorum ", style="dim").append(str(a.quorum))
    if a.sla_seconds:
        head.append("  sla ", style="dim").append(_span(a.sla_seconds))
    console.print(head)
    console.print(Text(f"policy version {a.policy_version[:16]}", style="dim"))

    factors = Table(title="Factors", title_justify="left")
    factors.add_column("factor")
    factors.add_column("score", justify="right")
    factors.add_column("reasons")
    for f in a.factors:
        why = Text()
        for i, r in enumerate(f.reasons):
            if i:
                why.append("\n")
            why.append(r.message)
            if r.where:
                why.append(f"  [{r.where}]", style="dim")
        factors.add_row(f.name, f"{f.score:.3f}", why)
    console.print(factors)

    if not a.triggers:
        console.print("no trigger fired", style="green")
        return
    triggers = Table(title="Triggers", title_justify="left")
    triggers.add_column("code", no_wrap=True)
    triggers.add_column("reason")
    triggers.add_column("where", no_wrap=True)
    triggers.add_column("excerpt")
    for t in a.triggers:
        triggers.add_row(t.code, t.message, t.where or "-", txt(t.excerpt, "italic"))
    console.print(triggers)


def _section(console: Console, title: str) -> None:
    console.print()
    console.rule(Text(title, style="bold"), align="left")


def _bullets(console: Console, items: Iterable[Any], empty: str = "(none)") -> None:
    shown = False
    for item in items:
        console.print(Text("  • ").append(txt(item)))
        shown = True
    if not shown:
        console.print(f"  {empty}", style="dim")


def render_preview(preview: dict[str, Any], console: Console) -> None:
    """What the executor says the action would change: a diff when it gives one."""
    console.print(Text("preview (from the executor):", style="bold"))
    if "target" in preview:
        console.print(Text("  target ", style="dim").append(txt(preview["target"])))
    if preview.get("error"):
        console.print(Text("  preview failed: ", style="yellow").append(txt(preview["error"])))
    diff = preview.get("diff")
    if isinstance(diff, str) and diff:
        for line in diff.splitlines():
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
            console.print(txt("  " + line, style))
    elif not preview.get("error"):
        shown = {k: v for k, v in preview.items() if k != "target"}
        console.print(txt("  " + json.dumps(shown, ensure_ascii=False, sort_keys=True), "", 400))


def render_option_diffs(h: Handoff, console: Console) -> None:
    """For each option whose args differ from the raw action, who wrote it and the diff.

    An option is named and described by whoever wrote it; what it would run is only
    what its args say, so those are shown against the raw action, change by change.
    """
    for o in h.package.options if h.package else []:
        if o.args is None or not differs(o.args, h.action.args):
            continue
        by = "written by the agent" if o.origin == "agent" else "drafted by handoff"
        head = Text("  ").append(txt(o.id, "bold")).append(f" ({by}) changes the args:")
        console.print(head)
        for c in diff_args(h.action.args, o.args):
            line = Text("    ")
            if c.span is not None:
                sp = c.span
                line.append(f"~ {visible(c.path)}: ").append(txt(sp.head))
                if sp.removed:
                    line.append(txt(f"[-{sp.removed}-]", "red"))
                if sp.added:
                    line.append(txt(f"{{+{sp.added}+}}", "green"))
                line.append(txt(sp.tail))
            elif c.kind == "changed":
                line.append(f"~ {visible(c.path)}: ").append(txt(c.before, "red"))
                line.append(" -> ").append(txt(c.after, "green"))
            else:
                mark, value = ("+", c.after) if c.kind == "added" else ("-", c.before)
                line.append(f"{mark} {visible(c.path)}: ").append(txt(value))
            console.print(line)
        console.print(Text("    choosing it needs a rationale", style="dim"))


def render_handoff(
    h: Handoff, events: list[Event], policy: Policy, now: datetime, console: Console
) -> None:
    """Everything a reviewer needs about one handoff, agent text shown raw."""
    a = h.assessment
    head = Text()
    head.append(h.id, style="bold").append("  ")
    head.append(h.state.value, style="bold cyan").append("  ")
    head.append(h.action.tool).append("  owner ", style="dim").append(h.owner or "-")
    head.append("  approvals ", style="dim").append(quorum_progress(h, policy))
    head.append("  due ", style="dim").append(countdown(h.deadline, now))
    console.print(head)

    _section(console, "Action")
    console.print(
        Text("agent ", style="dim")
        .append(txt(h.action.agent))
        .append("  on behalf of ", style="dim")
        .append(txt(h.action.on_behalf_of or "-"))
    )
    ctx = h.action.context
    if ctx.instruction:
        console.print(Text("instruction ", style="dim").append(txt(ctx.instruction)))
    console.print(Text("args (raw):", style="dim"))
    console.print(txt(json.dumps(h.action.args, indent=2, ensure_ascii=False)))
    console.print(Text(f"action hash {h.action_hash}", style="dim"))

    _section(console, "Assessment")
    render_assessment(a, console)

    p = h.package
    if p is not None:
        _section(console, "Package" + (" (drafted by handoff)" if p.drafted else ""))
        console.print(Text("summary: ", style="bold").append(txt(p.summary)))
        console.print(Text("assumptions:", style="bold"))
        _bullets(console, p.assumptions)
        console.print(Text("evidence:", style="bold"))
        _bullets(
            console,
            (f"{e.source}: {e.excerpt}" + (f" ({e.uri})" if e.uri else "") for e in p.evidence),
        )
        console.print(Text("open questions:", style="bold"))
        _bullets(console, p.open_questions)
        for w in p.warnings:
            console.print(Text("warning: ", style="bold red").append(txt(w)))
        if p.missing:
            console.print(
                Text("missing from the agent: ", style="bold yellow").append(", ".join(p.missing))
            )
        options = Table(title="Options", title_justify="left")
        for col in ("id", "option", "by", "risk", "effort", "expected impact"):
            options.add_column(col)
        for o in p.options:
            options.add_row(
                txt(o.id),
                txt(o.title + (f"\n{o.description}" if o.description else "")),
                Text("agent", style="bold yellow") if o.origin == "agent" else Text("handoff"),
                o.risk.value,
                o.effort.value,
                txt(o.expected_impact),
            )
        console.print(options)
        render_option_diffs(h, console)
        if p.preview:
            render_preview(p.preview, console)
        console.print(Text("decision required: ", style="bold").append(txt(p.decision_required)))

    _section(console, "Decisions")
    if not h.decisions:
        console.print("  none yet", style="dim")
    for d in h.decisions:
        line = Text(f"  {d.at:%Y-%m-%d %H:%M:%S} " if d.at else "  ")
        line.append(d.reviewer, style="bold").append(f" {d.verdict.value}")
        if d.owner:
            line.append(f" -> {d.owner}")
        if d.option_id:
            line.append(f" option {d.option_id}")
        line.append(": ").append(txt(d.rationale))
        console.print(line)
        for q in d.questions:
            console.print(Text("      ? ").append(txt(q)))

    _section(console, "Execution")
    ex = h.execution
    if ex is None:
        console.print("  not run", style="dim")
    else:
        console.print(f"  {ex.status} (stage {ex.stage}, attempts {ex.attempts})")
        if len(ex.plan) > 1:
            done = {r.stage for r in ex.stages}
            console.print(
                "  stages " + " → ".join(f"{st}{' ✓' if st in done else ''}" for st in ex.plan)
            )
        if ex.result is not None:
            console.print(Text("  result ").append(txt(ex.result)))
        if ex.error:
            console.print(Text("  error ", style="red").append(txt(ex.error)))

    _section(console, "Audit events")
    table = Table(show_edge=False)
    for col in ("seq", "at", "kind", "actor", "data"):
        table.add_column(col)
    for e in events:
        table.add_row(str(e.seq), f"{e.at:%H:%M:%S}", e.kind, txt(e.actor), txt(e.data, "dim", 90))
    console.print(table)

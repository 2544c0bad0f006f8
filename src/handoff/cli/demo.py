"""``handoff demo``: a marketing-ops agent's working session, end to end, on a SQLite file.

The agent ``mktg-agent`` works for Dana Reyes, a marketing manager, through 40 actions
(``demo/session.json``): typo fixes and internal report schedules run on their own;
prices, contract terms, an admin grant, absolute claims, a CRM workflow change and an
unsupported case study wait for the owning team. Reviewers then decide several, the
approved ones run through real executors that write into ``handoff-demo-out/`` next to
the database, and the audit chain is verified. Some handoffs stay pending for
``handoff pending``.

Posts are published by the built-in ``FilesExecutor`` in stages (dry run, canary copy,
live), each confirmed by a page check; a correction whose canary fails the check is
rolled back, and the change log closes the story.

The executors are ordinary product code an agent process would register;
``register_executors`` is importable so ``handoff decide --execute --executors
handoff.cli.demo:register_executors`` can run the demo's tools too.
"""

import json
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .._exceptions import ConflictError, HandoffError, InputError, NotAuthorized
from ..execute.executors import FilesExecutor
from ..learn._kpi_notes import kpi_notes
from ..learn.history import load_history
from ..learn.kpi import kpis
from ..models import Action, Handoff, Level, Mode, State
from ..plane import ControlPlane
from ..policy import Policy, default_policy
from ._common import db_path
from ._exec import change_table
from ._render import LEVEL_STYLE, countdown, describe, pending_table, quorum_progress, txt

__all__ = ["OUT_DIR", "load_session", "register_executors", "run"]

OUT_DIR = "handoff-demo-out"
_MARKER = ".handoff-demo"
_EXPECTED: dict[str, type[HandoffError]] = {
    "conflict": ConflictError,
    "not_authorized": NotAuthorized,
}
Page = Callable[[Mapping[str, Any]], tuple[str, str]]


def load_session() -> dict[str, Any]:
    """The scripted session: the agent, its actions and the reviewers' decisions."""
    text = resources.files("handoff").joinpath("demo/session.json").read_text("utf-8")
    session: dict[str, Any] = json.loads(text)
    return session


class _Ledger:
    """A demo executor: records each run once per idempotency key in a JSONL ledger,
    and for publishing tools also writes the page that went out."""

    def __init__(self, out: Path, ledger: str, page: Page | None = None) -> None:
        self.out, self.ledger, self.page = out, ledger, page

    def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> Any:
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / self.ledger
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if row["key"] == idempotency_key:  # a retry: the effect already happened
                    return row["result"]
        result = {"ledger": self._shown(path)}
        if self.page is not None:
            name, text = self.page(args)
            page = self.out / name
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(text, encoding="utf-8")
            result["file"] = self._shown(page)
        row = {"key": idempotency_key, "at": datetime.now(UTC).isoformat(), "args": dict(args)}
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({**row, "result": result}, ensure_ascii=False) + "\n")
        return result

    def _shown(self, path: Path) -> str:
        return str(Path(self.out.name) / path.relative_to(self.out))


def _post(args: Mapping[str, Any]) -> tuple[str, str]:
    slug = str(args.get("slug") or "post").replace("/", "-")
    return f"posts/{slug}.md", f"# {args.get('title', '')}\n\n{args.get('body', '')}\n"


def _page_check(path: str, text: str) -> str | None:
    """The confirmation check a published page must pass: no template left unfilled."""
    if "{{" in text:
        start = text.index("{{")
        return f"{path} still has a template placeholder {text[start : text.find('}}', start) + 2]}"
    return None


def executors(out: Path) -> dict[str, Any]:
    """The demo's executors by tool, writing under ``out``."""
    return {
        "cms.update_draft": _Ledger(out, "draft-edits.jsonl"),
        "reports.schedule": _Ledger(out, "report-schedules.jsonl"),
        "cms.publish": FilesExecutor(out, render=_post, check=_page_check),
        "email.send_campaign": _Ledger(out, "email-outbox.jsonl"),
        "iam.grant_role": _Ledger(out, "iam-grants.jsonl"),
        "social.post": _Ledger(out, "social-posts.jsonl"),
        "crm.update_workflow": _Ledger(out, "crm-workflow-changes.jsonl"),
    }


def register_executors(plane: ControlPlane, out: Path | None = None) -> None:
    """Register the demo's executors; by default they write next to the plane's SQLite file."""
    if out is None:
        database = db_path(plane.url)
        out = (database.resolve().parent if database else Path.cwd()) / OUT_DIR
    for tool, executor in executors(out).items():
        plane.register(tool, executor)


def _fresh(db: Path, out: Path) -> None:
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")):
        path.unlink(missing_ok=True)
    if (out / _MARKER).exists():
        shutil.rmtree(out)


def run(db: Path, *, keep: bool = False, console: Console | None = None) -> list[str]:
    """Play the session on ``db``; returns what did not go as scripted (empty when all did).

    A scripted decision that fails means an action did not route as the story needs
    (the rubric or the policy changed); the audit chain must verify at the end.
    """
    con = console or Console(highlight=False)
    started = time.perf_counter()
    if str(db).startswith("sqlite:///"):
        db = Path(str(db).removeprefix("sqlite:///"))
    elif "://" in str(db):
        raise InputError("the demo runs on a SQLite file; give a path", field="db")
    db = db.resolve() if db.is_absolute() else db
    out = db.resolve().parent / OUT_DIR
    if not keep:
        _fresh(db, out)
    out.mkdir(parents=True, exist_ok=True)
    (out / _MARKER).write_text("made by `handoff demo`; removed by its next run\n")
    session = load_session()
    policy = demo_policy()
    with ControlPlane.open(f"sqlite:///{db}", policy=policy) as plane:
        register_executors(plane, out)
        con.rule(Text("handoff demo: a marketing-ops agent at work", style="bold"))
        _intro(con, db, out, plane, session)
        ids = _submit_all(con, plane, session)
        _waiting(con, plane)
        problems = _review(con, plane, session, ids)
        _execute(con, plane)
        problems += _staged(con, plane, session, ids)
        if not _wrap_up(con, plane, db, started):
            problems.append("the audit chain did not verify")
        return problems


def demo_policy() -> Policy:
    """The built-in policy, with posts published in stages: dry run, canary, live."""
    default = default_policy()
    base = default.model_dump()
    base["tools"] = {**base["tools"], "cms.publish": {"stages": ["dry_run", "canary", "full"]}}
    policy = Policy.model_validate(base)
    return policy.with_learned(default.learned) if default.learned is not None else policy


def _intro(con: Console, db: Path, out: Path, plane: ControlPlane, session: dict[str, Any]) -> None:
    pol = plane.policy
    rows = (
        ("database", f"{db.resolve()}"),
        ("outputs", f"{out}/  (what the executors really did)"),
        ("policy", f"{pol.name} (built in; cms.publish staged), version {pol.version[:12]}"),
        ("agent", f"{session['agent']}, working for {session['on_behalf_of_name']}"),
    )
    for label, value in rows:
        con.print(Text(f"  {label:9} ", style="dim").append(value))


def _submit_all(con: Console, plane: ControlPlane, session: dict[str, Any]) -> dict[str, str]:
    """Submit every action as the agent would; returns handoff ids by scenario key."""
    actions = session["actions"]
    con.print()
    con.rule(Text(f"1. The agent works through its list: {len(actions)} actions", style="bold"))
    run_tag = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    ids: dict[str, str] = {}
    ran: dict[str, list[Handoff]] = defaultdict(list)
    for raw in actions:
        action = Action.model_validate(
            {
                **{k: v for k, v in raw.items() if k != "key"},
                "agent": session["agent"],
                "on_behalf_of": session["on_behalf_of"],
                "idempotency_key": f"{run_tag}:{raw['key']}",
            }
        )
        outcome = plane.submit(action)
        h = outcome.handoff
        ids[raw["key"]] = h.id
        a = h.assessment
        line = Text("  ")
        if outcome.status == "executed":
            ran[action.tool].append(h)
            line.append("ran   ", style="green").append(f"{action.tool:20} ")
            line.append(txt(f"{describe(action):46.46}")).append(f"  {a.level.value} {a.score:.2f}")
        else:
            line.append("waits ", style="yellow").append(f"{action.tool:20} ")
            line.append(txt(f"{describe(action):46.46}")).append("  -> ", style="dim")
            line.append(h.owner or "-", style="bold").append(" · ")
            line.append(a.level.value, style=LEVEL_STYLE[a.level])
            line.append(f" · {a.quorum} approval{'s' if a.quorum > 1 else ''}")
        con.print(line)
    con.print()
    table = Table(title="Ran on its own, and why that was safe", title_justify="left")
    for col in ("tool", "actions", "level", "max score", "why it was safe", "what happened"):
        table.add_column(col)
    threshold = plane.policy.rubric.medium
    for tool, hs in ran.items():
        top = max(hs, key=lambda h: h.assessment.score)
        why = [f"no trigger fired; score {top.assessment.score:.2f} < {threshold:.2f}"]
        rated = [
            f"{f.name} {f.score:g}"
            for f in top.assessment.factors
            if any(r.code == "policy.tool_rule" for r in f.reasons)
        ]
        if rated:
            why.append(f"the policy rates {tool} {' and '.join(rated)}")
        if all(h.action.context.evidence for h in hs):
            why.append("evidence attached to every one")
        ledgers = {str(_result(h).get("ledger")) for h in hs}
        table.add_row(
            tool,
            str(len(hs)),
            "low",
            f"{top.assessment.score:.2f}",
            "; ".join(why),
            f"{len(hs)} entries in {', '.join(sorted(ledgers))}",
        )
    con.print(table)
    return ids


def _result(h: Handoff) -> dict[str, Any]:
    result = h.execution.result if h.execution is not None else None
    return result if isinstance(result, dict) else {}


def _waiting(con: Console, plane: ControlPlane) -> None:
    con.print()
    con.rule(Text("2. What waits for a human, where, and why", style="bold"))
    items = plane.pending()
    con.print(pending_table(items, plane.policy, plane.clock.now()))
    con.print(
        Text(
            f"  {len(items)} handoffs paused before anything left the building; each owner "
            "team was notified (outbox). Due = the SLA for its level "
            f"(medium {plane.policy.sla.get(Level.MEDIUM, 0) // 3600}h, "
            f"high {plane.policy.sla.get(Level.HIGH, 0) // 3600}h).",
            style="dim",
        )
    )


def _team(plane: ControlPlane, reviewer: str) -> str:
    for name in plane.policy.owners:
        if reviewer in plane.policy.members_of(name):
            return name
    return "requester" if reviewer else "-"


def _review(
    con: Console, plane: ControlPlane, session: dict[str, Any], ids: dict[str, str]
) -> list[str]:
    """Play the reviewers' decisions; returns the ones that did not go as the story says."""
    problems: list[str] = []
    con.print()
    con.rule(Text("3. Reviewers decide", style="bold"))
    for r in session["reviews"]:
        hid = ids[r["key"]]
        h = plane.get(hid)
        fields = {
            k: r[k]
            for k in ("verdict", "reviewer", "rationale", "args", "owner", "questions")
            if k in r
        }
        who = Text("  ").append(r["reviewer"], style="bold")
        who.append(f" ({_team(plane, r['reviewer'])})", style="dim")
        verb = (
            "asks for more information on"
            if r["verdict"] == "redirect" and not r.get("owner")
            else f"{r['verdict']}s"
        )
        who.append(f" {verb} {hid} ").append(txt(describe(h.action), "italic", 48))
        con.print(who)
        con.print(Text("      why: ", style="dim").append(txt(r["rationale"])))
        for q in r.get("questions", []):
            con.print(Text("      question: ", style="dim").append(txt(q)))
        for key, value in (r.get("args") or {}).items():
            if h.action.args.get(key) != value:
                con.print(Text(f"      edit {key}: ", style="dim").append(txt(value)))
        expected = _EXPECTED.get(r.get("expect", ""))
        try:
            after = plane.decide(hid, fields)
        except HandoffError as exc:
            ok = expected is not None and isinstance(exc, expected)
            con.print(
                Text(f"      refused ({exc.code}): {exc.message}", style="yellow" if ok else "red")
            )
            if not ok:
                problems.append(f"{r['key']}: {exc}")
            continue
        if expected is not None:
            problems.append(f"{r['key']}: {r['reviewer']} was not refused as expected")
        con.print(Text("      -> ", style="dim").append(_state_line(plane, after)))
    return problems


def _state_line(plane: ControlPlane, h: Handoff) -> Text:
    progress = quorum_progress(h, plane.policy)
    if h.state is State.APPROVED:
        revised = any(d.verdict.value == "revise" for d in h.decisions)
        extra = f" (revised args re-assessed: {h.assessment.level.value})" if revised else ""
        return Text(f"approved {progress}{extra}", style="green")
    if h.state is State.PENDING:
        return Text(
            f"approval {progress} recorded; the two-person rule waits for another "
            f"member of {h.owner}",
            style="yellow",
        )
    if h.state is State.REDIRECTED:
        return Text(
            f"redirected to {h.owner}, due {countdown(h.deadline, plane.clock.now())}", style="cyan"
        )
    if h.state is State.NEEDS_INFO:
        return Text("needs_info: back to the agent with the questions", style="cyan")
    return Text(h.state.value, style="red" if h.state is State.REJECTED else "")


def _execute(con: Console, plane: ControlPlane) -> None:
    con.print()
    con.rule(Text("4. The agent runs what was approved (bound to the approved hash)", style="bold"))
    for h in plane.store.list_handoffs(states=[State.APPROVED], limit=1000):
        out = plane.execute(h.id)
        shown = (
            out.result.get("file") or out.result.get("ledger") or out.result.get("path")
            if isinstance(out.result, dict)
            else out.result
        )
        if out.handoff.execution and len(out.handoff.execution.stages) > 1:
            shown = f"{shown} ({' > '.join(s.stage for s in out.handoff.execution.stages)})"
        line = Text("  ").append(out.status, style="green").append(f"  {h.action.tool:20} ")
        line.append(txt(f"{describe(out.handoff.action):44.44}")).append(
            f"  -> {shown}", style="dim"
        )
        con.print(line)


def _diff(con: Console, diff: str, limit: int = 14) -> None:
    lines = diff.splitlines()
    for line in lines[:limit]:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
        con.print(Text("    ").append(txt(line, style, 110)))
    if len(lines) > limit:
        con.print(Text(f"    ... {len(lines) - limit} more lines", style="dim"))


def _staged(
    con: Console, plane: ControlPlane, session: dict[str, Any], ids: dict[str, str]
) -> list[str]:
    """A correction to the pricing post: previewed, approved, staged; its canary fails."""
    con.print()
    con.rule(Text("5. A staged publish: preview, canary, confirmation, rollback", style="bold"))
    live = plane.get(ids["pricing-post"])
    if live.state is not State.EXECUTED or live.execution is None:
        return ["the pricing post was not published, so there is nothing to correct"]
    stages = " > ".join(
        f"{s.stage} ({'ok' if (s.confirmation or {}).get('ok', True) else 'failed'})"
        for s in live.execution.stages
    )
    con.print(Text("  The pricing post went out in stages: ").append(stages, style="green"))
    raw = next(a for a in session["actions"] if a["key"] == "pricing-post")
    args = {
        **raw["args"],
        "title": raw["args"]["title"].replace("new pricing", "new prices"),
        "body": raw["args"]["body"] + "\n\nCompare the plans side by side: {{pricing_link}}",
    }
    out = plane.submit(
        {
            "tool": "cms.publish",
            "args": args,
            "agent": session["agent"],
            "on_behalf_of": session["on_behalf_of"],
            "context": {
                **raw["context"],
                "instruction": "Clarify when existing customers move to the new price.",
            },
        }
    )
    h = out.handoff
    con.print(
        Text("  The agent submits a correction; ").append(
            f"{h.id} waits for {h.owner}. The package shows the preview diff:"
        )
    )
    preview = h.package.preview if h.package else None
    if not preview or not preview.get("diff"):
        return ["the correction's package has no preview diff"]
    _diff(con, str(preview["diff"]))
    members = sorted(plane.policy.members_of(h.owner or "") - {session["on_behalf_of"]})
    for reviewer in members:
        if plane.get(h.id).state is not State.PENDING:
            break
        plane.decide(h.id, verdict="approve", reviewer=reviewer, rationale="clearer wording")
        con.print(Text("  ").append(reviewer, style="bold").append(" approves"))
    done = plane.execute(h.id)
    after = done.handoff
    ex = after.execution
    if after.state is not State.ROLLED_BACK or ex is None:
        return [f"the correction ended {after.state.value}, not rolled_back"]
    for s in ex.stages:
        conf = s.confirmation or {"ok": True}
        line = Text(f"    {s.stage:8} ").append(
            "confirmed" if conf.get("ok") else f"confirmation failed: {conf.get('reason')}",
            style="green" if conf.get("ok") else "red",
        )
        con.print(line)
    undone = ", ".join(u["stage"] for u in ex.rollback or [])
    con.print(
        Text(
            f"  -> rolled_back: {undone or 'nothing'} undone; full never ran; ", style="yellow"
        ).append("the live page still holds the approved version.", style="yellow")
    )
    con.print()
    con.print(change_table(plane.store.executions(tool="cms.publish", limit=10)))
    rates = [r for r in plane.rollback_rate() if r.tool == "cms.publish"]
    for r in rates:
        con.print(
            Text(
                f"  rollback rate cms.publish / {r.owner}: {r.rolled_back} of {r.total} "
                f"({r.rate:.0%})",
                style="dim",
            )
        )
    return []


def _kpis(con: Console, plane: ControlPlane, shown: Path | str) -> None:
    """The KPIs of the run, each with what stands behind it (docs/kpis.md)."""
    history = load_history(plane.store, as_of=plane.clock.now(), check_audit=False)
    table = Table(title="KPIs, and why they read as they do", title_justify="left")
    for col in ("KPI", "value", "why"):
        table.add_column(col, overflow="fold")
    for name, value, why in kpi_notes(kpis(history), history):
        table.add_row(name, value, why)
    con.print(table)
    con.print(Text(f"  by owner and by tool: handoff kpi --db {shown}", style="dim"))


def _wrap_up(con: Console, plane: ControlPlane, db: Path, started: float) -> bool:
    con.print()
    con.rule(Text("6. Where everything stands", style="bold"))
    every = plane.store.list_handoffs(limit=10_000)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for h in every:
        owner = "(ran on its own)" if h.assessment.mode is Mode.AUTO else (h.owner or "-")
        counts[owner][h.state.value] += 1
    states = [s.value for s in State if any(c[s.value] for c in counts.values())]
    table = Table(title="Handoffs by owner and state", title_justify="left")
    table.add_column("owner")
    for s in states:
        table.add_column(s, justify="right")
    table.add_column("total", justify="right")
    for owner in sorted(counts, key=lambda o: (o.startswith("("), o)):
        c = counts[owner]
        table.add_row(owner, *(str(c[s] or "") for s in states), str(sum(c.values())))
    table.add_row(
        "total",
        *(str(sum(c[s] for c in counts.values())) for s in states),
        str(len(every)),
        style="bold",
    )
    con.print(table)
    report = plane.verify_audit()
    con.print(Text(f"  {report}", style="green" if report.ok else "bold red"))
    shown = db if not db.is_absolute() else db.name if db.parent == Path.cwd() else db
    _kpis(con, plane, shown)
    left = plane.pending()
    con.print()
    con.print(Text(f"  {len(left)} handoffs are still waiting. Look at them:", style="bold"))
    con.print(f"    handoff pending --db {shown}")
    if left:
        con.print(f"    handoff show {left[0].id} --db {shown}")
        first = left[0]
        done = {d.reviewer for d in first.decisions}
        member = sorted(plane.policy.members_of(first.owner or "") - done) or ["REVIEWER"]
        con.print(
            f'    handoff decide {first.id} --approve --reviewer {member[0]} --rationale "..." \\\n'
            f"        --db {shown} --execute --executors handoff.cli.demo:register_executors"
        )
    con.print(f"    handoff executions --db {shown}")
    con.print(f"    handoff audit verify --db {shown}")
    con.print(Text(f"  done in {time.perf_counter() - started:.1f}s", style="dim"))
    return report.ok

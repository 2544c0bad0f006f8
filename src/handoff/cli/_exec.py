"""Execution commands: ``handoff executions``, ``handoff rollback`` and ``handoff recover``.

``executions`` is the change log: what ran, through which stages, the versions before
and after, who approved it, and the rollback rate per tool and owner. ``rollback`` and
``recover`` run executors, so they need them loaded with ``--executors module:function``
(as ``decide --execute`` does).
"""

from typing import Annotated, Any

import typer
from rich.table import Table

from ..models import Handoff
from ._common import (
    DbOption,
    JsonFlag,
    PolicyOption,
    console,
    echo_json,
    load_executors,
    open_plane,
    reporting,
)
from ._render import txt

__all__ = ["executions", "recover", "rollback"]

ExecutorsOption = Annotated[
    str | None,
    typer.Option(
        envvar="HANDOFF_EXECUTORS",
        metavar="MODULE:FUNCTION",
        help="Called with the plane to register the executors that run the actions.",
    ),
]


def change(h: Handoff) -> dict[str, Any]:
    """One change-log entry, as JSON."""
    ex = h.execution
    return {
        "handoff_id": h.id,
        "tool": h.action.tool,
        "owner": h.owner,
        "state": h.state.value,
        "stages": [s.stage for s in ex.stages] if ex else [],
        "versions": ex.versions if ex else None,
        "approved_by": ex.approved_by if ex else [],
        "started_at": ex.started_at.isoformat() if ex else None,
        "finished_at": ex.finished_at.isoformat() if ex and ex.finished_at else None,
        "attempts": ex.attempts if ex else 0,
        "error": ex.error if ex else None,
        "rollback": ex.rollback if ex else None,
    }


def _version(v: Any) -> str:
    if v is None:
        return "-"
    text = str(v)
    return text[:10] if len(text) > 12 else text


def change_table(items: list[Handoff]) -> Table:
    table = Table(title="change log", title_justify="left")
    for col in ("id", "finished", "tool", "owner", "state", "stages", "versions", "approved by"):
        table.add_column(col, overflow="fold")
    for h in items:
        row = change(h)
        versions = row["versions"] or {}
        table.add_row(
            h.id,
            (row["finished_at"] or "running")[:19],
            txt(h.action.tool),
            h.owner or "-",
            h.state.value,
            " > ".join(row["stages"]) or "-",
            f"{_version(versions.get('before'))} -> {_version(versions.get('after'))}"
            if versions
            else "-",
            txt(", ".join(row["approved_by"])),
        )
    return table


def executions(
    tool: Annotated[str | None, typer.Option(help="Only this tool.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    db: DbOption = None,
    policy: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The change log: executed actions, their versions and approvers, and rollback rates."""
    with reporting(), open_plane(db, policy) as plane:
        items = plane.store.executions(tool=tool, limit=limit)
        rates = plane.rollback_rate()
        if as_json:
            echo_json(
                {
                    "executions": [change(h) for h in items],
                    "rollback_rate": [
                        {
                            "tool": r.tool,
                            "owner": r.owner,
                            "executed": r.executed,
                            "rolled_back": r.rolled_back,
                            "failed": r.failed,
                            "rate": round(r.rate, 4),
                        }
                        for r in rates
                    ],
                }
            )
            return
        if not items:
            console.print("nothing has run" + (f" for {tool}" if tool else ""))
            return
        console.print(change_table(items))
        table = Table(title="rollback rate", title_justify="left")
        for col in ("tool", "owner", "executed", "rolled back", "failed", "rate"):
            table.add_column(col)
        for r in rates:
            table.add_row(
                txt(r.tool),
                r.owner or "-",
                str(r.executed),
                str(r.rolled_back),
                str(r.failed),
                f"{r.rate:.0%}",
            )
        console.print(table)


def rollback(
    handoff_id: Annotated[str, typer.Argument(metavar="ID", help="The executed handoff.")],
    actor: Annotated[str, typer.Option("--actor", help="Who asks for the rollback.")],
    rationale: Annotated[str, typer.Option("--rationale", help="Why; recorded.")],
    executors: ExecutorsOption = None,
    db: DbOption = None,
    policy: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask to roll an executed handoff back: a new handoff that waits for review.

    ``--actor`` must be a reviewer of the handoff's owning team in the policy, or an
    admin account in this database; another reviewer of the team approves it with
    ``handoff decide ID --approve --execute``.
    """
    from ..server.accounts import Accounts

    with reporting(), open_plane(db, policy) as plane:
        if executors:
            load_executors(executors, plane)
        account = Accounts.of(plane).account(actor)
        admin = account is not None and account.admin
        out = plane.rollback(handoff_id, actor=actor, rationale=rationale, admin=admin)
        if as_json:
            echo_json({"status": out.status, "handoff_id": out.handoff_id, "result": out.result})
            return
        if out.pending:
            console.print(
                f"rollback {out.handoff_id} waits for {out.handoff.owner}; "
                f"`handoff show {out.handoff_id}`"
            )
        else:
            console.print(f"rollback {out.handoff_id}: {out.status}; {handoff_id} rolled back")


def recover(
    executors: ExecutorsOption = None,
    db: DbOption = None,
    policy: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Finish the executions a crash left running, once their lease has expired."""
    with reporting(), open_plane(db, policy) as plane:
        if executors:
            load_executors(executors, plane)
        report = plane.recover()
        if as_json:
            echo_json(
                {
                    "completed": report.completed,
                    "rolled_back": report.rolled_back,
                    "failed": report.failed,
                    "held": report.held,
                    "skipped": report.skipped,
                }
            )
            return
        console.print(str(report))
        for hid, why in report.skipped.items():
            console.print(f"  skipped {hid}: {why}", style="dim")

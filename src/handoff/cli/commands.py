"""The ``handoff`` command.

    handoff demo                      a marketing-ops agent at work, on a fresh SQLite file
    handoff assess ACTION.json        how one action would be gated
    handoff eval CASES.jsonl          escalation quality on labelled cases
    handoff learn fit CASES.jsonl     train the learned detector
    handoff pending / show / decide   the reviewer's inbox from the terminal
    handoff audit verify / export     the hash-chained audit trail
    handoff policy check FILE         validate a policy
    handoff kpi / report              KPIs, and the oversight report for auditors
    handoff incident report ID        a problem found with an executed action
    handoff executions / rollback ID  the change log; roll one back (gated, audited)
    handoff recover                   finish executions a crash left running
    handoff mcp-proxy -- CMD...       gate an MCP server's tool calls (MCP on stdio)
    handoff mcp-serve                 request_handoff and friends for agents (MCP on stdio)
    handoff serve                     the HTTP API, the reviewer inbox and /metrics
    handoff user add / key add        reviewer accounts and agents' API keys for the server

``--db`` takes a URL or a SQLite file path (env ``HANDOFF_DB``, default
``sqlite:///handoff.db``); ``--policy`` a YAML file (env ``HANDOFF_POLICY``, default the
built-in policy). Exit codes: 0 ok, 1 failed, 2 bad input, 3 not authorized, 4 conflict.
"""

from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from ._audit import audit_app
from ._common import console, err, reporting
from ._exec import executions, recover, rollback
from ._inspect import assess, eval_cases, policy_app
from ._kpi import incident_app, kpi, oversight_report
from ._learn import learn_app
from ._mcp import mcp_proxy, mcp_serve
from ._review import decide, pending, show
from ._serve import key_app, serve, user_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="handoff",
    help="Decide when an AI agent's action may run on its own and when a human decides.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"handoff {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Decide when an AI agent's action may run on its own and when a human decides."""


@app.command()
def demo(
    db: Annotated[
        Path,
        typer.Option("--db", metavar="PATH", help="SQLite file for the demo (recreated)."),
    ] = Path("handoff-demo.db"),
    keep: Annotated[
        bool,
        typer.Option("--keep", help="Add to the existing demo database instead of recreating it."),
    ] = False,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", min=1, max=365, help="Instead: simulate this many days of traffic (Learn)."
        ),
    ] = None,
) -> None:
    """A marketing-ops agent submits 40 actions; reviewers decide; the audit verifies."""
    from .demo import run

    if days is not None:
        from ..learn.simulation import simulate

        with reporting():
            simulate(db, days, keep=keep, console=console)
        return
    with reporting():
        problems = run(db, keep=keep, console=console)
    for problem in problems:
        err.print(f"error: demo: {problem}", style="red", markup=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)


app.command("assess")(assess)
app.command("eval")(eval_cases)
app.command("pending")(pending)
app.command("show")(show)
app.command("decide")(decide)
for _cmd in (executions, rollback, recover):
    app.command()(_cmd)
app.command("mcp-proxy")(mcp_proxy)
app.command("mcp-serve")(mcp_serve)
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
app.add_typer(learn_app, name="learn")
app.command("serve")(serve)
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="key")
app.command("kpi")(kpi)
app.command("report")(oversight_report)
app.add_typer(incident_app, name="incident")


def main() -> None:
    """Entry point of the ``handoff`` script and ``python -m handoff``.

    A database that fails part-way through a command (the server went away, a disk
    filled up) still ends in one ``error: db: ...`` line, not a driver's traceback.
    """

    from ..store import DATABASE_ERRORS, database_error

    try:
        app(prog_name="handoff")
    except DATABASE_ERRORS as exc:
        error = database_error(exc, "the database")
        err.print(f"error: db: {error.message}", style="red", markup=False, soft_wrap=True)
        raise SystemExit(1) from None

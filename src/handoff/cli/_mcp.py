"""``handoff mcp-proxy`` and ``handoff mcp-serve``: MCP servers on stdio.

Both speak MCP on stdout, so they print nothing else there; errors go to stderr. Both
open (and create, if missing) the database, because agents write handoffs through them.
The upstream command inherits this process's environment, as any wrapped command does.
"""

import os
from pathlib import Path
from typing import Annotated

import typer

from ..plane import ControlPlane
from ..policy import load_policy
from ._common import DbOption, PolicyOption, db_url, fail, reporting

__all__ = ["mcp_proxy", "mcp_serve"]

InboxOption = Annotated[
    str,
    typer.Option(
        "--inbox-url",
        envvar="HANDOFF_INBOX_URL",
        help="Base URL of the reviewer inbox; links are {url}/handoffs/{id}.",
    ),
]
AgentOption = Annotated[
    str,
    typer.Option(
        "--agent", help="Agent name for clients that send no clientInfo.name at initialization."
    ),
]


def _plane(db: str | None, policy: Path | None) -> ControlPlane:
    return ControlPlane.open(db_url(db), policy=load_policy(policy))


def mcp_proxy(
    command: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="-- UPSTREAM_COMMAND...", help="Command that runs the upstream stdio server."
        ),
    ] = None,
    upstream_url: Annotated[
        str | None,
        typer.Option("--upstream-url", help="Streamable HTTP URL of the upstream server."),
    ] = None,
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix",
            help=(
                "Put before each upstream tool name (e.g. 'crm.'); default: the upstream"
                " server's name and a dot; '' for none."
            ),
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0.0,
            help="Seconds a call waits for a decision before answering 'awaits approval'.",
        ),
    ] = 0.0,
    inbox_url: InboxOption = "http://127.0.0.1:8000",
    agent: AgentOption = "mcp-client",
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """Gate an MCP server: every tool call goes through handoff (MCP on stdio)."""
    if bool(command) == bool(upstream_url):
        raise fail("upstream: give either -- UPSTREAM_COMMAND... or --upstream-url", 2)
    try:
        import anyio

        from ..integrations.mcp import run_proxy
    except ImportError as exc:
        raise fail(str(exc), 2) from None
    with reporting():
        plane = _plane(db, policy)
    try:
        anyio.run(
            lambda: run_proxy(
                plane,
                command=command or None,
                url=upstream_url,
                prefix=prefix,
                wait=wait,
                inbox_url=inbox_url,
                agent=agent,
                env=dict(os.environ) if command else None,
            )
        )
    finally:
        plane.close()


def mcp_serve(
    inbox_url: InboxOption = "http://127.0.0.1:8000",
    agent: AgentOption = "mcp-client",
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """Serve request_handoff, get_handoff and list_my_handoffs to agents (MCP on stdio)."""
    try:
        import anyio

        from ..integrations.mcp import run_server
    except ImportError as exc:
        raise fail(str(exc), 2) from None
    with reporting():
        plane = _plane(db, policy)
    try:
        anyio.run(lambda: run_server(plane, inbox_url=inbox_url, agent=agent))
    finally:
        plane.close()

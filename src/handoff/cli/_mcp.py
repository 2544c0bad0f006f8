"""``handoff mcp-proxy`` and ``handoff mcp-serve``: MCP servers on stdio.

Both speak MCP on stdout, so they print nothing else there; errors go to stderr. Both
open (and create, if missing) the database, because agents write handoffs through them;
or, with ``--server``, they talk to a ``handoff serve`` as a ``Client`` whose key is the
MCP client's agent. The upstream command inherits this process's environment, as any
wrapped command does.
"""

import os
from pathlib import Path
from typing import Annotated

import typer

from ..client import Client
from ..plane import ControlPlane
from ..policy import load_policy
from ..protocol import Plane
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


ServerOption = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="HANDOFF_SERVER",
        help="URL of a handoff serve to use instead of a database (with --api-key).",
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="HANDOFF_API_KEY",
        help="The agent's API key for --server (handoff key add AGENT).",
    ),
]


def _plane(
    db: str | None, policy: Path | None, server: str | None = None, api_key: str | None = None
) -> Plane:
    if server is None:
        return ControlPlane.open(db_url(db), policy=load_policy(policy))
    if db is not None or policy is not None:
        raise fail("--server: the server has the database and policy; drop --db/--policy", 2)
    if not api_key:
        raise fail("--api-key: needed with --server (handoff key add AGENT prints one)", 2)
    return Client(server, api_key=api_key)


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
    server: ServerOption = None,
    api_key: KeyOption = None,
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
        plane = _plane(db, policy, server, api_key)
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
    server: ServerOption = None,
    api_key: KeyOption = None,
) -> None:
    """Serve request_handoff, get_handoff and list_my_handoffs to agents (MCP on stdio)."""
    try:
        import anyio

        from ..integrations.mcp import run_server
    except ImportError as exc:
        raise fail(str(exc), 2) from None
    with reporting():
        plane = _plane(db, policy, server, api_key)
    try:
        anyio.run(lambda: run_server(plane, inbox_url=inbox_url, agent=agent))
    finally:
        plane.close()

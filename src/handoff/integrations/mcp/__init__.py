"""Model Context Protocol: the gateway in front of an MCP server, and the handoff server.

Needs the ``mcp`` extra (``pip install 'handoff-plane[mcp]'``). From the command line::

    handoff mcp-proxy -- python my_server.py            # gate an stdio MCP server
                                                        # (tools named <server name>.<tool>)
    handoff mcp-proxy --upstream-url http://host/mcp    # or a streamable HTTP one
    handoff mcp-serve                                   # request_handoff, get_handoff, ...

From Python, ``await run_proxy(plane, command=[...])`` and ``await run_server(plane)``
serve on stdio; ``Gateway`` and ``HandoffServer`` give the MCP ``Server`` to run on any
transport. See ``handoff.integrations.mcp._gateway`` for what a gated call returns.
"""

from __future__ import annotations

from .._extra import missing_extra

try:
    import mcp  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("mcp", "mcp") from exc

import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import mcp_types as types
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.server import Server
from mcp.server.stdio import stdio_server

from ... import __version__
from ...policy import Policy
from ...protocol import Plane
from .._brief import DEFAULT_INBOX_URL
from ._gateway import STATUS_TOOL, Gateway, UpstreamToolError
from ._relay import Relay
from ._server import HandoffServer

__all__ = [
    "STATUS_TOOL",
    "Gateway",
    "HandoffServer",
    "UpstreamToolError",
    "run_proxy",
    "run_server",
]


async def _serve_stdio(server: Server[Any], options: Any = None) -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, options or server.create_initialization_options())


async def run_proxy(
    plane: Plane,
    *,
    command: list[str] | None = None,
    url: str | None = None,
    prefix: str | None = None,
    wait: float = 0.0,
    inbox_url: str = DEFAULT_INBOX_URL,
    agent: str = "mcp-client",
    env: dict[str, str] | None = None,
    report: Callable[[str], None] | None = None,
) -> None:
    """Connect to the upstream server (``command`` over stdio, or ``url`` over streamable
    HTTP) and serve it, gated, on this process's stdin and stdout until the client leaves.

    ``prefix`` None names the tools after the upstream server (``Gateway.prefix``).
    Before serving, each line of ``Gateway.start_report`` goes to ``report``: stderr
    by default, since stdout carries MCP.
    """
    if (command is None) == (url is None):
        raise ValueError("give the upstream as exactly one of command or url")
    async with AsyncExitStack() as stack:
        if command:
            params = StdioServerParameters(command=command[0], args=command[1:], env=env)
            read, write = await stack.enter_async_context(stdio_client(params))
        else:
            assert url is not None
            read, write = await stack.enter_async_context(streamable_http_client(url))
        me = types.Implementation(name="handoff-gateway", version=__version__)
        relay = Relay()  # its callbacks declare sampling, elicitation and roots upstream
        upstream = await stack.enter_async_context(
            ClientSession(read, write, client_info=me, **relay.callbacks())
        )
        await upstream.initialize()
        relay.upstream = upstream
        gateway = Gateway(
            plane,
            upstream,
            prefix=prefix,
            wait=wait,
            inbox_url=inbox_url,
            agent=agent,
            relay=relay,
        )
        await gateway.load_tools()
        policy = getattr(plane, "policy", None)
        for line in gateway.start_report(policy if isinstance(policy, Policy) else None):
            (report or _to_stderr)(line)
        server = gateway.server()
        await _serve_stdio(server, gateway.initialization_options(server))


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def run_server(
    plane: Plane, *, inbox_url: str = DEFAULT_INBOX_URL, agent: str = "mcp-client"
) -> None:
    """Serve ``request_handoff``, ``get_handoff`` and ``list_my_handoffs`` on stdio."""
    await _serve_stdio(HandoffServer(plane, inbox_url=inbox_url, agent=agent).server())

"""An MCP client's calls, gated: client -> ``handoff mcp-proxy`` -> the tiny CMS server.

Run it with ``python examples/mcp_gateway/run.py`` (needs ``pip install 'handoff-plane[mcp]'``).
The agent searches (low risk: forwarded at once), then publishes (medium risk: it waits
for marketing-ops). A reviewer revises the title in between, as they would in the inbox,
and the agent's poll runs the call with the reviewer's args. No network is used.

The proxy the agent talks to is the same command you would put in an MCP client's
configuration::

    handoff mcp-proxy --prefix cms. -- python examples/mcp_gateway/upstream_server.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import anyio
import mcp_types as types
from mcp import ClientSession, StdioServerParameters, stdio_client

from handoff import ControlPlane

HERE = Path(__file__).resolve().parent
BODY = "Version 2 ships today."


def text(result: types.CallToolResult) -> str:
    return " | ".join(c.text for c in result.content if isinstance(c, types.TextContent))


async def main(db: str) -> None:
    upstream = [sys.executable, str(HERE / "upstream_server.py")]
    proxy = StdioServerParameters(
        command=sys.executable,
        args=["-m", "handoff", "mcp-proxy", "--db", db, "--prefix", "cms.", "--", *upstream],
        env=dict(os.environ),
    )
    me = types.Implementation(name="writer-bot", version="1.0")
    async with (
        stdio_client(proxy) as (read, write),
        ClientSession(read, write, client_info=me) as agent,
    ):
        await agent.initialize()
        tools = await agent.list_tools()
        print("tools:", ", ".join(t.name for t in tools.tools))

        found = await agent.call_tool("search_docs", {"query": "launch"})
        print("search_docs ->", text(found))

        asked = await agent.call_tool("publish_post", {"title": "Best launch ever", "body": BODY})
        report = asked.structured_content or {}
        print("publish_post ->", report["status"], report["handoff_id"], "owner", report["owner"])

        with ControlPlane.open(db) as plane:  # the reviewer, in the inbox
            plane.decide(
                report["handoff_id"],
                verdict="revise",
                reviewer="maya",
                rationale="no superlatives in titles",
                args={"title": "Our launch", "body": BODY},
            )
        print("maya revised it")

        done = await agent.call_tool("handoff_status", {"handoff_id": report["handoff_id"]})
        print("handoff_status ->", text(done))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        anyio.run(main, f"sqlite:///{Path(tmp) / 'handoff.db'}")

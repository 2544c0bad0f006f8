"""Helpers for the integration tests: MCP sessions with a real ``handoff`` subprocess."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
UPSTREAM = EXAMPLES / "mcp_gateway" / "upstream_server.py"
HANDOFF = [sys.executable, "-m", "handoff"]


@asynccontextmanager
async def mcp_session(
    argv: list[str],
    *,
    client: str = "writer-bot",
    env: dict[str, str] | None = None,
    errlog: TextIO | None = None,
    **callbacks: Any,
) -> AsyncIterator[Any]:
    """An initialized MCP client session with ``argv`` run as an stdio server; the
    server's stderr goes to ``errlog`` (this process's stderr when not given).
    ``callbacks`` go to ``ClientSession`` (``sampling_callback=...``): a client that
    gives one declares the matching capability."""
    import mcp_types as types
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=argv[0], args=argv[1:], env={**os.environ, **(env or {})}
    )
    me = types.Implementation(name=client, version="1.0")
    async with (
        stdio_client(params, errlog=errlog or sys.stderr) as (read, write),
        ClientSession(read, write, client_info=me, read_timeout_seconds=60, **callbacks) as session,
    ):
        await session.initialize()
        yield session


def calls(log: Path) -> list[dict[str, Any]]:
    """The tool calls the upstream server received, in order."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'handoff.db'}"

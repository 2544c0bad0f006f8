"""Helpers for the integration tests: MCP sessions with a real ``handoff`` subprocess,
and the two backends every framework integration runs on (embedded and served)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx
import pytest

from handoff import Client, ControlPlane, Plane
from handoff.server.accounts import Accounts

from .._serve import free_port

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


@dataclass
class Backend:
    """Where the integration's plane lives: ``embedded`` in this process, or ``remote``
    behind a real ``handoff serve`` process; either way on the SQLite file ``db``.

    ``home`` is a ``ControlPlane`` on that store: tests decide there as a reviewer and
    read the record. ``plane(agent)`` is what the integration gets: ``home`` itself, or
    a ``Client`` holding an API key issued to ``agent``. ``restart(agent)`` is the plane
    a new agent process would make: nothing carried over in memory, only the store.
    """

    name: str
    db: str
    home: ControlPlane
    url: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    opened: list[Plane] = field(default_factory=list)

    def plane(self, agent: str) -> Plane:
        if self.url is None:
            return self.home
        if agent not in self.clients:
            self.clients[agent] = self._client(agent)
        return self.clients[agent]

    def restart(self, agent: str) -> Plane:
        fresh: Plane = ControlPlane.open(self.db) if self.url is None else self._client(agent)
        self.opened.append(fresh)
        return fresh

    def _client(self, agent: str) -> Client:
        assert self.url is not None
        if agent not in self.keys:
            self.keys[agent] = Accounts.of(self.home).add_key(agent)[1]
        return Client(self.url, api_key=self.keys[agent], timeout=60)

    def close(self) -> None:
        for plane in [*self.clients.values(), *self.opened]:
            plane.close()


@contextmanager
def handoff_serve(db: str) -> Iterator[str]:
    """``handoff serve --db db`` as a child process on a free port, until the block ends."""
    port = free_port()
    argv = [*HANDOFF, "serve", "--db", db, "--port", str(port), "--no-background"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"handoff serve exited: {proc.stderr.read() if proc.stderr else ''}"
                )
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("handoff serve did not start within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(params=["embedded", "remote"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each integration test once on an embedded plane and once against ``handoff serve``."""
    db = f"sqlite:///{tmp_path / 'handoff.db'}"
    with ControlPlane.open(db) as home:
        if request.param == "embedded":
            b = Backend("embedded", db, home)
            try:
                yield b
            finally:
                b.close()
            return
        with handoff_serve(db) as url:
            b = Backend("remote", db, home, url)
            try:
                yield b
            finally:
                b.close()

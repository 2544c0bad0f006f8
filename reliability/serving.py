"""A real ``handoff serve`` process for the server-facing suites.

The suites talk HTTP to the same server a user runs: ``python -m handoff serve`` under
uvicorn, in its own process, so a SIGKILL is a real crash and every request crosses a
real socket. This module makes the database (a SQLite file, or a fresh PostgreSQL
schema), the accounts and keys, starts and stops the process, and writes the figures
section of docs/RELIABILITY.md the way every suite does.
"""

from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from handoff import ControlPlane
from handoff.audit.trail import verify
from handoff.policy import load_policy
from handoff.server.accounts import Accounts
from handoff.store import open_store

DOCS = Path(__file__).resolve().parent.parent / "docs" / "RELIABILITY.md"
PG_URL = os.environ.get("HANDOFF_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery staple"
REVIEWERS = [f"r{i}" for i in range(20)]

#: Team ``ops`` owns everything; ``ops.restart`` needs one approval, ``ops.pay`` two.
POLICY: dict[str, Any] = {
    "name": "reliability",
    # Only the listed tools: the hostile corpus sends a tool nobody knows and expects 422.
    "accept_tools": "listed",
    "tools": {
        "ops.restart": {"level": "medium", "owner": "ops"},
        "ops.pay": {"level": "high", "owner": "ops"},
        "notes.add": {"level": "low", "impact": 0.0, "reversibility": 0.0},
    },
    "owners": {"ops": {"members": [*REVIEWERS, "ana"], "lead": "lee"}},
    "default_owner": "ops",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file in ``tmp`` or a new PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'handoff.db'}"
        return
    if kind != "postgres":
        raise ValueError(f"unknown database {kind!r}; use sqlite or postgres")
    import psycopg

    schema = f"rel_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@dataclass
class Site:
    """A prepared database: its URL, the policy file, and an API key per principal."""

    url: str
    policy: Path
    keys: dict[str, str] = field(default_factory=dict)


def prepare(
    url: str,
    tmp: Path,
    agents: list[str],
    reviewers: list[str],
    policy_doc: dict[str, Any] | None = None,
) -> Site:
    """Write the policy (``POLICY`` unless ``policy_doc`` is given), create the schema,
    reviewer accounts and every API key."""
    policy = tmp / "policy.yaml"
    policy.write_text(yaml.safe_dump(POLICY if policy_doc is None else policy_doc))
    site = Site(url, policy)
    with ControlPlane.open(url, policy=load_policy(policy)) as plane:
        accounts = Accounts.of(plane)
        for name in reviewers:
            accounts.add_user(name, PASSWORD, teams=["ops"], role="reviewer")
        for name in [*agents, *reviewers]:
            site.keys[name] = accounts.add_key(name)[1]
    return site


class Server:
    """``python -m handoff serve`` in a child process; ``kill()`` is a real SIGKILL."""

    def __init__(
        self,
        site: Site,
        log: Path,
        port: int | None = None,
        *,
        background: bool = False,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
    ) -> None:
        """``background`` runs the SLA ladder and delivery in the process; ``env`` adds
        variables to its environment (say ``HANDOFF_FAKE_CLOCK_FILE``); ``args`` adds
        options to ``handoff serve`` (say ``--executors``). The API keys' request
        budget is off unless ``args`` sets ``--key-rate``: the suites send thousands of
        requests a minute with one key on purpose."""
        self.site, self.log = site, log
        self.background, self.env = background, env or {}
        self.args = args or []
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        cmd = [
            sys.executable,
            "-m",
            "handoff",
            "serve",
            "--db",
            self.site.url,
            "--policy",
            str(self.site.policy),
            "--port",
            str(self.port),
            "--background" if self.background else "--no-background",
            "--key-rate",
            "0",
            *self.args,
        ]
        env = {**os.environ, **self.env}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"handoff serve exited with {self.proc.returncode}; see {self.log}"
                )
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"handoff serve did not answer within {timeout} s; see {self.log}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def chain_ok(url: str) -> tuple[bool, int]:
    """(the audit chain verifies, its number of events)."""
    store = open_store(url)
    try:
        report = verify(store, workers=1)
        return report.ok, store.head()[0]
    finally:
        store.close()


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_docs(name: str, heading: str, text: str, docs: Path = DOCS) -> None:
    """Replace the section between ``<!-- name:start -->`` and ``<!-- name:end -->``.

    The file is shared by several suites, so it is re-read right before the write and
    only this suite's block changes; a missing block is appended under ``heading``.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    body = docs.read_text() if docs.exists() else "# Reliability\n"
    block = f"{start}\n{text}\n{end}"
    if start in body and end in body:
        body = body[: body.index(start)] + block + body[body.index(end) + len(end) :]
    else:
        body = body.rstrip() + f"\n\n## {heading}\n\n" + block + "\n"
    docs.write_text(body)

"""Several ``handoff serve`` processes on one PostgreSQL behave as one scheduler.

A fake clock shared through ``$HANDOFF_FAKE_CLOCK_FILE`` is pushed past every step of
the SLA ladder while three servers run: each reminder, escalation, fallback and webhook
happens exactly once. Then the servers stop while handoffs fall overdue, and after they
come back each of those escalates exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from handoff._clock import FAKE_CLOCK_ENV, FileClock
from handoff.audit.trail import verify
from handoff.channels import webhook
from handoff.plane import ControlPlane
from handoff.policy import default_policy
from handoff.store import open_store

from ..conftest import drop_schema, pg_url_for_fresh_schema
from ._receiver import Received, Receiver, receiver

#: The receivers listen on 127.0.0.1: these tests allow it, as an operator would.
pytestmark = pytest.mark.usefixtures("local_egress")

SECRET = webhook.new_secret()
SLA = 7200  # the default policy's SLA for high risk
LADDER = ["reminded", "escalated", "escalated", "rejected"]


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = pg_url_for_fresh_schema()
    try:
        yield url
    finally:
        drop_schema(url)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Servers:
    def __init__(self, url: str, env: dict[str, str], logs: Path) -> None:
        self.url, self.env, self.logs = url, env, logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, n: int) -> None:
        ports = []
        for _ in range(n):
            port = _port()
            log = (self.logs / f"serve-{port}.log").open("wb")
            cmd = [sys.executable, "-m", "handoff", "serve", "--db", self.url, "--port", str(port)]
            self.procs.append(
                subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
            )
            ports.append(port)
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/v1/health").is_success:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                    raise RuntimeError(f"a server did not start; see {self.logs}")
                time.sleep(0.2)

    def stop(self) -> None:
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def _until(cond: Callable[[], bool], what: str, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _ladder_kinds(plane: ControlPlane, hid: str) -> list[str]:
    return [e.kind for e in plane.store.events(hid) if e.actor == "sla"]


def _notes(rx: Receiver) -> Counter[tuple[str, str, str]]:
    out: Counter[tuple[str, str, str]] = Counter()
    for r in rx.requests:
        d = json.loads(r.body)["data"]
        out[(d["handoff_id"], d["kind"], d["to"])] += 1
    return out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_three_servers_take_each_step_once_and_a_restart_catches_up(
    pg_url: str, tmp_path: Path
) -> None:
    clock_file = tmp_path / "clock"
    clock = FileClock(clock_file)
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    clock.set(t0)
    plane = ControlPlane(open_store(pg_url), default_policy(), clock=clock)
    plane.register("payments.refund", lambda **kw: None)

    def submit(n: int, tag: str) -> list[str]:
        ids = []
        for i in range(n):
            args = {"order": f"{tag}{i}", "amount_eur": 900}
            o = plane.submit({"tool": "payments.refund", "args": args, "agent": "bot"})
            assert o.handoff is not None and o.handoff.assessment.sla_seconds == SLA
            ids.append(o.handoff.id)
        return ids

    def drain() -> None:
        try:
            _until(lambda: not plane.store.outbox_pending(), "the outbox to drain")
        except AssertionError:
            left = [
                (r["channel"], r["attempts"], r["last_error"]) for r in plane.store.outbox_pending()
            ]
            raise AssertionError(f"undelivered: {left[:5]}; errors seen: {rx.errors[:3]}") from None

    with receiver() as rx:
        rx.check = lambda got: _verify(got, clock)
        channels = tmp_path / "channels.yaml"
        channels.write_text(
            json.dumps({"webhooks": [{"url": rx.url + "/hook", "secret": "env:TEST_HOOK"}]})
        )
        env = {
            **os.environ,
            FAKE_CLOCK_ENV: str(clock_file),
            "HANDOFF_CHANNELS": str(channels),
            "TEST_HOOK": SECRET,
        }
        servers = Servers(pg_url, env, tmp_path)
        first = submit(12, "a")
        servers.start(3)
        try:
            drain()
            for share in (0.5, 1.0, 1.5, 2.0, 2.5, 4.0):
                clock.set(t0 + timedelta(seconds=SLA * share))
                taken = int(min(share, 2.0) / 0.5)

                def caught_up(n: int = taken) -> bool:
                    return all(len(_ladder_kinds(plane, h)) >= n for h in first)

                _until(caught_up, f"ladder step at {share} of the SLA")
                drain()  # before the clock moves on: receivers refuse stale timestamps
            drain()
            time.sleep(2.5)  # a few more passes: nothing may happen twice
            for h in first:
                assert _ladder_kinds(plane, h) == LADDER, h
            assert rx.errors == []
            notes = _notes(rx)
            assert max(notes.values()) == 1, [k for k, v in notes.items() if v > 1]
            ids = Counter(r.headers["webhook-id"] for r in rx.requests)
            assert max(ids.values()) == 1
            # pending, reminder, two escalations, and the rejection to the agent and owner
            assert len(notes) == len(first) * 6

            # -- the servers stop; handoffs fall overdue; two come back ------------------
            servers.stop()
            later = submit(8, "b")
            clock.set(clock.now() + timedelta(seconds=SLA * 1.2))
            assert all(_ladder_kinds(plane, h) == [] for h in later)
            servers.start(2)
            _until(lambda: all(_ladder_kinds(plane, h) for h in later), "escalation after restart")
            drain()
            time.sleep(2.5)
            for h in later:
                [event] = [e for e in plane.store.events(h) if e.actor == "sla"]
                assert event.kind == "escalated" and event.data["skipped"] == [0]
                assert plane.get(h).assignee == "frank"
            notes = _notes(rx)
            assert max(notes.values()) == 1
            assert sum(1 for k in notes if k[0] in later) == len(later) * 2
            assert verify(plane.store).ok
        finally:
            servers.stop()
            plane.close()


def _verify(got: Received, clock: FileClock) -> None:
    webhook.verify(SECRET, got.headers, got.body, clock.now().timestamp())

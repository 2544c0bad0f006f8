"""``handoff serve`` and ``handoff user add`` the first time a newcomer types them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from handoff import ControlPlane
from handoff.server.accounts import Accounts

from .._serve import free_port

HANDOFF = [sys.executable, "-m", "handoff"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def test_user_add_reads_a_piped_password(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    out = subprocess.run(
        [*HANDOFF, "user", "add", "fiona", "--team", "finance", "--db", str(db)],
        input="a long password\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "added reviewer fiona (finance)" in out.stdout
    with ControlPlane.open(f"sqlite:///{db}") as plane:
        assert Accounts.of(plane).authenticate("fiona", "a long password") is not None


def test_serve_on_a_taken_port_says_so_and_exits_5(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [*HANDOFF, "serve", "--db", str(tmp_path / "h.db"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env=ENV,
        )
    assert out.returncode == 5
    assert out.stderr.strip() == (
        f"error: port: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
    assert "serving" not in out.stdout + out.stderr


def test_serve_says_serving_once_it_answers(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [*HANDOFF, "serve", "--db", str(tmp_path / "h.db"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # uvicorn's own log lines come first
            if "serving" in line:
                break
        assert line.startswith("handoff serving sqlite:///") and f":{port}/" in line
        assert httpx.get(f"http://127.0.0.1:{port}/v1/health").status_code == 200
    finally:
        proc.terminate()
        proc.wait(15)

"""``handoff serve``, ``handoff user`` and ``handoff key`` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

import handoff
from handoff import Client
from handoff.cli.commands import app

from .._serve import free_port

runner = CliRunner()


def invoke(*args: str | Path, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_user_and_key_commands(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    code, out, err = invoke(
        "user",
        "add",
        "maya",
        "--team",
        "marketing-ops",
        "--password-stdin",
        "--db",
        db,
        stdin="a long password\n",
    )
    assert code == 0, err
    assert "added reviewer maya (marketing-ops)" in out
    assert err == ""  # maya is in marketing-ops in the default policy
    code, out, err = invoke(
        "user",
        "add",
        "zed",
        "--team",
        "legal",
        "--role",
        "admin",
        "--password-stdin",
        "--db",
        db,
        stdin="another password\n",
    )
    assert code == 0 and "does not list zed in team legal" in err
    code, _, err = invoke("user", "add", "maya", "--password-stdin", "--db", db, stdin="x" * 9)
    assert code == 4 and "already a user" in err
    code, _, err = invoke("user", "add", "bad name", "--password-stdin", "--db", db, stdin="p" * 9)
    assert code == 2 and "name" in err
    code, _, err = invoke(
        "user", "add", "kim", "--role", "boss", "--password-stdin", "--db", db, stdin="p" * 9
    )
    assert code == 2 and "role" in err
    code, _, err = invoke("user", "add", "kim", "--password-stdin", "--db", db, stdin="short")
    assert code == 2 and "password" in err
    code, out, _ = invoke("user", "list", "--db", db)
    assert code == 0 and "maya\treviewer\tmarketing-ops" in out

    code, secret, err = invoke("key", "add", "writer-bot", "--db", db)
    assert code == 0 and secret.strip().startswith("hk_") and "not shown again" in err
    key_id = err.split()[1]
    code, _, err = invoke("key", "add", "writer-bot", "--db", db)
    assert code == 4 and "revoke it first" in err
    code, out, _ = invoke("key", "revoke", key_id, "--db", db)
    assert code == 0 and f"revoked {key_id} of writer-bot" in out
    code, _, err = invoke("key", "revoke", key_id, "--db", db)
    assert code == 4
    code, _, err = invoke("key", "revoke", "k_nope", "--db", db)
    assert code == 1 and "no API key" in err
    code, out, _ = invoke("key", "list", "--db", db)
    assert f"{key_id}\twriter-bot\trevoked" in out


def test_user_add_refuses_the_name_of_an_agent_with_a_live_key(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    code, secret, _ = invoke("key", "add", "writer-bot", "--db", db)
    assert code == 0
    for name in ("writer-bot", "Writer-Bot"):
        code, _, err = invoke("user", "add", name, "--password-stdin", "--db", db, stdin="p" * 9)
        assert code == 4, err
        assert "writer-bot has a live agent API key" in err and "another name" in err
    code, out, _ = invoke("user", "list", "--db", db)
    assert code == 0 and out.strip() == ""
    with handoff.ControlPlane.open(f"sqlite:///{db}") as plane:
        from handoff.server.accounts import Accounts

        accounts = Accounts.of(plane)
        assert accounts.principal_of_key(secret.strip()) == "writer-bot"
        assert accounts.account("writer-bot") is None  # the key still acts as an agent


def test_handoff_serve_runs_the_api_and_the_inbox(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    code, secret, _ = invoke("key", "add", "writer-bot", "--db", db)
    assert code == 0
    port = free_port()
    exe = [sys.executable, "-m", "handoff"]
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text((Path(handoff.__file__).parent / "default_policy.yaml").read_text())
    shadow = ["--shadow-policy", str(candidate)]
    proc = subprocess.Popen(
        [*exe, "serve", "--db", str(db), "--port", str(port), *shadow],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline, "handoff serve did not come up"
            time.sleep(0.1)
        with Client(url, secret.strip()) as agent:
            # The default policy lists iam.grant* (no executor needed to gate it).
            out = agent.submit({"tool": "iam.grant", "args": {"user": "kim", "role": "admin"}})
            assert out.pending and out.handoff.assessment.level.value == "high"
            kinds = [e.kind for e in agent.events(out.handoff_id)]
            assert "shadow_assessed" in kinds  # the candidate policy assessed it too
        login = httpx.get(f"{url}/login")
        assert login.status_code == 200 and "Log in" in login.text
        assert httpx.get(f"{url}/static/inbox.css").status_code == 200
        assert "handoff_handoffs" in httpx.get(f"{url}/metrics").text
        proc.terminate()  # a clean shutdown stops the background loop too
        output, _ = proc.communicate(timeout=10)
        # uvicorn shuts down gracefully, then re-raises the SIGTERM it handled.
        assert proc.returncode in (0, -15)
        assert b"Application shutdown complete" in output, output.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_served_connections_send_small_replies_at_once() -> None:
    """Nagle's algorithm off (TCP_NODELAY) on every accepted connection, as uvicorn has
    when it binds itself: with it on, a reply written in two parts waited for the
    client's delayed ACK, about 40 ms per request on a keep-alive connection."""
    import asyncio
    import socket

    from handoff.cli._serving import listen

    async def nodelay() -> int:
        got: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Note(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                got.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Note, sock=listen("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(got, 10)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(nodelay()) != 0

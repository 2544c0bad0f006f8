"""The MCP gateway end to end: an MCP client -> ``handoff mcp-proxy`` -> a real upstream.

The proxy and the upstream are real subprocesses speaking MCP over stdio; the reviewer
decides from this process through the same SQLite database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest

from handoff import ControlPlane, Handoff, State
from handoff.server.accounts import Accounts

from .._serve import free_port
from .conftest import HANDOFF, UPSTREAM, calls, handoff_serve, mcp_session

pytest.importorskip("mcp")


@pytest.fixture(params=["embedded", "remote"])
def where(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[list[str]]:
    """Where the gateway keeps its handoffs: the database itself, or a real ``handoff
    serve`` on that database, reached with the MCP client's (writer-bot's) key."""
    if request.param == "embedded":
        yield ["--db", sqlite_url]
        return
    with ControlPlane.open(sqlite_url) as home:
        secret = Accounts.of(home).add_key("writer-bot")[1]
    with handoff_serve(sqlite_url) as url:
        yield ["--server", url, "--api-key", secret]


def _proxy(db: str | list[str], *extra: str) -> list[str]:
    return [
        *HANDOFF,
        "mcp-proxy",
        *(["--db", db] if isinstance(db, str) else db),
        "--prefix",
        "cms.",
        "--inbox-url",
        "https://handoff.example",
        *extra,
        "--",
        sys.executable,
        str(UPSTREAM),
    ]


def _text(result: Any) -> str:
    return " ".join(c.text for c in result.content if c.type == "text")


def _decide(db: str, handoff_id: str, **fields: Any) -> Handoff:
    with ControlPlane.open(db) as plane:
        return plane.decide(handoff_id, **fields)


async def _first_pending(db: str) -> Handoff:
    """The first open handoff, once the proxy has written it."""

    def look() -> list[Handoff]:
        with ControlPlane.open(db) as plane:
            return plane.pending()

    with anyio.fail_after(30):
        while not (found := await anyio.to_thread.run_sync(look)):
            await anyio.sleep(0.05)
    return found[0]


def test_gateway_forwards_pauses_and_settles(
    tmp_path: Path, sqlite_url: str, where: list[str]
) -> None:
    log = tmp_path / "calls.jsonl"

    async def scenario() -> None:
        async with mcp_session(_proxy(where), env={"CMS_CALL_LOG": str(log)}) as s:
            listed = {t.name: t for t in (await s.list_tools()).tools}
            assert set(listed) == {
                "search_docs",
                "update_draft",
                "publish_post",
                "delete_page",
                "handoff_status",
            }
            assert all(t.output_schema is None for t in listed.values())

            # auto: forwarded and returned as the upstream answered
            auto = await s.call_tool("search_docs", {"query": "pricing"})
            assert not auto.is_error
            assert "3 pages mention 'pricing'" in _text(auto)
            assert calls(log) == [{"tool": "search_docs", "args": {"query": "pricing"}}]

            # an upstream error comes back as the upstream said it; the handoff records it
            broken = await s.call_tool("search_docs", {})
            assert broken.is_error and "query" in _text(broken)
            with ControlPlane.open(sqlite_url) as plane:
                (failed,) = plane.store.list_handoffs(states=[State.FAILED], limit=5)
            assert failed.action.tool == "cms.search_docs"

            # pending: a result (not an error) with the handoff id and the inbox link
            pending = await s.call_tool("publish_post", {"title": "Spring", "body": "Hello"})
            assert not pending.is_error
            report = pending.structured_content
            assert report is not None
            hid = report["handoff_id"]
            assert report["status"] == "pending"
            assert report["tool"] == "cms.publish_post"
            assert report["owner"] == "marketing-ops"
            assert report["inbox_url"] == f"https://handoff.example/handoffs/{hid}"
            assert len(calls(log)) == 1, "a pending call must not reach the upstream"
            stored = _decide_view(sqlite_url, hid)
            assert stored.action.agent == "writer-bot"
            assert stored.action.args == {"title": "Spring", "body": "Hello"}

            still = await s.call_tool("handoff_status", {"handoff_id": hid})
            assert still.structured_content and still.structured_content["status"] == "pending"

            # decided in between: the poll runs it, once
            _decide(sqlite_url, hid, verdict="approve", reviewer="maya", rationale="on brand")
            done = await s.call_tool("handoff_status", {"handoff_id": hid})
            assert not done.is_error, _text(done)
            assert "published 'Spring'" in _text(done)
            again = await s.call_tool("handoff_status", {"handoff_id": hid})
            assert "published 'Spring'" in _text(again)
            published = [c for c in calls(log) if c["tool"] == "publish_post"]
            assert published == [
                {"tool": "publish_post", "args": {"title": "Spring", "body": "Hello"}}
            ]

            # rejected: a tool error carrying the reviewer's rationale
            risky = await s.call_tool("publish_post", {"title": "Cheapest ever", "body": "x"})
            rid = risky.structured_content["handoff_id"]  # type: ignore[index]
            _decide(sqlite_url, rid, verdict="reject", reviewer="marco", rationale="claim unproven")
            refused = await s.call_tool("handoff_status", {"handoff_id": rid})
            assert refused.is_error
            assert "rejected by marco: claim unproven" in _text(refused)

            # revised: the upstream receives the reviewer's args and the agent is told
            draft = await s.call_tool("publish_post", {"title": "Best in class", "body": "y"})
            vid = draft.structured_content["handoff_id"]  # type: ignore[index]
            _decide(
                sqlite_url,
                vid,
                verdict="revise",
                reviewer="maya",
                rationale="no superlatives",
                args={"title": "Good in class", "body": "y"},
            )
            revised = await s.call_tool("handoff_status", {"handoff_id": vid})
            assert not revised.is_error
            assert "maya revised cms.publish_post" in _text(revised)
            assert "no superlatives" in _text(revised)
            assert revised.meta and revised.meta["handoff/revision"]["args"]["title"] == (
                "Good in class"
            )

            # the agent's context travels in _meta; a bad one is refused, naming the field
            context = {"evidence": [{"source": "launch-brief.md"}], "confidence": 0.8}
            with_context = await s.call_tool(
                "publish_post", {"title": "Notes", "body": "n"}, meta={"handoff/context": context}
            )
            cid = with_context.structured_content["handoff_id"]  # type: ignore[index]
            stored = _decide_view(sqlite_url, cid)
            assert stored.action.context.evidence[0].source == "launch-brief.md"
            assert stored.action.context.confidence == 0.8
            bad = await s.call_tool(
                "publish_post",
                {"title": "x", "body": "y"},
                meta={"handoff/context": {"confidence": 7}},
            )
            assert bad.is_error and "context.confidence" in _text(bad)

            # a poll for an id that is not the caller's is refused, naming the field
            unknown = await s.call_tool("handoff_status", {"handoff_id": "h_nope"})
            assert unknown.is_error and "handoff_id" in _text(unknown)

        titles = [c["args"]["title"] for c in calls(log) if c["tool"] == "publish_post"]
        assert titles == ["Spring", "Good in class"]

    anyio.run(scenario)


def _decide_view(db: str, handoff_id: str) -> Handoff:
    with ControlPlane.open(db) as plane:
        return plane.get(handoff_id)


def test_gateway_waits_for_a_decision_made_meanwhile(
    tmp_path: Path, sqlite_url: str, where: list[str]
) -> None:
    log = tmp_path / "calls.jsonl"

    async def scenario() -> None:
        argv = _proxy(where, "--wait", "30")
        async with mcp_session(argv, env={"CMS_CALL_LOG": str(log)}) as s:
            got: dict[str, Any] = {}

            async def call(name: str, args: dict[str, Any]) -> None:
                got[name] = await s.call_tool("publish_post", args)

            # revised while the call waits: forwarded with the new args, the change named
            async with anyio.create_task_group() as tg:
                tg.start_soon(call, "revise", {"title": "Best launch ever", "body": "z"})
                h = await _first_pending(sqlite_url)
                await anyio.to_thread.run_sync(
                    lambda: _decide(
                        sqlite_url,
                        h.id,
                        verdict="revise",
                        reviewer="maya",
                        rationale="tone it down",
                        args={"title": "Our launch", "body": "z"},
                    )
                )
            revised = got["revise"]
            assert not revised.is_error
            text = _text(revised)
            assert "title='Our launch'" in text and "body" not in text.split("(")[0]
            assert "published 'Our launch'" in text

            # rejected while the call waits: the call itself errors with the rationale
            async with anyio.create_task_group() as tg:
                tg.start_soon(call, "reject", {"title": "Free forever", "body": "z"})
                h = await _first_pending(sqlite_url)
                await anyio.to_thread.run_sync(
                    lambda: _decide(
                        sqlite_url, h.id, verdict="reject", reviewer="marco", rationale="not true"
                    )
                )
            assert got["reject"].is_error
            assert "rejected by marco: not true" in _text(got["reject"])

        assert [c["args"]["title"] for c in calls(log)] == ["Our launch"]

    anyio.run(scenario)


def test_gateway_in_front_of_a_streamable_http_server(tmp_path: Path, sqlite_url: str) -> None:
    log = tmp_path / "calls.jsonl"
    port = free_port()
    env = {**os.environ, "CMS_CALL_LOG": str(log)}
    upstream = subprocess.Popen(
        [sys.executable, str(UPSTREAM), "--http", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the upstream HTTP server did not start"
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/mcp"
        argv = [*HANDOFF, "mcp-proxy", "--db", sqlite_url, "--prefix", "cms.", "--upstream-url"]

        async def scenario() -> None:
            async with mcp_session([*argv, url]) as s:
                auto = await s.call_tool("update_draft", {"draft_id": "d1", "patch": "typo"})
                assert "patched d1" in _text(auto)
                pending = await s.call_tool("delete_page", {"page_id": "/pricing"})
                assert pending.structured_content
                assert pending.structured_content["status"] == "pending"

        anyio.run(scenario)
    finally:
        upstream.terminate()
        upstream.wait(timeout=10)
    assert [c["tool"] for c in calls(log)] == ["update_draft"]


@pytest.mark.parametrize(
    "argv",
    [
        ["mcp-proxy"],
        ["mcp-proxy", "--upstream-url", "http://127.0.0.1:9/mcp", "--", "python", "x.py"],
    ],
)
def test_proxy_needs_exactly_one_upstream(argv: list[str], sqlite_url: str) -> None:
    from typer.testing import CliRunner

    from handoff.cli.commands import app

    out = CliRunner().invoke(app, [*argv[:1], "--db", sqlite_url, *argv[1:]])
    assert out.exit_code == 2
    assert "upstream" in out.output


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--server", "http://127.0.0.1:9"], "--api-key"),
        (["--server", "http://127.0.0.1:9", "--api-key", "hk_x", "--db", "x.db"], "--db"),
    ],
)
def test_a_remote_gateway_names_what_is_missing_or_too_much(
    extra: list[str], named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from handoff.cli.commands import app

    monkeypatch.delenv("HANDOFF_API_KEY", raising=False)
    out = CliRunner().invoke(app, ["mcp-proxy", *extra, "--", "true"])
    assert out.exit_code == 2
    assert named in out.output

"""The gateway when the client gives up first, and what an auto-run result costs to keep.

The official MCP client talks to ``handoff mcp-proxy`` in front of the real
``mcp-server-git``. A client whose own timeout is shorter than ``--wait`` still learns
the handoff id (a progress notification carries it), its retry of the same call finds
that handoff instead of opening a second one, and once approved the call runs exactly
once. A large read that runs at once is answered in full but is not copied into the
database several times over.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from handoff import ControlPlane, State
from handoff.policy import load_policy

from .conftest import HANDOFF, mcp_session

pytest.importorskip("mcp")

POLICY = """\
name: repo-guard
tools:
  "mcp-git.git_commit": {mode: review, owner: eng}
owners:
  eng: {members: [erin, eli], lead: ela}
default_owner: eng
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def _repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "Test Author")
    _git(repo, "config", "user.email", "author@example.com")
    _git(repo, "config", "commit.gpgsign", "false")
    (repo / "README.md").write_text("# project\n")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "-q", "-m", "Initial commit")
    return repo


def _text(result: Any) -> str:
    return " ".join(c.text for c in result.content if c.type == "text")


def _argv(repo: Path, policy: Path, db: str, *extra: str) -> list[str]:
    upstream = [sys.executable, "-m", "mcp_server_git", "--repository", str(repo)]
    return [*HANDOFF, "mcp-proxy", "--db", db, "--policy", str(policy), *extra, "--", *upstream]


def _handoffs(db: str, tool: str) -> list[Any]:
    with ControlPlane.open(db) as plane:
        return [h for h in plane.store.list_handoffs(limit=100) if h.action.tool == tool]


def test_a_timed_out_call_learns_its_handoff_and_its_retry_runs_it_once(
    tmp_path: Path, sqlite_url: str
) -> None:
    from mcp import MCPError

    repo = _repo(tmp_path)
    (repo / "notes.txt").write_text("meeting notes\n")
    _git(repo, "add", "notes.txt")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    argv = _argv(repo, policy, sqlite_url, "--wait", "60")
    call = {"repo_path": str(repo), "message": "Add meeting notes"}
    told: list[str] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        told.append(message or "")

    async def scenario() -> None:
        async with mcp_session(argv) as s:
            # the client gives up long before the gateway's --wait of 60 s
            with pytest.raises(MCPError):
                await s.call_tool(
                    "git_commit", call, read_timeout_seconds=3, progress_callback=progress
                )
            [opened] = _handoffs(sqlite_url, "mcp-git.git_commit")
            assert opened.state is State.PENDING
            # ... yet it was told which handoff it waits for, and where a person decides
            assert any(opened.id in m and "/handoffs/" in m for m in told), told

            with ControlPlane.open(sqlite_url, policy=load_policy(policy)) as plane:
                plane.decide(opened.id, verdict="approve", reviewer="erin", rationale="ok")

            # the same call, retried twice at once: both find the approved handoff, one
            # runs it and the other reads the recorded result
            got: list[Any] = []

            async def retry() -> None:
                got.append(await s.call_tool("git_commit", call))

            async with anyio.create_task_group() as tg:
                tg.start_soon(retry)
                tg.start_soon(retry)
            for one in got:
                assert not one.is_error, _text(one)
                assert one.structured_content is None or "status" not in one.structured_content
            assert _text(got[0]) == _text(got[1])
            assert _subjects(repo) == ["Add meeting notes", "Initial commit"]
            assert [h.id for h in _handoffs(sqlite_url, "mcp-git.git_commit")] == [opened.id]
            with ControlPlane.open(sqlite_url) as plane:
                assert plane.get(opened.id).state is State.EXECUTED

    anyio.run(scenario)
    assert _subjects(repo) == ["Add meeting notes", "Initial commit"]


def test_a_retry_before_the_decision_reports_the_same_handoff(
    tmp_path: Path, sqlite_url: str
) -> None:
    repo = _repo(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    call = {"repo_path": str(repo), "message": "Nothing yet"}

    async def scenario() -> None:
        async with mcp_session(_argv(repo, policy, sqlite_url)) as s:
            one = await s.call_tool("git_commit", call)
            two = await s.call_tool("git_commit", call)
            other = await s.call_tool("git_commit", {**call, "message": "Another"})
        ids = [r.structured_content["handoff_id"] for r in (one, two, other)]
        assert ids[0] == ids[1] != ids[2]
        assert ids[0] in _text(two)
        assert len(_handoffs(sqlite_url, "mcp-git.git_commit")) == 2

    anyio.run(scenario)


def _subjects(repo: Path) -> list[str]:
    return _git(repo, "log", "--format=%s").splitlines()


def _db_bytes(db: str) -> int:
    path = db.removeprefix("sqlite:///")
    return sum(os.path.getsize(p) for p in (path, f"{path}-wal") if os.path.exists(p))


def test_a_large_auto_run_result_is_not_stored_many_times(tmp_path: Path, sqlite_url: str) -> None:
    repo = _repo(tmp_path)
    payload = 3_000_000
    # a text file of 3 MB in one commit: git_show of that commit returns it all
    lines = [f"line {i:07d} of a large generated file\n" for i in range(payload // 40)]
    (repo / "big.txt").write_text("".join(lines))
    _git(repo, "add", "big.txt")
    _git(repo, "commit", "-q", "-m", "Add big file")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    sizes: dict[str, int] = {}

    async def scenario() -> None:
        async with mcp_session(_argv(repo, policy, sqlite_url)) as s:
            await s.call_tool("git_status", {"repo_path": str(repo)})  # the database exists
            sizes["before"] = _db_bytes(sqlite_url)
            shown = await s.call_tool("git_show", {"repo_path": str(repo), "revision": "HEAD"})
            assert not shown.is_error, _text(shown)[:500]
            # the agent gets the whole result
            assert len(_text(shown)) > payload and "line 0074999 of a large" in _text(shown)
            sizes["after"] = _db_bytes(sqlite_url)

    anyio.run(scenario)
    [h] = _handoffs(sqlite_url, "mcp-git.git_show")
    assert h.state is State.EXECUTED
    growth = sizes["after"] - sizes["before"]
    assert growth < 2 * payload, f"the database grew by {growth} bytes for {payload}"


def test_a_client_with_url_elicitation_is_sent_to_the_inbox(
    tmp_path: Path, sqlite_url: str
) -> None:
    import mcp_types as types

    repo = _repo(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    argv = _argv(repo, policy, sqlite_url, "--wait", "2", "--inbox-url", "https://inbox.example")
    asked: list[Any] = []

    async def elicitation(context: Any, params: Any) -> Any:
        asked.append(params)
        return types.ElicitResult(action="accept")

    notes: list[Any] = []

    async def on_message(message: Any) -> None:
        notes.append(message)

    async def scenario() -> None:
        call = {"repo_path": str(repo), "message": "m"}
        async with mcp_session(
            argv, elicitation_callback=elicitation, message_handler=on_message
        ) as s:
            got = await s.call_tool("git_commit", call)
            handoff_id = got.structured_content["handoff_id"]
            [params] = asked
            assert params.mode == "url"
            assert params.url == f"https://inbox.example/handoffs/{handoff_id}"
            assert params.elicitation_id == handoff_id and handoff_id in params.message

            again = await s.call_tool("git_commit", call)  # a retry: the user is not asked again
            assert again.structured_content["handoff_id"] == handoff_id and len(asked) == 1
            with ControlPlane.open(sqlite_url, policy=load_policy(policy)) as plane:
                plane.decide(handoff_id, verdict="reject", reviewer="eli", rationale="no")
            refused = await s.call_tool("git_commit", call)
            assert refused.is_error and "rejected by eli" in _text(refused)
            with anyio.fail_after(10):  # the client is told the link has served
                while not any(
                    getattr(n, "method", "") == "notifications/elicitation/complete"
                    and n.params.elicitation_id == handoff_id
                    for n in notes
                ):
                    await anyio.sleep(0.05)

    anyio.run(scenario)

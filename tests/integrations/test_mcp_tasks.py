"""The gateway answers a pending call with an MCP Tasks handle when the client takes one.

The official MCP client connects on protocol 2026-07-28 with the Tasks extension
(``io.modelcontextprotocol/tasks``) to ``handoff mcp-proxy`` in front of the real
``mcp-server-git``. A call that needs a reviewer comes back at once as a task naming
its handoff; ``tasks/get`` says it is working until a reviewer decides, then returns
the upstream result, having run the call exactly once; ``tasks/cancel`` cancels the
handoff. A client without the extension gets the "awaits approval" result as before.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import anyio
import pytest

from handoff import ControlPlane, State
from handoff.policy import load_policy

from .conftest import HANDOFF, mcp_session
from .test_mcp_retry import POLICY, _git, _handoffs, _repo, _subjects

pytest.importorskip("mcp")

TASKS = "io.modelcontextprotocol/tasks"


def _argv(repo: Path, policy: Path, db: str) -> list[str]:
    upstream = [sys.executable, "-m", "mcp_server_git", "--repository", str(repo)]
    return [*HANDOFF, "mcp-proxy", "--db", db, "--policy", str(policy), "--", *upstream]


@asynccontextmanager
async def _tasks_session(
    argv: list[str], *, extension: bool = True
) -> AsyncIterator[tuple[Any, type[Any]]]:
    """A client on protocol 2026-07-28 that declares the Tasks extension (unless not
    ``extension``) and claims its ``resultType: "task"`` answer to ``tools/call``;
    yields it and the claim's model."""
    import mcp_types as types
    from mcp import ClientSession, StdioServerParameters, stdio_client
    from mcp.client.extension import ResultClaim
    from pydantic import ConfigDict

    class TaskHandle(types.Result):
        model_config = ConfigDict(extra="allow")
        result_type: Literal["task"] = "task"  # type: ignore[assignment]

    async def resolve(handle: Any, ctx: Any) -> Any:
        raise AssertionError("the test polls tasks/get itself")

    params = StdioServerParameters(command=argv[0], args=argv[1:], env=dict(os.environ))
    claim = ResultClaim(result_type="task", model=TaskHandle, resolve=resolve)
    async with (
        stdio_client(params, errlog=sys.stderr) as (read, write),
        ClientSession(
            read,
            write,
            client_info=types.Implementation(name="writer-bot", version="1.0"),
            read_timeout_seconds=60,
            extensions={TASKS: {}} if extension else None,
            result_claims={TASKS: [claim]} if extension else None,
        ) as session,
    ):
        await session.discover()
        yield session, TaskHandle


async def _tasks(session: Any, method: str, task_id: str) -> dict[str, Any]:
    import mcp_types as types
    from pydantic import TypeAdapter

    request = types.Request[dict[str, Any], str](method=method, params={"taskId": task_id})
    got: dict[str, Any] = await session.send_request(request, TypeAdapter(dict[str, Any]))
    return got


def _extra(model: Any) -> dict[str, Any]:
    return {**(model.model_extra or {}), "resultType": model.result_type}


def test_a_pending_call_is_a_task_that_completes_once_approved(
    tmp_path: Path, sqlite_url: str
) -> None:
    repo = _repo(tmp_path)
    (repo / "notes.txt").write_text("meeting notes\n")
    _git(repo, "add", "notes.txt")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    call = {"repo_path": str(repo), "message": "Add meeting notes"}

    async def scenario() -> None:
        async with _tasks_session(_argv(repo, policy, sqlite_url)) as (s, handle_type):
            assert s.protocol_version == "2026-07-28"
            handle = await s.call_tool("git_commit", call, allow_claimed=True)
            assert isinstance(handle, handle_type)
            task = _extra(handle)
            [opened] = _handoffs(sqlite_url, "mcp-git.git_commit")
            assert opened.state is State.PENDING
            assert task["status"] == "working"
            assert opened.id in task["statusMessage"]
            assert task["taskId"] and task["createdAt"] and task["lastUpdatedAt"]

            polled = await _tasks(s, "tasks/get", task["taskId"])
            assert polled["resultType"] == "complete"
            assert polled["status"] == "working" and "result" not in polled
            assert _subjects(repo) == ["Initial commit"]

            with ControlPlane.open(sqlite_url, policy=load_policy(policy)) as plane:
                plane.decide(opened.id, verdict="approve", reviewer="erin", rationale="ok")

            done = await _tasks(s, "tasks/get", task["taskId"])
            assert done["status"] == "completed", done
            assert done["result"]["isError"] is False
            assert "committed" in done["result"]["content"][0]["text"].lower(), done
            again = await _tasks(s, "tasks/get", task["taskId"])
            assert again["status"] == "completed" and again["result"] == done["result"]
            assert _subjects(repo) == ["Add meeting notes", "Initial commit"]
            with ControlPlane.open(sqlite_url) as plane:
                assert plane.get(opened.id).state is State.EXECUTED

    anyio.run(scenario)
    assert _subjects(repo) == ["Add meeting notes", "Initial commit"]


def test_tasks_cancel_cancels_the_handoff_and_unknown_tasks_are_refused(
    tmp_path: Path, sqlite_url: str
) -> None:
    from mcp import MCPError

    repo = _repo(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    call = {"repo_path": str(repo), "message": "Never mind"}

    async def scenario() -> None:
        async with _tasks_session(_argv(repo, policy, sqlite_url)) as (s, _):
            task = _extra(await s.call_tool("git_commit", call, allow_claimed=True))
            [opened] = _handoffs(sqlite_url, "mcp-git.git_commit")
            acknowledged = await _tasks(s, "tasks/cancel", task["taskId"])
            assert {k: v for k, v in acknowledged.items() if k != "_meta"} == {
                "resultType": "complete"
            }
            with ControlPlane.open(sqlite_url) as plane:
                assert plane.get(opened.id).state is State.CANCELLED
                assert "cancelled" in [e.kind for e in plane.events(opened.id)]
            assert (await _tasks(s, "tasks/get", task["taskId"]))["status"] == "cancelled"
            for unknown in ("handoff-nope", "nope"):
                with pytest.raises(MCPError) as err:
                    await _tasks(s, "tasks/get", unknown)
                assert err.value.error.code == -32602
        assert _subjects(repo) == ["Initial commit"]

    anyio.run(scenario)


def test_a_client_without_the_extension_gets_the_pending_result(
    tmp_path: Path, sqlite_url: str
) -> None:
    repo = _repo(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    call = {"repo_path": str(repo), "message": "Old client"}

    async def scenario() -> None:
        async with mcp_session(_argv(repo, policy, sqlite_url)) as s:
            got = await s.call_tool("git_commit", call)
        assert not got.is_error
        assert got.structured_content["status"] == "pending"
        [opened] = _handoffs(sqlite_url, "mcp-git.git_commit")
        assert got.structured_content["handoff_id"] == opened.id

    anyio.run(scenario)


def test_a_rejected_task_completes_with_the_reviewers_rationale(
    tmp_path: Path, sqlite_url: str
) -> None:
    repo = _repo(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    call = {"repo_path": str(repo), "message": "Rewrite history"}

    async def scenario() -> None:
        async with _tasks_session(_argv(repo, policy, sqlite_url)) as (s, _):
            task = _extra(await s.call_tool("git_commit", call, allow_claimed=True))
            [opened] = _handoffs(sqlite_url, "mcp-git.git_commit")
            with ControlPlane.open(sqlite_url, policy=load_policy(policy)) as plane:
                plane.decide(opened.id, verdict="reject", reviewer="erin", rationale="not on main")
            done = await _tasks(s, "tasks/get", task["taskId"])
        assert done["status"] == "completed"
        assert done["result"]["isError"] is True
        assert "not on main" in done["result"]["content"][0]["text"]
        assert _subjects(repo) == ["Initial commit"]

    anyio.run(scenario)


def test_a_2026_client_without_the_extension_gets_no_task(tmp_path: Path, sqlite_url: str) -> None:
    from mcp import MCPError

    repo = _repo(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    call = {"repo_path": str(repo), "message": "Plain client"}

    async def scenario() -> None:
        async with _tasks_session(_argv(repo, policy, sqlite_url), extension=False) as (s, _):
            assert s.protocol_version == "2026-07-28"
            got = await s.call_tool("git_commit", call)
            assert got.structured_content["status"] == "pending"
            with pytest.raises(MCPError) as err:
                await _tasks(s, "tasks/get", f"handoff-{got.structured_content['handoff_id']}")
            assert err.value.error.code == -32021

    anyio.run(scenario)


def test_a_task_outlives_the_gateway_process(tmp_path: Path, sqlite_url: str) -> None:
    repo = _repo(tmp_path)
    (repo / "notes.txt").write_text("meeting notes\n")
    _git(repo, "add", "notes.txt")
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    call = {"repo_path": str(repo), "message": "After a restart"}
    argv = _argv(repo, policy, sqlite_url)

    async def scenario() -> None:
        async with _tasks_session(argv) as (s, _):
            task = _extra(await s.call_tool("git_commit", call, allow_claimed=True))
        [opened] = _handoffs(sqlite_url, "mcp-git.git_commit")
        with ControlPlane.open(sqlite_url, policy=load_policy(policy)) as plane:
            plane.decide(opened.id, verdict="approve", reviewer="erin", rationale="ok")
        async with _tasks_session(argv) as (s, _):  # a new gateway process
            done = await _tasks(s, "tasks/get", task["taskId"])
        assert done["status"] == "completed" and done["result"]["isError"] is False
        assert _subjects(repo) == ["After a restart", "Initial commit"]

    anyio.run(scenario)

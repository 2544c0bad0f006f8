"""The gateway in front of third-party software: ``mcp-server-git`` from PyPI.

An MCP client (the official ``mcp`` package) talks to ``handoff mcp-proxy``, which runs
``python -m mcp_server_git`` over stdio in a temporary git repository. No ``--prefix``
is given: the tools are named after the server (``mcp-git.git_commit``), so the team's
policy rules for that server apply. The server's tool annotations reach the detector:
its read-only tools run at once, and its writes wait for a person. What ran is read
back from the repository with the ``git`` command itself, not from anything the
gateway says.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from handoff import ControlPlane, State
from handoff.models import ToolAnnotations
from handoff.policy import load_policy

from .conftest import HANDOFF, mcp_session

pytest.importorskip("mcp")
pytest.importorskip("mcp_server_git")  # the third-party upstream; not in `make compat`

# A team's policy for the git server: writes to the repository are reviewed by
# engineering. The server has no git_push tool, so that rule is reported at start.
POLICY = """\
name: repo-guard
tools:
  "mcp-git.git_commit": {mode: review, owner: eng}
  "mcp-git.git_checkout": {mode: review, owner: eng}
  "mcp-git.git_add": {mode: review, owner: eng}
  "mcp-git.git_push": {mode: two_person, owner: eng}
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
    _git(repo, "branch", "feature")
    (repo / "notes.txt").write_text("meeting notes\n")
    return repo


def _text(result: Any) -> str:
    return " ".join(c.text for c in result.content if c.type == "text")


def _pending_id(result: Any) -> str:
    assert not result.is_error, _text(result)
    report = result.structured_content
    assert report is not None and report.get("status") == "pending", _text(result)
    return str(report["handoff_id"])


def _subjects(repo: Path) -> list[str]:
    return _git(repo, "log", "--format=%s").splitlines()


def _decide_cli(db: str, policy: Path, handoff_id: str, *flags: str) -> None:
    subprocess.run(
        [*HANDOFF, "decide", handoff_id, *flags, "--db", db, "--policy", str(policy)],
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def setup(tmp_path: Path, sqlite_url: str) -> tuple[Path, Path, list[str]]:
    repo = _repo(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    upstream = [sys.executable, "-m", "mcp_server_git", "--repository", str(repo)]
    proxy = [*HANDOFF, "mcp-proxy", "--db", sqlite_url, "--policy", str(policy)]
    return repo, policy, [*proxy, "--", *upstream]


def test_git_writes_wait_for_review_and_reads_run_at_once(
    setup: tuple[Path, Path, list[str]], sqlite_url: str
) -> None:
    repo, policy, argv = setup
    where = {"repo_path": str(repo)}

    async def scenario() -> None:
        async with mcp_session(argv) as s:
            names = {t.name for t in (await s.list_tools()).tools}
            assert {"git_status", "git_log", "git_commit", "git_add", "git_checkout"} <= names

            # reads: the server says they are read-only, and they run at once
            status = await s.call_tool("git_status", where)
            assert not status.is_error and "notes.txt" in _text(status)
            log = await s.call_tool("git_log", {**where, "max_count": 5})
            assert not log.is_error and "Initial commit" in _text(log), _text(log)
            for read in ("git_diff_unstaged", "git_branch"):
                args = {**where, "branch_type": "local"} if read == "git_branch" else where
                got = await s.call_tool(read, args)
                assert got.structured_content is None, f"{read} paused: {_text(got)}"
                assert not got.is_error, _text(got)

            # writes: each pauses, a handoff is opened, and the repository is untouched
            add_id = _pending_id(await s.call_tool("git_add", {**where, "files": ["notes.txt"]}))
            commit_id = _pending_id(
                await s.call_tool("git_commit", {**where, "message": "Add meeting notes"})
            )
            checkout_id = _pending_id(
                await s.call_tool("git_checkout", {**where, "branch_name": "feature"})
            )
            assert _git(repo, "diff", "--cached", "--name-only") == ""
            assert _subjects(repo) == ["Initial commit"]
            assert _git(repo, "branch", "--show-current").strip() == "main"

            with ControlPlane.open(sqlite_url, policy=load_policy(policy)) as plane:
                commit = plane.get(commit_id)
                assert commit.state is State.PENDING
                assert commit.action.tool == "mcp-git.git_commit"
                assert commit.assessment.owner == "eng"
                # the server's own description of the tool travels with the action
                assert commit.action.annotations == ToolAnnotations(
                    title=None, read_only=False, destructive=False, idempotent=False,
                    open_world=False,
                )  # fmt: skip

            # approved on the command line: the poll runs git add, once
            _decide_cli(sqlite_url, policy, add_id, "--approve", "--as", "erin", "--why", "ok")
            added = await s.call_tool("handoff_status", {"handoff_id": add_id})
            assert not added.is_error, _text(added)
            assert _git(repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]

            # approved through the ControlPlane: the poll commits, and a second poll
            # returns the same result without committing again
            with ControlPlane.open(sqlite_url, policy=load_policy(policy)) as plane:
                plane.decide(commit_id, verdict="approve", reviewer="eli", rationale="fine")
            first = await s.call_tool("handoff_status", {"handoff_id": commit_id})
            again = await s.call_tool("handoff_status", {"handoff_id": commit_id})
            assert not first.is_error, _text(first)
            assert _text(again) == _text(first)
            assert _subjects(repo) == ["Add meeting notes", "Initial commit"]

            # rejected: the checkout never runs
            _decide_cli(sqlite_url, policy, checkout_id, "--reject", "--as", "erin", "--why", "no")
            refused = await s.call_tool("handoff_status", {"handoff_id": checkout_id})
            assert refused.is_error and "rejected by erin" in _text(refused)
            assert _git(repo, "branch", "--show-current").strip() == "main"

    anyio.run(scenario)


def test_a_destructive_annotation_reaches_the_detector(
    setup: tuple[Path, Path, list[str]], sqlite_url: str
) -> None:
    repo, _, argv = setup
    _git(repo, "add", "notes.txt")

    async def scenario() -> None:
        async with mcp_session(argv) as s:
            reset_id = _pending_id(await s.call_tool("git_reset", {"repo_path": str(repo)}))
        with ControlPlane.open(sqlite_url) as plane:
            h = plane.get(reset_id)
        assert h.action.annotations is not None and h.action.annotations.destructive is True
        assert "tool.destructive" in {t.code for t in h.assessment.triggers}
        assert _git(repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]

    anyio.run(scenario)


def test_the_start_report_names_rules_that_match_no_upstream_tool(
    setup: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    _, _, argv = setup
    err = tmp_path / "proxy.err"

    async def scenario() -> None:
        with err.open("w") as errlog:
            async with mcp_session(argv, errlog=errlog) as s:
                await s.list_tools()

    anyio.run(scenario)
    report = err.read_text()
    assert "'mcp-git.'" in report, report
    unmatched = [line for line in report.splitlines() if "matches no" in line]
    assert len(unmatched) == 1, report
    assert "mcp-git.git_push" in unmatched[0]

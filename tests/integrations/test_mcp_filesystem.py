"""The gateway in front of the reference Node server ``@modelcontextprotocol/server-filesystem``.

It runs only where ``make integrations`` installed the server (pinned in
``tests/integrations/npm/package-lock.json``) into ``.venv/npm``, or where
``HANDOFF_MCP_FILESYSTEM`` names its executable; ``make test`` never needs the npm
registry. The default policy is used, so what pauses the writes is only what the server
says about them: ``write_file``, ``edit_file`` and ``move_file`` carry
``destructiveHint: true``, and their names alone score low. What ran is read back from
the directory itself.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import anyio
import pytest

from handoff import ControlPlane, State

from .conftest import HANDOFF, ROOT, mcp_session

pytest.importorskip("mcp")

SERVER = Path(
    os.environ.get("HANDOFF_MCP_FILESYSTEM")
    or ROOT / ".venv" / "npm" / "node_modules" / ".bin" / "mcp-server-filesystem"
)
pytestmark = pytest.mark.skipif(
    not SERVER.exists() or shutil.which("node") is None,
    reason="the npm filesystem server is not installed (make integrations installs it)",
)


def _text(result: Any) -> str:
    return " ".join(c.text for c in result.content if c.type == "text")


def _pending_id(result: Any) -> str:
    assert not result.is_error, _text(result)
    report = result.structured_content
    assert report is not None and report.get("status") == "pending", _text(result)
    return str(report["handoff_id"])


def test_destructive_file_tools_wait_for_review(tmp_path: Path, sqlite_url: str) -> None:
    root = tmp_path / "files"
    root.mkdir()
    (root / "plan.md").write_text("draft\n")
    argv = [*HANDOFF, "mcp-proxy", "--db", sqlite_url, "--", str(SERVER), str(root)]
    plan, report = str(root / "plan.md"), str(root / "report.md")

    async def scenario() -> None:
        async with mcp_session(argv) as s:
            read = await s.call_tool("read_text_file", {"path": plan})
            assert not read.is_error and "draft" in _text(read), _text(read)
            listed = await s.call_tool("list_directory", {"path": str(root)})
            assert not listed.is_error and "plan.md" in _text(listed), _text(listed)

            write_id = _pending_id(
                await s.call_tool("write_file", {"path": report, "content": "done\n"})
            )
            edit = {"path": plan, "edits": [{"oldText": "draft", "newText": "final"}]}
            _pending_id(await s.call_tool("edit_file", edit))
            _pending_id(await s.call_tool("move_file", {"source": plan, "destination": report}))
            assert sorted(p.name for p in root.iterdir()) == ["plan.md"]
            assert (root / "plan.md").read_text() == "draft\n"

            with ControlPlane.open(sqlite_url) as plane:
                h = plane.get(write_id)
                assert h.action.tool == "secure-filesystem-server.write_file"
                assert "tool.destructive" in {t.code for t in h.assessment.triggers}
                reviewer = sorted(plane.policy.members_of(h.assessment.owner))[0]
                plane.decide(write_id, verdict="approve", reviewer=reviewer, rationale="ok")
            done = await s.call_tool("handoff_status", {"handoff_id": write_id})
            assert not done.is_error, _text(done)
            assert (root / "report.md").read_text() == "done\n"
            written = (root / "report.md").stat().st_mtime_ns
            await s.call_tool("handoff_status", {"handoff_id": write_id})
            assert (root / "report.md").stat().st_mtime_ns == written
            with ControlPlane.open(sqlite_url) as plane:
                assert plane.get(write_id).state is State.EXECUTED

    anyio.run(scenario)

"""Every integration example runs, end to end, with no network."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import EXAMPLES


@pytest.mark.parametrize(
    ("script", "needs", "expected"),
    [
        ("mcp_gateway/run.py", "mcp", ["search_docs -> 3 pages", "published 'Our launch'"]),
        ("mcp_server/run.py", "mcp", ["request_handoff -> pending", '"percent": 15']),
        ("langgraph_agent/run.py", "langgraph", ["published 'Our launch'", "state: executed"]),
        ("openai_agents/run.py", "agents", ["rejected by marco", "agent: Understood"]),
        (
            "pydantic_ai_agent/run.py",
            "pydantic_ai",
            ["maya revised publish_post", "published 'Our launch'", "state: executed"],
        ),
        ("adk_agent/run.py", "google.adk", ["marco rejected", "rejected by marco: 'cheapest'"]),
    ],
)
def test_example_runs(script: str, needs: str, expected: list[str]) -> None:
    pytest.importorskip(needs)
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    for line in expected:
        assert line in out.stdout, out.stdout

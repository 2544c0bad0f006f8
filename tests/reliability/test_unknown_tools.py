"""The short form of the unknown-tools suite: the whole corpus against a real server
running the default policy with an executor for every tool, once per database.

Cases that run on their own today are in ``unknown_tools.KNOWN`` with where the fault
lies; they are strict xfails, so a fix turns them red until the entry is removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability import unknown_tools
from tests.conftest import _PG_PROBLEM


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def result(request: pytest.FixtureRequest) -> Iterator[unknown_tools.Result]:
    if request.param == "postgres" and _PG_PROBLEM:
        if os.environ.get("CI"):
            pytest.fail(_PG_PROBLEM)
        pytest.skip(_PG_PROBLEM)
    yield unknown_tools.run(request.param)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            c.name, marks=pytest.mark.xfail(strict=True, reason=unknown_tools.KNOWN[c.name])
        )
        if c.name in unknown_tools.KNOWN
        else c.name
        for c in unknown_tools.CASES
    ],
)
def test_no_unlisted_tool_runs_without_a_human(result: unknown_tools.Result, name: str) -> None:
    (v,) = [v for v in result.default if v.case == name]
    assert v.status == "pending" and v.state == "pending", v
    assert not v.ran and v.triggers, v


def test_the_control_sees_a_run(result: unknown_tools.Result) -> None:
    """With ``unknown_tools: auto`` what only the fail-closed rule held runs: the count
    is of real runs, not of statuses that could never say so."""
    only_unknown = {v.case for v in result.default if v.triggers == ["tool.unknown"]}
    assert only_unknown, "no case held by tool.unknown alone"
    ran = {v.case for v in result.control if v.ran}
    assert only_unknown <= ran
    assert all(v.state == "executed" for v in result.control if v.case in only_unknown)


def test_the_figures_replace_their_own_section_only(
    result: unknown_tools.Result, tmp_path: Path
) -> None:
    docs = tmp_path / "RELIABILITY.md"
    docs.write_text("# Reliability\n\n<!-- crash:start -->\ncrash\n<!-- crash:end -->\n")
    text = unknown_tools.table([result])
    unknown_tools.write_docs("unknown-tools", "Unknown tools", text, docs)
    unknown_tools.write_docs("unknown-tools", "Unknown tools", text, docs)
    body = docs.read_text()
    assert "crash\n" in body and body.count("<!-- unknown-tools:start -->") == 1
    held = len(unknown_tools.CASES) - len(unknown_tools.KNOWN)
    assert f"| **unknown tools** | | | 0 of {held} |" in body and "Verdict: pass." in body

"""LangGraph with its SqliteSaver across real process restarts: every step runs in a new
Python process on the same two database files. A refused resume pauses again with the
error (it never wedges the thread), two approvals let the wire go out, and resuming the
finished thread again sends nothing more."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph.checkpoint.sqlite")

APP = Path(__file__).with_name("lg_restart_app.py")


def step(where: Path, *argv: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(APP), str(where), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def sent(where: Path) -> list[dict[str, Any]]:
    f = where / "sent.jsonl"
    return [json.loads(line) for line in f.read_text().splitlines()] if f.exists() else []


def test_a_wire_pauses_survives_restarts_and_runs_once(tmp_path: Path) -> None:
    first = step(tmp_path, "start")
    (pause,) = first["interrupts"]
    assert pause["handoff"]["handoff_id"]

    refused = step(tmp_path, "resume", "maya")  # not in finance
    assert refused["interrupts"][0]["error"]["field"] == "decisions[0].reviewer"
    assert sent(tmp_path) == []

    one = step(tmp_path, "resume", "fiona")
    assert "error" not in one["interrupts"][0], "one of two approvals: still waiting"
    twice = step(tmp_path, "resume", "fiona")
    assert "already approved" in twice["interrupts"][0]["error"]["message"]

    done = step(tmp_path, "resume", "felix")
    assert done["outcome"] == "executed" and done["interrupts"] == []
    assert sent(tmp_path) == [{"amount": 250000, "to": "acct-9"}]

    again = step(tmp_path, "resume", "felix")
    assert again["interrupts"] == []
    assert sent(tmp_path) == [{"amount": 250000, "to": "acct-9"}], "it ran once"

"""The demo says why its KPIs read as they do, with the figures ``handoff kpi`` computes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handoff.cli._common import console
from handoff.cli.commands import app

runner = CliRunner()


def test_the_demo_explains_its_audit_readiness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 400)  # one table row per line
    db = tmp_path / "handoff-demo.db"
    shown = runner.invoke(app, ["demo", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    figures = runner.invoke(app, ["kpi", "--db", str(db), "--json"])
    k = json.loads(figures.stdout)["overall"]
    assert 0 < k["audit_ready"] < k["executed_actions"]  # the demo has something to explain
    row = next(ln for ln in shown.stdout.splitlines() if "audit readiness" in ln)
    assert f"{k['audit_ready']} of {k['executed_actions']} executed actions" in row
    unconfirmed = k["audit_missing"]["confirmation"]
    assert f"{unconfirmed} have no check of the effect after the run" in row
    assert "cms.update_draft" in row  # the tool whose executor has no confirm, named
    precision = next(ln for ln in shown.stdout.splitlines() if "escalation precision" in ln)
    assert f"of {k['decided']} decided escalations, reviewers changed {k['changed']}" in precision

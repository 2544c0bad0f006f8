"""``handoff kpi``, ``incident report``, ``report`` and ``policy backtest/suggest``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handoff import ControlPlane
from handoff.cli.commands import app
from handoff.policy import default_policy
from handoff.store import open_store
from handoff.testing import FakeClock

from ._history import Built, build
from .test_backtest import CANDIDATE

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Built]:
    db = tmp_path_factory.mktemp("learn") / "handoff.db"
    clock = FakeClock()
    plane = ControlPlane(open_store(f"sqlite:///{db}"), default_policy(), clock=clock)
    built = build(plane, clock)
    plane.close()
    return db, built


def test_kpi_json_and_table(recorded: tuple[Path, Built], tmp_path: Path) -> None:
    db, built = recorded
    code, out, err = invoke("kpi", "--db", db, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["overall"]["precision"] == 0.4
    assert data["overall"]["missed_ids"] == [built.ids["A2"]]
    assert data["audit"]["ok"] is True
    assert set(data["by_owner"]) == {"finance", "marketing-ops", "product"}
    chart = tmp_path / "k.svg"
    code, out, err = invoke("kpi", "--db", db, "--owner", "finance", "--chart", chart)
    assert code == 0, err
    assert "escalation precision" in out and "50%" in out
    svg = chart.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Incidents per week" in svg


def test_kpi_bad_input_names_the_field(recorded: tuple[Path, Built], tmp_path: Path) -> None:
    db, _ = recorded
    code, _, err = invoke("kpi", "--db", db, "--since", "yesterday-ish")
    assert code == 2 and "since" in err
    code, _, err = invoke("kpi", "--db", db, "--chart", tmp_path / "k.png")
    assert code == 2 and "chart" in err and not (tmp_path / "k.png").exists()
    code, _, err = invoke("kpi", "--db", db, "--owner", "nobody")
    assert code == 2 and "owner" in err


def test_incident_report(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    clock = FakeClock()
    plane = ControlPlane(open_store(f"sqlite:///{db}"), default_policy(), clock=clock)
    b = build(plane, clock)
    plane.close()
    code, out, err = invoke(
        "incident", "report", b.ids["A1"], "--db", db, "--severity", "high", "-d", "wrong report"
    )
    assert code == 0, err
    assert "missed escalation" in out
    code, out, _ = invoke("kpi", "--db", db, "--json")
    assert json.loads(out)["overall"]["missed"] == 2
    code, _, err = invoke("incident", "report", b.ids["E6"], "--db", db, "-d", "x")
    assert code == 4 and "not executed" in err  # still pending
    code, _, err = invoke("incident", "report", b.ids["A1"], "--db", db, "-d", "")
    assert code == 2 and "description" in err


def test_report_writes_html_and_csv(recorded: tuple[Path, Built], tmp_path: Path) -> None:
    db, built = recorded
    out_dir = tmp_path / "rep"
    code, _, err = invoke(
        "report", "--db", db, "--from", "2026-01-01", "--to", "2026-02-01", "-o", out_dir
    )
    assert code == 0, err
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert "audit chain ok" in html and "<svg" in html and built.ids["E2"] in html
    assert "not in the plan" in html  # E2's rationale
    rows = list(csv.DictReader((out_dir / "decisions.csv").open(encoding="utf-8")))
    e5 = [r for r in rows if r["handoff_id"] == built.ids["E5"]]
    assert [r["reviewer"] for r in e5] == ["fiona", "felix"]
    assert e5[0]["policy_version"] == default_policy().version
    kpis = list(csv.DictReader((out_dir / "kpis.csv").open(encoding="utf-8")))
    assert kpis[0]["slice"] == "overall" and kpis[0]["precision"] == "0.4"


def test_policy_backtest_and_suggest(recorded: tuple[Path, Built], tmp_path: Path) -> None:
    db, built = recorded
    cand = tmp_path / "candidate.yaml"
    cand.write_text(CANDIDATE, encoding="utf-8")
    code, out, err = invoke("policy", "backtest", cand, "--db", db, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["incidents_caught"] == [built.ids["A2"]]
    assert len(data["escalations_added"]) == 2 and len(data["escalations_removed"]) == 5
    code, out, err = invoke("policy", "backtest", cand, "--db", db)
    assert code == 0 and "incidents it would have caught" in out
    code, out, err = invoke("policy", "suggest", "--db", db)
    assert code == 0, err
    assert "send cms.update_draft to review" in out and '+  "cms.update_draft"' in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("rubric: {medium: 2}\n", encoding="utf-8")
    code, _, err = invoke("policy", "backtest", bad, "--db", db)
    assert code == 2 and "rubric.medium" in err

"""The simulated month, the charts' escaping and the report's escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from handoff import ControlPlane
from handoff._exceptions import InputError
from handoff.cli.commands import app
from handoff.learn.charts import bars, rates, weekly
from handoff.learn.history import load_history
from handoff.learn.kpi import compute
from handoff.learn.report import write_report
from handoff.learn.simulation import simulate
from handoff.policy import default_policy
from handoff.store import open_store
from handoff.testing import FakeClock

from ._history import build

HOSTILE = "<script>alert(1)</script>"


def test_a_simulated_week_gives_every_kpi_something_to_say(tmp_path: Path) -> None:
    db = tmp_path / "month.db"
    summary = simulate(db, 7)
    assert summary.actions > 100
    with ControlPlane.open(f"sqlite:///{db}") as plane:
        k = compute(load_history(plane.store)).overall
    assert k.escalations > 30 and k.decided > 20 and k.auto_executed > 50
    assert k.precision is not None and 0 < k.precision < 1
    assert k.sla_attainment is not None and k.ttd_p50 is not None
    assert k.audit_readiness == 1.0  # the simulated executors confirm every stage


def test_days_out_of_range_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        simulate(tmp_path / "x.db", 0)
    assert exc.value.field == "days"
    result = CliRunner().invoke(app, ["demo", "--days", "0", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and not (tmp_path / "x.db").exists()


def test_charts_escape_their_labels() -> None:
    for svg in (
        bars("t", [(HOSTILE, 1.0)]),
        rates(HOSTILE, [("a", 0.5)]),
        weekly("w", {HOSTILE: 3}),
    ):
        assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert bars("empty", []).count("no data") == 1


def test_report_escapes_agent_and_reviewer_text(tmp_path: Path) -> None:
    clock = FakeClock()
    plane = ControlPlane(open_store("sqlite://"), default_policy(), clock=clock)
    b = build(plane, clock)
    plane.report_incident({"handoff_id": b.ids["E3"], "description": HOSTILE})
    paths = write_report(load_history(plane.store, as_of=clock.now()), plane.policy, tmp_path)
    html = paths[0].read_text(encoding="utf-8")
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<svg" in html

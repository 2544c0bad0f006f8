"""An execution's result is stored once: in the handoff's execution record. The chain's
``executed`` event binds it by digest, and a staged run's last stage does not copy it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from handoff import ControlPlane
from handoff._canonical import sha256_hex
from handoff.models import Action
from handoff.policy import default_policy
from handoff.store import open_store

MARK = "q7w3-unique-result-marker"


def _occurrences(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        n = 0
        for (table,) in con.execute("select name from sqlite_master where type='table'"):
            for row in con.execute(f'select * from "{table}"'):
                n += sum(str(v).count(MARK) for v in row if v is not None)
        return n
    finally:
        con.close()


def test_an_auto_run_result_is_stored_once_and_chained_by_digest(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    plane = ControlPlane(open_store(f"sqlite:///{db}"), default_policy())
    result: dict[str, Any] = {"rows": [MARK] * 1, "body": "x" * 200_000}
    plane.register("reports.read_summary", lambda **args: result)
    out = plane.submit(Action(tool="reports.read_summary", args={"q": "weekly"}))
    assert out.status == "executed" and out.result == result
    assert plane.get(out.handoff_id).execution.result == result  # type: ignore[arg-type, union-attr]
    executed = [e for e in plane.store.events(out.handoff_id) if e.kind == "executed"]
    assert executed[0].data["result_sha256"] == sha256_hex(result)
    assert "result" not in executed[0].data
    plane.close()
    assert _occurrences(db) == 1

"""The ``handoff`` command, through Typer's runner and through a real subprocess."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handoff import ControlPlane
from handoff.cli.commands import app

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo run, shared by the tests that only read or decide on its database."""
    db = tmp_path_factory.mktemp("demo") / "handoff-demo.db"
    code, out, err = invoke("demo", "--db", db)
    assert code == 0, out + err
    return db


def _pending(db: Path, tool: str) -> dict[str, object]:
    code, out, _ = invoke("pending", "--db", db, "--json")
    assert code == 0
    return next(h for h in json.loads(out) if h["action"]["tool"] == tool)


def test_demo_in_a_subprocess_ends_with_a_passing_verify(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "160"}
    run = subprocess.run(
        [sys.executable, "-m", "handoff", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert "audit chain ok" in run.stdout
    assert (tmp_path / "handoff-demo.db").exists()
    assert (tmp_path / "handoff-demo-out" / "posts" / "pro-plan-pricing-update.md").exists()
    verify = subprocess.run(
        [sys.executable, "-m", "handoff", "audit", "verify", "--db", "handoff-demo.db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("audit chain ok:")


def test_demo_leaves_handoffs_pending_and_shows_them(demo_db: Path) -> None:
    code, out, _ = invoke("pending", "--db", demo_db, "--json")
    assert code == 0
    pending = json.loads(out)
    owners = {h["owner"] for h in pending}
    assert {"finance", "security", "legal", "marketing-ops"} <= owners
    grant = _pending(demo_db, "iam.grant_role")
    assert grant["approvals"] == "1/2"

    code, out, _ = invoke("pending", "--db", demo_db, "--owner", "finance")
    assert code == 0 and "cms.publish" in out

    code, out, _ = invoke("show", str(grant["id"]), "--db", demo_db)
    assert code == 0
    for part in ("Package", "decision required", "Options", "Audit events", "sofia approve"):
        assert part in out

    code, out, _ = invoke("show", str(grant["id"]), "--db", demo_db, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["handoff"]["id"] == grant["id"]
    assert [e["kind"] for e in shown["events"]][:2] == ["submitted", "pending"]


def test_audit_verify_names_the_edited_event(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "tampered.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    with sqlite3.connect(db) as conn:
        conn.execute("""UPDATE events SET data = '{"tampered": true}' WHERE seq = 7""")
    code, _, err = invoke("audit", "verify", "--db", db)
    assert code == 1
    assert "error: event 7:" in err
    assert "seq 7" in err


def test_audit_export_writes_jsonl(demo_db: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("audit", "export", "--db", demo_db)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    target = tmp_path / "audit.jsonl"
    code, _, err = invoke("audit", "export", "--db", demo_db, "-o", target)
    assert code == 0 and f"exported {len(rows)} events" in err
    assert len(target.read_text().splitlines()) == len(rows)


def test_policy_check_reports_file_line_and_path(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text(
        "name: broken\nowners:\n  legal:\n    members: lena\n"  # must be a list
    )
    code, _, err = invoke("policy", "check", bad)
    assert code == 2
    assert "error: policy.yaml:4 owners.legal.members:" in err

    good = tmp_path / "good.yaml"
    good.write_text("name: small\nowners:\n  ops: {members: [ann, bo]}\ndefault_owner: ops\n")
    code, out, _ = invoke("policy", "check", good, "--explain")
    assert code == 0
    assert "policy ok: small" in out and "ann, bo" in out


def test_decide_speaks_the_sdks_words() -> None:
    code, out, _ = invoke("decide", "--help")
    assert code == 0
    for long, short in (("--reviewer", "--as"), ("--rationale", "--why")):
        assert re.search(rf"{long},\s*{short}\b", out), out


def test_decide_exit_codes(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "decide.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    discount = str(_pending(db, "cms.publish")["id"])

    code, _, err = invoke("decide", discount, "--as", "felix", "--why", "ok", "--db", db)
    assert code == 2 and "error: verdict:" in err
    code, _, err = invoke(
        "decide", discount, "--approve", "--reject", "--as", "felix", "--why", "x", "--db", db
    )
    assert code == 2 and "error: verdict:" in err
    code, _, err = invoke("decide", discount, "--reject", "--as", "felix", "--db", db)
    assert code == 2 and "error: rationale: --reject needs a rationale" in err
    code, _, err = invoke("decide", discount, "--needs-info", "--as", "felix", "--db", db)
    assert code == 2 and "error: rationale: --needs-info needs a rationale" in err
    code, _, err = invoke("decide", discount, "--approve", "--as", "dana", "--why", "x", "--db", db)
    assert code == 3 and "error: reviewer:" in err
    code, _, err = invoke("decide", discount, "--approve", "--as", "sam", "--why", "x", "--db", db)
    assert code == 3
    code, _, err = invoke(
        "decide", "h_nope", "--approve", "--as", "felix", "--why", "x", "--db", db
    )
    assert code == 1 and "error: handoff_id:" in err
    code, _, err = invoke(
        "decide", discount, "--approve", "--as", "felix", "--why", "x", "--db", db, "--execute"
    )
    assert code == 2 and "error: executors:" in err  # refused before anything was decided

    code, out, _ = invoke(
        "decide",
        discount,
        "--approve",
        "--reviewer",  # the SDK's words; --as and --why above are their aliases
        "felix",
        "--rationale",
        "In the BF plan",
        "--db",
        db,
        "--execute",
        "--executors",
        "handoff.cli.demo:register_executors",
    )
    assert code == 0, out
    assert "approved" in out and "executed" in out
    assert (tmp_path / "handoff-demo-out" / "posts" / "black-friday-annual-offer.md").exists()
    code, _, err = invoke("decide", discount, "--reject", "--as", "fiona", "--why", "x", "--db", db)
    assert code == 4 and "error: state:" in err

    claim = str(_pending(db, "social.post")["id"])
    revised = tmp_path / "args.json"
    revised.write_text(json.dumps({"network": "x", "account": "@acme", "text": "Up 99.95%."}))
    code, out, _ = invoke(
        "decide",
        claim,
        "--revise",
        revised,
        "--as",
        "maya",
        "--why",
        "Use the real figure",
        "--db",
        db,
    )
    assert code == 0 and "approved" in out
    with ControlPlane.open(f"sqlite:///{db}") as plane:
        assert plane.get(claim).action.args["text"] == "Up 99.95%."
        assert plane.verify_audit().ok


def test_decide_needs_info_and_redirect(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "inbox.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    grant = str(_pending(db, "iam.grant_role")["id"])
    code, _, err = invoke(
        "decide", grant, "--redirect", "nowhere", "--as", "sam", "--why", "x", "--db", db
    )
    assert code == 2 and "error: owner:" in err
    code, out, _ = invoke(
        "decide",
        grant,
        "--needs-info",
        "--as",
        "sam",
        "--why",
        "Which SOW?",
        "--question",
        "Attach the signed SOW",
        "--db",
        db,
    )
    assert code == 0 and "sent back" in out
    with ControlPlane.open(f"sqlite:///{db}") as plane:
        h = plane.get(grant)
        assert h.state.value == "needs_info"
        assert h.decisions[-1].questions == ["Attach the signed SOW"]


def test_approve_needs_no_rationale_as_in_the_core_rule(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "approve.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    claim = str(_pending(db, "social.post")["id"])
    code, out, err = invoke("decide", claim, "--approve", "--as", "maya", "--db", db)
    assert code == 0, err
    assert "approved" in out


def test_eval_json_prints_one_object(tmp_path: Path) -> None:
    def case(cid: str, tool: str, args: dict[str, object], escalate: bool) -> str:
        return json.dumps(
            {
                "id": cid,
                "instruction": "do the task",
                "steps": [{"tool": tool, "args": args}],
                "expected": {"escalate": escalate, "owner": "finance" if escalate else None},
            }
        )

    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(
            [
                case("price", "cms.publish", {"body": "Pro is now only $49/month"}, True),
                case("typo", "cms.update_draft", {"draft_id": "d-1", "find": "teh"}, False),
            ]
        )
        + "\n"
    )
    code, out, _ = invoke("eval", cases, "--json")
    assert code == 0
    report = json.loads(out)
    for key in (
        "cases", "escalated", "precision", "recall", "f1",
        "owner_accuracy", "owner_macro", "p50_ms", "p95_ms",
    ):  # fmt: skip
        assert key in report
    assert report["cases"] == 2

    code, out, _ = invoke("eval", cases)
    assert code == 0 and "precision" in out

    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n")
    code, _, err = invoke("eval", broken, "--json")
    assert code == 2 and "broken.jsonl:1" in err


def test_assess_a_json_file(tmp_path: Path) -> None:
    action = tmp_path / "action.json"
    action.write_text(
        json.dumps(
            {
                "tool": "cms.publish",
                "args": {"title": "Spring pricing", "body": "Pro is now only $49/month."},
                "agent": "mktg-agent",
            }
        )
    )
    code, out, _ = invoke("assess", action)
    assert code == 0
    for part in ("level", "score", "mode", "owner finance", "quorum", "language.pricing"):
        assert part in out
    assert "args.body" in out  # where the trigger fired

    code, out, _ = invoke("assess", action, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["owner"] == "finance" and data["mode"] == "review"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tool": "cms.publish", "args": [1]}))
    code, _, err = invoke("assess", bad)
    assert code == 2 and "error: args:" in err


def test_reading_commands_do_not_create_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    code, _, err = invoke("pending", "--db", missing)
    assert code == 1 and "error: db:" in err
    assert not missing.exists()


def test_version_and_help() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.startswith("handoff ")
    code, out, _ = invoke("--help")
    assert code == 0 and "decide" in out and "audit" in out


def test_decide_execute_claims_the_run_in_the_approvals_transaction(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a local executor, the approval that completes the quorum and the claim of
    the run commit together (``decide_and_execute``): two write transactions, the
    approval with the claim and then the result, never an approved, unclaimed handoff
    on disk."""
    from contextlib import contextmanager

    from handoff.store._sql import SqlStore

    db = tmp_path / "execute.db"
    with sqlite3.connect(demo_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    discount = str(_pending(db, "cms.publish")["id"])
    writes = [0]
    write = SqlStore.write

    @contextmanager
    def counting(self: SqlStore):  # type: ignore[no-untyped-def]
        with write(self) as tx:
            yield tx
        writes[0] += 1

    monkeypatch.setattr(SqlStore, "write", counting)
    code, out, err = invoke(
        "decide",
        discount,
        "--approve",
        "--as",
        "felix",
        "--why",
        "In the plan",
        "--db",
        db,
        "--execute",
        "--executors",
        "handoff.cli.demo:register_executors",
    )
    assert code == 0, out + err
    assert "approved" in out and "executed" in out
    assert writes == [2]

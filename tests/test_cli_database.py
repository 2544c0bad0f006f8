"""``--db`` as a newcomer gets it wrong: one line that says what to do, and nothing created."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handoff import ControlPlane
from handoff.cli.commands import app

runner = CliRunner()
PG_URL = os.environ.get("HANDOFF_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REFUSED = "postgresql://agent:s3cret@127.0.0.1:1/handoff"  # nothing listens on port 1

#: Every command that opens the database named by --db, with the arguments it needs.
COMMANDS = [
    ["pending"],
    ["show", "h_x"],
    ["decide", "h_x", "--approve", "--as", "fiona", "--why", "ok"],
    ["executions"],
    ["recover"],
    ["rollback", "h_x", "--actor", "maya", "--rationale", "undo"],
    ["audit", "verify"],
    ["audit", "export", "-o", "-"],
    ["kpi"],
    ["incident", "report", "h_x", "--as", "maya", "--description", "wrong price"],
    ["report", "-o", "out"],
    ["user", "add", "fiona", "--password-stdin"],
    ["user", "list"],
    ["key", "add", "bot"],
    ["key", "list"],
    ["key", "revoke", "k_x"],
]


def invoke(*args: str | Path, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_refused_connection_is_one_line_naming_db(command: list[str]) -> None:
    code, _, err = invoke(*command, "--db", REFUSED, stdin="a long password\n")
    assert code == 1, err
    assert err.startswith("error: db: cannot open postgresql://agent:***@127.0.0.1:1/handoff")
    assert "Connection refused" in err and len(err.strip().splitlines()) == 1
    assert "s3cret" not in err


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://agent:s3cret@127.0.0.1:notaport/x", "port does not parse"),
        ("postgresql://agent:s3cret@[::1/x", "port does not parse (Invalid IPv6 URL)"),
        ("mysql://agent:s3cret@127.0.0.1/x", "the scheme 'mysql' is not supported"),
    ],
)
def test_a_bad_url_is_one_line_naming_its_problem(url: str, says: str) -> None:
    code, _, err = invoke("pending", "--db", url)
    assert err.startswith("error: db: bad database URL ") and says in err, err
    assert code == 2  # bad input
    assert len(err.strip().splitlines()) == 1 and "s3cret" not in err


def test_the_installed_command_prints_one_line_too() -> None:
    for command in (["pending"], ["serve", "--port", "0"]):
        out = subprocess.run(
            [sys.executable, "-m", "handoff", *command, "--db", REFUSED],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 1
        assert out.stderr.startswith("error: db: cannot open postgresql://agent:***@")
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_reading_an_empty_sqlite_file_leaves_it_empty(tmp_path: Path) -> None:
    empty = tmp_path / "new.db"
    empty.touch()
    for command in (["pending"], ["audit", "verify"], ["kpi"], ["user", "list"]):
        code, _, err = invoke(*command, "--db", empty)
        assert code == 1 and "error: db: " in err and "has no handoff tables" in err
        assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]  # no -wal, no -shm


@pytest.fixture
def empty_schema() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    schema = f"empty_{uuid.uuid4().hex[:10]}"
    try:
        conn = psycopg.connect(PG_URL, autocommit=True)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server")
    with conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.mark.postgres
def test_reading_an_empty_postgres_database_creates_no_table(empty_schema: str) -> None:
    import psycopg

    url = f"{PG_URL}?options=-csearch_path%3D{empty_schema}"
    for command in (["pending"], ["audit", "verify"], ["executions"]):
        code, _, err = invoke(*command, "--db", url)
        assert code == 1 and "has no handoff tables" in err
    with psycopg.connect(PG_URL) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
            (empty_schema,),
        ).fetchone()
    assert tables == (0,)


def test_pending_after_the_demo_names_the_flag_to_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HANDOFF_DB", raising=False)
    code, _, err = invoke("pending")
    assert code == 1 and "`handoff demo` writes handoff-demo.db" in err
    with ControlPlane.open("sqlite:///handoff-demo.db"):
        pass  # what `make demo` leaves behind
    code, _, err = invoke("pending")
    assert code == 1 and "add --db handoff-demo.db" in err
    assert not (tmp_path / "handoff.db").exists()
    code, out, _ = invoke("pending", "--db", "handoff-demo.db")
    assert code == 0 and "nothing pending" in out

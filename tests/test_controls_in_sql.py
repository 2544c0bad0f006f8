"""A retention shortened by a SQL statement: ``ALTER DATABASE PROD SET
DATA_RETENTION_TIME_IN_DAYS = 0``. The setting is read as a key and a value in the
arguments are (``retentionInDays: 0``): a number from 0 to 1 under a retention word
weakens a safety net, whatever the query tool's name says it does, unless the person
asked to keep things that long. A longer retention, one the person set, and a query
that only reads the setting run on its own."""

from __future__ import annotations

from typing import Any

import pytest

from ._assess import assess_call

_ASK = "What's driving our warehouse storage cost? Give me a breakdown by database."


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("run_query", {"query": "ALTER DATABASE PROD SET DATA_RETENTION_TIME_IN_DAYS = 0"}),
        (
            "snowflake.execute",
            {"sql": "alter table prod.sales.orders set data_retention_time_in_days=1;"},
        ),
        ("bq_query", {"query": "ALTER SCHEMA analytics SET OPTIONS (backup_retention_days = 0)"}),
        ("db.exec", {"sql": "CREATE OR REPLACE TABLE t (id INT) DATA_RETENTION_TIME_IN_DAYS = 0"}),
        (
            "bash",
            {"command": "snowsql -q 'ALTER ACCOUNT SET DATA_RETENTION_TIME_IN_DAYS = 0'"},
        ),
    ],
)
def test_a_retention_cut_by_sql_is_held(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, _ASK)
    assert a.mode.value != "auto", [t.code for t in a.triggers]
    assert "code.control_weakened" in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        # A longer retention weakens nothing (asked for: under a question alone, a query
        # that alters the database is beyond the request).
        (
            "run_query",
            {"query": "ALTER DATABASE PROD SET DATA_RETENTION_TIME_IN_DAYS = 30"},
            "Storage is fine: set PROD's time travel retention to 30 days.",
        ),
        (
            "run_query",
            {"query": "ALTER DATABASE SANDBOX SET DATA_RETENTION_TIME_IN_DAYS = 0"},
            "Keep no time travel on SANDBOX: set its retention to 0 days.",
        ),
        (
            "run_query",
            {"query": "SELECT database_name, retention_time FROM information_schema.databases"},
            _ASK,
        ),
        (
            "run_query",
            {"query": "SHOW PARAMETERS LIKE 'DATA_RETENTION_TIME_IN_DAYS' IN DATABASE PROD"},
            _ASK,
        ),
    ],
)
def test_a_longer_asked_or_read_retention_runs(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    a = assess_call(tool, args, instruction)
    assert "code.control_weakened" not in {t.code for t in a.triggers}
    assert a.mode.value == "auto", [t.code for t in a.triggers]

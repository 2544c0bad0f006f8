"""A database tool that "executes" a query which only reads runs on its own.

The tool's name says execute; the SQL says SELECT, SHOW or EXPLAIN. Their twins write,
read files through the server, create a table from a SELECT, chain a second statement,
or carry a shell command beside the query, and go to a person.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

READS = [
    ("snowflake.execute", {"sql": "SHOW TABLES IN SCHEMA analytics"}),
    ("postgres.execute", {"sql": "SELECT name, email FROM customers WHERE id = 42"}),
    ("db.execute_query", {"query": "WITH t AS (SELECT 1 AS x) SELECT x FROM t"}),
    ("mysql.exec", {"statement": "EXPLAIN SELECT * FROM orders WHERE id = 7"}),
    ("db.execute", {"sql": "SELECT indexname FROM pg_indexes WHERE tablename = 'orders'"}),
]

WRITES = [
    ("postgres.execute", {"sql": "DELETE FROM customers WHERE id = 42"}),
    ("postgres.execute", {"sql": "SELECT * INTO backup FROM customers"}),
    ("postgres.execute", {"sql": "SELECT pg_read_file('/etc/passwd')"}),
    ("postgres.execute", {"sql": "SELECT pg_terminate_backend (pid) FROM pg_stat_activity"}),
    ("db.execute", {"sql": "SELECT 1; DROP TABLE users"}),
    ("db.execute", {"sql": "SELECT 1", "command": "rm -rf /tmp/x"}),
    ("mysql.exec", {"statement": "SELECT * FROM t INTO OUTFILE '/tmp/t.csv'"}),
]


@pytest.mark.parametrize(("tool", "args"), READS)
def test_a_query_that_only_reads_runs(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, "Look at the data.")
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize(("tool", "args"), WRITES)
def test_a_query_that_writes_or_reaches_out_goes_to_a_person(
    tool: str, args: dict[str, Any]
) -> None:
    assert assess_call(tool, args, "Look at the data.").mode.value != "auto"

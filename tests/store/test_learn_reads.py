"""How ``learn_views`` and ``learn_facts`` read a window on SQLite: every chunk's
queries seek their index, so a window is read in time linear in its size."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from handoff.store import open_store

from .._factories import make_handoff


@pytest.mark.parametrize("reader", ["learn_views", "learn_facts"])
def test_every_chunk_seeks_the_created_index(tmp_path: Path, reader: str) -> None:
    """No query of a later chunk walks ``handoffs`` from its first row: a chunk query
    that did (SQLite scanning ``ix_handoffs_created`` past every earlier row to test
    its id) made a window's read grow with the square of its size."""
    path = tmp_path / "learn.db"
    store = open_store(f"sqlite:///{path}")
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with store.write() as tx:
        for i in range(7):
            h = make_handoff(f"h{i}", start + timedelta(minutes=i // 2))
            tx.insert(h)
            tx.event("submitted", handoff_id=h.id, actor="bot", at=h.created_at, data={})
    statements: list[tuple[str, Any]] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def seen(_conn: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        if sql.startswith("SELECT"):
            statements.append((sql, params))

    read = getattr(store, reader)
    chunks = list(read(since=None, until=None, kinds=("submitted",), size=2))
    store.close()
    assert [len(c.handoffs) for c in chunks] == [2, 2, 2, 1]
    assert [len(c.events) for c in chunks] == [2, 2, 2, 1]
    assert len(statements) == 4 * 3  # per chunk: handoffs, events, incidents
    conn = sqlite3.connect(path)
    try:
        for sql, params in statements[1:]:  # the first chunk starts at the first row
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert not [step for step in plan if step.startswith("SCAN")], (sql, plan)
            # The chunks come in the index's own order, and a chunk's events and
            # incidents are picked by its range of the index alone, no row read.
            assert not [step for step in plan if "RIGHT PART OF ORDER BY" in step], (sql, plan)
            if "FROM events" in sql or "FROM incidents" in sql:
                assert [step for step in plan if "COVERING INDEX ix_handoffs_created" in step], (
                    sql,
                    plan,
                )
    finally:
        conn.close()


def test_the_facts_read_takes_the_rows_hashes_from_the_chain_index(tmp_path: Path) -> None:
    """``learn_facts`` reads each handoff row's state and hashes from
    ``ix_handoffs_chain``, never from the table, where ``decisions_hash`` sits after the
    document: reading it there read every document's pages, which at a million
    handoffs is most of the file."""
    path = tmp_path / "learn.db"
    store = open_store(f"sqlite:///{path}")
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with store.write() as tx:
        for i in range(3):
            tx.insert(make_handoff(f"h{i}", start + timedelta(minutes=i)))
    statements: list[tuple[str, Any]] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def seen(_conn: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        if sql.startswith("SELECT"):
            statements.append((sql, params))

    chunks = list(store.learn_facts(since=None, until=None, kinds=("submitted",), size=2))
    store.close()
    assert [len(c.handoffs) for c in chunks] == [2, 1]
    conn = sqlite3.connect(path)
    try:
        chunk_queries = [(s, p) for s, p in statements if "handoff_facts" in s]
        assert len(chunk_queries) == 2
        for sql, params in chunk_queries:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            reads = [step for step in plan if " handoffs " in f"{step} " or "chain" in step]
            assert reads, plan
            assert all("COVERING INDEX" in step for step in reads), plan
    finally:
        conn.close()

"""The direct SQLite connections: a write that need not wait for the disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from handoff.store._sqlite import SqliteConnections

FULL, NORMAL = 2, 1


def _synchronous(cur: sqlite3.Cursor) -> int:
    return int(cur.execute("PRAGMA synchronous").fetchone()[0])


def test_only_the_write_that_asks_skips_the_fsync(tmp_path: Path) -> None:
    conns = SqliteConnections(str(tmp_path / "s.db"))
    try:
        with conns.write() as cur:
            cur.execute("CREATE TABLE t (n INTEGER)")
            assert _synchronous(cur) == FULL
        with conns.write(durable=False) as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            assert _synchronous(cur) == NORMAL
        with conns.write() as cur:
            assert _synchronous(cur) == FULL
        with pytest.raises(RuntimeError), conns.write(durable=False) as cur:
            cur.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("rolled back")
        with conns.read() as cur:
            assert cur.execute("SELECT n FROM t").fetchall() == [(1,)]
        with conns.write() as cur:
            assert _synchronous(cur) == FULL
    finally:
        conns.close()

"""Direct SQLite connections for the hot path: one writer, one reader per thread.

SQLite allows one writer at a time, so the process keeps a single write connection
behind a lock and starts each transaction with ``BEGIN IMMEDIATE`` itself; other
processes queue on SQLite's own lock (``busy_timeout``). Readers get a connection per
thread: in WAL mode they never block the writer. An in-memory database has only the one
connection, so there reads take the lock too.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SqliteConnections"]


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


class SqliteConnections:
    def __init__(self, path: str | None, shared: sqlite3.Connection | None = None) -> None:
        """``path`` of a database file, or ``shared``: the one in-memory connection."""
        self._path = path
        self._lock = threading.RLock()
        self._writer = shared if shared is not None else _connect(path or "")
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sqlite3.Cursor]:
        """A cursor inside ``BEGIN IMMEDIATE``; commits on success, rolls back on error.

        ``durable=False`` commits without waiting for the disk (``synchronous=NORMAL``):
        the transaction reaches the disk with the next durable commit, and a power loss
        before that may forget it, never corrupt the file. Only for writes whose loss
        is harmless, like a request counted against a rate limit.
        """
        with self._lock:
            if not durable:
                self._writer.execute("PRAGMA synchronous=NORMAL")
            cur = self._writer.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                try:
                    yield cur
                except BaseException:
                    self._writer.rollback()
                    raise
                else:
                    self._writer.commit()
            finally:
                cur.close()
                if not durable:
                    self._writer.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Cursor]:
        if self._path is None:
            with self._lock:
                cur = self._writer.cursor()
                try:
                    yield cur
                finally:
                    cur.close()
            return
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self._path)
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        cur = conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
            if self._path is not None:
                self._writer.close()

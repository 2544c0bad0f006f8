"""PostgreSQL without a network trip per statement.

Every network exchange with the server costs a scheduling round on both sides, more than
the statement itself. Three habits keep a state change to a few exchanges:

- **No ping on checkout.** A pooled connection is checked locally instead: its socket
  is polled without waiting, and a connection whose server has gone (a restart, an
  administrator's ``pg_terminate_backend``, an idle timeout) has something to read: the
  server's goodbye, or the end of the stream. Such a connection is thrown away and the
  pool hands out a fresh one, so the next operation succeeds instead of failing on a
  dead socket. A read that loses its connection mid-flight is retried once, since it
  changed nothing.
- **Pipelined write transactions.** ``BEGIN``, the statements whose results are not
  needed yet (ladder rows, outbox rows, the events, the new chain head) and ``COMMIT``
  travel together; the transaction waits for the server only where it needs an answer
  (a row read, a compare-and-set's row count, the chain head).
- **Reads in autocommit.** A single ``SELECT`` needs no ``BEGIN``/``ROLLBACK`` around it.
"""

from __future__ import annotations

import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError

from .._exceptions import DatabaseError

__all__ = ["pg_engine", "pg_read", "pg_retry_read", "pg_write"]

T = TypeVar("T")


def pg_engine(sa_url: str) -> Engine:
    """An engine whose pool checks each connection locally as it hands it out."""
    engine = create_engine(sa_url, pool_size=10, max_overflow=20)
    event.listen(engine, "checkout", _check_alive)
    return engine


def _check_alive(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection the server has closed; the pool then makes a new one.

    An idle connection has nothing to read unless the server spoke first: a
    notification, or (far more often) its last words before closing the socket. The
    poll does not wait; reading what is there tells the two apart.
    """
    if dbapi_conn.closed or dbapi_conn.broken:
        raise DisconnectionError("the connection was closed")
    pgconn = dbapi_conn.pgconn
    try:
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
        if not readable:
            return
        pgconn.consume_input()
    except Exception as exc:  # a failed poll or read means the socket is unusable
        raise DisconnectionError(f"the connection is unusable: {exc}") from None
    if pgconn.status != 0 or not _still_open(pgconn):  # 0 is CONNECTION_OK
        raise DisconnectionError("the server closed the connection")


def _still_open(pgconn: Any) -> bool:
    """After reading what an idle connection had waiting: whether the stream goes on.

    The server's goodbye is an error message followed by the end of the stream; libpq
    marks the connection bad once it reads that end. Poll once more for it.
    """
    readable, _, _ = select.select([pgconn.socket], [], [], 0)
    if readable:
        try:
            pgconn.consume_input()
        except Exception:
            return False
    return bool(pgconn.status == 0)


@contextmanager
def pg_write(engine: Engine) -> Iterator[tuple[Any, Callable[[], None]]]:
    """A cursor in a pipelined transaction, and the call that waits for its results.

    Statements queue until a result is fetched or the sync is called; ``COMMIT`` goes
    with whatever is still queued. An error raised by a queued statement surfaces at
    that point, and the whole transaction rolls back.
    """
    import psycopg

    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection  # a psycopg.Connection
        assert raw is not None
        # BEGIN and COMMIT are sent as statements, so they queue with the others; the
        # driver's own would each wait for the server.
        raw.autocommit = True
        try:
            with raw.pipeline() as pipeline, raw.cursor() as cur:
                cur.execute("BEGIN")
                yield cur, pipeline.sync
                cur.execute("COMMIT")
        except BaseException as exc:
            if raw.closed or raw.broken or isinstance(exc, psycopg.Error):
                # After a statement failed inside a pipeline, what the driver believes
                # is prepared on the server may not be: start afresh.
                conn.invalidate()
            elif raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                raw.execute("ROLLBACK")
            if isinstance(exc, psycopg.OperationalError):
                raise DatabaseError(f"database error: {exc}", field="db") from None
            raise
        finally:
            if not raw.closed:
                raw.autocommit = False


@contextmanager
def pg_read(engine: Engine) -> Iterator[Connection]:
    """A connection for a read: each statement runs in autocommit (no BEGIN, no ROLLBACK)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


def pg_retry_read(fn: Callable[[], T]) -> T:
    """``fn()``, once more on a fresh connection when the first one was found dead.

    A read changes nothing, so running it again is safe; a write is not retried here,
    since its transaction may have committed before the connection dropped.
    """
    try:
        return fn()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return fn()

"""The SQLAlchemy Core store, for SQLite (the embedded default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``; every write transaction starts with
``BEGIN IMMEDIATE`` so writers queue for the lock up front instead of failing half-way.
PostgreSQL serialises chain appends on the single ``audit_head`` row (``FOR UPDATE``)
and decisions on the handoff row, so seq numbers stay gapless across processes.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import StaticPool

from .._chain import GENESIS
from .._exceptions import DatabaseError, DatabaseUrlError
from ..models import Event, Handoff, Level, State
from ._accounts import AccountRows
from ._gauges import GaugeRows
from ._learn import learn_chunks, learn_count, learn_facts, learn_views
from ._pg import pg_engine, pg_read, pg_retry_read, pg_write
from ._protocol import EventRow, LearnChunk
from ._sqlite import SqliteConnections
from ._tables import ROW, events, handoffs, outbox, outbox_dead
from ._tx import SQL, SqlTx, load_handoff

__all__ = ["DATABASE_ERRORS", "SqlStore", "database_error", "normalize_url", "shown_url"]

#: What a driver raises when the database fails under a command (gone away, disk full).
DATABASE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, sqlite3.Error)

DEFAULT_URL = "sqlite:///handoff.db"
_MIGRATE_LOCK = threading.Lock()
#: The newest migration's revision (store/migrations/versions); tests/store check it
#: against Alembic's account of the migrations' head.
HEAD = "0011"


def normalize_url(url: str | None) -> str:
    """The SQLAlchemy URL for a user's URL: ``postgresql://`` goes through psycopg 3."""
    url = url or DEFAULT_URL
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def shown_url(url: URL) -> str:
    """The URL as the user wrote it, for messages: no password, no driver name."""
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def database_error(exc: BaseException, url: URL | str) -> DatabaseError:
    """One line for a database that cannot be opened: where (password hidden) and why.

    The driver's first line says it (``connection refused``, ``database "x" does not
    exist``, ``unable to open database file``); the rest is a traceback nobody needs.
    """
    where = shown_url(url) if isinstance(url, URL) else url
    cause = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(cause).splitlines() if ln.strip()]
    reason = lines[0] if lines else type(cause).__name__
    return DatabaseError(f"cannot open {where}: {reason}", field="db")


class SqlStore(AccountRows, GaugeRows):
    """A store on one SQLAlchemy engine. ``SqlStore.from_url`` picks the settings."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.postgres = engine.dialect.name == "postgresql"
        self._sql = SQL[engine.dialect.name] if self.postgres else SQL["sqlite"]
        self._lite: SqliteConnections | None = None
        if not self.postgres:
            path = engine.url.database
            if path in (None, "", ":memory:"):
                shared = engine.raw_connection().dbapi_connection
                self._lite = SqliteConnections(None, shared)  # type: ignore[arg-type]
            else:
                self._lite = SqliteConnections(path)

    @classmethod
    def from_url(cls, url: str | None = None, *, migrate: bool = True) -> SqlStore:
        """Open (and by default migrate) the database at ``url``; SQLite when None."""
        sa_url = normalize_url(url)
        try:
            engine = _engine(sa_url)
        except (ArgumentError, ValueError) as exc:
            raise DatabaseUrlError(
                f"bad database URL {_masked(url or DEFAULT_URL)}: {_url_problem(sa_url, exc)}",
                field="db",
            ) from None
        try:
            store = cls(engine, sa_url)
            if migrate:
                store.migrate()
        except (DBAPIError, sqlite3.Error) as exc:
            engine.dispose()
            raise database_error(exc, engine.url) from None
        return store

    @property
    def where(self) -> str:
        """The database's URL for messages: no password, no driver name."""
        return shown_url(self.engine.url)

    def revision(self) -> str | None:
        """The schema's migration revision; None when the database has no handoff tables.

        Read from Alembic's version table with a plain query: Alembic itself takes a
        fifth of a second to import, on every command that opens the database.
        """
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                found = list(conn.execute(text("SELECT version_num FROM alembic_version")))
        except (DBAPIError, sqlite3.Error) as exc:
            raise database_error(exc, self.engine.url) from None
        if len(found) > 1:
            raise DatabaseError(
                f"{self.where}: the alembic_version table names {len(found)} revisions",
                field="db",
            )
        return str(found[0][0]) if found else None

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic ``upgrade head``).

        A schema already at ``HEAD`` is left alone without loading Alembic. Alembic's
        command API keeps module-level state, so runs in one process are serialised by a
        lock; across processes PostgreSQL takes an advisory lock and SQLite's ``BEGIN
        IMMEDIATE`` does the same job.
        """
        if self.revision() == HEAD:
            return
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("handoff.store").joinpath("migrations"))
        )
        head = ScriptDirectory.from_config(cfg).get_current_head()
        with _MIGRATE_LOCK, self.engine.connect().execution_options(write=True) as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                conn.rollback()
                return
            conn.rollback()
            if self.postgres:
                conn.exec_driver_sql("SELECT pg_advisory_lock(72001)")
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                if self.postgres:
                    conn.exec_driver_sql("SELECT pg_advisory_unlock(72001)")
                    conn.commit()

    @contextmanager
    def write(self) -> Iterator[SqlTx]:
        if self._lite is not None:
            try:
                with self._lite.write() as cur:
                    tx = SqlTx(cur, postgres=False)
                    yield tx
                    tx.flush()
            except sqlite3.OperationalError as exc:
                raise DatabaseError(f"database error: {exc}", field="db") from None
            return
        with pg_write(self.engine) as (pg_cur, sync):
            tx = SqlTx(pg_cur, postgres=True, sync=sync)
            yield tx
            tx.flush()

    def _read(self) -> AbstractContextManager[Connection]:
        return pg_read(self.engine) if self.postgres else self.engine.connect()

    def _fetch(self, name: str, params: dict[str, Any]) -> list[Any]:
        """Rows of one of the fixed statements, read outside any write transaction."""
        if self._lite is not None:
            with self._lite.read() as cur:
                cur.execute(self._sql[name], params)
                return cur.fetchall()

        def fetch() -> list[Any]:
            with pg_read(self.engine) as conn:
                return list(conn.exec_driver_sql(self._sql[name], params).fetchall())

        return pg_retry_read(fetch)

    def get(self, handoff_id: str) -> Handoff | None:
        rows = self._fetch("get", {"id": handoff_id})
        return load_handoff(*rows[0]) if rows else None

    def list_handoffs(
        self,
        *,
        states: Sequence[State] | None = None,
        owner: str | None = None,
        owners: Collection[str] | None = None,
        level: Level | None = None,
        agent: str | None = None,
        due_before: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Handoff]:
        """Handoffs matching every filter given, riskiest first, then nearest deadline,
        then oldest (the order ``ix_handoffs_queue`` serves); ``owners`` empty matches none."""
        q = select(*ROW)
        if states:
            q = q.where(handoffs.c.state.in_([s.value for s in states]))
        if owner:
            q = q.where(handoffs.c.owner == owner)
        if owners is not None:
            q = q.where(handoffs.c.owner.in_(sorted(owners)))
        if level:
            q = q.where(handoffs.c.level == level.value)
        if agent is not None:
            q = q.where(handoffs.c.agent == agent)
        if due_before:
            q = q.where(handoffs.c.deadline <= due_before)
        q = (
            q.order_by(
                handoffs.c.level_rank.desc(),
                handoffs.c.deadline.asc(),
                handoffs.c.created_at.asc(),
                handoffs.c.id.asc(),
            )
            .limit(limit)
            .offset(offset)
        )
        with self._read() as conn:
            return [load_handoff(*r) for r in conn.execute(q)]

    def count_by_state(self) -> dict[str, int]:
        q = select(handoffs.c.state, func.count()).group_by(handoffs.c.state)
        with self._read() as conn:
            return {state: n for state, n in conn.execute(q)}

    def events(self, handoff_id: str | None = None, after: int = 0) -> list[Event]:
        q = select(events).where(events.c.seq > after).order_by(events.c.seq)
        if handoff_id is not None:
            q = q.where(events.c.handoff_id == handoff_id)
        with self._read() as conn:
            return [
                Event(
                    seq=r.seq,
                    handoff_id=r.handoff_id,
                    kind=r.kind,
                    actor=r.actor,
                    at=datetime.fromisoformat(r.at),
                    data=json.loads(r.data),
                    prev_hash=r.prev_hash,
                    hash=r.hash,
                )
                for r in conn.execute(q)
            ]

    def event_rows(
        self, lo: int | None = None, hi: int | None = None, batch: int = 20_000
    ) -> Iterator[EventRow]:
        """Event rows with ``lo <= seq <= hi`` (all by default) in ``seq`` order, as stored.

        Rows come as plain tuples in ``EventRow`` field order: verify reads millions.
        """
        params = {"lo": -(2**62) if lo is None else lo, "hi": 2**62 if hi is None else hi}
        if self._lite is not None:
            with self._lite.read() as cur:
                # The cursor itself: reading it row by row is faster than fetchmany's lists.
                yield from cur.execute(self._sql["event_rows"], params)
            return
        with self.engine.connect().execution_options(stream_results=True) as conn:
            result = conn.exec_driver_sql(self._sql["event_rows"], params)
            while chunk := result.fetchmany(batch):
                yield from (EventRow(*r) for r in chunk)

    def handoff_rows(self) -> dict[str, str]:
        """Every handoff as ``id -> "state action_hash decisions_hash"``: what ``audit
        verify`` compares with the chain, read from ``ix_handoffs_chain`` alone (no
        document is read) and built in C, a million rows in a fraction of a second."""
        if self._lite is not None:
            with self._lite.read() as cur:
                return dict(cur.execute(self._sql["handoff_rows"]))
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(self._sql["handoff_rows"]).all()
            return {str(hid): str(summary) for hid, summary in rows}

    def learn_chunks(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Collection[str] = (),
        owner: str | None = None,
        tool: str | None = None,
        size: int = 2000,
    ) -> Iterator[LearnChunk]:
        """A window's handoffs in chunks with their events and incidents (Learn)."""
        return learn_chunks(
            self.engine, since=since, until=until, kinds=kinds, owner=owner, tool=tool, size=size
        )

    def learn_views(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Collection[str] = (),
        owner: str | None = None,
        tool: str | None = None,
        size: int = 2000,
    ) -> Iterator[LearnChunk]:
        """As ``learn_chunks``, each document cut down to the fields Learn reads."""
        return learn_views(
            self.engine, since=since, until=until, kinds=kinds, owner=owner, tool=tool, size=size
        )

    def learn_facts(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Collection[str] = (),
        owner: str | None = None,
        tool: str | None = None,
        size: int = 2000,
    ) -> Iterator[LearnChunk]:
        """As ``learn_views``, each handoff read from its facts row (no document)."""
        return learn_facts(
            self.engine, since=since, until=until, kinds=kinds, owner=owner, tool=tool, size=size
        )

    def learn_count(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        owner: str | None = None,
        tool: str | None = None,
    ) -> int:
        return learn_count(self.engine, since=since, until=until, owner=owner, tool=tool)

    def count_events(self) -> int:
        return int(self._fetch("count_events", {})[0][0])

    def throttle_hit(self, key: str, start: float, end: float) -> tuple[int, int]:
        """Count one request against ``key``'s window; the count so far in the window,
        and the accounts' generation, so an API key's cached answer is checked without
        a read of its own.

        The statement goes straight to the driver: it runs on every API request. The
        commit does not wait for the disk (PostgreSQL's WAL flush, SQLite's fsync: the
        next durable commit carries it), since a count lost in a crash only forgives a
        few requests; on PostgreSQL the whole transaction is one exchange.
        """
        params = {"key": key, "start": start, "end": end}
        if self._lite is not None:
            with self._lite.write(durable=False) as cur:
                cur.execute(self._sql["throttle_hit"], params)
                count, generation = cur.fetchone()
                return int(count), int(generation)
        with pg_write(self.engine) as (cur, _):
            cur.execute("SET LOCAL synchronous_commit TO OFF")
            counted = cur.connection.cursor()
            counted.execute(self._sql["throttle_hit"], params)
        count, generation = counted.fetchone()
        return int(count), int(generation)

    def auth_generation(self) -> int:
        return int(self._fetch("auth_generation", {})[0][0])

    def head(self) -> tuple[int, str]:
        rows = self._fetch("head", {})
        return (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS)

    def outbox_pending(self, limit: int = 100) -> list[dict[str, Any]]:
        q = select(outbox).where(outbox.c.delivered_at.is_(None)).order_by(outbox.c.id).limit(limit)
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        """Outbox rows that failed every delivery attempt, newest first."""
        q = select(outbox_dead).order_by(outbox_dead.c.failed_at.desc()).limit(limit)
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def executions(
        self,
        *,
        tool: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Handoff]:
        """Handoffs that ran (executing, executed, failed, rolled back), newest first."""
        ran = [State.EXECUTING, State.EXECUTED, State.FAILED, State.ROLLED_BACK]
        q = select(*ROW).where(handoffs.c.state.in_([s.value for s in ran]))
        if tool:
            q = q.where(handoffs.c.tool == tool)
        if since:
            q = q.where(handoffs.c.updated_at >= since)
        q = q.order_by(handoffs.c.updated_at.desc(), handoffs.c.id.desc()).limit(limit)
        with self._read() as conn:
            return [load_handoff(*r) for r in conn.execute(q.offset(offset))]

    def execution_counts(
        self, since: datetime | None = None
    ) -> list[tuple[str, str | None, str, int]]:
        """``(tool, owner, state, count)`` of executions that ended (after ``since``)."""
        ended = [State.EXECUTED.value, State.FAILED.value, State.ROLLED_BACK.value]
        q = select(handoffs.c.tool, handoffs.c.owner, handoffs.c.state, func.count()).where(
            handoffs.c.state.in_(ended)
        )
        if since:
            q = q.where(handoffs.c.updated_at >= since)
        q = q.group_by(handoffs.c.tool, handoffs.c.owner, handoffs.c.state)
        with self._read() as conn:
            return [(r[0], r[1], r[2], int(r[3])) for r in conn.execute(q)]

    def close(self) -> None:
        if self._lite is not None:
            self._lite.close()
        self.engine.dispose()


#: The URLs handoff can open, for messages.
_SCHEMES = "sqlite:///FILE or postgresql://USER@HOST/DATABASE"


def _engine(sa_url: str) -> Engine:
    """The engine for a normalised URL; ``ArgumentError`` or ``ValueError`` for a bad one."""
    if sa_url in ("sqlite://", "sqlite:///:memory:"):
        # One private in-memory database, shared by every thread of this process.
        engine = create_engine(
            sa_url, connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
        _sqlite_setup(engine)
    elif sa_url.startswith("sqlite:"):
        engine = create_engine(sa_url, connect_args={"timeout": 30})
        _sqlite_setup(engine)
    elif sa_url.startswith("postgresql+psycopg:"):
        engine = pg_engine(sa_url)
    else:
        raise ValueError("unsupported")
    return engine


def _masked(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages."""
    return re.sub(r"^([^:/]+://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _url_problem(sa_url: str, exc: Exception) -> str:
    """What is wrong with a URL the engine refused, in the user's terms."""
    scheme, sep, _ = sa_url.partition("://")
    if not sep:
        return f"it does not start with a scheme and ://; use {_SCHEMES}"
    if not (scheme.startswith("sqlite") or scheme == "postgresql+psycopg"):
        return f"the scheme {scheme.split('+')[0]!r} is not supported; use {_SCHEMES}"
    try:
        urlsplit(sa_url).port  # noqa: B018 (reading the port checks it)
    except ValueError as bad:
        return f"its host or port does not parse ({bad})"
    return str(exc)


def _sqlite_setup(engine: Engine) -> None:
    """WAL, synchronous=FULL, and BEGIN IMMEDIATE on connections marked for writing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

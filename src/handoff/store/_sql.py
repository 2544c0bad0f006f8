"""The SQLAlchemy Core store, for SQLite (the embedded default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``; every write transaction starts with
``BEGIN IMMEDIATE`` so writers queue for the lock up front instead of failing half-way.
PostgreSQL serialises chain appends on the single ``audit_head`` row (``FOR UPDATE``)
and decisions on the handoff row, so seq numbers stay gapless across processes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool

from .._canonical import canonical_json
from .._chain import GENESIS, event_hash
from .._exceptions import ConflictError, HandoffError
from ..models import Event, Handoff, Incident, Level, State
from ._protocol import EventRow
from ._tables import audit_head, events, handoffs, incidents, outbox

__all__ = ["SqlStore", "normalize_url"]

DEFAULT_URL = "sqlite:///handoff.db"
_MIGRATE_LOCK = threading.Lock()


def normalize_url(url: str | None) -> str:
    """The SQLAlchemy URL for a user's URL: ``postgresql://`` goes through psycopg 3."""
    url = url or DEFAULT_URL
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def _row_values(h: Handoff) -> dict[str, Any]:
    a = h.assessment
    return {
        "id": h.id,
        "agent": h.action.agent,
        "idempotency_key": h.action.idempotency_key,
        "tool": h.action.tool,
        "action_hash": h.action_hash,
        "state": h.state.value,
        "owner": h.owner,
        "level": a.level.value,
        "level_rank": a.level.rank,
        "mode": a.mode.value,
        "score": a.score,
        "deadline": h.deadline,
        "ladder_step": h.ladder_step,
        "created_at": h.created_at,
        "updated_at": h.updated_at,
        "version": h.version,
        "doc": h.model_dump_json(),
    }


def _load(doc: str, version: int) -> Handoff:
    h = Handoff.model_validate_json(doc)
    h.version = version
    return h


_UPDATE = (
    update(handoffs)
    .where(
        handoffs.c.id == bindparam("b_id"),
        handoffs.c.state == bindparam("b_state"),
        handoffs.c.version == bindparam("b_version"),
    )
    .values(
        state=bindparam("state"),
        owner=bindparam("owner"),
        level=bindparam("level"),
        level_rank=bindparam("level_rank"),
        mode=bindparam("mode"),
        score=bindparam("score"),
        action_hash=bindparam("action_hash"),
        deadline=bindparam("deadline"),
        ladder_step=bindparam("ladder_step"),
        updated_at=bindparam("updated_at"),
        version=bindparam("version"),
        doc=bindparam("doc"),
    )
)


class SqlTx:
    """A write transaction on one connection; see ``handoff.store.Tx``."""

    def __init__(self, conn: Connection, postgres: bool) -> None:
        self._conn = conn
        self._postgres = postgres
        self._head: tuple[int, str] | None = None
        self._pending_events: list[dict[str, Any]] = []

    def get(self, handoff_id: str) -> Handoff | None:
        q = select(handoffs.c.doc, handoffs.c.version).where(handoffs.c.id == handoff_id)
        if self._postgres:
            q = q.with_for_update()
        row = self._conn.execute(q).first()
        return _load(row.doc, row.version) if row else None

    def by_idempotency(self, agent: str, key: str) -> Handoff | None:
        q = select(handoffs.c.doc, handoffs.c.version).where(
            handoffs.c.agent == agent, handoffs.c.idempotency_key == key
        )
        row = self._conn.execute(q).first()
        return _load(row.doc, row.version) if row else None

    def insert(self, handoff: Handoff) -> None:
        try:
            with self._conn.begin_nested() if self._postgres else _noop():
                self._conn.execute(insert(handoffs), _row_values(handoff))
        except IntegrityError:
            raise ConflictError(
                "this idempotency key was already used by the agent", field="idempotency_key"
            ) from None

    def update(self, handoff: Handoff, expected: State, expected_version: int) -> None:
        handoff.version = expected_version + 1
        values = _row_values(handoff)
        del values["id"], values["agent"], values["idempotency_key"], values["tool"]
        del values["created_at"]
        values.update(b_id=handoff.id, b_state=expected.value, b_version=expected_version)
        n = self._conn.execute(_UPDATE, values).rowcount
        if n != 1:
            handoff.version = expected_version
            raise ConflictError(
                f"handoff {handoff.id} changed meanwhile (expected state {expected.value})",
                field="state",
            )

    def event(
        self, kind: str, *, handoff_id: str | None, actor: str, at: datetime, data: dict[str, Any]
    ) -> Event:
        if self._head is None:
            q = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
            if self._postgres:
                q = q.with_for_update()
            row = self._conn.execute(q).one()
            self._head = (row.seq, row.hash)
        seq, prev = self._head[0] + 1, self._head[1]
        at_s, data_s = _iso(at), canonical_json(data)
        digest = event_hash(prev, seq, handoff_id, kind, actor, at_s, data_s)
        self._pending_events.append(
            {
                "seq": seq,
                "handoff_id": handoff_id,
                "kind": kind,
                "actor": actor,
                "at": at_s,
                "data": data_s,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        self._head = (seq, digest)
        return Event(
            seq=seq,
            handoff_id=handoff_id,
            kind=kind,
            actor=actor,
            at=at,
            data=data,
            prev_hash=prev,
            hash=digest,
        )

    def enqueue(
        self, channel: str, payload: dict[str, Any], *, handoff_id: str | None, at: datetime
    ) -> None:
        self._conn.execute(
            insert(outbox),
            {
                "channel": channel,
                "handoff_id": handoff_id,
                "payload": canonical_json(payload),
                "created_at": at,
                "available_at": at,
                "attempts": 0,
            },
        )

    def add_incident(self, incident_id: str, incident: Incident, at: datetime) -> None:
        self._conn.execute(
            insert(incidents),
            {
                "id": incident_id,
                "handoff_id": incident.handoff_id,
                "severity": incident.severity.value,
                "description": incident.description,
                "reporter": incident.reporter,
                "at": at,
            },
        )

    def flush(self) -> None:
        """Write the buffered events and the new chain head; called before commit."""
        if not self._pending_events:
            return
        self._conn.execute(insert(events), self._pending_events)
        assert self._head is not None
        self._conn.execute(
            update(audit_head)
            .where(audit_head.c.id == 1)
            .values(seq=self._head[0], hash=self._head[1])
        )
        self._pending_events = []


@contextmanager
def _noop() -> Iterator[None]:
    yield


class SqlStore:
    """A store on one SQLAlchemy engine. ``SqlStore.from_url`` picks the settings."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.postgres = engine.dialect.name == "postgresql"

    @classmethod
    def from_url(cls, url: str | None = None, *, migrate: bool = True) -> SqlStore:
        """Open (and by default migrate) the database at ``url``; SQLite when None."""
        sa_url = normalize_url(url)
        if sa_url in ("sqlite://", "sqlite:///:memory:"):
            # One private in-memory database, shared by every thread of this process.
            engine = create_engine(
                sa_url, connect_args={"check_same_thread": False}, poolclass=StaticPool
            )
            _sqlite_setup(engine)
        elif sa_url.startswith("sqlite"):
            engine = create_engine(sa_url, connect_args={"timeout": 30})
            _sqlite_setup(engine)
        elif sa_url.startswith("postgresql"):
            engine = create_engine(sa_url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        else:
            raise HandoffError(f"unsupported database URL {url!r}", field="url")
        store = cls(engine, sa_url)
        if migrate:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic ``upgrade head``).

        Alembic's command API keeps module-level state, so runs in one process are
        serialised by a lock; across processes PostgreSQL takes an advisory lock and
        SQLite's ``BEGIN IMMEDIATE`` does the same job.
        """
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
        with self.engine.connect().execution_options(write=True) as conn:
            try:
                with conn.begin():
                    tx = SqlTx(conn, self.postgres)
                    yield tx
                    tx.flush()
            except OperationalError as exc:
                raise HandoffError(f"database error: {exc.orig}") from None

    def _read(self) -> Connection:
        return self.engine.connect()

    def get(self, handoff_id: str) -> Handoff | None:
        with self._read() as conn:
            row = conn.execute(
                select(handoffs.c.doc, handoffs.c.version).where(handoffs.c.id == handoff_id)
            ).first()
        return _load(row.doc, row.version) if row else None

    def list_handoffs(
        self,
        *,
        states: Sequence[State] | None = None,
        owner: str | None = None,
        level: Level | None = None,
        due_before: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Handoff]:
        """Handoffs, riskiest first, then nearest deadline, then oldest."""
        q = select(handoffs.c.doc, handoffs.c.version)
        if states:
            q = q.where(handoffs.c.state.in_([s.value for s in states]))
        if owner:
            q = q.where(handoffs.c.owner == owner)
        if level:
            q = q.where(handoffs.c.level == level.value)
        if due_before:
            q = q.where(handoffs.c.deadline <= due_before)
        q = (
            q.order_by(
                handoffs.c.level_rank.desc(),
                handoffs.c.deadline.asc(),
                handoffs.c.created_at.asc(),
            )
            .limit(limit)
            .offset(offset)
        )
        with self._read() as conn:
            return [_load(r.doc, r.version) for r in conn.execute(q)]

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

    def event_rows(self, batch: int = 20_000) -> Iterator[EventRow]:
        cols = (
            events.c.seq,
            events.c.handoff_id,
            events.c.kind,
            events.c.actor,
            events.c.at,
            events.c.data,
            events.c.prev_hash,
            events.c.hash,
        )
        last = -1
        with self._read() as conn:
            while True:
                rows = conn.execute(
                    select(*cols).where(events.c.seq > last).order_by(events.c.seq).limit(batch)
                ).all()
                if not rows:
                    return
                for r in rows:
                    yield EventRow(*r)
                last = rows[-1][0]

    def head(self) -> tuple[int, str]:
        with self._read() as conn:
            row = conn.execute(
                select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
            ).first()
        return (row.seq, row.hash) if row else (0, GENESIS)

    def outbox_pending(self, limit: int = 100) -> list[dict[str, Any]]:
        q = select(outbox).where(outbox.c.delivered_at.is_(None)).order_by(outbox.c.id).limit(limit)
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def close(self) -> None:
        self.engine.dispose()


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

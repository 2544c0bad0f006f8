"""One write transaction on the DBAPI connection beneath a SQLAlchemy connection.

The hot path (every submit, decision and execution) runs a handful of fixed statements;
sending them straight to the driver skips SQLAlchemy's per-statement compilation and
keeps a round trip close to the cost of its commit. SQLAlchemy still owns the
connection, the pool, ``BEGIN IMMEDIATE`` and the commit. The statements are written
once with ``:name`` parameters and translated to psycopg's ``%(name)s`` style.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from .._canonical import canonical_json
from .._chain import event_hash
from .._exceptions import ConflictError
from ..models import Event, Handoff, Incident, State

__all__ = ["SQL", "SqlTx", "load_handoff"]

_SQL = {
    "get": "SELECT doc, version FROM handoffs WHERE id = :id",
    "get_locked": "SELECT doc, version FROM handoffs WHERE id = :id FOR UPDATE",
    "by_key": "SELECT doc, version FROM handoffs WHERE agent = :agent AND idempotency_key = :key",
    "insert": (
        "INSERT INTO handoffs (id, agent, idempotency_key, tool, action_hash, state, owner,"
        " level, level_rank, mode, score, deadline, ladder_step, created_at, updated_at,"
        " version, doc) VALUES (:id, :agent, :idempotency_key, :tool, :action_hash, :state,"
        " :owner, :level, :level_rank, :mode, :score, :deadline, :ladder_step, :created_at,"
        " :updated_at, :version, :doc)"
    ),
    "update": (
        "UPDATE handoffs SET state = :state, owner = :owner, level = :level,"
        " level_rank = :level_rank, mode = :mode, score = :score, action_hash = :action_hash,"
        " deadline = :deadline, ladder_step = :ladder_step, updated_at = :updated_at,"
        " version = :version, doc = :doc"
        " WHERE id = :id AND state = :b_state AND version = :b_version"
    ),
    "head": "SELECT seq, hash FROM audit_head WHERE id = 1",
    "event_rows": (
        "SELECT seq, handoff_id, kind, actor, at, data, prev_hash, hash FROM events"
        " WHERE seq >= :lo AND seq <= :hi ORDER BY seq"
    ),
    "count_events": "SELECT count(*) FROM events",
    "head_locked": "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    "set_head": "UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1",
    "event": (
        "INSERT INTO events (seq, handoff_id, kind, actor, at, data, prev_hash, hash)"
        " VALUES (:seq, :handoff_id, :kind, :actor, :at, :data, :prev_hash, :hash)"
    ),
    "outbox": (
        "INSERT INTO outbox (channel, handoff_id, payload, created_at, available_at, attempts)"
        " VALUES (:channel, :handoff_id, :payload, :created_at, :available_at, 0)"
    ),
    "incident": (
        "INSERT INTO incidents (id, handoff_id, severity, description, reporter, at)"
        " VALUES (:id, :handoff_id, :severity, :description, :reporter, :at)"
    ),
}
_PG_SQL = {k: re.sub(r":(\w+)", r"%(\1)s", v) for k, v in _SQL.items()}
#: The statements by name, for SQLite (``:name``) and PostgreSQL (``%(name)s``).
SQL = {"sqlite": _SQL, "postgresql": _PG_SQL}


def _sqlite_time(at: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime writes and reads: naive UTC, microseconds."""
    if at is None:
        return None
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _pg_time(at: datetime | None) -> datetime | None:
    return None if at is None else at.astimezone(UTC)


def load_handoff(doc: str, version: int) -> Handoff:
    h = Handoff.model_validate_json(doc)
    h.version = version
    return h


class SqlTx:
    """A write transaction; see ``handoff.store.Tx`` for the contract."""

    def __init__(self, cursor: Any, postgres: bool) -> None:
        self._cur = cursor
        self._postgres = postgres
        self._sql = _PG_SQL if postgres else _SQL
        self._time = _pg_time if postgres else _sqlite_time
        self._head: tuple[int, str] | None = None
        self._events: list[dict[str, Any]] = []

    def _one(self, name: str, params: dict[str, Any]) -> Any:
        self._cur.execute(self._sql[name], params)
        return self._cur.fetchone()

    def get(self, handoff_id: str) -> Handoff | None:
        row = self._one("get_locked" if self._postgres else "get", {"id": handoff_id})
        return load_handoff(row[0], row[1]) if row else None

    def by_idempotency(self, agent: str, key: str) -> Handoff | None:
        row = self._one("by_key", {"agent": agent, "key": key})
        return load_handoff(row[0], row[1]) if row else None

    def _values(self, h: Handoff) -> dict[str, Any]:
        a = h.assessment
        return {
            "id": h.id,
            "state": h.state.value,
            "owner": h.owner,
            "level": a.level.value,
            "level_rank": a.level.rank,
            "mode": a.mode.value,
            "score": a.score,
            "action_hash": h.action_hash,
            "deadline": self._time(h.deadline),
            "ladder_step": h.ladder_step,
            "updated_at": self._time(h.updated_at),
            "version": h.version,
            "doc": h.model_dump_json(),
        }

    def insert(self, handoff: Handoff) -> None:
        values = self._values(handoff)
        values.update(
            agent=handoff.action.agent,
            idempotency_key=handoff.action.idempotency_key,
            tool=handoff.action.tool,
            created_at=self._time(handoff.created_at),
        )
        if self._postgres:
            self._cur.execute("SAVEPOINT handoff_insert")
        try:
            self._cur.execute(self._sql["insert"], values)
        except Exception as exc:
            if "unique" not in str(exc).lower():
                raise
            if self._postgres:
                self._cur.execute("ROLLBACK TO SAVEPOINT handoff_insert")
            raise ConflictError(
                "this idempotency key was already used by the agent", field="idempotency_key"
            ) from None

    def update(self, handoff: Handoff, expected: State, expected_version: int) -> None:
        handoff.version = expected_version + 1
        values = self._values(handoff)
        values.update(b_state=expected.value, b_version=expected_version)
        self._cur.execute(self._sql["update"], values)
        if self._cur.rowcount != 1:
            handoff.version = expected_version
            raise ConflictError(
                f"handoff {handoff.id} changed meanwhile (expected state {expected.value})",
                field="state",
            )

    def event(
        self, kind: str, *, handoff_id: str | None, actor: str, at: datetime, data: dict[str, Any]
    ) -> Event:
        if self._head is None:
            row = self._one("head_locked" if self._postgres else "head", {})
            self._head = (int(row[0]), str(row[1]))
        seq, prev = self._head[0] + 1, self._head[1]
        at_s, data_s = at.isoformat(timespec="microseconds"), canonical_json(data)
        digest = event_hash(prev, seq, handoff_id, kind, actor, at_s, data_s)
        self._events.append(
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
        return Event.model_construct(
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
        when = self._time(at)
        self._cur.execute(
            self._sql["outbox"],
            {
                "channel": channel,
                "handoff_id": handoff_id,
                "payload": canonical_json(payload),
                "created_at": when,
                "available_at": when,
            },
        )

    def add_incident(self, incident_id: str, incident: Incident, at: datetime) -> None:
        self._cur.execute(
            self._sql["incident"],
            {
                "id": incident_id,
                "handoff_id": incident.handoff_id,
                "severity": incident.severity.value,
                "description": incident.description,
                "reporter": incident.reporter,
                "at": self._time(at),
            },
        )

    def flush(self) -> None:
        """Write the buffered events and the new chain head; called just before commit."""
        if self._events:
            assert self._head is not None
            self._cur.executemany(self._sql["event"], self._events)
            self._cur.execute(self._sql["set_head"], {"seq": self._head[0], "hash": self._head[1]})
            self._events = []

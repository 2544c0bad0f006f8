"""One write transaction on the DBAPI connection beneath a SQLAlchemy connection.

The hot path (every submit, decision and execution) runs a handful of fixed statements;
sending them straight to the driver skips SQLAlchemy's per-statement compilation and
keeps a round trip close to the cost of its commit. The connections come from
``_sqlite`` (SQLite) and ``_pg`` (PostgreSQL, where the statements are pipelined and the
transaction waits for the server only where it needs a result). The statements are in
``_statements``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .._canonical import canonical_json
from .._chain import event_hash
from .._exceptions import AlreadyExists, ConflictError, Tampered
from .._facts import facts_of
from .._projection import row_digest
from ..decide.lifecycle import OPEN
from ..models import Event, Handoff, Incident, State
from ._errors import is_unique_violation
from ._protocol import EventRow, OutboxRow
from ._statements import APPEND_MAX, SQL, pg_append

__all__ = ["RECOMPUTE", "SQL", "SqlTx", "load_handoff"]

#: The ``ladder_due`` time that means "recompute this schedule at the next pass".
RECOMPUTE = datetime(1970, 1, 1, tzinfo=UTC)


def _sqlite_time(at: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime writes and reads: naive UTC, microseconds."""
    if at is None:
        return None
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _pg_time(at: datetime | None) -> datetime | None:
    return None if at is None else at.astimezone(UTC)


def load_handoff(
    doc: str, version: int, state: str, action_hash: str, decisions_hash: str
) -> Handoff:
    """The handoff stored in a row, refused when its document disagrees with the columns.

    ``audit verify`` compares the columns with the audit chain and never parses the
    millions of documents, so a document edited on its own would go unseen there. It
    cannot take effect either: every read of a handoff goes through here, and a state,
    action hash or decisions that differ from the row's columns raise ``Tampered``.
    """
    h = Handoff.model_validate_json(doc)
    h.version = version
    if h.state.value != state:
        field, stored = "state", h.state.value
    elif h.action_hash != action_hash:
        field, stored = "action_hash", h.action_hash
    elif row_digest(h.decisions) != decisions_hash:
        field, stored = "decisions", "its document's decisions"
    else:
        return h
    raise Tampered(
        f"handoff {h.id}: the document says {stored!r} but the row's {field} column"
        " disagrees; the row was edited outside handoff",
        field=field,
    )


class SqlTx:
    """A write transaction; see ``handoff.store.Tx`` for the contract."""

    def __init__(self, cursor: Any, postgres: bool, sync: Callable[[], None] | None = None) -> None:
        """``sync`` waits for the results of statements queued in a pipeline (PostgreSQL);
        without it each statement has its result when ``execute`` returns."""
        self._cur = cursor
        self._sync = sync
        self._postgres = postgres
        self._sql = SQL["postgresql" if postgres else "sqlite"]
        self._time = _pg_time if postgres else _sqlite_time
        self._head: tuple[int, str] | None = None
        self._events: list[dict[str, Any]] = []
        #: Outbox rows not yet written (PostgreSQL, where ``flush`` writes them).
        self._outbox: list[dict[str, Any]] = []
        #: ``prefetch_trail``'s handoff, read at the next wait; what that read found.
        self._trail_wanted: str | None = None
        self._trails: dict[str, list[Any]] = {}

    def _one(self, name: str, params: dict[str, Any]) -> Any:
        self._cur.execute(self._sql[name], params)
        return self._cur.fetchone()

    def _wait(self) -> None:
        """Wait for the queued statements' results (a pipeline's one exchange).

        Every state change goes on to write events, which need the chain head: in a
        pipeline it is read (and locked) in the same exchange as the change itself, and
        so is a trail ``prefetch_trail`` asked for (after the lock, as ``trail`` reads).
        """
        if self._sync is None:
            return
        wanted, self._trail_wanted = self._trail_wanted, None
        if self._head is not None and wanted is None:
            self._sync()
            return
        conn = self._cur.connection
        with conn.cursor() as head, conn.cursor() as trail:
            if self._head is None:
                head.execute(self._sql["head_locked"])
            if wanted is not None:
                trail.execute(self._sql["trail"], {"id": wanted})
            self._sync()
            if self._head is None:
                row = head.fetchone()
                self._head = (int(row[0]), str(row[1]))
            if wanted is not None:
                self._trails[wanted] = trail.fetchall()

    def _rowcount(self) -> int:
        """Rows the last statement touched, once its result is in."""
        if self._sync is not None:
            self._sync()
        return int(self._cur.rowcount)

    def get(self, handoff_id: str) -> Handoff | None:
        row = self._one("get_locked" if self._postgres else "get", {"id": handoff_id})
        return load_handoff(*row) if row else None

    def by_idempotency(self, agent: str, key: str) -> Handoff | None:
        row = self._one("by_key", {"agent": agent, "key": key})
        return load_handoff(*row) if row else None

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
            "decisions_hash": row_digest(h.decisions),
        }

    def _facts(self, name: str, h: Handoff) -> None:
        """Write ``h``'s facts row (``facts_insert`` or ``facts_update``) beside its row."""
        values = facts_of(h)
        values["deadline"] = self._time(values["deadline"])
        values["finished_at"] = self._time(values["finished_at"])
        self._cur.execute(self._sql[name], values)

    def insert(self, handoff: Handoff) -> None:
        values = self._values(handoff)
        values.update(
            agent=handoff.action.agent,
            idempotency_key=handoff.action.idempotency_key,
            tool=handoff.action.tool,
            created_at=self._time(handoff.created_at),
        )
        self._insert_once(
            "insert",
            values,
            AlreadyExists(
                "this idempotency key was already used by the agent", field="idempotency_key"
            ),
        )
        self._facts("facts_insert", handoff)
        self._reschedule(handoff, None)

    def _insert_once(self, name: str, params: dict[str, Any], clash: AlreadyExists) -> None:
        """Run the insert ``name``; ``clash`` when a row with its key is there already.

        On PostgreSQL the insert skips a clashing row (``ON CONFLICT DO NOTHING``), so a
        clash leaves the transaction usable and is seen in the row count.
        """
        if self._postgres:
            self._cur.execute(self._sql[name], params)
            self._wait()
            if self._cur.rowcount != 1:
                raise clash
            return
        try:
            self._cur.execute(self._sql[name], params)
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
            raise clash from None

    def update(
        self,
        handoff: Handoff,
        expected: State,
        expected_version: int,
        *,
        same_deadline: bool = False,
    ) -> None:
        handoff.version = expected_version + 1
        values = self._values(handoff)
        values.update(b_state=expected.value, b_version=expected_version)
        written = False
        if same_deadline:
            self._cur.execute(self._sql["update_same_deadline"], values)
            self._wait()
            written = self._cur.rowcount == 1
        if not written:  # also a stored deadline that differs after all: written whole
            self._cur.execute(self._sql["update"], values)
            self._wait()
        if self._cur.rowcount != 1:
            handoff.version = expected_version
            raise ConflictError(
                f"handoff {handoff.id} changed meanwhile (expected state {expected.value})",
                field="state",
            )
        self._facts("facts_update", handoff)
        self._reschedule(handoff, expected)

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

    def trail(self, handoff_id: str) -> list[tuple[EventRow, str | None]]:
        """The handoff's events in seq order, each with the hash of the event before it
        (None for the first event of the chain, or a missing one): the committed ones,
        then those this transaction wrote so far, so a claim in the transaction that
        records the approval reads that approval from the chain."""
        fetched = self._trails.pop(handoff_id, None)
        if fetched is None:
            self._cur.execute(self._sql["trail"], {"id": handoff_id})
            fetched = self._cur.fetchall()
        rows = [(EventRow(*r[:8]), r[8]) for r in fetched]
        # Not yet flushed: each links to the head this transaction read and locked.
        rows += [
            (EventRow(**e), e["prev_hash"]) for e in self._events if e["handoff_id"] == handoff_id
        ]
        return rows

    def prefetch_trail(self, handoff_id: str) -> None:
        """On PostgreSQL, read the handoff's committed trail with the next statement the
        transaction waits for (a claim's compare-and-set): one exchange fewer. Events
        are written only under the chain head's lock, which that exchange takes first,
        so the rows are those ``trail`` would read later in the transaction."""
        if self._sync is not None:
            self._trail_wanted = handoff_id

    def enqueue(
        self, channel: str, payload: dict[str, Any], *, handoff_id: str | None, at: datetime
    ) -> None:
        when = self._time(at)
        row = {
            "channel": channel,
            "handoff_id": handoff_id,
            "payload": canonical_json(payload),
            "created_at": when,
            "available_at": when,
            "attempts": 0,
        }
        if self._postgres:
            self._outbox.append(row)  # written with the events, just before the commit
        else:
            self._cur.execute(self._sql["outbox"], row)

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
        """Write the buffered events, the new chain head and (PostgreSQL) the buffered
        outbox rows; called just before commit."""
        self._trail_wanted, self._trails = None, {}
        events, rows, self._events, self._outbox = self._events, self._outbox, [], []
        head = {"seq": self._head[0], "hash": self._head[1]} if self._head else {}
        if self._postgres and (events or rows) and max(len(events), len(rows)) <= APPEND_MAX:
            # One statement for them all: fewer for the server to parse and run, and for
            # the driver to send.
            params = {f"e{i}_{k}": v for i, e in enumerate(events) for k, v in e.items()}
            params |= {f"o{i}_{k}": v for i, r in enumerate(rows) for k, v in r.items()}
            self._cur.execute(pg_append(len(events), len(rows)), params | head)
            return
        if rows:
            self._cur.executemany(self._sql["outbox"], rows)
        if events:
            self._cur.executemany(self._sql["event"], events)
            self._cur.execute(self._sql["set_head"], head)

    # -- SLA ladder and outbox delivery (claimed with SKIP LOCKED on PostgreSQL) --------

    def _reschedule(self, h: Handoff, before: State | None) -> None:
        """Every write of a handoff marks its ladder schedule for recomputing (due at the
        epoch) while it is open, and drops it once closed; so the scheduler reads only
        the ``ladder_due`` index, never every open handoff.

        ``before`` is the state the row held (None for a new row). Only a handoff stored
        open can have a schedule to drop: schedules are set for open handoffs alone and
        dropped as they close, and handoffs are never deleted. So a new row, or one
        already closed (an execution's finish), costs no statement here.
        """
        if h.state in OPEN and h.deadline is not None:
            self.ladder_set(h.id, RECOMPUTE, h.version)
        elif before in OPEN:
            self._cur.execute(self._sql["ladder_drop"], {"handoff_id": h.id})

    def ladder_claim(self, now: datetime, limit: int) -> list[Handoff]:
        """Handoffs whose schedule is due or marked for recomputing, locked for this tx."""
        self._cur.execute(self._sql["ladder_claim"], {"now": self._time(now), "limit": limit})
        return [load_handoff(*row) for row in self._cur.fetchall()]

    def ladder_set(self, handoff_id: str, due_at: datetime | None, version: int) -> None:
        """Record when the handoff's next ladder step falls due; None drops the schedule."""
        if due_at is None:
            self._cur.execute(self._sql["ladder_drop"], {"handoff_id": handoff_id})
            return
        params = {"handoff_id": handoff_id, "due_at": self._time(due_at), "version": version}
        self._cur.execute(self._sql["ladder_set"], params)

    def outbox_claim(
        self, now: datetime, limit: int, *, notify: bool, lease_until: datetime | None = None
    ) -> list[OutboxRow]:
        """Due undelivered rows: the abstract ``notify`` rows or the concrete deliveries.

        With ``lease_until`` each claimed row counts an attempt and is hidden from other
        claims until then, so it can be delivered outside this transaction.
        """
        sql = self._sql["outbox_claim"].replace("{op}", "=" if notify else "<>")
        self._cur.execute(sql, {"now": self._time(now), "limit": limit})
        rows = [
            OutboxRow(r[0], r[1], r[2], json.loads(r[3]), r[4], _as_utc(r[5]))
            for r in self._cur.fetchall()
        ]
        if lease_until is not None:
            until = self._time(lease_until)
            for i, row in enumerate(rows):
                self._cur.execute(self._sql["outbox_lease"], {"id": row.id, "until": until})
                rows[i] = row._replace(attempts=row.attempts + 1)
        return rows

    def outbox_done(
        self,
        row: OutboxRow,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        """Record one attempt: delivered (no ``error``), retried at ``retry_at``, or else
        moved to the dead-letter list. False when the lease was lost to another attempt."""
        key = {"id": row.id, "attempts": row.attempts}
        if error is None:
            self._cur.execute(self._sql["outbox_done"], {**key, "now": self._time(now)})
        elif retry_at is not None:
            params = {**key, "at": self._time(retry_at), "error": error[:2000]}
            self._cur.execute(self._sql["outbox_retry"], params)
        else:
            params = {**key, "now": self._time(now), "error": error[:2000]}
            self._cur.execute(self._sql["outbox_bury"], params)
            if self._rowcount() != 1:
                return False
            self._cur.execute(self._sql["outbox_drop"], key)
        return self._rowcount() == 1

    def outbox_purge(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` rows delivered before ``before``; how many went."""
        self._cur.execute(self._sql["outbox_purge"], {"before": self._time(before), "limit": limit})
        return self._rowcount()

    def callback_set(self, agent: str, url: str, secret: str, at: datetime) -> None:
        params = {"agent": agent, "url": url, "secret": secret, "created_at": self._time(at)}
        self._cur.execute(self._sql["callback_set"], params)

    def passkey_add(
        self, credential_id: str, user: str, public_key: str, *, rp_id: str, origin: str, at: float
    ) -> None:
        params = {"credential_id": credential_id, "user_name": user, "public_key": public_key}
        self._insert_once(
            "passkey_add",
            {**params, "sign_count": 0, "rp_id": rp_id, "origin": origin, "created_at": at},
            AlreadyExists("this passkey is registered already", field="credential"),
        )

    def challenge_take(
        self,
        nonce: str,
        user: str,
        purpose: str,
        *,
        handoff_id: str = "",
        action_hash: str = "",
        now: float,
    ) -> bool:
        """Use up a live challenge made for exactly this; False when there is none."""
        params = {"nonce": nonce, "user": user, "purpose": purpose, "now": now}
        params |= {"handoff_id": handoff_id, "action_hash": action_hash}
        self._cur.execute(self._sql["challenge_take"], params)
        return self._rowcount() == 1

    def passkey_seen(self, credential_id: str, count: int) -> bool:
        """Move the passkey's signature counter to ``count``; False when it does not move
        forward (a replayed or cloned authenticator), unless the passkey keeps none."""
        self._cur.execute(self._sql["passkey_seen"], {"id": credential_id, "count": count})
        return self._rowcount() == 1

    def callback_get(self, agent: str) -> tuple[str, str] | None:
        """The agent's registered callback ``(url, secret)``, if any."""
        row = self._one("callback_get", {"agent": agent})
        return (str(row[0]), str(row[1])) if row else None


def _as_utc(value: Any) -> datetime:
    when: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)

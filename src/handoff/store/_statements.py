"""The fixed statements of the write transactions and the store's reads, written once
with ``:name`` parameters (SQLite) and translated to psycopg's ``%(name)s`` style, with
the clauses only PostgreSQL has (``SKIP LOCKED``, ``ON CONFLICT DO NOTHING``)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Table

from ._tables import (
    ROW,
    callbacks,
    events,
    handoff_facts,
    handoffs,
    incidents,
    ladder_due,
    outbox,
    outbox_dead,
    passkeys,
)

__all__ = ["APPEND_MAX", "SQL", "pg_append"]

#: Columns of a table (``t.c``, or some of them).
_Cols = Iterable[Column[Any]]


def _names(cols: _Cols, prefix: str = "") -> str:
    """``a, b, c`` of the columns, each name after ``prefix`` (a table alias)."""
    return ", ".join(prefix + str(c.name) for c in cols)


def _insert(table: Table, cols: _Cols | None = None) -> str:
    """``INSERT INTO t (a, b) VALUES (:a, :b)``: every column unless ``cols`` says."""
    names = [str(c.name) for c in (table.c if cols is None else cols)]
    values = ", ".join(":" + n for n in names)
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({values})"


def _upsert(table: Table) -> str:
    """Insert every column; on a clash of the primary key, update the other columns."""
    key = [c.name for c in table.primary_key]
    rest = ", ".join(f"{c.name} = excluded.{c.name}" for c in table.c if not c.primary_key)
    return f"{_insert(table)} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {rest}"


#: What a handoff is read as (``load_handoff``'s arguments).
_ROW = _names(ROW)
#: Set when a handoff is inserted and never changed after.
_FIXED = {"id", "agent", "idempotency_key", "tool", "created_at"}
_UPDATE = ", ".join(f"{c.name} = :{c.name}" for c in handoffs.c if c.name not in _FIXED)
_UPDATE_RUN = ", ".join(
    f"{c.name} = :{c.name}" for c in handoffs.c if c.name not in _FIXED | {"deadline"}
)
#: The dead-letter row copies the outbox row, with the last error and when it failed.
_BURY = {"last_error": ":error", "failed_at": ":now"}
_OUTBOX_ROW = (
    outbox.c.id,
    outbox.c.channel,
    outbox.c.handoff_id,
    outbox.c.payload,
    outbox.c.attempts,
    outbox.c.created_at,
)

#: What a new outbox row is written with (its id is the next of the sequence).
_OUTBOX_NEW = (
    outbox.c.channel,
    outbox.c.handoff_id,
    outbox.c.payload,
    outbox.c.created_at,
    outbox.c.available_at,
    outbox.c.attempts,
)

_SQL = {
    "get": f"SELECT {_ROW} FROM handoffs WHERE id = :id",
    "get_locked": f"SELECT {_ROW} FROM handoffs WHERE id = :id FOR UPDATE",
    "by_key": f"SELECT {_ROW} FROM handoffs WHERE agent = :agent AND idempotency_key = :key",
    "insert": _insert(handoffs),
    "update": (
        f"UPDATE handoffs SET {_UPDATE} WHERE id = :id AND state = :b_state"
        " AND version = :b_version"
    ),
    # The same, for a change that keeps the deadline (an execution's stages and end):
    # a column that is set has its index rewritten even when the value is the same, so
    # the deadline is left out and compared instead (no row: ``update`` then writes it).
    "update_same_deadline": (
        f"UPDATE handoffs SET {_UPDATE_RUN} WHERE id = :id AND state = :b_state"
        " AND version = :b_version AND deadline IS :deadline"
    ),
    # A handoff's facts (Learn's read), written with every insert and update of its row;
    # an update writes them whole, so a row that had none (copied in by hand) gets them.
    "facts_insert": _insert(handoff_facts),
    "facts_update": _upsert(handoff_facts),
    "head": "SELECT seq, hash FROM audit_head WHERE id = 1",
    "auth_generation": "SELECT generation FROM auth_generation WHERE id = 1",
    # One API request counted in the key's fixed window (see handoff.server.throttle),
    # and the accounts' generation that a cached key is checked against.
    "throttle_hit": (
        "INSERT INTO throttle (key, count, since, locked_until, forget_at)"
        " VALUES (:key, 1, :start, NULL, :end) ON CONFLICT (key) DO UPDATE SET"
        " count = CASE WHEN throttle.since = :start THEN throttle.count + 1 ELSE 1 END,"
        " since = :start, forget_at = :end"
        " RETURNING count, (SELECT generation FROM auth_generation WHERE id = 1)"
    ),
    "event_rows": (
        f"SELECT {_names(events.c)} FROM events WHERE seq >= :lo AND seq <= :hi ORDER BY seq"
    ),
    "count_events": "SELECT count(*) FROM events",
    # A handoff's events, each with the hash of the event before it (claims check both).
    "trail": (
        f"SELECT {_names(events.c, 'e.')}, p.hash FROM events e"
        " LEFT JOIN events p ON p.seq = e.seq - 1 WHERE e.handoff_id = :id ORDER BY e.seq"
    ),
    # What verify compares with the chain (served by ix_handoffs_chain, docs unread).
    "handoff_rows": (
        "SELECT id, state || ' ' || action_hash || ' ' || decisions_hash FROM handoffs"
    ),
    "head_locked": "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    "set_head": "UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1",
    "event": _insert(events),
    "outbox": _insert(outbox, _OUTBOX_NEW),
    "incident": _insert(incidents),
    # The SLA ladder: handoffs whose next step is due (by the index on due_at).
    "ladder_claim": (
        f"SELECT {_names(ROW, 'h.')} FROM ladder_due l JOIN handoffs h ON h.id = l.handoff_id"
        " WHERE l.due_at <= :now ORDER BY l.due_at, l.handoff_id LIMIT :limit"
    ),
    "ladder_drop": "DELETE FROM ladder_due WHERE handoff_id = :handoff_id",
    "ladder_set": _upsert(ladder_due),
    # Outbox delivery: claim due rows, lease them, then record the attempt's outcome.
    "outbox_claim": (
        f"SELECT {_names(_OUTBOX_ROW)} FROM outbox"
        " WHERE delivered_at IS NULL AND available_at <= :now AND channel {op} 'notify'"
        " ORDER BY id LIMIT :limit"
    ),
    "outbox_lease": (
        "UPDATE outbox SET attempts = attempts + 1, available_at = :until WHERE id = :id"
    ),
    "outbox_done": (
        "UPDATE outbox SET delivered_at = :now, last_error = NULL"
        " WHERE id = :id AND attempts = :attempts AND delivered_at IS NULL"
    ),
    "outbox_purge": (
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
        " WHERE delivered_at IS NOT NULL AND delivered_at < :before ORDER BY id LIMIT :limit)"
    ),
    "outbox_retry": (
        "UPDATE outbox SET available_at = :at, last_error = :error"
        " WHERE id = :id AND attempts = :attempts AND delivered_at IS NULL"
    ),
    "outbox_bury": (
        f"INSERT INTO outbox_dead ({_names(outbox_dead.c)})"
        f" SELECT {', '.join(_BURY.get(c.name, c.name) for c in outbox_dead.c)} FROM outbox"
        " WHERE id = :id AND attempts = :attempts AND delivered_at IS NULL"
    ),
    "outbox_drop": "DELETE FROM outbox WHERE id = :id AND attempts = :attempts",
    "callback_set": _upsert(callbacks),
    "callback_get": "SELECT url, secret FROM callbacks WHERE agent = :agent",
    # Passkeys: a registration, a challenge answered once, the signature counter.
    "passkey_add": _insert(passkeys),
    "challenge_take": (
        "DELETE FROM passkey_challenges WHERE nonce = :nonce AND user_name = :user"
        " AND purpose = :purpose AND COALESCE(handoff_id, '') = :handoff_id"
        " AND COALESCE(action_hash, '') = :action_hash AND expires_at > :now"
    ),
    "passkey_seen": (
        "UPDATE passkeys SET sign_count = :count WHERE credential_id = :id"
        " AND (sign_count < :count OR (sign_count = 0 AND :count = 0))"
    ),
}
#: Appended on PostgreSQL so processes claim disjoint rows and never wait for each other.
_SKIP_LOCKED = {
    "ladder_claim": " FOR UPDATE OF h SKIP LOCKED",
    "outbox_claim": " FOR UPDATE SKIP LOCKED",
}
#: Appended on PostgreSQL so a clash is a row count of 0, not an error: an error inside
#: a pipeline aborts everything queued with it.
_NO_CLASH = {"insert": " ON CONFLICT DO NOTHING", "passkey_add": " ON CONFLICT DO NOTHING"}
_PG_SQL = {
    k: re.sub(r":(\w+)", r"%(\1)s", v) + _SKIP_LOCKED.get(k, "") + _NO_CLASH.get(k, "")
    for k, v in _SQL.items()
}
# PostgreSQL's IS compares only with NULL, TRUE or FALSE.
_PG_SQL["update_same_deadline"] = _PG_SQL["update_same_deadline"].replace(
    "deadline IS %(", "deadline IS NOT DISTINCT FROM %("
)
#: The statements by name, for SQLite (``:name``) and PostgreSQL (``%(name)s``).
SQL = {"sqlite": _SQL, "postgresql": _PG_SQL}


#: Events (and, apart, outbox rows) written by one statement on PostgreSQL; a
#: transaction with more (a ladder pass over many handoffs) sends one statement per
#: row, as SQLite does.
APPEND_MAX = 16


def _values(table: Table, cols: _Cols, prefix: str, n: int) -> str:
    """``INSERT INTO t (a, b) VALUES (%(p0_a)s, %(p0_b)s), ...``: ``n`` rows."""
    names = [str(c.name) for c in cols]
    rows = ", ".join("(" + ", ".join(f"%({prefix}{i}_{c})s" for c in names) + ")" for i in range(n))
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES {rows}"


@functools.cache
def pg_append(n_events: int, n_outbox: int) -> str:
    """PostgreSQL: one statement that inserts ``n_events`` events (parameters ``e0_seq``,
    ``e0_hash``, ...) and ``n_outbox`` outbox rows (``o0_channel``, ...) and, with any
    events, moves the chain head (``seq``, ``hash``). Each data-modifying ``WITH`` runs
    to completion whether or not the statement reads it."""
    parts = []
    if n_events:
        parts.append(f"appended AS ({_values(events, events.c, 'e', n_events)})")
    if n_outbox:
        parts.append(f"queued AS ({_values(outbox, _OUTBOX_NEW, 'o', n_outbox)})")
    if not n_events:
        return _values(outbox, _OUTBOX_NEW, "o", n_outbox)
    return f"WITH {', '.join(parts)} {_PG_SQL['set_head']}"

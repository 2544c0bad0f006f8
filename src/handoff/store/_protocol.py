"""The Store protocol: what the plane needs from a database, and nothing more."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from ..models import Event, Handoff, Incident, Level, State

__all__ = ["EventRow", "LearnChunk", "OutboxRow", "Store", "Tx"]


class EventRow(NamedTuple):
    seq: int
    handoff_id: str | None
    kind: str
    actor: str
    at: str
    data: str
    prev_hash: str
    hash: str


class OutboxRow(NamedTuple):
    """One outbox row as a delivery worker sees it; ``attempts`` counts this one."""

    id: int
    channel: str
    handoff_id: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


class LearnChunk(NamedTuple):
    """One chunk of a window, in ``created_at, id`` order.

    ``handoffs``: ``(doc, version, state, action_hash, decisions_hash)`` (``ROW``);
    ``events``: ``(seq, handoff_id, kind, actor, at, data, prev_hash, hash)`` in seq order;
    ``incidents``: ``(id, handoff_id, at, severity, description, reporter)`` by time.
    """

    handoffs: list[tuple[str, int, str, str, str]]
    events: list[tuple[int, str, str, str, str, str, str, str]]
    incidents: list[tuple[str, str, datetime, str, str, str]]


class Tx(Protocol):
    """One write transaction: the change, its audit events and its outbox rows commit
    together or not at all."""

    def get(self, handoff_id: str) -> Handoff | None:
        """Read a handoff, locking its row until the transaction ends (PostgreSQL)."""
        ...

    def by_idempotency(self, agent: str, key: str) -> Handoff | None: ...

    def insert(self, handoff: Handoff) -> None:
        """Insert; ``ConflictError`` when the agent's idempotency key is taken."""
        ...

    def update(self, handoff: Handoff, expected: State, expected_version: int) -> None:
        """Compare-and-set: write ``handoff`` only if the row still has ``expected`` state
        and version; bumps ``handoff.version``; ``ConflictError`` otherwise."""
        ...

    def event(
        self, kind: str, *, handoff_id: str | None, actor: str, at: datetime, data: dict[str, Any]
    ) -> Event:
        """Append one event to the hash chain."""
        ...

    def trail(self, handoff_id: str) -> list[tuple[EventRow, str | None]]:
        """The handoff's committed events in seq order, each with the hash of the event
        before it in the chain (None when there is none): a claim checks both."""
        ...

    def enqueue(
        self, channel: str, payload: dict[str, Any], *, handoff_id: str | None, at: datetime
    ) -> None:
        """Add an outbox row, delivered after commit by a channel worker."""
        ...

    def add_incident(self, incident_id: str, incident: Incident, at: datetime) -> None: ...

    def ladder_claim(self, now: datetime, limit: int) -> list[Handoff]:
        """Handoffs whose ladder schedule is due or to be recomputed (every insert and
        update marks it); other processes skip them."""
        ...

    def ladder_set(self, handoff_id: str, due_at: datetime | None, version: int) -> None:
        """When the next step falls due; None drops the schedule (no step left)."""
        ...

    def outbox_claim(
        self, now: datetime, limit: int, *, notify: bool, lease_until: datetime | None = None
    ) -> list[OutboxRow]: ...

    def outbox_done(
        self,
        row: OutboxRow,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool: ...

    def outbox_purge(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` rows delivered before ``before`` (undelivered rows and
        dead letters stay); returns how many were deleted."""
        ...

    def callback_set(self, agent: str, url: str, secret: str, at: datetime) -> None: ...

    def callback_get(self, agent: str) -> tuple[str, str] | None: ...

    def passkey_add(
        self, credential_id: str, user: str, public_key: str, *, rp_id: str, origin: str, at: float
    ) -> None:
        """Store a reviewer's new passkey (its signature counter starts at 0)."""
        ...

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
        """Use up the unexpired passkey challenge ``nonce`` made for ``user``, ``purpose``
        and (for approvals) that handoff and action hash; False when there is none."""
        ...

    def passkey_seen(self, credential_id: str, count: int) -> bool:
        """Advance a passkey's signature counter; False when it would not move forward."""
        ...


class Store(Protocol):
    url: str

    def write(self) -> AbstractContextManager[Tx]: ...

    def get(self, handoff_id: str) -> Handoff | None: ...

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
    ) -> list[Handoff]: ...

    def count_by_state(self) -> dict[str, int]: ...

    def events(self, handoff_id: str | None = None, after: int = 0) -> list[Event]: ...

    def event_rows(
        self, lo: int | None = None, hi: int | None = None, batch: int = 20_000
    ) -> Iterator[EventRow]:
        """Event rows with ``lo <= seq <= hi`` in ``seq`` order, as stored (verify, export)."""
        ...

    def handoff_rows(self) -> dict[str, str]:
        """Every handoff as ``id -> "state action_hash decisions_hash"`` (verify)."""
        ...

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
        """The handoffs created in ``[since, until)`` (optionally of one owner and/or
        tool) in ``created_at, id`` order, ``size`` a chunk, each chunk with those
        handoffs' events of ``kinds`` and their incidents, as plain rows (Learn)."""
        ...

    def learn_count(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        owner: str | None = None,
        tool: str | None = None,
    ) -> int:
        """How many handoffs were created in ``[since, until)`` (optionally of one owner
        and/or one tool)."""
        ...

    def count_events(self) -> int: ...

    def head(self) -> tuple[int, str]:
        """The chain head as the store records it: (seq, hash)."""
        ...

    def outbox_pending(self, limit: int = 100) -> list[dict[str, Any]]: ...

    def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        """Outbox rows that failed every delivery attempt, newest first."""
        ...

    def executions(
        self,
        *,
        tool: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Handoff]:
        """Handoffs that ran, newest first: the change log."""
        ...

    def execution_counts(
        self, since: datetime | None = None
    ) -> list[tuple[str, str | None, str, int]]:
        """``(tool, owner, state, count)`` of executions that ended: the rollback rate."""
        ...

    def close(self) -> None: ...

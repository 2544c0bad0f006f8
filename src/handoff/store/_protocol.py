"""The Store protocol: what the plane needs from a database, and nothing more."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from ..models import Event, Handoff, Incident, Level, State

__all__ = ["EventRow", "Store", "Tx"]


class EventRow(NamedTuple):
    seq: int
    handoff_id: str | None
    kind: str
    actor: str
    at: str
    data: str
    prev_hash: str
    hash: str


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

    def enqueue(
        self, channel: str, payload: dict[str, Any], *, handoff_id: str | None, at: datetime
    ) -> None:
        """Add an outbox row, delivered after commit by a channel worker."""
        ...

    def add_incident(self, incident_id: str, incident: Incident, at: datetime) -> None: ...


class Store(Protocol):
    url: str

    def write(self) -> AbstractContextManager[Tx]: ...

    def get(self, handoff_id: str) -> Handoff | None: ...

    def list_handoffs(
        self,
        *,
        states: Sequence[State] | None = None,
        owner: str | None = None,
        level: Level | None = None,
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

    def count_events(self) -> int: ...

    def head(self) -> tuple[int, str]:
        """The chain head as the store records it: (seq, hash)."""
        ...

    def outbox_pending(self, limit: int = 100) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...

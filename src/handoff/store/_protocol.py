"""The Store protocol: what the plane needs from a database, and nothing more."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from ..models import Event, Handoff, Incident, Level, State

__all__ = [
    "EventRow",
    "Gauges",
    "KeyRow",
    "LearnChunk",
    "OutboxRow",
    "PasskeyRow",
    "SessionRow",
    "Store",
    "Tx",
    "UserRow",
]


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


class UserRow(NamedTuple):
    """A reviewer account; times are epoch seconds from the plane's clock."""

    name: str
    role: str
    teams: frozenset[str]
    disabled_at: float | None
    password_hash: str


class KeyRow(NamedTuple):
    id: str
    principal: str
    created_at: float
    revoked_at: float | None


class SessionRow(NamedTuple):
    user: str
    csrf: str
    expires_at: float
    seen_at: float


class PasskeyRow(NamedTuple):
    credential_id: str
    user_name: str
    public_key: str
    rp_id: str
    origin: str
    sign_count: int


class Gauges(NamedTuple):
    """What ``/metrics`` reports from the tables at one scrape."""

    #: ``(state, owner, level, count)`` of every handoff.
    handoffs: list[tuple[str, str | None, str, int]]
    #: ``(owner, count)`` of open handoffs past their deadline.
    breached: list[tuple[str | None, int]]
    #: ``(event kind, count)`` of the SLA ladder's steps.
    steps: list[tuple[str, int]]
    #: ``(channel, count)`` of outbox rows not delivered yet.
    backlog: list[tuple[str, int]]
    #: Outbox rows that failed every attempt.
    dead: int


class LearnChunk(NamedTuple):
    """One chunk of a window, in ``created_at, id`` order.

    ``handoffs``: ``(doc, version, state, action_hash, decisions_hash)`` (``ROW``; of
    ``learn_facts``, the id, the creation time and the facts row before the last three);
    ``events``: ``(seq, handoff_id, kind, actor, at, data, prev_hash, hash)`` in seq order;
    ``incidents``: ``(id, handoff_id, at, severity, description, reporter)`` by time.
    """

    handoffs: list[tuple[Any, ...]]
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

    def update(
        self,
        handoff: Handoff,
        expected: State,
        expected_version: int,
        *,
        same_deadline: bool = False,
    ) -> None:
        """Compare-and-set: write ``handoff`` only if the row still has ``expected`` state
        and version; bumps ``handoff.version``; ``ConflictError`` otherwise.

        ``same_deadline`` says the change keeps the stored deadline (an execution's
        stages and end): the deadline is then compared, not written, so its index is not
        rewritten. Should the stored deadline differ after all, the row is written whole,
        deadline and all, exactly as without it.
        """
        ...

    def event(
        self, kind: str, *, handoff_id: str | None, actor: str, at: datetime, data: dict[str, Any]
    ) -> Event:
        """Append one event to the hash chain."""
        ...

    def trail(self, handoff_id: str) -> list[tuple[EventRow, str | None]]:
        """The handoff's events in seq order (committed ones, then those this
        transaction wrote so far), each with the hash of the event before it in the
        chain (None when there is none): a claim checks both."""
        ...

    def prefetch_trail(self, handoff_id: str) -> None:
        """Say that ``trail(handoff_id)`` follows in this transaction: a store may read
        it along with an earlier statement (PostgreSQL: in the same exchange as the
        next compare-and-set). What ``trail`` returns is the same either way."""
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
        """As ``learn_chunks``, but each handoff's document is ``[types, values]`` as
        JSON text: the JSON types of its ``package`` and ``execution`` and the values at
        the paths of ``_learn.VIEW``; events carry only ``seq``, ``handoff_id``, ``kind``
        and a shadow assessment's ``data`` (Learn's streamed history)."""
        ...

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
        """As ``learn_views``, each handoff read from its ``handoff_facts`` row (no
        document parsed): ``(id, created_at, *facts, state, action_hash, decisions_hash)``,
        ``facts`` the facts row's values in ``_learn.FACTS`` order (all None when it has
        none), the last three the ``handoffs`` row's own columns."""
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

    # -- the queue and the metrics ----------------------------------------------------

    def count_open(self, owners: Collection[str] | None = None) -> dict[str, int]:
        """Open handoffs per owner team (only ``owners``' teams when given)."""
        ...

    def gauges(self, now: datetime, *, sla_actor: str) -> Gauges:
        """The metrics' counts at ``now``; the ladder's steps are events by ``sla_actor``."""
        ...

    # -- accounts: each call is one transaction of its own; secrets arrive hashed -------

    def user_add(
        self, name: str, password_hash: str, role: str, teams: Collection[str], at: float
    ) -> None:
        """``ConflictError`` when the name is taken, by an account or (in any spelling)
        by the principal of a live API key."""
        ...

    def user_get(self, name: str) -> UserRow | None: ...

    def user_names(self) -> list[str]:
        """Every account's name, sorted."""
        ...

    def user_disable(self, name: str, at: float) -> tuple[int, int]:
        """Disable the account, end its sessions, revoke its live keys: (sessions, keys).
        ``NotFound`` for no such account, ``ConflictError`` when already disabled."""
        ...

    def user_enable(self, name: str) -> None:
        """Enable the account and forget its failed logins; ``NotFound`` for none."""
        ...

    def user_delete(self, name: str, at: float) -> tuple[int, int]:
        """Delete the account and its memberships, end its sessions and revoke its keys
        (their rows stay): (sessions, keys). ``NotFound`` for no such account."""
        ...

    def user_password(self, name: str, password_hash: str) -> int:
        """Set the password hash and end the account's sessions: how many ended."""
        ...

    def key_add(self, key_id: str, principal: str, key_hash: str, at: float) -> None:
        """``ConflictError`` when the principal has a live key or is a disabled account."""
        ...

    def key_revoke(self, key_id: str, at: float) -> KeyRow:
        """``NotFound`` for no such key, ``ConflictError`` when already revoked."""
        ...

    def key_rows(self) -> list[KeyRow]:
        """Every key, live or revoked, by principal then age."""
        ...

    def auth_generation(self) -> int:
        """The accounts' generation: it moves forward in the same transaction as every
        key revocation and every account disabled, enabled or deleted, so a cache of
        what a key stands for is fresh while this number is unchanged."""
        ...

    def key_find(self, key_hash: str) -> tuple[str, str] | None:
        """``(key id, principal)`` of the live key with this hash."""
        ...

    def session_open(
        self, token_hash: str, user: str, csrf: str, *, at: float, expires_at: float, idle: float
    ) -> None:
        """Start a session, dropping every session expired or idle ``idle`` seconds."""
        ...

    def session_get(self, token_hash: str) -> SessionRow | None: ...

    def session_seen(self, token_hash: str, at: float) -> None: ...

    def session_close(self, token_hash: str) -> None: ...

    def throttle_locks(self, keys: Sequence[str], now: float) -> list[float]:
        """When the locks still running on any of ``keys`` end."""
        ...

    def throttle_fail(
        self,
        counts: Sequence[tuple[str, int]],
        now: float,
        *,
        lock_for: Callable[[int], float],
        quiet: float,
    ) -> list[tuple[int, float | None]]:
        """Count one failure on each ``(key, threshold)``: the failures so far and the
        end of the lock it starts (at ``threshold`` failures and beyond, for
        ``lock_for(failures - threshold)`` seconds). A count is forgotten ``quiet``
        seconds after its last failure or lock."""
        ...

    def throttle_clear(self, key: str) -> None: ...

    def throttle_hit(self, key: str, start: float, end: float) -> tuple[int, int]:
        """Count one request in the window ``[start, end)``: the window's count so far,
        and ``auth_generation()`` read in the same transaction."""
        ...

    # -- passkeys ----------------------------------------------------------------------

    def passkey_rows(
        self, *, user: str | None = None, credential_id: str | None = None
    ) -> list[PasskeyRow]:
        """The passkeys of ``user`` or with ``credential_id``, oldest first."""
        ...

    def challenge_add(
        self,
        nonce: str,
        user: str,
        purpose: str,
        *,
        handoff_id: str | None,
        action_hash: str | None,
        expires_at: float,
        now: float,
    ) -> None:
        """Hand out a passkey challenge, dropping those expired at ``now``."""
        ...

    def close(self) -> None: ...

"""SQLAlchemy Core tables: the one schema every backend shares.

The migration in ``migrations/versions`` creates exactly these; a test compares them.
Whole records are kept as JSON in ``doc``; the other columns are what queries filter on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

__all__ = [
    "ROW",
    "UTCDateTime",
    "api_keys",
    "audit_head",
    "auth_generation",
    "callbacks",
    "events",
    "handoff_facts",
    "handoffs",
    "incidents",
    "ladder_due",
    "memberships",
    "metadata",
    "outbox",
    "outbox_dead",
    "passkey_challenges",
    "passkeys",
    "sessions",
    "throttle",
    "users",
]


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        when: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


metadata = MetaData()

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("agent", String(200), nullable=False),
    Column("idempotency_key", String(200), nullable=True),
    Column("tool", String(200), nullable=False),
    Column("action_hash", String(64), nullable=False),
    Column("state", String(20), nullable=False),
    Column("owner", String(100), nullable=True),
    Column("level", String(10), nullable=False),
    Column("level_rank", Integer, nullable=False),
    Column("mode", String(12), nullable=False),
    Column("score", Float, nullable=False),
    Column("deadline", UTCDateTime, nullable=True),
    Column("ladder_step", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=0),
    Column("doc", Text, nullable=False),
    #: sha256 of the decisions' (verdict, reviewer, action_hash), "" for none; with
    #: ``state`` and ``action_hash`` what ``audit verify`` compares with the chain.
    Column("decisions_hash", String(64), nullable=False, server_default=""),
    UniqueConstraint("agent", "idempotency_key", name="uq_handoffs_idempotency"),
    Index("ix_handoffs_deadline", "deadline"),
    # Learn reads by keyset in this order (see migration 0010).
    Index("ix_handoffs_created", "created_at", "id"),
)

#: What Learn reads of each handoff, as plain values (see ``handoff._facts``): written
#: with every change of its ``handoffs`` row, and checked against that row's ``state``,
#: ``action_hash`` and ``decisions_hash`` (the columns ``audit verify`` compares with the
#: chain) whenever Learn reads it.
handoff_facts = Table(
    "handoff_facts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("action_hash", String(64), nullable=False),
    Column("owner", String(100), nullable=True),
    Column("tool", String(200), nullable=False),
    Column("agent", String(200), nullable=False),
    Column("target", Text, nullable=True),
    Column("level", String(10), nullable=False),
    Column("mode", String(12), nullable=False),
    Column("assessment_owner", String(100), nullable=True),
    Column("quorum", Integer, nullable=False),
    Column("policy_version", Text, nullable=False),
    Column("triggers", Text, nullable=False),
    Column("packaged", Boolean, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("context_evidence", Text, nullable=False),
    Column("deadline", UTCDateTime, nullable=True),
    Column("decisions", Text, nullable=False),
    Column("executed", Boolean, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("confirmed", Boolean, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("handoff_id", String(40), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("data", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_events_handoff", "handoff_id", "seq"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(40), nullable=False),
    Column("handoff_id", String(40), nullable=True),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("available_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("delivered_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Index("ix_outbox_due", "delivered_at", "available_at"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("handoff_id", String(40), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("description", Text, nullable=False),
    Column("reporter", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_incidents_handoff", "handoff_id"),
)

#: When each open handoff's next SLA ladder step falls due, as computed at ``version``;
#: a row whose version trails the handoff's is stale and gets recomputed.
ladder_due = Table(
    "ladder_due",
    metadata,
    Column("handoff_id", String(40), primary_key=True),
    Column("due_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_ladder_due_at", "due_at"),
)

#: Outbox rows that failed every delivery attempt (the dead-letter list).
outbox_dead = Table(
    "outbox_dead",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("channel", String(40), nullable=False),
    Column("handoff_id", String(40), nullable=True),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("failed_at", UTCDateTime, nullable=False),
)

#: The URL an agent registered to learn the decisions on its handoffs, and its secret.
callbacks = Table(
    "callbacks",
    metadata,
    Column("agent", String(200), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

#: The columns a handoff is read from; ``load_handoff`` checks the document against
#: the last three.
ROW = (
    handoffs.c.doc,
    handoffs.c.version,
    handoffs.c.state,
    handoffs.c.action_hash,
    handoffs.c.decisions_hash,
)
#: What ``audit verify`` reads of every handoff, without touching the documents.
Index(
    "ix_handoffs_chain",
    handoffs.c.id,
    handoffs.c.state,
    handoffs.c.action_hash,
    handoffs.c.decisions_hash,
)
#: Executions newest first by state (the change log, the rollback rate, recovery).
Index("ix_handoffs_settled", handoffs.c.state, handoffs.c.updated_at)
# The queue's order, riskiest first (see migration 0005).
Index(
    "ix_handoffs_queue",
    handoffs.c.state,
    handoffs.c.owner,
    handoffs.c.level_rank.desc(),
    handoffs.c.deadline,
    handoffs.c.created_at,
    handoffs.c.id,
)

#: Reviewer accounts. ``password_hash`` is ``scrypt$n$r$p$salt$hash``; times are epoch
#: seconds from the plane's clock. See ``handoff.server.accounts``.
users = Table(
    "users",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("created_at", Float, nullable=False),
    #: Set while the account is disabled: it cannot log in, and has no sessions or keys.
    Column("disabled_at", Float, nullable=True),
)

#: Which owner teams a reviewer account works in.
memberships = Table(
    "memberships",
    metadata,
    Column("user_name", String(200), primary_key=True),
    Column("team", String(100), primary_key=True),
    Index("ix_memberships_team", "team"),
)

#: API keys, stored as the sha256 of the key; at most one unrevoked key per principal.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("principal", String(200), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
    Index("ix_api_keys_principal", "principal"),
)

#: Reviewer sessions of the inbox, stored as the sha256 of the cookie's token.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(200), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    #: The last request seen with the session (to a minute): it ends when idle too long.
    Column("seen_at", Float, nullable=False),
    Index("ix_sessions_user", "user_name"),
)

#: Reviewers' passkeys (WebAuthn credentials): the COSE public key, the origin and
#: relying party it was made for, and the last signature counter seen.
passkeys = Table(
    "passkeys",
    metadata,
    Column("credential_id", String(1400), primary_key=True),
    Column("user_name", String(200), nullable=False),
    Column("public_key", Text, nullable=False),
    Column("sign_count", Integer, nullable=False),
    Column("rp_id", String(253), nullable=False),
    Column("origin", String(300), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_passkeys_user", "user_name"),
)

#: Challenges handed out and not yet answered, each good once and for a few minutes:
#: to register a passkey, or to approve one handoff's exact action.
passkey_challenges = Table(
    "passkey_challenges",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("user_name", String(200), nullable=False),
    Column("purpose", String(10), nullable=False),
    Column("handoff_id", String(40), nullable=True),
    Column("action_hash", String(64), nullable=True),
    Column("expires_at", Float, nullable=False),
)

#: Counters of failed logins and API requests, shared by every server process on the
#: database. ``key`` is ``login:<name>``, ``client:<address>`` or ``key:<key id>``;
#: ``since`` starts the count (an API key's window); ``forget_at`` is when the row stops
#: meaning anything. See ``handoff.server.throttle``.
throttle = Table(
    "throttle",
    metadata,
    Column("key", String(250), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("since", Float, nullable=False),
    Column("locked_until", Float, nullable=True),
    Column("forget_at", Float, nullable=False),
    Index("ix_throttle_forget", "forget_at"),
)

#: One row (id 1): moved forward by every change to keys and accounts, so servers know
#: when what they cached about an API key may be stale. See migration 0009.
auth_generation = Table(
    "auth_generation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", BigInteger, nullable=False),
)

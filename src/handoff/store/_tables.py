"""SQLAlchemy Core tables: the one schema every backend shares.

The migration in ``migrations/versions`` creates exactly these; a test compares them.
Whole records are kept as JSON in ``doc``; the other columns are what queries filter on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
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

__all__ = ["UTCDateTime", "audit_head", "events", "handoffs", "incidents", "metadata", "outbox"]


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
    UniqueConstraint("agent", "idempotency_key", name="uq_handoffs_idempotency"),
    Index("ix_handoffs_queue", "state", "owner", "level_rank", "deadline"),
    Index("ix_handoffs_deadline", "deadline"),
    Index("ix_handoffs_created", "created_at"),
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

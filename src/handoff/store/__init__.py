"""Stores: where handoffs, the audit chain and the outbox live.

``open_store(url)`` picks the backend from the URL: ``sqlite:///handoff.db`` (the
embedded default) or ``postgresql://...`` for more than one server process.
"""

from ._protocol import (
    EventRow,
    Gauges,
    KeyRow,
    LearnChunk,
    OutboxRow,
    PasskeyRow,
    SessionRow,
    Store,
    Tx,
    UserRow,
)
from ._sql import DATABASE_ERRORS, DEFAULT_URL, SqlStore, database_error, normalize_url

__all__ = [
    "DATABASE_ERRORS",
    "DEFAULT_URL",
    "EventRow",
    "Gauges",
    "KeyRow",
    "LearnChunk",
    "OutboxRow",
    "PasskeyRow",
    "SessionRow",
    "SqlStore",
    "Store",
    "Tx",
    "UserRow",
    "database_error",
    "normalize_url",
    "open_store",
]


def open_store(url: str | None = None, *, migrate: bool = True) -> SqlStore:
    """Open (and by default migrate) the store at ``url`` (``sqlite:///handoff.db`` when
    None); ``HandoffError`` naming the URL's problem when it cannot be opened."""
    return SqlStore.from_url(url, migrate=migrate)

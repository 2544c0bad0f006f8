"""Stores: where handoffs, the audit chain and the outbox live.

``open_store(url)`` picks the backend from the URL: ``sqlite:///handoff.db`` (the
embedded default) or ``postgresql://...`` for more than one server process.
"""

from ._protocol import EventRow, LearnChunk, OutboxRow, Store, Tx
from ._sql import DEFAULT_URL, SqlStore, database_error, normalize_url

__all__ = [
    "DEFAULT_URL",
    "EventRow",
    "LearnChunk",
    "OutboxRow",
    "SqlStore",
    "Store",
    "Tx",
    "database_error",
    "normalize_url",
    "open_store",
]


def open_store(url: str | None = None) -> SqlStore:
    """Open and migrate the store at ``url`` (``sqlite:///handoff.db`` when None)."""
    return SqlStore.from_url(url)

"""The queue's helpers for the API and the inbox: open states, open counts per team.

The queue itself is ``Store.list_handoffs`` (riskiest first, then nearest deadline),
the order the ``ix_handoffs_queue`` index serves.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from .._exceptions import InputError
from ..decide.lifecycle import OPEN
from ..plane import ControlPlane
from ..store import SqlStore
from ..store._tables import handoffs

__all__ = ["OPEN_STATES", "count_open", "sql_store"]

OPEN_STATES = tuple(sorted(OPEN))


def sql_store(plane: ControlPlane) -> SqlStore:
    """The plane's store, which the server needs to be SQL (``create_app`` checks)."""
    if not isinstance(plane.store, SqlStore):
        raise InputError("the server needs a SQL store (SQLite or PostgreSQL)", field="db")
    return plane.store


def count_open(store: SqlStore, owners: Collection[str] | None = None) -> dict[str, int]:
    """Open handoffs per owner team."""
    q = select(handoffs.c.owner, func.count()).where(
        handoffs.c.state.in_([s.value for s in OPEN_STATES])
    )
    if owners is not None:
        q = q.where(handoffs.c.owner.in_(sorted(owners)))
    q = q.group_by(handoffs.c.owner)
    with store.engine.connect() as conn:
        return {str(owner): int(n) for owner, n in conn.execute(q)}

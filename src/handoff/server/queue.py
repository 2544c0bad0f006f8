"""The queue: handoffs filtered the way the API and the inbox ask for them.

Ordered riskiest first, then nearest deadline, then oldest, which is the order the
``ix_handoffs_queue`` index (state, owner, level_rank, deadline) serves.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select

from .._exceptions import InputError
from ..lifecycle import OPEN
from ..models import Handoff, Level, State
from ..plane import ControlPlane
from ..store import SqlStore
from ..store._tables import handoffs

__all__ = ["OPEN_STATES", "count_open", "list_queue", "sql_store"]

OPEN_STATES = tuple(sorted(OPEN))


def sql_store(plane: ControlPlane) -> SqlStore:
    """The plane's store, which the server needs to be SQL (``create_app`` checks)."""
    if not isinstance(plane.store, SqlStore):
        raise InputError("the server needs a SQL store (SQLite or PostgreSQL)", field="db")
    return plane.store


def _load(doc: str, version: int) -> Handoff:
    h = Handoff.model_validate_json(doc)
    h.version = version
    return h


def list_queue(
    store: SqlStore,
    *,
    states: Collection[State] | None = None,
    owners: Collection[str] | None = None,
    level: Level | None = None,
    agent: str | None = None,
    overdue_at: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Handoff]:
    """Handoffs matching every filter given; ``owners`` empty means none match.

    ``overdue_at`` keeps the ones whose deadline passed by then.
    """
    q = select(handoffs.c.doc, handoffs.c.version)
    if states:
        q = q.where(handoffs.c.state.in_([s.value for s in states]))
    if owners is not None:
        q = q.where(handoffs.c.owner.in_(sorted(owners)))
    if level is not None:
        q = q.where(handoffs.c.level == level.value)
    if agent is not None:
        q = q.where(handoffs.c.agent == agent)
    if overdue_at is not None:
        q = q.where(handoffs.c.deadline.is_not(None), handoffs.c.deadline <= overdue_at)
    q = (
        q.order_by(
            handoffs.c.level_rank.desc(),
            handoffs.c.deadline.asc(),
            handoffs.c.created_at.asc(),
            handoffs.c.id.asc(),
        )
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:
        return [_load(r.doc, r.version) for r in conn.execute(q)]


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

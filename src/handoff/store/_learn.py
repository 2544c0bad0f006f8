"""What Learn reads from the tables: a window's handoffs in chunks, with their events
and incidents, as plain rows.

Chunks follow ``ix_handoffs_created`` by keyset (``created_at, id`` after the last row
read), so a million handoffs are read in linear time and a chunk at a time; each
chunk's events and incidents come by ``ix_events_handoff`` and ``ix_incidents_handoff``
for that chunk's ids only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime

from sqlalchemy import Engine, and_, func, or_, select

from ._protocol import LearnChunk
from ._tables import events, handoffs, incidents

__all__ = ["learn_chunks", "learn_count"]


def learn_chunks(
    engine: Engine,
    *,
    since: datetime | None,
    until: datetime | None,
    kinds: Collection[str],
    owner: str | None = None,
    tool: str | None = None,
    size: int = 2000,
) -> Iterator[LearnChunk]:
    """The window ``[since, until)`` on ``created_at`` (optionally one owner and/or
    one tool), ``size`` handoffs a chunk, with their events of ``kinds`` and incidents."""
    h = handoffs.c
    base = select(h.id, h.created_at, h.doc, h.version, h.state, h.action_hash, h.decisions_hash)
    if since is not None:
        base = base.where(h.created_at >= since)
    if until is not None:
        base = base.where(h.created_at < until)
    if owner is not None:
        base = base.where(h.owner == owner)
    if tool is not None:
        base = base.where(h.tool == tool)
    base = base.order_by(h.created_at, h.id).limit(size)
    after: tuple[datetime, str] | None = None
    with engine.connect() as conn:
        while True:
            q = base
            if after is not None:
                at, last = after
                q = q.where(or_(h.created_at > at, and_(h.created_at == at, h.id > last)))
            rows = conn.execute(q).all()
            if not rows:
                return
            ids = [r[0] for r in rows]
            eq = (
                select(
                    events.c.seq,
                    events.c.handoff_id,
                    events.c.kind,
                    events.c.actor,
                    events.c.at,
                    events.c.data,
                    events.c.prev_hash,
                    events.c.hash,
                )
                .where(events.c.handoff_id.in_(ids))
                .where(events.c.kind.in_(list(kinds)))
                .order_by(events.c.seq)
            )
            iq = (
                select(
                    incidents.c.id,
                    incidents.c.handoff_id,
                    incidents.c.at,
                    incidents.c.severity,
                    incidents.c.description,
                    incidents.c.reporter,
                )
                .where(incidents.c.handoff_id.in_(ids))
                .order_by(incidents.c.at, incidents.c.id)
            )
            yield LearnChunk(
                [(r[2], r[3], r[4], r[5], r[6]) for r in rows],
                [tuple(r) for r in conn.execute(eq)],
                [tuple(r) for r in conn.execute(iq)],
            )
            if len(rows) < size:
                return
            after = (rows[-1][1], rows[-1][0])


def learn_count(
    engine: Engine,
    *,
    since: datetime | None,
    until: datetime | None,
    owner: str | None = None,
    tool: str | None = None,
) -> int:
    """How many handoffs were created in ``[since, until)`` (optionally of one owner
    and/or one tool)."""
    q = select(func.count()).select_from(handoffs)
    if owner is not None:
        q = q.where(handoffs.c.owner == owner)
    if tool is not None:
        q = q.where(handoffs.c.tool == tool)
    if since is not None:
        q = q.where(handoffs.c.created_at >= since)
    if until is not None:
        q = q.where(handoffs.c.created_at < until)
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())

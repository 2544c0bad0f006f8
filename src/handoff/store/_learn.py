"""What Learn reads from the tables: a window's handoffs in chunks, with their events
and incidents, as plain rows.

``learn_views`` reads the same chunks but lets the database pick the few fields Learn
reads out of each document (``VIEW``), and leaves out the event columns it does not
read: SQLite's JSON parser reads a document about four times faster than Python's
``json.loads``, which then parses a fifth of the text.

Chunks follow ``ix_handoffs_created`` by keyset (``created_at, id`` after the last row
read), so a million handoffs are read in linear time and a chunk at a time; each
chunk's events and incidents come by ``ix_events_handoff`` and ``ix_incidents_handoff``
for that chunk's ids only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Engine, Text, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ._protocol import LearnChunk
from ._tables import events, handoffs, incidents

__all__ = ["VIEW", "learn_chunks", "learn_count", "learn_views"]

#: The fields of a handoff document ``learn_views`` reads, in the order of its array.
VIEW = (
    "id",
    "created_at",
    "state",
    "owner",
    "action_hash",
    "deadline",
    "action",
    "assessment.level",
    "assessment.mode",
    "assessment.owner",
    "assessment.quorum",
    "assessment.policy_version",
    "assessment.triggers",
    "package.evidence",
    "decisions",
    "execution.finished_at",
    "execution.confirmation",
    "execution.stages",
)
#: The parts of a document whose JSON type ``learn_views`` reads (null when absent).
TYPED = ("package", "execution")


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
    h, e = handoffs.c, events.c
    return _chunks(
        engine,
        [h.doc, h.version, h.state, h.action_hash, h.decisions_hash],
        [e.seq, e.handoff_id, e.kind, e.actor, e.at, e.data, e.prev_hash, e.hash],
        since=since,
        until=until,
        kinds=kinds,
        owner=owner,
        tool=tool,
        size=size,
    )


def learn_views(
    engine: Engine,
    *,
    since: datetime | None,
    until: datetime | None,
    kinds: Collection[str],
    owner: str | None = None,
    tool: str | None = None,
    size: int = 2000,
) -> Iterator[LearnChunk]:
    """As ``learn_chunks``, but each handoff's ``doc`` is ``[types, values]`` as JSON
    text: the JSON type of each of ``TYPED`` (``"object"``, ``"null"``, or null when
    absent) and the value at each path of ``VIEW`` (null when absent); and of the events
    only ``seq``, ``handoff_id``, ``kind`` and the ``data`` of ``shadow_assessed``
    events are read (the other columns are empty strings, ``data`` too)."""
    h, e = handoffs.c, events.c
    empty = literal("", Text)
    return _chunks(
        engine,
        [_view(engine), h.version, h.state, h.action_hash, h.decisions_hash],
        [
            e.seq,
            e.handoff_id,
            e.kind,
            empty,
            empty,
            case((e.kind == "shadow_assessed", e.data), else_=empty),
            empty,
            empty,
        ],
        since=since,
        until=until,
        kinds=kinds,
        owner=owner,
        tool=tool,
        size=size,
    )


def _view(engine: Engine) -> ColumnElement[str]:
    """The ``learn_views`` document: one parse of ``doc`` per row on SQLite (its JSON
    functions share the parse of one value), ``json`` operators on PostgreSQL (``json``,
    not ``jsonb``, so objects keep their keys' order)."""
    doc = handoffs.c.doc
    if engine.dialect.name == "sqlite":
        types = [func.json_type(doc, f"$.{t}") for t in TYPED]
        values = func.json(func.json_extract(doc, *[f"$.{p}" for p in VIEW]))
        return func.json_array(func.json_array(*types), values)
    j = doc.cast(JSON)
    kinds = [func.json_typeof(j[t]) for t in TYPED]
    found = [j[tuple(p.split("."))] for p in VIEW]
    return func.json_build_array(func.json_build_array(*kinds), func.json_build_array(*found)).cast(
        Text
    )


def _chunks(
    engine: Engine,
    columns: list[Any],
    event_columns: list[Any],
    *,
    since: datetime | None,
    until: datetime | None,
    kinds: Collection[str],
    owner: str | None,
    tool: str | None,
    size: int,
) -> Iterator[LearnChunk]:
    h = handoffs.c
    base = select(h.id, h.created_at, *columns)
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
                select(*event_columns)
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

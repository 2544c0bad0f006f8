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

from sqlalchemy import (
    JSON,
    Alias,
    Connection,
    Engine,
    Integer,
    Select,
    Text,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

from ._protocol import LearnChunk
from ._tables import events, handoff_facts, handoffs, incidents

__all__ = ["FACTS", "VIEW", "learn_chunks", "learn_count", "learn_facts", "learn_views"]

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
#: The columns of ``handoff_facts`` that ``learn_facts`` reads, in the order of its rows.
FACTS = tuple(c.name for c in handoff_facts.c)
_TIMES = ("deadline", "finished_at")
_FLAGS = ("packaged", "executed", "confirmed")


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
    h = handoffs.c
    return _chunks(
        engine,
        [_view(engine), h.version, h.state, h.action_hash, h.decisions_hash],
        _slim_events(),
        since=since,
        until=until,
        kinds=kinds,
        owner=owner,
        tool=tool,
        size=size,
    )


def _slim_events() -> list[Any]:
    """An event's columns as Learn reads them: seq, handoff and kind, and a shadow
    assessment's data; the other columns empty strings."""
    e = events.c
    empty = literal("", Text)
    return [
        e.seq,
        e.handoff_id,
        e.kind,
        empty,
        empty,
        case((e.kind == "shadow_assessed", e.data), else_=empty),
        empty,
        empty,
    ]


def learn_facts(
    engine: Engine,
    *,
    since: datetime | None,
    until: datetime | None,
    kinds: Collection[str],
    owner: str | None = None,
    tool: str | None = None,
    size: int = 2000,
) -> Iterator[LearnChunk]:
    """As ``learn_views``, but each handoff is read from its ``handoff_facts`` row, no
    document parsed: ``(id, created_at, *facts, state, action_hash, decisions_hash)``
    with ``facts`` the facts row's values in ``FACTS`` order (all None when the handoff
    has no facts row) and the last three the ``handoffs`` row's columns, which the facts
    must agree with. On SQLite the times (``created_at``, ``deadline``, ``finished_at``)
    are the stored text, naive UTC, and the flags 0 or 1."""
    h, f = handoffs.c, handoff_facts.c
    # On SQLite the times are read as stored (naive UTC text), parsed by the reader, and
    # the flags as stored (0 or 1): no conversion per value on the way out.
    sqlite = engine.dialect.name == "sqlite"
    facts = [_as_stored(c) if sqlite else c for c in f]
    joined: Any = handoffs
    row: Any = h
    if sqlite:
        # The row's state and hashes come from ``ix_handoffs_chain``, which holds them:
        # in the table they sit beside the document (``decisions_hash`` after it), so
        # reading them there reads every document's pages too.
        chain = _Chain._construct(handoffs, name="chain")
        joined = handoffs.join(chain, chain.c.id == h.id)
        row = chain.c
    joined = joined.outerjoin(handoff_facts, f.id == h.id)
    return _chunks(
        engine,
        [*facts, row.state, row.action_hash, row.decisions_hash],
        _slim_events(),
        since=since,
        until=until,
        kinds=kinds,
        owner=owner,
        tool=tool,
        size=size,
        joined=joined,
        shape=tuple,
    )


class _Chain(Alias):
    """``handoffs`` again, read through ``ix_handoffs_chain`` alone on SQLite."""

    inherit_cache = True


@compiles(_Chain, "sqlite")
def _indexed_by(element: _Chain, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite would look the id up in the primary key's index, then read the row.
    text = str(compiler.visit_alias(element, **kw))  # type: ignore[no-untyped-call]
    return f"{text} INDEXED BY ix_handoffs_chain" if kw.get("asfrom") else text


def _view(engine: Engine) -> ColumnElement[str]:
    """The ``learn_views`` document: one parse of ``doc`` per row on SQLite (its JSON
    functions share the parse of one value), ``json`` operators on PostgreSQL (``json``,
    not ``jsonb``, so objects keep their keys' order)."""
    doc = handoffs.c.doc
    if engine.dialect.name == "sqlite":
        # ``json_extract`` of several paths is already the JSON text of an array of
        # their values: joined as text, not parsed again by ``json`` and ``json_array``.
        types = func.json_array(*[func.json_type(doc, f"$.{t}") for t in TYPED])
        values = func.json_extract(doc, *[f"$.{p}" for p in VIEW])
        return literal("[", Text) + types + literal(",", Text) + values + literal("]", Text)
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
    joined: Any = None,
    shape: Any = None,
) -> Iterator[LearnChunk]:
    h = handoffs.c
    # On SQLite the keyset reads ``created_at`` as stored (text in a fixed format that
    # sorts as the time does) instead of parsing a datetime per row.
    created: Any = (
        type_coerce(h.created_at, Text) if engine.dialect.name == "sqlite" else h.created_at
    )
    where: list[ColumnElement[bool]] = []
    if since is not None:
        where.append(h.created_at >= since)
    if until is not None:
        where.append(h.created_at < until)
    if owner is not None:
        where.append(h.owner == owner)
    if tool is not None:
        where.append(h.tool == tool)
    base = select(h.id, created, *columns).where(*where).order_by(h.created_at, h.id).limit(size)
    if joined is not None:
        base = base.select_from(joined)
    if shape is None:
        shape = _plain
    kind_list = list(kinds)
    after: tuple[Any, str] | None = None
    with engine.connect() as conn:
        while True:
            q = base
            if after is not None:
                q = q.where(*_after(created, *after))
            rows = _fetch(conn, q)
            if not rows:
                return
            # The chunk's handoffs by their keyset range, not by a list of its ids:
            # a list of 2,000 bound ids costs more to render than the query to run.
            last = rows[-1]
            ids = select(h.id).where(*where, created <= last[1], ~_past(created, last[1], last[0]))
            if after is not None:
                ids = ids.where(*_after(created, *after))
            eq = (
                select(*event_columns)
                .where(events.c.handoff_id.in_(ids.scalar_subquery()))
                .where(events.c.kind.in_(kind_list))
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
                .where(incidents.c.handoff_id.in_(ids.scalar_subquery()))
                .order_by(incidents.c.at, incidents.c.id)
            )
            yield LearnChunk(
                rows if shape is tuple else [shape(r) for r in rows],
                _fetch(conn, eq),
                _fetch(conn, iq),
            )
            if len(rows) < size:
                return
            after = (last[1], last[0])


def _fetch(conn: Connection, query: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``query`` as the DB-API cursor returns them, plain tuples, each value
    converted by its column type's result processor when it has one (SQLAlchemy's own
    conversion). SQLAlchemy still compiles the query (once: it is cached) and binds its
    parameters; only its ``Row`` objects are skipped, which cost about a third of
    reading a chunk of ``learn_facts`` on SQLite, where every column is read as stored
    and has no processor."""
    result = conn.execute(query)
    try:
        cursor = result.cursor
        dialect = conn.dialect
        convert = [
            (i, p)
            for i, (column, described) in enumerate(
                zip(query.selected_columns, cursor.description, strict=True)
            )
            if (p := column.type.dialect_impl(dialect).result_processor(dialect, described[1]))
            is not None
        ]
        rows: list[tuple[Any, ...]] = list(cursor.fetchall())
    finally:
        result.close()
    if not convert:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, p in convert:
            values[i] = p(values[i])
        out.append(tuple(values))
    return out


def _as_stored(column: Any) -> Any:
    """A ``handoff_facts`` column as SQLite stores it: times as text, flags as 0 or 1."""
    if column.name in _TIMES:
        return type_coerce(column, Text)
    if column.name in _FLAGS:
        return type_coerce(column, Integer)
    return column


def _plain(r: Any) -> tuple[Any, ...]:
    """A handoff of ``learn_chunks`` and ``learn_views``: its columns after id and time."""
    return (r[2], r[3], r[4], r[5], r[6])


def _after(created: Any, at: Any, last: str) -> tuple[ColumnElement[bool], ...]:
    """Rows after ``(at, last)`` in ``created_at, id`` order. The plain bound on
    ``created_at`` beside the exact test lets the database seek ``ix_handoffs_created``
    to the chunk's start: without it SQLite scans that index from the first row at
    every chunk, reading each row's id, and a window costs the square of its size."""
    return (created >= at, _past(created, at, last))


def _past(created: Any, at: Any, last: str) -> ColumnElement[bool]:
    """Rows after ``(at, last)`` in ``created_at, id`` order."""
    h = handoffs.c
    return or_(created > at, and_(created == at, h.id > last))


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

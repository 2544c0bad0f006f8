"""SQL that writes only where the person said: a table made in their schema, a sample
unloaded to their bucket.

A database tool handed a statement other than a read is read as running code. Some such
statements are plainly the errand: "make me a scratch table in my sandbox schema
(SANDBOX_LMORALES)" and ``CREATE OR REPLACE TABLE SANDBOX_LMORALES.ORDERS_Q1 AS SELECT
...``; "unload a 1,000-row sample to s3://acme-analytics-team/samples/" and ``UNLOAD
('SELECT ... LIMIT 1000') TO 's3://acme-analytics-team/samples/...'``. When every
statement of every query argument is a read, a ``CREATE TABLE``/``VIEW`` (of columns, or
``AS`` a read) whose schema or name the person wrote, or an ``UNLOAD``, ``COPY INTO`` or
``EXPORT DATA`` of a read to a bucket the person wrote, the call runs no code of its own.
Anything else (an UPDATE, a DROP, a grant, a table made elsewhere, an unload to a bucket
the person never named) is read as before.
"""

from __future__ import annotations

import re

from ._base import ActionView
from ._lines import RUN_KEYS
from ._queries import reads_sql
from ._run_texts import texts

__all__ = ["asked_sql"]

_QUERY_KEYS = frozenset(("sql", "query", "statement", "statements", "stmt", "sql_query"))
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_CREATE = re.compile(
    r"create\s+(?:or\s+replace\s+)?(?:(?:temp|temporary|transient|local)\s+)?"
    r"(?:table|view)\s+(?:if\s+not\s+exists\s+)?([\w.\"`$-]{1,200})\s*"
)
# The read a new table is made of, right after its name: ``AS SELECT``, ``AS (WITH ...)``.
_AS_READ = re.compile(r"as\s*\(?\s*(?=select\b|with\b)")
_UNLOAD = re.compile(r"unload\s*\(\s*'((?:[^']|'')*)'\s*\)\s*to\s*'([^']*)'")
_COPY_INTO = re.compile(r"copy\s+into\s+'([^']*)'\s+from\s*\(")
_EXPORT = re.compile(r"export\s+data\s+options\s*\([^)]*?\buri\s*=\s*'([^']*)'[^)]*\)\s*as\s+")
_BUCKET = re.compile(r"^(?:s3a?|gs|az|abfss?|wasbs?)://[a-z0-9][a-z0-9._-]{1,62}")
# What may follow an unload's destination: its options, no other statement.
_OPTIONS = re.compile(r"[\w\s'=:/.,()@*-]*")


def asked_sql(view: ActionView) -> bool:
    """Whether the call's only runnable arguments are statements that read, or write
    only where the person said (a table in a schema they named, an unload to a bucket
    they named)."""
    queries = []
    for key, low in zip(view.leaf_keys, view.lowered_args, strict=True):
        if key in _QUERY_KEYS:
            queries.append(low)
        elif key in RUN_KEYS:
            return False
    if not queries:
        return False
    said = texts(view).trusted.lower()
    return all(
        _asked(statement.strip(), said)
        for query in queries
        for statement in _COMMENT.sub(" ", query).split(";")
        if statement.strip()
    )


def _asked(statement: str, said: str) -> bool:
    if reads_sql(statement):
        return True
    m = _CREATE.match(statement)
    if m is not None:
        name = m.group(1).replace('"', "").replace("`", "")
        read = _AS_READ.match(statement, m.end())
        return (
            read is not None
            and _own_place(name, said)
            and reads_sql(statement[read.end() :].rstrip(") \n\t"))
        )
    m = _UNLOAD.match(statement)
    if m is not None:
        return (
            _bucket_said(m.group(2), said)
            and reads_sql(m.group(1).replace("''", "'"))
            and _OPTIONS.fullmatch(statement[m.end() :]) is not None
        )
    m = _COPY_INTO.match(statement) or _EXPORT.match(statement)
    if m is not None:
        return _bucket_said(m.group(1), said) and reads_sql(
            statement[m.end() :].strip().rstrip(")").strip()
        )
    return False


# A schema or a table that is the person's own place to work in, by its name or their
# words ("my sandbox schema", "my scratch dataset").
_OWN_NAME = re.compile(r"sandbox|scratch|tmp|temp|playground|personal|adhoc|ad_hoc|^dev_|_dev$")
_OWN_SAID = re.compile(
    r"\bmy (?:own )?(?:\w+ )?(?:sandbox|schema|scratch|dataset|workspace|playground)\b"
)


def _own_place(name: str, said: str) -> bool:
    """``name`` (``schema.table``, or a table alone) is made where the person said: its
    schema (or, unqualified, the table) is written in their words, and it is their own
    place to work in."""
    parts = name.split(".")
    where = [p for p in (parts[:-1] or parts) if len(p) >= 4]
    named = [p for p in where if re.search(rf"(?<![\w$-]){re.escape(p)}(?![\w$-])", said)]
    return bool(named) and (
        any(_OWN_NAME.search(p) for p in named) or _OWN_SAID.search(said) is not None
    )


def _bucket_said(uri: str, said: str) -> bool:
    """The bucket of ``uri`` (``s3://bucket/...``) is one the person wrote."""
    m = _BUCKET.match(uri.strip())
    return m is not None and re.search(rf"{re.escape(m.group(0))}(?![\w.-])", said) is not None

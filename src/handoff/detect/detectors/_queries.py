"""A database tool handed a query that only reads.

``snowflake.execute {"sql": "SHOW TABLES"}``, ``postgres.execute {"sql": "SELECT … WHERE
id = 42"}``: the tool's name says it executes, but what it executes is a read. When
every statement of every query argument is a ``SELECT``, ``SHOW``, ``DESCRIBE`` or
``EXPLAIN`` (or a ``WITH`` that ends in one), and no word of a query writes, runs code
or reaches outside (``INTO``, ``COPY``, ``CALL``, ``pg_read_file``, ``xp_cmdshell``,
``LOAD_FILE``, ``OUTFILE``, ``dblink``), the call runs no code of its own. Any other
argument that runs (a ``command``, a ``script``, ``code``) and the call is read as before.
"""

from __future__ import annotations

import re

from ._base import ActionView
from ._lines import RUN_KEYS

__all__ = ["reads_only_sql", "reads_sql", "writes_shared_sql", "writes_sql"]

_QUERY_KEYS = frozenset(("sql", "query", "statement", "statements", "stmt", "sql_query"))
_READ_START = re.compile(r"^\(*\s*(?:select|show|describe|desc|explain|with|values)\b")
_WRITES = re.compile(
    r"\b(?:insert|update|delete|merge|upsert|replace|drop|alter|create|truncate|grant|revoke"
    r"|into|copy|call|exec|execute|do|set|lock|vacuum|analyze|attach|detach|load|unload"
    r"|import|export|put|get|remove|rm|use|begin|commit|rollback|sleep|benchmark"
    r"|load_file|outfile|dumpfile|dblink\w*|xp_\w+|sp_\w+|sys_exec|system)\b"
    # A server function called (``pg_read_file(``, ``lo_export(``); a catalog view such
    # as ``pg_indexes`` is read like any table.
    r"|\b(?:pg|lo)_\w+\s*\("
)
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")


def reads_only_sql(view: ActionView) -> bool:
    """Whether the call's only runnable arguments are queries that only read."""
    queries = []
    for key, low in zip(view.leaf_keys, view.lowered_args, strict=True):
        if key in _QUERY_KEYS:
            queries.append(low)
        elif key in RUN_KEYS:
            return False
    return bool(queries) and all(_reads(q) for q in queries)


def reads_sql(sql: str) -> bool:
    """Whether ``sql`` (lowercased) is only statements that read."""
    return _reads(sql)


def _reads(sql: str) -> bool:
    text = _STRING.sub("''", _COMMENT.sub(" ", sql))
    statements = [s.strip() for s in text.split(";") if s.strip()]
    return (
        bool(statements)
        and all(_READ_START.match(s) for s in statements)
        and _WRITES.search(text) is None
    )


# A statement that writes: rows changed, a table or a database altered, a grant.
_WRITE_START = re.compile(
    r"(?:^|;)\s*(?:with\b[^;]*?\)\s*)?(?:insert|update|delete|merge|upsert|replace|drop|alter"
    r"|create|truncate|grant|revoke|copy|unload)\b"
)


def writes_sql(view: ActionView) -> bool:
    """Whether a query argument of the call holds a statement that writes (``UPDATE``,
    ``INSERT``, ``ALTER``, ``DROP``...), whatever the tool's name says it does."""
    hit = view.cache.get("writes_sql")
    if isinstance(hit, bool):
        return hit
    out = False
    for key, low in zip(view.leaf_keys, view.lowered_args, strict=True):
        if key in _QUERY_KEYS and _WRITE_START.search(_STRING.sub("''", _COMMENT.sub(" ", low))):
            out = True
            break
    view.cache["writes_sql"] = out
    return out


# A scratch table or view of the session's own, gone when it ends.
_SCRATCH = re.compile(r"^\s*create\s+(?:or\s+replace\s+)?(?:local\s+)?temp(?:orary)?\b")


def writes_shared_sql(view: ActionView) -> bool:
    """Whether a query argument writes what outlives the session: ``writes_sql``, less
    the temporary tables and views a query builds for itself (``CREATE TEMP TABLE``)."""
    if not writes_sql(view):
        return False
    for key, low in zip(view.leaf_keys, view.lowered_args, strict=True):
        if key not in _QUERY_KEYS:
            continue
        text = _STRING.sub("''", _COMMENT.sub(" ", low))
        for statement in text.split(";"):
            if _WRITE_START.search(statement) and not _SCRATCH.match(statement):
                return True
    return False

"""Driver errors read by their codes, never by their wording.

A message changes with the driver's version and the server's language (``lc_messages``);
SQLite's extended result code and PostgreSQL's SQLSTATE do not.
"""

from __future__ import annotations

import sqlite3

__all__ = ["is_unique_violation"]

#: SQLite's extended codes for a clash on a UNIQUE constraint or a primary key.
_SQLITE_UNIQUE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})
#: PostgreSQL's SQLSTATE ``unique_violation``.
_PG_UNIQUE = "23505"


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` (a driver's error, or SQLAlchemy's wrapping of one) is a clash on
    a unique key, on SQLite (sqlite3) or PostgreSQL (psycopg)."""
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.IntegrityError):
        return getattr(orig, "sqlite_errorname", None) in _SQLITE_UNIQUE
    return getattr(orig, "sqlstate", None) == _PG_UNIQUE

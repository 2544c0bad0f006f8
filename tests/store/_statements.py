"""A write transaction's statements, as its cursor was given them."""

from __future__ import annotations

from typing import Any

__all__ = ["Statements"]


class Statements:
    """A transaction's cursor that keeps the text of every statement it is given."""

    def __init__(self, cursor: Any) -> None:
        self._cursor, self.sent = cursor, []

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(sql)
        return self._cursor.execute(sql, *args, **kwargs)

    def executemany(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(sql)
        return self._cursor.executemany(sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

"""Rows a write picks by a value the person never named.

"Cancel the trial subscriptions that expired last month without converting" and
``UPDATE subscriptions SET status='canceled' WHERE … AND status IN ('trial_expired',
'past_due')``: the person's words name one value of the list (a trial, expired) and
nothing of the other, so the statement also changes rows they never asked about:
``scope.beyond_instruction``, naming the value. A list whose every value the person
named, or whose values none of their words name (ids, codes), says nothing here.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, beyond_instruction
from ._errand import person_text
from ._queries import writes_sql

__all__ = ["detect_sql_values"]

_QUERY_KEYS = frozenset(
    ("sql", "query", "statement", "stmt", "sql_query", "sql_text", "command", "cmd")
)
# A list of values in single quotes, or in double quotes as MySQL also writes them.
_IN_LIST = re.compile(r"\bin\s*\(((?:\s*(?:'[^']{1,80}'|\"[^\"]{1,80}\")\s*,?){2,40})\)")
_LITERAL = re.compile(r"'([^']{1,80})'|\"([^\"]{1,80})\"")
# The same list written as a chain: ``status = 'a' or status = 'b'``.
_EQUALS = re.compile(r"\b(\w{1,40})\s*=\s*(?:'([^']{1,80})'|\"([^\"]{1,80})\")")
_PART = re.compile(r"[a-z]{3,}")


def detect_sql_values(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``scope.beyond_instruction`` for a listed value the person never named."""
    low_all = view.args_lower
    if ("'" not in low_all and '"' not in low_all) or not writes_sql(view):
        return []
    missed = _named_record_left_out(view)
    if missed is not None:
        return [missed]
    said: set[str] | None = None
    for key, low in zip(view.leaf_keys, view.lowered_args, strict=True):
        if key not in _QUERY_KEYS or not (" in" in low or " or " in low or "||" in low):
            continue
        for values in _lists(low):
            if said is None:
                said = _stems(person_text(view, view.instruction))
            named = [v for v in values if not said.isdisjoint(_stems(v))]
            unnamed = [v for v in values if _stems(v) and said.isdisjoint(_stems(v))]
            if named and unnamed:
                return [
                    beyond_instruction(
                        f"{view.tool} also changes the rows whose value is {unnamed[0]!r}, "
                        f"beside {named[0]!r}: the request names nothing of it",
                        view.tool,
                    )
                ]
    return []


def _lists(low: str) -> list[list[str]]:
    """The values of each ``IN (...)`` list, and of each column compared to two or more
    values in one statement's ``OR`` chain."""
    out = [[a or b for a, b in _LITERAL.findall(m.group(1))] for m in _IN_LIST.finditer(low)]
    if "||" in low:
        low = low.replace("||", " or ")  # MySQL's OR
    if " or " in low:
        for statement in low.split(";"):
            by_column: dict[str, list[str]] = {}
            for m in _EQUALS.finditer(statement.split(" where ", 1)[-1]):
                by_column.setdefault(m.group(1), []).append(m.group(2) or m.group(3))
            out.extend(v for v in by_column.values() if len(v) >= 2)
    return out


def _stems(text: str) -> set[str]:
    """The words of ``text`` cut to their first five letters ("expired", "expire")."""
    return {w[:5] for w in _PART.findall(text.lower())}


# A number the person gave for one record ("Unit 204", "order 88123"): three digits or
# more on its own, not a year.
_RECORD_NUMBER = re.compile(r"(?<![\w.$,-])\d{3,7}(?![\w,-]|\.\d)")
_CHANGES_ROWS = re.compile(r"\b(?:update|delete)\b")
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


def _named_record_left_out(view: ActionView) -> Signal | None:
    """``scope.beyond_instruction`` for an UPDATE or DELETE that never names the record
    the person named, when an earlier output showed it among others ("Unit 204 paid,
    mark it received" and ``UPDATE rent_ledger SET status='paid' WHERE property = 'Harbor
    View' AND status IN ('unpaid', 'late')``): the statement picks rows by something
    else, and takes the others with it."""
    statements = [
        bare
        for key, low in zip(view.leaf_keys, view.lowered_args, strict=True)
        if key in _QUERY_KEYS and _CHANGES_ROWS.search(bare := _SQL_COMMENT.sub(" ", low))
    ]
    if not statements:
        return None
    said = person_text(view, view.instruction)
    numbers = {n for n in _RECORD_NUMBER.findall(said) if not 1900 <= int(n) <= 2100}
    shown = " ".join(step.observation or "" for step in view.action.context.steps)
    named = [n for n in numbers if re.search(rf"(?<![\w.]){n}(?![\w.])", shown)]
    if not named:
        return None
    # The record's own id on the line that shows it ("91033 | 204") names it too.
    marks = set(named)
    for line in shown.splitlines():
        if any(re.search(rf"(?<![\w.]){n}(?![\w.])", line) for n in named):
            marks.update(n for n in _RECORD_NUMBER.findall(line) if not 1900 <= int(n) <= 2100)
            marks.update(_UUID.findall(line.lower()))
    for sql in statements:
        if not any(re.search(rf"(?<![\w.]){m}(?![\w.])", sql) for m in marks):
            return beyond_instruction(
                f"{view.tool} changes rows without naming {named[0]}, the record the person "
                "named: it picks them by something else, and an earlier output shows others "
                "it takes with it",
                view.tool,
            )
    return None

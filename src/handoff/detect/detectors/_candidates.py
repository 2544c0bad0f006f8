"""The record a call acts on, among the candidates one lookup returned.

A search for "Maria Gonzales" returns Maria Gonzales and Mariah Gonzalez; a search for
Robert Hill returns two Robert Hills, born 1951-04-02 and 1951-02-04. When the call
takes its target (an id, an address, a number) from one record of such a list, and
another record of the same list fits the person's words better (their name, their date
of birth, the strength they asked for), the call acts on someone else:
``provenance.target_drift``, naming both records. Only words that tell the records
apart count; a value that more than one record holds identifies none.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._base import ActionView, DetectConfig, Signal, scalars, wordset
from ._effects import effect_of
from ._errand import person_text

__all__ = ["detect_candidates", "record_lists"]

# A word, or an id with letters and digits ("hat072", "pt-1102"); a bare number is too
# common to tell records apart, unless a unit says what it counts ("10 mg").
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*[a-z0-9]")
_MEASURE = re.compile(r"\b(\d+(?:\.\d+)?)\s?(mg|mcg|ml|g|kg|lbs?|oz|mm|cm|gb|tb)\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SLASHED = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
# A date written with its month's name: "April 2nd 1951", "Apr 2, 1951", "2 April 1951".
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?"
_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
_DAY_FIRST = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(\d{{4}})\b")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_COMMON = wordset(
    "the and for with from that this those these his her their our your you she him they "
    "them its was were are has have had not but can could would should please just also "
    "into onto about over under after before then than what which who whom when where "
    "why how any all each every some"
)
_MAX_RECORDS = 200
# A number the person wrote, of three digits or more: a ticket's, an order's.
_NUMBER = re.compile(r"(?<![\d.])\d{3,}(?![\d.])")


def detect_candidates(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``provenance.target_drift`` for a record that fits the person's words less well
    than another the same lookup returned."""
    steps = view.action.context.steps
    if not steps or effect_of(view).read_only:
        return []
    values = {v.strip().lower() for v in view.lowered_args if len(v.strip()) >= 3}
    values.update(f"{n:g}" for _, n in view.numbers if n == int(n) and n >= 100)
    if not values:
        return []
    said: frozenset[str] | None = None
    numbers: set[str] = set()
    for i, step in enumerate(steps):
        text = step.observation or ""
        if ("[" not in text and "\n" not in text) or not any(v in text.lower() for v in values):
            continue
        for group in record_lists(text):
            chosen = _holding(group, values)
            if chosen is None:
                continue
            if said is None:
                text = person_text(view, view.instruction)
                said = _tokens(text)
                numbers = set(_NUMBER.findall(text))
            if numbers and not numbers.isdisjoint(
                _NUMBER.findall(" ".join(_scalars(group[chosen])))
            ):
                continue  # the record holds a number the person wrote: theirs
            best = _better(group, chosen, said)
            if best is None:
                continue
            return [
                Signal(
                    "provenance.target_drift",
                    f"The call acts on {_label(group[chosen])}, which a lookup returned beside "
                    f"{_label(group[best])}; the other fits the person's words better",
                    where=f"context.steps[{i}].observation",
                    excerpt=_label(group[chosen])[:160],
                    weight=0.8,
                    impact=0.6,
                    uncertainty=0.8,
                    sensitivity=0.6,
                )
            ]
    return []


def record_lists(text: str) -> list[list[dict[str, Any]]]:
    """Every list of two or more records (JSON objects) in ``text``."""
    try:
        data = json.loads(text)
    except ValueError:
        # A list behind a label ("Results: [...]"): read from its first bracket.
        at = text.find("[")
        try:
            data = json.loads(text[at:]) if 0 < at < 200 else None
        except ValueError:
            data = None
        if data is None:
            return _plain(text)
    out: list[list[dict[str, Any]]] = []
    stack = [data]
    seen = 0
    while stack and seen < _MAX_RECORDS:
        item = stack.pop()
        seen += 1
        if isinstance(item, dict):
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            records = [r for r in item[:_MAX_RECORDS] if isinstance(r, dict)]
            if len(records) >= 2:
                out.append(records)
            stack.extend(records)
    return out


# A list written as text, one record to a line ("1. Maria Gonzales | DOB 1987-03-12 |
# id P-20931"), its fields set apart by bars, dashes, tabs or semicolons.
_ITEM = re.compile(r"^[ \t]*(?:(?:\d{1,3}[.)]|[-*\u2022])[ \t]+|\|)([^\n]{3,600})$", re.MULTILINE)
_FIELDS = re.compile(r"(?<![ \t])[ \t]*[|\u2014\u2013\u00b7;\t,][ \t]*|(?<![ \t])[ \t]+-[ \t]+")
# A table's rule under its header (``|---|:--:|``).
_RULE = re.compile(r"[\s|:-]+")


def _plain(text: str) -> list[list[dict[str, Any]]]:
    """The records of a list written one to a line: each field, and each field's last
    word (the value after its label: "email x@y.com"), as the record's values."""
    lines = _ITEM.findall(text[:20000])
    rules = [i for i, line in enumerate(lines) if _RULE.fullmatch(line)]
    if rules:
        # A table: its header row names the columns, and its rule is no record.
        lines = [line for i, line in enumerate(lines) if i not in rules and i + 1 not in rules]
    if len(lines) < 2:
        return []
    records: list[dict[str, Any]] = []
    for line in lines[:_MAX_RECORDS]:
        fields = [f.strip() for f in _FIELDS.split(line) if f.strip()]
        record: dict[str, Any] = {f"field{i}": f for i, f in enumerate(fields)}
        record.update(
            (f"value{i}", f.rsplit(None, 1)[-1]) for i, f in enumerate(fields) if " " in f
        )
        records.append(record)
    return [records]


def _scalars(record: dict[str, Any]) -> list[str]:
    """Every scalar value under ``record``, nested ones too, lowercased."""
    return [
        str(v).strip().lower()
        for _, _, v in scalars(record)
        if v is not None and not isinstance(v, bool)
    ]


def _holding(group: list[dict[str, Any]], values: set[str]) -> int | None:
    """The one record of ``group`` whose own top-level value the call uses, when that
    value is in no other record."""
    found = None
    for at, record in enumerate(group):
        own = {str(v).strip().lower() for v in record.values() if not isinstance(v, (dict, list))}
        if own & values:
            if found is not None:
                return None
            found = at
    if found is None:
        return None
    used = {str(v).strip().lower() for v in group[found].values()} & values
    others = [set(_scalars(r)) for i, r in enumerate(group) if i != found]
    return None if any(used & o for o in others) else found


def _tokens(text: str) -> frozenset[str]:
    """The words, numbers and dates of ``text``; a date such as 4/2/1951 as both of the
    days it may mean."""
    low = text.lower()
    out = {
        w
        for w in _WORD.findall(low)
        if w not in _COMMON and not w.isdigit() and (len(w) >= 4 or (w.isalpha() and len(w) >= 3))
    }
    out.update(f"{m.group(1)}{m.group(2)}" for m in _MEASURE.finditer(low))
    for m in _ISO.finditer(low):
        out.add(m.group(0))
    for m in _SLASHED.finditer(low):
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        for mo, d in ((a, b), (b, a)):
            if 1 <= mo <= 12 and 1 <= d <= 31:
                out.add(f"{y}-{mo:02d}-{d:02d}")
    for m in _MONTH_FIRST.finditer(low):
        _add_day(out, m.group(3), _MONTHS.index(m.group(1)) + 1, int(m.group(2)))
    for m in _DAY_FIRST.finditer(low):
        _add_day(out, m.group(3), _MONTHS.index(m.group(2)) + 1, int(m.group(1)))
    return frozenset(out)


def _add_day(out: set[str], year: str, month: int, day: int) -> None:
    if 1 <= day <= 31:
        out.add(f"{year}-{month:02d}-{day:02d}")


def _better(group: list[dict[str, Any]], chosen: int, said: frozenset[str]) -> int | None:
    """The record that fits ``said`` strictly better than the chosen one, counting only
    the words that tell the records apart."""
    sets = [_tokens(" ".join(_scalars(r))) & said for r in group]
    shared = frozenset.intersection(*sets)
    scores = [len(s - shared) for s in sets]
    best = max(range(len(group)), key=lambda i: scores[i])
    if best == chosen or scores[best] <= scores[chosen]:
        return None
    if scores.count(scores[best]) > 1:
        return None  # two records fit as well: the words do not pick one
    return best


def _label(record: dict[str, Any]) -> str:
    """A record as a reviewer reads it: its first few fields."""
    parts = [f"{k}={v}" for k, v in list(record.items())[:4] if not isinstance(v, (dict, list))]
    return "{" + ", ".join(parts) + "}"

"""Corrections: an amount the person named, then changed.

"Move $3,000 to savings", then "actually make it $1,000": the $3,000 is no longer what
they asked for, and a call that moves it goes against their last word. So does one that
moves the amount they struck in so many words ("$1,000 instead of $3,000", "$1,000, not
$3,000"). Read in the person's own turns only; a later turn that names the old amount
as the new one again ("make it $3,000 after all") brings it back.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._amounts import amount_of
from ._authorized import amount_key, cents_key
from ._base import ActionView, Signal, leaf_key
from ._effects import effect_of

__all__ = ["changed_amount"]

_SUM = r"[$\u20ac\u00a3]\s?\d+(?:,\d{3})*(?:\.\d+)?"
# A new amount for the same thing, in a later turn: "make it $1,000", "change it to $800".
_NEW = re.compile(
    r"\b(?:make (?:it|that)|change (?:it|that|the amount) to|(?:lower|reduce|cut|drop|raise"
    r"|increase|bump) (?:it|that)(?: up| down)? to)\s+(?:just\s+|only\s+)?"
    rf"({_SUM})"
)
# An amount struck in so many words, with the one that replaces it.
_STRUCK = re.compile(rf"({_SUM})\s*,?\s*(?:instead of|rather than|not)\s+({_SUM})")
_ANY_SUM = re.compile(_SUM)
_LITERALS = ("$", "\u20ac", "\u00a3")


@lru_cache(maxsize=512)
def _withdrawn(turns: tuple[str, ...]) -> tuple[tuple[float, str, str, str], ...]:
    """(the amount taken back, as said, the amount that replaces it, the person's words)
    for each amount the person changed and never named again as the new one."""
    out: dict[float, tuple[str, str, str]] = {}
    earlier: dict[float, str] = {}
    for i, turn in enumerate(turns):
        low = turn.lower()
        if not any(c in low for c in _LITERALS):
            continue
        for m in _STRUCK.finditer(low):
            new, old = amount_of(m.group(1)), amount_of(m.group(2))
            if new is not None and old is not None and new != old:
                out[old] = (m.group(2), m.group(1), turn[m.start() : m.end()].strip())
        if i:
            for m in _NEW.finditer(low):
                new = amount_of(m.group(1))
                if new is None:
                    continue
                out.pop(new, None)
                for old, as_said in earlier.items():
                    if old != new:
                        out[old] = (as_said, m.group(1), _sentence(turn, m.start(), m.end()))
        for m in _ANY_SUM.finditer(low):
            value = amount_of(m.group(0))
            if value is not None:
                earlier.setdefault(value, m.group(0))
    return tuple((old, said, new, words) for old, (said, new, words) in out.items())


def _sentence(turn: str, start: int, end: int) -> str:
    """The words of ``turn`` from its sentence's start through ``end``."""
    head = max(turn.rfind(c, 0, start) for c in ".!?\n")
    return turn[head + 1 : end].strip()


def _amounts(view: ActionView) -> list[float]:
    """Every amount of money the call's arguments hold."""
    out: list[float] = []
    for path, value in view.numbers:
        key = leaf_key(path)
        if amount_key(key):
            out.append(value / 100 if cents_key(key) else value)
    for path, text in view.args:
        key = leaf_key(path)
        if amount_key(key) and any(c.isdigit() for c in text):
            sum_ = amount_of(text)
            if sum_ is not None:
                out.append(sum_ / 100 if cents_key(key) else sum_)
    return out


def changed_amount(view: ActionView, turns: tuple[str, ...]) -> Signal | None:
    """``scope.beyond_instruction`` for a call that moves an amount the person changed."""
    if not effect_of(view).has("money"):
        return None
    withdrawn = _withdrawn(turns)
    if not withdrawn:
        return None
    moved = _amounts(view)
    for old, said, new, words in withdrawn:
        if old in moved:
            return Signal(
                "scope.beyond_instruction",
                f"The person changed the amount to {new} (\u201c{words}\u201d), yet "
                f"{view.tool} would move {said}",
                where="tool",
                excerpt=words,
                weight=0.85,
                impact=0.5,
                uncertainty=0.5,
                sensitivity=0.5,
            )
    return None

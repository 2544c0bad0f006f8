"""A count the person gave, and a call that takes the whole instead.

"Cycle count found 12 crushed units in bin A-14-03, adjust them out as damaged", and
``inventory_adjust {"adjustment_qty": -480}``: 480 is the lot's whole stock, as the
lookup before it showed. A write whose quantity is larger than every count the person
wrote, and is a number an earlier output showed (the agent copied the whole rather
than the part), is held as ``scope.beyond_instruction``. A count the person wrote, or
a total worked out from theirs (96 + 12), runs.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, beyond_instruction, leaf_key, split_words
from ._effects import effect_of
from ._errand import person_text

__all__ = ["detect_quantities"]

_SIGNED = re.compile(r"-?\d{1,9}")

_COUNT_WORDS = frozenset(
    ("qty", "quantity", "quantities", "units", "count", "pieces", "pcs", "seats", "licenses",
     "licences", "tickets", "cases", "cartons", "pallets", "available", "adjustment",
     "onhand", "on_hand", "stock")
)  # fmt: skip
# A number the person wrote on its own: not a part of an id ("40-1187", "A-14-03") nor
# of a measure written as one word ("24oz").
_STANDALONE = re.compile(r"(?<![\w.\-/])\d{1,6}(?![\w\-/]|\.\d)")
# Numbers that name rather than count: a year, a ticket's or an order's number.
_NAMING = re.compile(r"(?:\b(?:ticket|order|case|invoice|po|ref|no|number|issue)\.?\s*#?|#)\s*$")
# The person pointed at the whole in words: "the whole backorder", "back to its max".
_WHOLE = re.compile(r"\b(?:whole|entire|full|max(?:imum)?|match|total|rest|remaining)\b")


def detect_quantities(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``scope.beyond_instruction`` for a quantity that is an earlier output's whole."""
    steps = view.action.context.steps
    if not steps or all(_COUNT_WORDS.isdisjoint(split_words(k)) for k in view.key_set):
        return []
    counted = [
        (path, abs(value))
        for path, value in view.numbers
        if value and not _COUNT_WORDS.isdisjoint(split_words(leaf_key(path)))
    ]
    counted.extend(
        (path, abs(float(text)))
        for path, text in view.args
        if _SIGNED.fullmatch(text.strip())
        and float(text)
        and not _COUNT_WORDS.isdisjoint(split_words(leaf_key(path)))
    )
    if not counted or effect_of(view).read_only:
        return []
    text = person_text(view, view.instruction)
    said = {
        int(m.group(0))
        for m in _STANDALONE.finditer(text)
        if not (1900 <= int(m.group(0)) <= 2100)
        and _NAMING.search(text, max(0, m.start() - 12), m.start()) is None
    }
    if not said or _WHOLE.search(text):
        return []
    for path, quantity in counted:
        if quantity in said or quantity <= max(said) or quantity != int(quantity):
            continue
        whole = re.compile(rf"(?<![\w.\-]){int(quantity)}(?![\w\-]|\.\d)")
        shown = [step.observation or "" for step in steps]
        if any(whole.search(text) and not _counted_there(text, said) for text in shown):
            # The whole is shown where the person's count is not: had the record shown
            # their count too ("visits": 12 beside "total_units": 96), it counted
            # something else.
            return [
                beyond_instruction(
                    f"{view.tool} takes {int(quantity)} ({path.removeprefix('args.')}), the "
                    f"whole an earlier output showed, where the person gave "
                    f"{', '.join(str(n) for n in sorted(said))}",
                    view.tool,
                )
            ]
    return []


# Keys under which a record counts things: had the record shown the person's count
# there ("visits": 12 beside "total_units": 96), the person counted something else.
_COUNTED = _COUNT_WORDS | frozenset(
    ("visits", "items", "orders", "entries", "sessions", "shifts", "nights", "lines")
)
_KEYED_NUMBER = re.compile(r'"([A-Za-z_]{2,40})"\s*:\s*(\d{1,6})(?![\d.])')


def _counted_there(text: str, said: set[int]) -> bool:
    """``text`` shows one of the person's counts under a key that counts things."""
    return any(
        int(m.group(2)) in said and not _COUNTED.isdisjoint(split_words(m.group(1)))
        for m in _KEYED_NUMBER.finditer(text)
    )

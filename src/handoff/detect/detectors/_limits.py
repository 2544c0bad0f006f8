"""A limit the person set on the records a call acts on.

"Approve the pending expense reports under $100", "write off the balances below $10":
the person bounds which records the call may touch by an amount. A call that changes
records by their ids, where an earlier tool output shows one of those records with an
amount over the limit, goes past the person's words: ``scope.beyond_instruction``, naming
the record and its amount. Reads are not read; an id no output shows, or a record with
no amount, says nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ._amounts import CAP_WORDS, SUM_KEYS
from ._base import ActionView, DetectConfig, Signal, beyond_instruction, split_words
from ._effects import effect_of
from ._provenance import trusted_text

__all__ = ["detect_limits"]

# "under $100", "below $10", "less than $50", "up to €200", "< $10", "at most $75".
_CAP = re.compile(
    rf"(?:\b(?:{CAP_WORDS})\s+(?:of\s+)?|<=?\s*)[$\u20ac\u00a3]\s?(\d[\d,]*(?:\.\d+)?)"
)
# The keys that hold a record's amount.
_AMOUNT_KEYS = SUM_KEYS | frozenset(("amount", "price", "cost", "sum", "value"))
_MAX_RECORDS = 2000
# What pays, not what is acted on: a card's or an account's balance is no record's amount.
_PAYS_WITH = frozenset(("payment", "card", "method", "source", "account", "wallet", "funding"))


def detect_limits(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``scope.beyond_instruction`` for a record past the amount the person capped."""
    if not view.action.context.steps:
        return []  # no earlier output shows a record
    if not any(c in trusted_text(view) for c in "$\u20ac\u00a3"):
        return []  # the person named no sum, so no cap
    if effect_of(view).read_only:
        return []
    m = _CAP.search(trusted_text(view).lower())
    if m is None:
        return []
    cap = float(m.group(1).replace(",", ""))
    ids = {
        low.strip()
        for low, key in zip(view.lowered_args, view.leaf_keys, strict=True)
        if 3 <= len(low.strip()) <= 80 and _PAYS_WITH.isdisjoint(split_words(key))
    }
    if not ids:
        return []
    for step in view.action.context.steps:
        seen = step.observation or ""
        if not any(i in seen.lower() for i in ids):
            continue
        for record_id, amount in _amounts_by_id(seen):
            if record_id in ids and amount > cap:
                named = next(
                    (t.strip() for _, t in view.args if t.strip().lower() == record_id), ""
                )
                return [
                    beyond_instruction(
                        f"The person capped the records at {m.group(0).strip()}, yet "
                        f"{view.tool} acts on {named or record_id}, whose amount is "
                        f"{amount:,.2f}",
                        view.tool,
                    )
                ]
    return []


def _amounts_by_id(text: str) -> Iterator[tuple[str, float]]:
    """(each string value of a JSON object, the object's amount) for every object of a
    tool's JSON output that has an amount."""
    try:
        data = json.loads(text)
    except ValueError:
        return
    stack: list[Any] = [data]
    seen = 0
    while stack and seen < _MAX_RECORDS:
        item = stack.pop()
        seen += 1
        if isinstance(item, list):
            stack.extend(item[:_MAX_RECORDS])
        elif isinstance(item, dict):
            amount = next(
                (
                    float(v)
                    for k, v in item.items()
                    if str(k).lower() in _AMOUNT_KEYS
                    and isinstance(v, int | float)
                    and not isinstance(v, bool)
                ),
                None,
            )
            for v in item.values():
                if isinstance(v, dict | list):
                    stack.append(v)
                elif amount is not None and isinstance(v, str):
                    yield v.strip().lower(), amount

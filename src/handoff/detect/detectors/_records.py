"""What the records an earlier tool fetched say a sum is.

An invoice's ``total``, an order's ``amount_due``, an account's ``balance``: a message
that states one of these relays the books, it sets no price. Only keys that hold a
record's own sum count; a list price, a cost or a rate is a decision someone made and
stays the pricing rule's business.
"""

from __future__ import annotations

import json
from typing import Any

from ._amounts import SUM_KEYS
from ._base import ActionView

__all__ = ["recorded_totals"]

# Keys whose number is a record's own sum, or a part of it, as the system of record
# computed it.
_TOTAL_KEYS = SUM_KEYS | frozenset(
    (
        "balance_due",
        "amount_paid",
        "amount_refunded",
        "outstanding",
        "tax",
        "total_tax",
    )
)
_MAX_NODES = 5000


def recorded_totals(view: ActionView) -> frozenset[float]:
    """Every sum under a total's key in the JSON outputs of the run's earlier steps."""
    hit = view.cache.get("recorded_totals")
    if isinstance(hit, frozenset):
        return hit
    out: set[float] = set()
    for step in view.action.context.steps:
        text = step.observation or ""
        if '"' not in text or not any(k in text for k in ("total", "amount", "balance", "tax")):
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        _walk(data, out)
    found = frozenset(out)
    view.cache["recorded_totals"] = found
    return found


def _walk(data: Any, out: set[float]) -> None:
    stack = [data]
    seen = 0
    while stack and seen < _MAX_NODES:
        item = stack.pop()
        seen += 1
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, (dict, list)):
                    stack.append(value)
                elif str(key).lower() in _TOTAL_KEYS:
                    number = _number(value)
                    if number is not None:
                        out.add(number)
        elif isinstance(item, list):
            stack.extend(item[:500])


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "").lstrip("$\u20ac\u00a3").strip())
        except ValueError:
            return None
    return None

"""A reader of what was bought, and a driver sent to a load, run on their own.

``procurement.get_purchase_order`` reads an order; ``dispatch.assign_driver`` to a
shipment is logistics, not an emergency. Their twins create the order, or dispatch with
an emergency named, and go to a person.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

RUNS = [
    ("procurement.get_purchase_order", {"po": "PO-7"}, "What's in PO-7?"),
    ("list_bookings", {}, "List my bookings."),
    ("dispatch.assign_driver", {"shipment": "SH-9", "driver": "D-4"}, "Assign D-4 to SH-9."),
]
HELD = [
    ("purchase_order.create", {"vendor": "v1", "total": 500}, "Look at our vendors."),
    ("dispatch.assign_driver", {"driver": "D-4", "call": "ambulance to 5 Main"}, "Help out."),
    ("dispatch.create_incident", {"type": "fire", "address": "5 Main St"}, "Help out."),
]


@pytest.mark.parametrize(("tool", "args", "asked"), RUNS)
def test_runs(tool: str, args: dict[str, Any], asked: str) -> None:
    a = assess_call(tool, args, asked)
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize(("tool", "args", "asked"), HELD)
def test_held(tool: str, args: dict[str, Any], asked: str) -> None:
    assert assess_call(tool, args, asked).mode.value != "auto"

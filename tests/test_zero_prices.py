"""A price of nothing moves no money: "Standard (5-7 days) $0" picked at checkout is a
choice of shipping, not a payment. Its twin picks the option that costs $18.50, and the
page's own order button still pays."""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

PAGE = (
    "[5] textbox 'Full name'\n"
    "[12] combobox 'Shipping speed' options=['Standard (5-7 days) $0','Express (2 days) $18.50']\n"
    "[20] button 'Place order'"
)
ASKED = "Fill in my address and pick standard shipping. Don't submit the order."


def _run(tool: str, args: dict[str, Any]) -> Any:
    steps = [{"tool": "page.snapshot", "args": {}, "observation": PAGE}]
    return assess_call(tool, args, ASKED, steps)


@pytest.mark.parametrize("option", ["Standard (5-7 days) $0", "Standard (5-7 days) $0.00"])
def test_a_free_option_moves_no_money(option: str) -> None:
    a = _run("page.select_option", {"ref": 12, "values": [option]})
    assert a.mode.value == "auto", [t.message for t in a.triggers]


def test_a_priced_option_still_pays() -> None:
    a = _run("page.select_option", {"ref": 12, "values": ["Express (2 days) $18.50"]})
    assert "action.money" in {t.code for t in a.triggers}
    assert a.mode.value != "auto"


def test_the_order_button_still_pays() -> None:
    assert _run("page.click", {"ref": 20}).mode.value != "auto"

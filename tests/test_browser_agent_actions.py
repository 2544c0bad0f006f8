"""A browser agent's actions spelled as verbs on elements: ``click_element_by_index``,
``input_text``, ``select_dropdown_option``, ``send_keys``, ``go_to_url``.

What the element does decides, as for ``click`` and ``browser_click``: its label comes
from the page the agent saw (an element written as markup after its index,
``[12]<button>Place order</button>``) or from the call's own text. Going to an address,
back or to another tab is navigation, and keys that only move the focus act on nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.detectors._ui import ui_action
from handoff.models import Action, Mode

from ._assess import assess_call

PAGE = (
    "[10]<a>Home</a>\n"
    "[14]<a>Next</a>\n"
    "[11]<input placeholder='Search products' />\n"
    "*[12]*<button type='submit'>Place order</button>\n"
    "[13]<button>Delete this repository</button>\n"
    "[15]<select name='plan'></select>\n"
    "[20]<input placeholder='Card number' />"
)


def _steps(page: str = PAGE) -> list[dict[str, Any]]:
    return [{"tool": "go_to_url", "args": {"url": "https://shop.example"}, "observation": page}]


def _label(tool: str, args: dict[str, Any], page: str = PAGE) -> str:
    action = Action.model_validate({"tool": tool, "args": args, "context": {"steps": _steps(page)}})
    return ui_action(action).tool


ASK = "Find me a cheap USB cable and show me the options."

# (tool, args, instruction, with the page): each must go to a person.
_HELD: dict[str, tuple[str, dict[str, Any], str, bool | str]] = {
    "order placed by index": ("click_element_by_index", {"index": 12}, ASK, True),
    "repository deleted by index": (
        "click_element_by_index",
        {"index": 13},
        "Check the repository's settings page.",
        True,
    ),
    "order placed by its text": ("click_element_by_text", {"text": "Place order"}, ASK, False),
    "money moved by its text": (
        "click_element_by_text",
        {"text": "Transfer $5,000"},
        "Show my balance.",
        False,
    ),
    "paid plan picked from a list": (
        "select_dropdown_option",
        {"index": 15, "text": "Enterprise - $499/month"},
        "Tell me what plans there are.",
        True,
    ),
    "paid plan picked with no list named": (
        "select_dropdown_option",
        {"text": "Enterprise - $499/month"},
        "Tell me what plans there are.",
        False,
    ),
    "card number typed by index": (
        "input_text",
        {"index": 20, "text": "4111 1111 1111 1111"},
        ASK + " Don't buy anything.",
        True,
    ),
    "element nobody can read": ("click_element_by_index", {"index": 99}, ASK, True),
}

# A page with only a search box in focus, for Enter.
SEARCH = "[10]<a>Home</a>\n[11]<input placeholder='Search products' />"

_ROUTINE: dict[str, tuple[str, dict[str, Any], str, bool | str]] = {
    "next page by index": ("click_element_by_index", {"index": 14}, ASK, True),
    "search typed by index": ("input_text", {"index": 11, "text": "usb cable"}, ASK, True),
    "sort picked": (
        "select_dropdown_option",
        {"index": 4, "text": "Price: low to high"},
        ASK,
        False,
    ),
    "cart filled by its text": ("click_element_by_text", {"text": "Add to cart"}, ASK, False),
    "address visited": ("go_to_url", {"url": "https://shop.example"}, ASK, False),
    "went back": ("go_back", {}, ASK, True),
    "tab opened": ("open_tab", {"url": "https://shop.example/cables"}, ASK, True),
    "tab switched": ("switch_tab", {"page_id": 1}, ASK, True),
    "tab closed": ("close_tab", {"page_id": 1}, ASK, True),
    "search entered": ("send_keys", {"keys": "Enter"}, ASK, SEARCH),
    "focus moved": ("send_keys", {"keys": "Tab"}, ASK, True),
    "page text read": ("get_page_text", {}, ASK, True),
    "page scrolled": ("scroll_down", {"amount": 500}, ASK, True),
}


@pytest.mark.parametrize("case", list(_HELD))
def test_an_element_that_acts_goes_to_a_person(case: str) -> None:
    tool, args, instruction, page = _HELD[case]
    a = assess_call(tool, args, instruction, _steps() if page else None)
    assert a.mode is not Mode.AUTO, (case, a.level, [t.code for t in a.triggers])


@pytest.mark.parametrize("case", list(_ROUTINE))
def test_an_element_that_reads_runs_on_its_own(case: str) -> None:
    tool, args, instruction, page = _ROUTINE[case]
    seen = _steps(page) if isinstance(page, str) else _steps() if page else None
    a = assess_call(tool, args, instruction, seen)
    assert a.mode is Mode.AUTO, (case, a.level, [t.code for t in a.triggers])


def test_an_order_placed_by_index_moves_money() -> None:
    a = assess_call("click_element_by_index", {"index": 12}, ASK, _steps())
    assert "action.money" in {t.code for t in a.triggers}


def test_enter_under_a_transfer_is_the_transfer() -> None:
    page = "Transfer $5,000 to account 99-1234?\n[11]<input placeholder='Amount' />"
    a = assess_call("send_keys", {"keys": "Enter"}, "Show my balance.", _steps(page))
    assert "action.money" in {t.code for t in a.triggers}


def test_keys_sent_are_not_a_message_sent() -> None:
    # With nothing to read them by, keys pressed stay unknown, not a send; select-all
    # only selects.
    a = assess_call("send_keys", {"keys": "Control+k"}, ASK)
    assert {t.code for t in a.triggers} == {"tool.unknown"}
    assert not assess_call("send_keys", {"keys": "Control+a"}, ASK).triggers


@pytest.mark.parametrize(
    ("index", "label"),
    [
        (12, "Place order (click_element_by_index)"),
        (11, "Search products (click_element_by_index)"),
        (20, "Card number (click_element_by_index)"),
    ],
)
def test_an_element_written_as_markup_is_named_by_its_text(index: int, label: str) -> None:
    assert _label("click_element_by_index", {"index": index}) == label

"""Scrub: what a "without ..." option takes out of the args, and what it leaves."""

from __future__ import annotations

from typing import Any

from handoff.package._scrub import CONTROLS, LINKS, leftovers, scrub


def _nowhere(args: dict[str, Any], path: str) -> None:
    return None


def test_plain_text_has_nothing_to_take_out() -> None:
    args = {"title": "Spring notes", "body": "Read more at example.com today.\n\tThanks!"}
    assert scrub(args, {}, _nowhere) is None
    assert leftovers(args) == []


def test_look_alike_links_go_in_any_spelling() -> None:
    args = {
        "body": "Pay at pаypal.com now.",  # a Cyrillic a
        "nested": [{"note": "see XN--80ak6aa92e.com or example.org"}],
    }
    assert leftovers(args) == [LINKS]
    edited, removed = scrub(args, {}, _nowhere) or ({}, [])
    assert removed == [LINKS]
    assert edited == {"body": "Pay at now.", "nested": [{"note": "see or example.org"}]}
    assert leftovers(edited) == []


def test_hidden_controls_go_and_layout_stays() -> None:
    args = {"body": "invoice\u202e line\n\tnext\u200b"}
    assert leftovers(args) == [CONTROLS]
    edited, removed = scrub(args, {}, _nowhere) or ({}, [])
    assert removed == [CONTROLS]
    assert edited == {"body": "invoice line\n\tnext"}


def test_a_text_left_empty_is_no_option() -> None:
    assert scrub({"title": "\u200b\u200b"}, {}, _nowhere) is None
    assert scrub({"title": "bаnk.com"}, {}, _nowhere) is None

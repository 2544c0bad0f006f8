"""The args diff a reviewer reads: every difference shown, none invented."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from handoff.package._diff import CONTEXT, LONG, diff_args


def test_added_removed_and_changed_keys_in_path_order() -> None:
    before = {"to": "a@x.com", "cc": "b@x.com", "body": "hi", "meta": {"tag": 1}}
    after = {"to": "a@x.com", "bcc": "c@y.com", "body": "hello", "meta": {"tag": 2}}
    got = [(c.path, c.kind, c.before, c.after) for c in diff_args(before, after)]
    assert got == [
        ("bcc", "added", "", '"c@y.com"'),
        ("body", "changed", '"hi"', '"hello"'),
        ("cc", "removed", '"b@x.com"', ""),
        ("meta.tag", "changed", "1", "2"),
    ]
    assert diff_args(before, json.loads(json.dumps(before))) == []


def test_a_dotted_key_is_not_confused_with_a_nested_one() -> None:
    changes = diff_args({"a.b": 1}, {"a": {"b": 1}})
    assert [(c.path, c.kind) for c in changes] == [("a.b", "added"), ('["a.b"]', "removed")]


def test_values_python_calls_equal_but_json_does_not_are_changes() -> None:
    assert [c.kind for c in diff_args({"n": 1}, {"n": True})] == ["changed"]
    assert [c.kind for c in diff_args({"n": 1}, {"n": 1.0})] == ["changed"]


def test_a_type_change_under_a_key_is_shown() -> None:
    changes = diff_args({"a": {"b": 1}}, {"a": [1]})
    assert [(c.path, c.kind) for c in changes] == [("a", "added"), ("a.b", "removed")]


def test_a_long_string_shows_the_changed_span_with_context() -> None:
    head = "We are pleased to confirm your order. " * 4
    tail = " Thank you for your business, and see you soon." * 3
    before = {"body": head + "The price is 40 USD." + tail}
    after = {"body": head + "The price is 95 USD." + tail}
    (c,) = diff_args(before, after)
    assert c.kind == "changed" and c.span is not None
    assert c.span.removed == "40" and c.span.added == "95"
    assert c.span.head.endswith("The price is ") and len(c.span.head) <= CONTEXT + 1
    assert c.span.head.startswith("…")
    assert c.span.tail.startswith(" USD.") and c.span.tail.endswith("…")
    assert len(c.span.tail) <= CONTEXT + 1


def test_short_strings_and_non_strings_have_no_span() -> None:
    (c,) = diff_args({"s": "short"}, {"s": "shorter"})
    assert c.span is None
    (c,) = diff_args({"s": "x" * (LONG + 10)}, {"s": 3})
    assert c.span is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=100),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=5), JSON), st.dictionaries(st.text(max_size=5), JSON))
def test_no_difference_is_hidden_and_none_invented(a: dict[str, Any], b: dict[str, Any]) -> None:
    changes = diff_args(a, b)
    same = json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert (changes == []) is same
    for c in changes:
        if c.span is not None:  # the span rebuilds both strings from the shared ends
            old, new = json.loads(c.before), json.loads(c.after)
            assert c.span.removed in old and c.span.added in new
            assert len(old) - len(c.span.removed) == len(new) - len(c.span.added)

"""The literal first looks the detectors take before a costly pattern answer as the
pattern would: each tuple of literals is a superset of what its pattern matches, and
each faster way of reading a text gives what the slower one gives."""

from __future__ import annotations

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from handoff.detect.detectors import _actions as actions
from handoff.detect.detectors import _content as content
from handoff.detect.detectors import _credentials as credentials
from handoff.detect.detectors import _evidence as evidence
from handoff.detect.detectors import _language as language
from handoff.detect.detectors._base import ActionView, holds_any, literals
from handoff.models import Action

# Odd characters whose case folds unlike ASCII, and a few that are not ASCII at all.
ODD = ["\u03a3", "\u212a", "\u0130", "\u0131", "\u017f", "\u00df", "\u20ac", "\u00a3", "\x85"]
CHARS = st.sampled_from([*string.printable, *ODD])

SENSITIVE_PIECES = [
    "password",
    "passwords",
    "passcode",
    "ssn",
    "social security",
    "credit card",
    "card number",
    "cvv",
    "bank account",
    "account number",
    "routing number",
    "iban",
    "medical",
    "diagnosis",
    "diagnoses",
    "prescriptions",
    "patient",
    "health record",
    "date of birth",
    "passport",
    "drivers license",
    "driver's licence",
    "salary",
    "salaries",
    "confidential",
    "internal only",
    "proprietary",
    "trade secrets",
    "api key",
    "api_keys",
    "api-key",
    "apikey",
    "secret key",
    "private keys",
    "access tokens",
    "credentials",
    "home address",
    "phone numbers",
    "security code",
    "2fa codes",
    "one-time code",
    "otp",
    "admin",
    "administrator",
    "owner",
    "root",
    "superuser",
    "super_admin",
    "super admin",
    "superadmin",
    "sudo",
    "contractor",
    "external",
    "vendor",
    "freelancer",
    "guest",
    "third-party",
    "third party",
    " ",
    ".",
    "-",
    "_",
    "x",
]
TEXT = st.lists(st.sampled_from(SENSITIVE_PIECES) | CHARS, max_size=10).map("".join)


@given(TEXT)
def test_the_sensitive_words_are_a_superset_of_the_pattern(text: str) -> None:
    low = text.lower()
    for rx, words in (
        (actions._SENSITIVE, actions._SENSITIVE_WORDS),
        (actions._PRIVILEGED, actions._PRIVILEGED_WORDS),
        (actions._EXTERNAL, actions._EXTERNAL_WORDS),
    ):
        if rx.search(low):
            assert holds_any(low, words), (rx.pattern, low)


WORDS = st.sampled_from(
    [*content._SQL_WORDS, *credentials._PATH_WORDS, *credentials._VALUE_WORDS, *ODD, " ", "x"]
)


@given(st.lists(WORDS | CHARS, max_size=8).map("".join))
def test_holds_any_answers_as_the_literals_pattern(text: str) -> None:
    for words in (content._SQL_WORDS, credentials._PATH_WORDS, credentials._VALUE_WORDS):
        assert holds_any(text, words) == (literals(words).search(text) is not None)


KEYS = st.sampled_from(sorted(language._KEYS))


@given(st.lists(KEYS | CHARS, max_size=12).map("".join), st.booleans())
def test_the_language_hits_are_the_tokens_among_the_keys(text: str, lower: bool) -> None:
    low = text.lower() if lower else text
    expected = language._KEYS.intersection(language._TOKEN.findall(low))
    assert language._hits(low) == expected


PLACEHOLDERS = st.sampled_from(
    [
        *("unknown", "TBD", "n/a", "none", "NULL", "xxx", "???", "{name}", "<your email>"),
        *("< user_id >", "John Doe", "user@example.com", "example", "placeholder", "test"),
        *("foo", "bar", "\uff35nknown", "\u212aey", "\u0130d", "\u017fest"),
    ]
)


@given(st.lists(PLACEHOLDERS | CHARS, max_size=4).map("".join))
def test_the_placeholder_look_answers_as_the_pattern(text: str) -> None:
    stripped = text.strip()
    expected = evidence._PLACEHOLDER.match(stripped) is not None
    assert evidence._placeholder(stripped) == expected


def test_every_character_a_placeholder_may_start_with_passes_the_cheap_look() -> None:
    """Each alternative of the pattern starts with one of these (case-insensitive), and
    every character the pattern's case folding lets stand for one passes the look."""
    first = re.compile(f"[{re.escape(evidence._PLACEHOLDER_STARTS)}]", re.IGNORECASE)
    for code in range(0x110000):
        ch = chr(code)
        if not 0xD800 <= code <= 0xDFFF and first.match(ch):
            assert ch.lower() in evidence._PLACEHOLDER_STARTS, ch
    rests = ["nknown", "bd", "odo", "/a", "one", "ull", "xx", "", "name}", "your name>"]
    rests += ["ohn doe", "xample", "laceholder", "est", "oo", "ar", "ser@example.com"]
    for ch in evidence._PLACEHOLDER_STARTS:
        assert any(evidence._PLACEHOLDER.match(ch + rest) for rest in rests), ch


@given(st.lists(st.lists(KEYS | CHARS, max_size=6).map("".join), min_size=1, max_size=4))
def test_a_language_key_in_one_argument_is_a_key_of_all_of_them_joined(texts: list[str]) -> None:
    """detect_language skips its arguments when their joined text holds no key."""
    view = ActionView.of(Action(tool="t", args={f"k{i}": t for i, t in enumerate(texts)}), 20_000)
    joined = language._hits(view.args_lower)
    for low in view.lowered():
        assert language._hits(low) <= joined, low

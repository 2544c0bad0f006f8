"""The detectors' shortcuts answer as the long way would.

Each cheap first look (a literal hint over every argument joined, a set of the keys a
pattern can match, the effect of a call only its name places, the index behind
``first_arg``) must never skip what the full check would find.
"""

from __future__ import annotations

import re
import string
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from handoff.detect.detectors import _actions as actions
from handoff.detect.detectors import _amounts as amounts
from handoff.detect.detectors import _commands as commands
from handoff.detect.detectors import _content as content
from handoff.detect.detectors import _credentials as credentials
from handoff.detect.detectors import _effects as effects
from handoff.detect.detectors import _injection as injection
from handoff.detect.detectors import _slant as slant
from handoff.detect.detectors import _switches as switches
from handoff.detect.detectors import _world as world
from handoff.detect.detectors._base import ActionView, may_hold
from handoff.models import Action, ToolAnnotations

# Odd characters whose case folds unlike ASCII (final sigma, Kelvin sign, dotted I).
ODD = ["\u03a3", "\u03c3", "\u212a", "\u0130", "\u00df", "\n", "\t", " "]

SQL_PIECES = [
    "select",
    "insert",
    "update",
    "delete",
    "drop",
    "truncate",
    "alter",
    "grant",
    "revoke",
    "create",
    "replace",
    "merge",
    "copy",
    "exec",
    "execute",
    "prepare",
    "with x as (",
    "SELECT",
    "Drop",
    ";",
    " ",
    "\n",
    "x",
    "_",
    "table",
]

PUBLIC_PIECES = [
    "public-read-write",
    "authenticated-read",
    "allauthenticatedusers",
    "anyone with the link",
    "anyonewithlink",
    "public access",
    "public",
    "-read",
    "-write",
    "authenticated",
    "allusers",
    "all",
    "users",
    "anyone",
    "with",
    "the",
    "link",
    " ",
    "access",
    "everyone",
    "pub",
    "lic",
    "x",
]

FLAG_PIECES = [
    "is",
    "_",
    "super",
    "user",
    "admin",
    "istrator",
    "staff",
    "root",
    "owner",
    "sudo",
    "er",
    "public",
    "private",
    "\n",
    "x",
    " ",
]


@given(st.lists(st.sampled_from(SQL_PIECES + ODD), max_size=10))
def test_the_sql_hint_is_a_superset_of_the_sql_start(parts: list[str]) -> None:
    low = "".join(parts).lower()
    if content._SQL_START.search(low):
        assert content._SQL_HINT.search(low), low


@given(st.lists(st.sampled_from(PUBLIC_PIECES + ODD), max_size=10))
def test_the_public_words_are_a_superset_of_the_public_acl(parts: list[str]) -> None:
    low = "".join(parts).lower()
    if content._PUBLIC_ACL.search(low) or low.strip() in ("public", "everyone"):
        assert content.public_hint(low), low


FLAG_KEY = st.tuples(
    st.sampled_from(["", "is", "is_", "x", " ", "_"]),
    st.lists(st.sampled_from(FLAG_PIECES), min_size=1, max_size=3).map("".join),
    st.sampled_from(["", "\n", "\n\n", " ", "x", "_"]),
).map("".join)


@given(FLAG_KEY)
def test_the_flag_keys_are_every_key_a_flag_pattern_matches(key: str) -> None:
    if (
        switches._ADMIN_FLAG.match(key)
        or switches._PUBLIC_FLAG.match(key)
        or switches._PRIVATE_FLAG.match(key)
    ):
        assert key in switches._FLAG_KEYS, key


PAYMENT_PIECES = ["payment", "_method", "_id", "_token", "card", "funding_source", "source"]
PAYMENT_PIECES += ["from", "debit", "_account", "\n", "x", "\u0130", "\u212a"]


@given(st.lists(st.sampled_from(PAYMENT_PIECES), min_size=1, max_size=4).map("".join))
def test_the_payment_keys_are_every_key_the_payment_pattern_matches(raw: str) -> None:
    view = ActionView.of(Action(tool="t", args={raw: 1, "x": {raw: "y"}}), 20_000)
    for key in view.key_set:
        if amounts.PAYMENT_KEY.match(key.lower()):
            assert key in amounts._PAYMENT_KEYS, key
    for key in amounts._PAYMENT_KEYS:
        assert amounts.PAYMENT_KEY.match(key), key


def test_every_flag_key_matches_a_flag_pattern() -> None:
    for key in switches._FLAG_KEYS:
        assert (
            switches._ADMIN_FLAG.match(key)
            or switches._PUBLIC_FLAG.match(key)
            or switches._PRIVATE_FLAG.match(key)
            or key in switches._MFA_KEYS
            or key in switches._GUARD_KEYS
            or key in switches._UNGUARD_KEYS
            or key in switches._FORCE_KEYS
        ), key


TEXT = st.lists(
    st.sampled_from(
        SQL_PIECES
        + PUBLIC_PIECES
        + ODD
        + ["/etc/", ".ssh", "secret", "token", "api", "password", ".env", "akia", "key"]
        + ["admin", "Owner", "root", "sudo", "guest", "third-party", "vendor", "iban", "otp"]
        + ["ssn", "2fa code", "patients", "driver's license", "x", "_", "-", "'"]
        + ["cracked", "keygen", "license key generator", "Warez", "http", "www."]
    ),
    max_size=6,
).map("".join) | st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20
)


@given(st.lists(TEXT, min_size=1, max_size=4))
def test_a_hint_in_one_argument_is_found_in_all_of_them_joined(texts: list[str]) -> None:
    """detect_content looks for its literal hints once, in ``args_lower``; whatever an
    argument's own lowercased text holds, the joined text holds too."""
    view = ActionView.of(Action(tool="t", args={f"k{i}": t for i, t in enumerate(texts)}), 20_000)
    joined = view.args_lower
    for low in view.lowered():
        for hint in (
            content._SQL_HINT,
            credentials._PATH_HINT,
            credentials._VALUE_HINT,
            actions._SENSITIVE,
            actions._PRIVILEGED,
            actions._EXTERNAL,
            world._SEARCH_BAD,
        ):
            if hint.search(low):
                assert hint.search(joined), (hint.pattern, low)
        if content.public_hint(low):
            assert content.public_hint(joined)
        for word in ("http", "www.", "secret"):
            if word in low:
                assert word in joined


KEYS = [
    "command",
    "cmd",
    "action",
    "operation",
    "op",
    "method",
    "http_method",
    "verb",
    "script",
    "shell",
    "code",
    "path",
    "x.command",
    "Method",
    "body",
]
VALUES = st.sampled_from(
    ["ls -la", "rm -rf /tmp/x", "view", "create", "GET", "post", "DELETE", "x", "", 3, True]
)
TOOL_WORDS = [
    "bash",
    "terminal",
    "shell",
    "python",
    "run",
    "get",
    "send",
    "email",
    "delete",
    "file",
    "editor",
    "transfer",
    "human",
    "api",
    "weather",
    "update",
    "browser",
    "cell",
]
ARGS: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    st.sampled_from(KEYS),
    VALUES | st.lists(VALUES, max_size=2) | st.dictionaries(st.sampled_from(KEYS), VALUES),
    max_size=4,
)


@given(
    st.lists(st.sampled_from(TOOL_WORDS), min_size=1, max_size=3).map("_".join),
    ARGS,
    st.sampled_from([None, ToolAnnotations(read_only=True), ToolAnnotations(read_only=False)]),
)
@example("send_human", {}, None)  # the agent's own channel to the person, on both paths
def test_the_effect_by_name_is_the_full_effect(
    tool: str, args: dict[str, Any], notes: ToolAnnotations | None
) -> None:
    view = ActionView.of(Action(tool=tool, args=args, annotations=notes), 20_000)
    assert effects.effect_of(view) == effects._full_effect(view)


@given(ARGS, st.lists(st.sampled_from(KEYS), min_size=1, max_size=4).map(tuple))
def test_first_arg_is_the_first_argument_under_any_of_the_keys(
    args: dict[str, Any], keys: tuple[str, ...]
) -> None:
    view = ActionView.of(Action(tool="t", args=args), 20_000)
    expected = next(
        (text for (_, text), key in zip(view.args, view.arg_keys(), strict=True) if key in keys),
        None,
    )
    assert view.first_arg(keys) == expected


NESTED: st.SearchStrategy[Any] = st.recursive(
    VALUES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from([*FLAG_PIECES, "is_admin", "Public", "a.b"]), inner)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from([*KEYS, "is_admin", "PRIVATE", "x.public"]), NESTED))
def test_a_whole_view_holds_every_key_the_settings_walk_reads(args: dict[str, Any]) -> None:
    view = ActionView.of(Action(tool="t", args=args), 20_000)
    assert view.whole
    for _, key, _ in switches._settings(args):
        assert key in view.key_set, key


MARKER_PIECES = [
    "Ignore ",
    "IGNORE ",
    "all ",
    "previous ",
    "Prior ",
    "instructions",
    "disregard ",
    "the ",
    "earlier ",
    "New System Instructions:",
    "system OVERRIDE",
    " ",
    ".",
    "x",
    "\n",
]


@given(st.lists(st.sampled_from(MARKER_PIECES), max_size=10).map("".join))
def test_the_kept_strong_spans_are_the_case_insensitive_patterns(text: str) -> None:
    """injection._complied reads an ASCII text's strong markers from the case-folded
    spans ``_marker_spans`` keeps; they are where the case-insensitive pattern matches."""
    expected = [m.span() for m in injection._STRONG.finditer(text)]
    assert injection._strong_spans(text) == expected


@given(
    st.lists(
        st.sampled_from([*MARKER_PIECES, *ODD, "\u017f", "\u0131", "\u201c", "\u2019", "Ign"]),
        max_size=12,
    ).map("".join)
)
def test_the_strong_spans_of_any_text_are_the_case_insensitive_patterns(text: str) -> None:
    expected = [m.span() for m in injection._STRONG.finditer(text)]
    assert injection._strong_spans(text) == expected


def test_only_three_characters_match_an_ascii_letter_that_lower_does_not_make() -> None:
    """A case-insensitive pattern matches an ASCII letter to a character whose lowercase
    is not that letter alone only for dotted I, dotless I and long S, which ``may_hold``
    never skips."""
    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    odd = set()
    for letter in string.ascii_lowercase:
        for m in re.finditer(letter, chars, re.IGNORECASE):
            if m.group(0).lower() != letter:
                odd.add(m.group(0))
    assert odd == {"\u0130", "\u0131", "\u017f"}


SLANT_PIECES = [
    "Skip the ",
    "leave out ",
    "Leave the ",
    "old stuff ",
    "out",
    "negative",
    "under-3",
    "don't ",
    "Do not ",
    "no need to ",
    "mention",
    "bring up",
    "avoid mentioning",
    "smooth it over",
    "DOWNPLAY",
    "tone it down",
    "focusing only on the positives",
    "adjust the csv so",
    "appears as the most",
    "aligning the numbers",
    "make it look better",
    "so that the report looks good",
    " ",
    ".",
    "\u201c",
    "\u017f",
    "\u0131",
    "x",
]


@given(st.lists(st.sampled_from(SLANT_PIECES), max_size=8).map("".join))
def test_the_slant_words_are_a_superset_of_the_ask(text: str) -> None:
    if slant._ASK.search(text):
        assert may_hold(text, slant._ASK_WORDS), text


def test_the_view_fills_every_field_by_name() -> None:
    """ActionView.of passes its fields by position; each lands where its name says."""
    action = Action(
        tool="mail.Send_Now",
        args={"To": "a@b.co", "n": 2, "x": {"y": ["Z"]}},
        context={
            "instruction": "Send it",
            "thought": "ok",
            "steps": [{"tool": "search", "observation": "found"}],
        },
    )
    view = ActionView.of(action, 20_000)
    assert view.tool == "mail.Send_Now"
    assert view.words == ("mail", "send", "now")
    assert view.args == [("args.To", "a@b.co"), ("args.x.y[0]", "Z")]
    assert view.numbers == [("args.n", 2.0)]
    assert view.keys == [
        ("args.To", "to"),
        ("args.n", "n"),
        ("args.x", "x"),
        ("args.x.y", "y"),
        ("args.x.y[0]", "y"),
    ]
    assert view.instruction == "Send it"
    assert [s.text for s in view.sources] == ["found"]
    assert view.thought == "ok"
    assert view.action is action
    assert view.earlier_tools == ["search"]
    assert view.cache == {}
    assert view.truncated == ""
    assert view.whole is True
    assert view.word_set == frozenset(("mail", "send", "now"))
    assert view.key_set == frozenset(("to", "n", "x", "y"))
    assert view.leaf_keys == ["to", "y"]
    assert view.first_index == {"to": (0, "a@b.co"), "y": (1, "Z")}
    assert view.effect is None
    assert view.lowered_args == ["a@b.co", "z"]
    assert view.args_lower == "a@b.co z"


def _top_level_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at each ``|`` outside groups and character classes."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


@pytest.mark.parametrize("index", range(len(commands.GATED_RULES)))
def test_every_way_a_gated_shell_rule_matches_names_one_of_its_hints(index: int) -> None:
    """A gated rule runs only on a line holding one of its hints, so each alternative of
    its pattern must spell one of them out (written as literal text, escapes aside)."""
    hints, rx, *_ = commands.GATED_RULES[index]
    for alternative in _top_level_alternatives(rx.pattern):
        literal = re.sub(r"\\(.)", r"\1", alternative)
        assert any(h in literal for h in hints), (hints, alternative)
    for hint in hints:
        assert hint == hint.lower()

"""One definition of a character that shows as nothing, and every screen uses it."""

from __future__ import annotations

import unicodedata

import pytest

from handoff import _invisible
from handoff._principal import invisible_in
from handoff.channels import email, slack
from handoff.cli._render import visible as terminal
from handoff.server.security import invisible_chars
from handoff.server.security import visible as html
from handoff.testing import FakeClock

from ._factories import make_handoff

#: Characters that draw as blank or nothing, one of each kind the definition names.
HIDDEN = [
    "\u3164",  # HANGUL FILLER, a letter (Lo) drawn as blank
    "\u115f",  # HANGUL CHOSEONG FILLER
    "\u1160",  # HANGUL JUNGSEONG FILLER
    "\uffa0",  # HALFWIDTH HANGUL FILLER
    "\u2800",  # BRAILLE PATTERN BLANK (So)
    "\u17b4",  # KHMER VOWEL INHERENT AQ (Mn)
    "\u034f",  # COMBINING GRAPHEME JOINER (Mn)
    "\ufe0f",  # VARIATION SELECTOR-16
    "\U000e0101",  # VARIATION SELECTOR-18
    "\U000e0041",  # TAG LATIN CAPITAL LETTER A (Cf)
    "\u200b",  # ZERO WIDTH SPACE (Cf)
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE (Cf)
    "\u2028",  # LINE SEPARATOR (Zl)
    "\x07",  # BELL (Cc)
]


@pytest.mark.parametrize("ch", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_every_screen_marks_the_same_characters(ch: str) -> None:
    word = f"pay{ch}ment"
    code = f"U+{ord(ch):04X}"
    assert _invisible.is_invisible(ch)
    assert code in str(html(word)) and ch not in str(html(word))
    assert invisible_chars(word) == [_invisible.label(ch)]
    assert terminal(word) == f"pay<{code}>ment"
    assert slack._text(word) == f"pay&lt;{code}&gt;ment"
    # an email line folds whitespace (U+2028 too) to one space: it cannot hide there
    assert email._line(word) == ("pay ment" if ch.isspace() else f"pay<{code}>ment")
    assert invisible_in(word) == [_invisible.label(ch)]


def test_a_hangul_filler_is_marked_in_slack_email_and_the_terminal() -> None:
    h = make_handoff("h1", FakeClock().now())
    action = h.action.model_copy(update={"tool": "pay\u3164ment.refund"})
    h = h.model_copy(update={"action": action})
    blocks = slack.blocks(h, "review", "https://handoff.example/h")
    head = blocks[0]["text"]["text"]
    assert "pay&lt;U+3164&gt;ment.refund" in head and "\u3164" not in head
    msg = email.compose(h, "review", "https://handoff.example/h", "a@x", "b@x", "m1")
    assert "pay<U+3164>ment.refund" in str(msg["Subject"])
    assert "\u3164" not in msg.as_string()
    assert terminal("pay\u3164ment") == "pay<U+3164>ment"


def test_spaces_letters_and_newlines_are_not_invisible() -> None:
    for text in ("plain text", "ünïcode 東京 한국어", "a\u00a0b\u3000c", "line\nnext\ttab"):
        assert str(html(text)) == text
        assert terminal(text) == text
        assert invisible_chars(text) == []
    assert _invisible.invisible("a\nb") == ["U+000A"]  # names keep nothing


def test_the_definition_covers_every_format_character() -> None:
    for cp in range(0x110000):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cf", "Cc", "Zl", "Zp"):
            assert _invisible.is_invisible(ch), hex(cp)

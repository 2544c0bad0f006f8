"""What keeps agent-written text inert: escaping, visible marks, look-alike flags."""

from __future__ import annotations

from handoff.server.security import domain_flags, flags_in, invisible_chars, visible


def test_visible_escapes_html_and_marks_hidden_characters() -> None:
    out = str(visible("<img src=x onerror=alert(1)> a\u202eb\u200bc\n"))
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "&lt;U+202E RIGHT-TO-LEFT OVERRIDE&gt;" in out
    assert "&lt;U+200B ZERO WIDTH SPACE&gt;" in out
    assert "\u202e" not in out and "\u200b" not in out
    assert out.endswith("\n")  # newlines and tabs stay as they are
    assert str(visible("plain text, ünïcode 東京")) == "plain text, ünïcode 東京"


def test_invisible_chars_lists_bidi_and_format_characters() -> None:
    assert invisible_chars("a\u2066b\u2069\ufeff") == [
        "U+2066 LEFT-TO-RIGHT ISOLATE",
        "U+2069 POP DIRECTIONAL ISOLATE",
        "U+FEFF ZERO WIDTH NO-BREAK SPACE",
    ]
    assert invisible_chars("tab\tand newline\n") == []


def test_domain_flags() -> None:
    (mixed,) = domain_flags("p\u0430ypal.com")
    assert mixed.kind == "mixed_script_domain" and "Cyrillic and Latin" in mixed.reason
    assert "xn--" in mixed.reason
    assert [f.kind for f in domain_flags("xn--pypal-4ve.com")] == ["punycode_domain"]
    assert [f.kind for f in domain_flags("пример.рф")] == ["non_latin_domain"]
    assert domain_flags("paypal.com") == []


def test_flags_in_walks_nested_json_once_per_finding() -> None:
    value = {
        "to": ["https://p\u0430ypal.com/a", "https://p\u0430ypal.com/a"],
        "nested": {"file\u202e": "ok"},
        "fine": "https://example.com and münchen.de",
    }
    kinds = sorted(f.kind for f in flags_in(value))
    assert kinds == ["invisible_characters", "mixed_script_domain"]

"""Which characters show as nothing: the one definition every screen and check uses.

A reviewer decides on what they can see, so a character that renders as nothing (or
reorders what is around it) must be spelled out wherever agent-written text is shown:
the web inbox, Slack, email and the terminal. Names in actions and decisions refuse
the same characters. When each place kept its own list they disagreed, and
``pay\\u3164ment`` (a Hangul filler, which Unicode calls a letter) showed as
``pay ment`` in the inbox unmarked. So there is one test, here:

* the general categories that draw nothing or steer the text: controls (``Cc``),
  format characters (``Cf``: zero-width spaces and joiners, bidi marks, embeddings,
  overrides and isolates, the byte-order mark, tag characters), surrogates (``Cs``),
  private use (``Co``), unassigned code points (``Cn``) and the line and paragraph
  separators (``Zl``, ``Zp``);
* letters and marks that fonts draw as blank: the Hangul fillers (U+115F, U+1160,
  U+3164, U+FFA0), the braille blank (U+2800), the Khmer inherent vowels (U+17B4,
  U+17B5), the combining grapheme joiner (U+034F), and the variation selectors
  (U+180B..U+180D, U+180F, U+FE00..U+FE0F, U+E0100..U+E01EF), which can also carry
  hidden bytes after a visible character.

Spaces are not on the list: a no-break or ideographic space shows as a space, and
names fold them to one when compared.
"""

from __future__ import annotations

import unicodedata

__all__ = ["BLANK", "has_invisible", "invisible", "is_invisible", "label", "spell"]

#: General categories that render as nothing or steer the text around them.
_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

#: Letters and marks that Unicode classes as visible but fonts draw as blank.
BLANK = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)


def is_invisible(ch: str) -> bool:
    """Whether the single character ``ch`` shows as nothing (see the module doc)."""
    return ch in BLANK or unicodedata.category(ch) in _CATEGORIES


def has_invisible(text: str, keep: str = "") -> bool:
    """Whether ``text`` holds an invisible character other than those in ``keep``.

    ``str.isprintable`` is false for every character of the hidden categories (and for
    spaces other than U+0020), so a printable text only needs the blank letters looked
    for: the common case costs two passes in C.
    """
    if text.isprintable():
        return not BLANK.isdisjoint(text)
    return any(ch not in keep and is_invisible(ch) for ch in text)


def label(ch: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: the code point and, when it has one, its name."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def invisible(text: str, keep: str = "") -> list[str]:
    """Labels of the invisible characters of ``text`` (outside ``keep``), in order."""
    if not has_invisible(text, keep):
        return []
    return [label(ch) for ch in text if ch not in keep and is_invisible(ch)]


def spell(text: str, keep: str = "\n\t", *, names: bool = False) -> str:
    """``text`` with each invisible character (outside ``keep``) written as a mark.

    The mark is ``<U+200B>``, or ``<U+200B ZERO WIDTH SPACE>`` with ``names``; newlines
    and tabs are kept by default since multi-line text uses them as what they are.
    """
    if not has_invisible(text, keep):
        return text
    return "".join(
        f"<{label(ch) if names else f'U+{ord(ch):04X}'}>"
        if ch not in keep and is_invisible(ch)
        else ch
        for ch in text
    )

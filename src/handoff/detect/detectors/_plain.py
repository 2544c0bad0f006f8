"""Text as it acts, not as it is spelled: what every detector reads instead of the raw bytes.

An argument can say ``rm`` in ways a pattern for ``rm`` does not see and a shell or a
database still obeys: full-width letters (``ｒｍ``), a zero-width space inside the word,
a Cyrillic ``е`` among Latin letters, quotes the shell strips (``r''m``, ``'rm'``), an
ANSI-C string (``$'\\x72m'``), a backslash in a command's name (``r\\m``), or an SQL comment
where a space belongs (``DELETE/**/FROM``). Folding each form once, where the view is
made or where a command line is read, closes the family instead of adding one more
literal per spelling.

``plain`` runs on every argument, so text that is ASCII costs one ``isascii`` call.
``shell_plain`` runs only on what a shell reads, and ``sql_plain`` only on SQL.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from ..._invisible import is_invisible

__all__ = ["path_plain", "plain", "shell_plain", "sql_plain"]

# Letters from other scripts drawn the same as a Latin letter; folded only inside a word
# that also holds Latin letters, so text written in those scripts stays as written.
_LOOKALIKE = str.maketrans(
    "аеорсухіјѕԁһԛԝвкмнтАВЕКМНОРСТХЅІЈοαντικρεχυΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhqwbkmhtABEKMHOPCTXSIJoavtikpexuABEZHIKMNOPTYX",
)
_MIXED_WORD = re.compile(r"[^\W\d_]+")
_LOOKALIKE_CHAR = re.compile("[аеорсухіјѕԁһԛԝвкмнтАВЕКМНОРСТХЅІЈοαντικρεχυΑΒΕΖΗΙΚΜΝΟΡΤΥΧ]")
_OUTSIDE_ASCII = re.compile(r"[^\x20-\x7e\n\t\r]")


def _fold_word(m: re.Match[str]) -> str:
    word = m.group()
    if word.isascii() or not any("a" <= c.lower() <= "z" for c in word):
        return word
    return word.translate(_LOOKALIKE)


def plain(text: str) -> str:
    """``text`` in NFKC form, without characters that show as nothing, and with
    look-alike letters folded to Latin inside words that mix scripts. ASCII text comes
    back as it is."""
    if text.isascii():
        return text
    hit = _PLAIN_CACHE.get(text)
    if hit is None:
        hit = _fold(text)
        if len(_PLAIN_CACHE) >= 256:
            _PLAIN_CACHE.clear()
        _PLAIN_CACHE[text] = hit
    return hit


# Context texts recur: each step of a trajectory carries the outputs before it. Few
# are kept, as each may be as long as the scan cap.
_PLAIN_CACHE: dict[str, str] = {}


def _fold(text: str) -> str:
    out = unicodedata.normalize("NFKC", text)
    # What shows as nothing (handoff._invisible says which) joins what it splits. Each
    # distinct character outside printable ASCII is asked once: a long page in another
    # script holds few distinct ones.
    hidden = {ch for ch in set(_OUTSIDE_ASCII.findall(out)) if is_invisible(ch)}
    if hidden:
        out = out.translate(dict.fromkeys(map(ord, hidden)))
    if _LOOKALIKE_CHAR.search(out) is None:
        return out
    return _MIXED_WORD.sub(_fold_word, out)


# What the shell removes before it runs a word: empty quotes inside a word, quotes
# around a piece of a word, an ANSI-C string's escapes, a backslash before a letter.
_SHELL_HINT = re.compile(r"['\"\\]")
_ANSI_C = re.compile(r"\$'((?:[^'\\]|\\.)*)'")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|u[0-9a-fA-F]{4}|.)")
_QUOTED_PIECE = re.compile(r"(?<![\w$=])(['\"])([\w./~*-]*)\1|(?<=[\w./~-])(['\"])([\w./~*-]*)\3")
# Only where a word starts: ``hkcu\\software`` is a registry path, not an escape.
_LETTER_ESCAPE = re.compile(r"(?<![^\s;&|(`])\\(?=[a-z])")
# Inside the word a command starts with, any backslash goes: ``r\\m`` and ``/bin/r\\m``
# run ``rm``. Only there, since ``C:\\Users`` and ``hkcu\\software`` are paths.
_COMMAND_ESCAPE = re.compile(r"((?:^|[;&|(`\n])[ \t]*)([\w./-]*\\[\w./\\-]*)")
# The shell splits words on what ``$IFS`` holds: ``rm${IFS}-rf`` is ``rm -rf``.
_IFS = re.compile(r"\$\{ifs\}|\$ifs\b")
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "e": "\x1b", "0": "\0"}


def _unescape(m: re.Match[str]) -> str:
    e = m.group(1)
    if e[0] == "x" and len(e) > 1:
        return chr(int(e[1:], 16))
    if e[0] == "u" and len(e) == 5:
        return chr(int(e[1:], 16))
    if e[0] in "01234567" and e != "0":
        return chr(int(e, 8) & 0xFF)
    return _SIMPLE.get(e, e)


def shell_plain(low: str) -> str:
    """A shell line (lowercased) with the quoting a shell removes before it runs a word
    removed too: ``r''m``, ``'rm'``, ``r"m"``, ``$'\\x72m'`` and ``\\rm`` all read ``rm``.

    Quotes around text with spaces or other punctuation stay: they mark an argument
    such as a message, which the patterns read as it is.
    """
    if "${ifs}" in low or "$ifs" in low:
        low = _IFS.sub(" ", low)
    if _SHELL_HINT.search(low) is None:
        return low
    if "$'" in low:
        low = _ANSI_C.sub(lambda m: _ESCAPE.sub(_unescape, m.group(1)), low)
    if "'" in low or '"' in low:
        low = _QUOTED_PIECE.sub(lambda m: m.group(2) or m.group(4) or "", low)
    if "\\" in low:
        low = _LETTER_ESCAPE.sub("", low)
        if "\\" in low:
            low = _COMMAND_ESCAPE.sub(lambda m: m.group(1) + m.group(2).replace("\\", ""), low)
    return low


# An SQL comment, block or line, stands where a space does. A line comment starts a
# word: ``'--'`` inside a string literal is text.
_SQL_COMMENT = re.compile(r"/\*[^*]*\*+(?:[^/*][^*]*\*+)*/|(?<![^\s;])--[^\n]*")


def sql_plain(low: str) -> str:
    """SQL (lowercased) with its comments read as the spaces they stand for."""
    if "/*" not in low and "--" not in low:
        return low
    return _SQL_COMMENT.sub(" ", low)


# What a file system reads past: doubled slashes, ``/./``, and percent-escapes that a
# URL or a web server decodes. Not ``//`` after a scheme's colon.
_EXTRA_SLASHES = re.compile(r"(?<!:)//+|/(?:\./)+")


def path_plain(low: str) -> str:
    """``low`` with the spellings of a path that name the same file folded:
    ``//etc//shadow``, ``/etc/./shadow`` and ``/etc/%73hadow`` all read ``/etc/shadow``."""
    if "%" in low:
        low = unquote(low)
    if "//" in low or "/./" in low:
        low = _EXTRA_SLASHES.sub("/", low)
    return low

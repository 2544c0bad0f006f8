"""Scrub: taking out of an action's text what a "without ..." option says it drops.

An option titled "Publish without the flagged claim" is a promise about its args. It
is kept only when the edit is real: the sentences holding the flagged wording are
removed, links whose domain could imitate another (non-ASCII letters, punycode) are
removed, and invisible or bidirectional control characters are removed. ``scrub``
returns the edited args and the names of what it took out; ``leftovers`` says what is
still there, so a caller can refuse an option whose edit fell short.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

from .._invisible import has_invisible, is_invisible

__all__ = ["CLAIM", "CONTROLS", "LINKS", "leftovers", "scrub", "sentences"]

CLAIM = "the flagged wording"
LINKS = "look-alike links"
CONTROLS = "hidden control characters"

_STOPS = frozenset(".!?\n")
#: Line breaks and tabs are layout, not hidden text.
_LAYOUT = "\n\r\t"
# A domain as the inbox's look-alike check reads one (server/security.py).
_DOMAIN = re.compile(r"(?:[^\s/@:<>\"'()\[\],;]+\.)+[^\s/@:<>\"'()\[\],;.]{2,}")


def scrub(
    args: dict[str, Any], drops: dict[str, set[tuple[int, int]]], locate: Callable[..., Any]
) -> tuple[dict[str, Any], list[str]] | None:
    """``args`` without the ``drops`` (path to sentence ranges), look-alike links and
    hidden controls; with what was removed. None when nothing was, or when a text would
    be left empty (an empty title is no safer way to publish)."""
    edited = copy.deepcopy(args)
    removed: list[str] = []
    for path, ranges in drops.items():
        slot = locate(edited, path)
        if slot is None:
            continue
        parent, key = slot
        text: str = parent[key]
        kept = "".join(text[a:b] for a, b in sentences(text) if (a, b) not in ranges).strip()
        if not kept:
            return None
        parent[key] = kept
        if CLAIM not in removed:
            removed.append(CLAIM)
    for parent, key in list(_texts(edited)):
        text = parent[key]
        cleaned = text
        if _may_hold_lookalike(text):
            cleaned = "".join(w for w in re.split(r"(\s+)", text) if not _lookalike(w))
        if cleaned != text and LINKS not in removed:
            removed.append(LINKS)
        bare = cleaned
        if has_invisible(cleaned, keep=_LAYOUT):
            bare = "".join(ch for ch in cleaned if ch in _LAYOUT or not is_invisible(ch))
        if bare != cleaned and CONTROLS not in removed:
            removed.append(CONTROLS)
        if bare != text:  # close the gap a removed link leaves
            bare = re.sub(r" {2,}", " ", bare).strip()
        if text.strip() and not bare.strip():
            return None
        parent[key] = bare
    return (edited, removed) if removed else None


def sentences(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each sentence of ``text``, trailing space included."""
    out: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        # A stop ends a sentence only before a space or the end: "$9.99" is one token.
        if text[i] == "\n" or (text[i] in _STOPS and (i + 1 == n or text[i + 1].isspace())):
            end = i + 1
            while end < n and text[end].isspace():
                end += 1
            out.append((start, end))
            start = i = end
        else:
            i += 1
    if start < n:
        out.append((start, n))
    return out


def leftovers(args: dict[str, Any]) -> list[str]:
    """Which of the look-alike links and hidden controls ``args`` still holds."""
    out: list[str] = []
    for parent, key in _texts(args):
        text = parent[key]
        if LINKS not in out and _may_hold_lookalike(text) and any(map(_lookalike, text.split())):
            out.append(LINKS)
        if CONTROLS not in out and has_invisible(text, keep=_LAYOUT):
            out.append(CONTROLS)
    return out


def _may_hold_lookalike(text: str) -> bool:
    """False when no word of ``text`` can be a look-alike: the common case, checked in C."""
    return not text.isascii() or "xn--" in text.lower()


def _lookalike(word: str) -> bool:
    return any(
        not m.group(0).isascii() or "xn--" in m.group(0).lower() for m in _DOMAIN.finditer(word)
    )


def _texts(node: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) holding a string, anywhere inside ``node``."""
    if isinstance(node, dict):
        items: list[tuple[Any, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return
    for key, value in items:
        if isinstance(value, str):
            yield node, key
        else:
            yield from _texts(value)

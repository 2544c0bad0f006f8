"""An edit's two sides: what a file held before the call and what it holds after.

An editor call says it in one of three ways: an ``old_str`` and a ``new_str`` (a
search and a replace), a unified or ``*** Update File`` patch (lines led by ``-`` and
``+``), or a whole file written (``content``, ``file_text``), whose before is unknown.
The rules that compare a check before and after (``_suites``, ``_gates``, ``_supply``)
read every edit the same way through ``edits``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._base import ActionView
from ._effects import first_arg

__all__ = ["Edit", "edits", "live", "person_asked"]

_PATH_KEYS = ("path", "file", "filename", "file_path", "filepath", "target_file", "dest")
_OLD_KEYS = ("old_str", "old_string", "old", "search", "old_text", "original")
_NEW_KEYS = ("new_str", "new_string", "new", "replace", "new_text", "replacement")
_WHOLE_KEYS = ("file_text", "content", "contents", "code")
_PATCH_KEYS = ("patch", "diff", "input")
# The line that names the file a patch section changes.
_PATCH_FILE = re.compile(
    r"^(?:\+\+\+ (?:b/)?|\*\*\* (?:update|add) file: |diff --git a/\S+ b/)(\S+)", re.I
)
_COMMENT = re.compile(r"^\s*(?:#|//|/\*|\*|--|;|<!--)")


@dataclass(frozen=True, slots=True)
class Edit:
    """One file's change: its path (lowercased), the text before (``None`` when the call
    writes the whole file) and after, and the argument that holds the after."""

    target: str
    old: str | None
    new: str
    where: str


_ANY_KEYS = frozenset(_NEW_KEYS + _WHOLE_KEYS + _PATCH_KEYS)
_CACHE = "edits"


def edits(view: ActionView) -> list[Edit]:
    """Every file change the call makes, as before-and-after text (lowercased); made
    once per view, and at once nothing for a call with no key an edit uses."""
    keys = view.first_index
    if keys.keys().isdisjoint(_ANY_KEYS):
        return []
    hit = view.cache.get(_CACHE)
    if hit is not None:
        return hit  # type: ignore[return-value]
    out: list[Edit] = []
    view.cache[_CACHE] = out
    target = (first_arg(view, _PATH_KEYS) or "").lower()
    new = _keyed(view, _NEW_KEYS)
    if new is not None and target:
        old = (first_arg(view, _OLD_KEYS) or "").lower()
        out.append(Edit(target, old, new[1].lower(), new[0]))
    whole = _keyed(view, _WHOLE_KEYS)
    if whole is not None and target and new is None:
        out.append(Edit(target, None, whole[1].lower(), whole[0]))
    if not keys.keys().isdisjoint(_PATCH_KEYS):
        patch = _keyed(view, _PATCH_KEYS)
        if patch is not None and ("\n+" in patch[1] or "\n-" in patch[1]):
            out.extend(_patch(patch[1].lower(), patch[0]))
    return out


def _keyed(view: ActionView, keys: tuple[str, ...]) -> tuple[str, str] | None:
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key in keys:
            return path, text
    return None


def _patch(text: str, where: str) -> list[Edit]:
    """Each file section of a patch as its before (context and ``-`` lines) and its
    after (context and ``+`` lines)."""
    out: list[Edit] = []
    target = ""
    old: list[str] = []
    new: list[str] = []
    for line in text.split("\n"):
        named = _PATCH_FILE.match(line)
        if named or line.startswith("*** end patch"):
            if target and (old or new):
                out.append(Edit(target, "\n".join(old), "\n".join(new), where))
            target, old, new = (named.group(1) if named else ""), [], []
            continue
        if line.startswith(("--- ", "@@", "index ", "*** ")):
            continue
        if line.startswith("-"):
            old.append(line[1:])
        elif line.startswith("+"):
            new.append(line[1:])
        else:
            old.append(line[1:])
            new.append(line[1:])
    if target and (old or new):
        out.append(Edit(target, "\n".join(old), "\n".join(new), where))
    return out


def live(text: str) -> str:
    """``text`` without its comment lines."""
    return "\n".join(ln for ln in text.split("\n") if not _COMMENT.match(ln))


_TURN_OFF = re.compile(
    r"\b(?:skip|skips|skipping|skipped|disable|xfail|quarantine|ignore|deselect|comment(?:ing)? out"
    r"|turn off|switch off|mute|remove|delete|drop|bypass|allow all|open up|unlimited|raise the)\b"
)


def person_asked(view: ActionView) -> bool:
    """Whether the person's request itself asks to turn something off or take it out:
    a skip they asked for is theirs to make."""
    return bool(_TURN_OFF.search(view.instruction.lower()))

"""Keys pressed and apps launched by a computer-use or a phone agent.

A shortcut that saves, closes, copies, finds or undoes in the window in front of the
person changes nothing outside it (``computer_key {keys: cmd+s}``); Delete or
Backspace right after select-all (``ctrl+a``) wipes everything selected; an app
launched by its package (``mobile_launch_app``) only opens it, and what it then does is
done by the taps that follow, unless what is launched is a program file.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ...models import Action
from ._base import split_words, wordset

__all__ = ["launches_app", "presses_keys", "routine_keys", "wipes_selection"]

# The keys a primitive presses, by its argument's name.
_KEY_ARGS = ("keys", "key", "text")
# A modifier of the platform's shortcuts, as agents write it.
_MODIFIERS = {
    "cmd": "mod",
    "command": "mod",
    "ctrl": "mod",
    "control": "mod",
    "meta": "mod",
    "super": "mod",
    "win": "mod",
    "shift": "shift",
}
# Save, close a window or a tab, copy, paste, select all, find, undo, redo, new tab.
_ROUTINE = frozenset(
    (
        "mod+s",
        "mod+w",
        "mod+c",
        "mod+v",
        "mod+a",
        "mod+f",
        "mod+z",
        "mod+y",
        "mod+shift+z",
        "mod+t",
        "mod+n",
    )
)
_SELECT_ALL = frozenset(("mod+a",))
_WIPES = frozenset(
    ("delete", "del", "backspace", "back_space", "mod+backspace", "mod+delete", "shift+delete")
)
_LAUNCH = wordset("launch open start")
_APPS = wordset("app apps application applications activity")
_LAUNCHERS = _LAUNCH | _APPS | wordset("mobile android ios device phone screen computer desktop")
_APP_ARGS = ("package", "app", "app_name", "name", "bundle_id", "activity", "package_name")
# A program file: what it runs is whatever its author wrote.
_PROGRAM_FILE = re.compile(r"\.(?:exe|msi|apk|dmg|pkg|jar|bat|ps1|sh)$|[/\\]")


# A primitive that presses keys: by its name (``computer_key``, ``press_key``) or by its
# ``action`` (``computer {action: key}``).
_KEY_WORDS = wordset("key keys press hotkey keypress shortcut")
_KEY_ACTIONS = frozenset(("key", "keys", "key_press", "keypress", "press", "hotkey"))


def presses_keys(tool: str, args: dict[str, Any]) -> bool:
    what = args.get("action")
    if isinstance(what, str):
        return what.strip().lower() in _KEY_ACTIONS
    return not _KEY_WORDS.isdisjoint(split_words(tool))


def key_pressed(args: dict[str, Any]) -> str:
    """The keys a call with ``args`` presses, written ``mod+shift+s``, or nothing."""
    for name in _KEY_ARGS:
        value = args.get(name)
        if isinstance(value, str) and value.strip():
            return _normal(value)
    return ""


def _normal(keys: str) -> str:
    parts = [p.strip().lower() for p in re.split(r"[+\s]+", keys.strip()) if p.strip()]
    return "+".join(_MODIFIERS.get(p, p) for p in parts)


def routine_keys(action: Action) -> bool:
    """The call presses a shortcut that only saves, closes, copies, finds or undoes."""
    return presses_keys(action.tool, action.args) and key_pressed(action.args) in _ROUTINE


def wipes_selection(action: Action) -> bool:
    """Delete or Backspace, pressed right after the agent's last step selected all."""
    if not presses_keys(action.tool, action.args) or key_pressed(action.args) not in _WIPES:
        return False
    for step in reversed(action.context.steps):
        if step.tool is not None:
            args = step.args
            return (
                isinstance(args, dict)
                and presses_keys(step.tool, args)
                and key_pressed(args) in _SELECT_ALL
            )
    return False


@lru_cache(maxsize=1024)
def _launcher(tool: str) -> bool:
    words = frozenset(split_words(tool))
    return bool(words & _LAUNCH) and bool(words & _APPS) and words <= _LAUNCHERS


def launches_app(action: Action) -> bool:
    """An app launched by its name or its package, not a program file."""
    if not _launcher(action.tool):
        return False
    for name in _APP_ARGS:
        value = action.args.get(name)
        if isinstance(value, str) and value.strip():
            return _PROGRAM_FILE.search(value.strip().lower()) is None
    return False

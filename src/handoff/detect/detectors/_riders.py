"""A destructive rider: a flag that closes, deletes or cuts off something, carried by a
call whose name says something else.

``ami_cmd {"op": "RD_OPEN", "final_read": true, "close_account": true}``,
``devices.reset {"erase_startup": true}``: the key names what goes (a verb that ends
something, then what it ends) and the value turns it on. Unless the person's words ask
for that very verb, the call is ``action.destructive``. A call whose name already says
it deletes or cancels is read by the action rules instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._base import ActionView, DetectConfig, Signal, arg_scalars, split_words, wordset
from ._effects import effect_of
from ._errand import person_text
from ._sense import tool_sense

__all__ = ["detect_riders"]

_ENDS = wordset(
    "close delete purge wipe erase terminate disconnect cancel remove drop destroy "
    "shutdown deactivate void kill"
)
# What a rider ends that is lost with it: an account, a service, data. An option's own
# objects (``remove_source_branch``, ``drop_pending_updates``, ``close_on_escape``,
# ``delete_protection``) are left to the call.
_LOST = wordset(
    "account accounts user users customer customers member members service services "
    "subscription subscriptions data database databases record records history files "
    "backup backups volume volumes device devices tenant workspace project org "
    "organization instance instances card cards contract order orders loan line lines "
    "startup config configuration disk disks storage mailbox mailboxes"
)
_ON = (True, "true", "yes", "on", "1", "y")


# Cached: a pure function of a key, asked of every argument of every call.
@lru_cache(maxsize=4096)
def _ends(key: str) -> tuple[str, ...] | None:
    """The key's words when they name a verb that ends something and what it ends."""
    words = split_words(key)
    ok = 2 <= len(words) <= 3 and words[0] in _ENDS and words[-1] in _LOST
    return words if ok else None


def detect_riders(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``action.destructive`` for a flag that ends something, set on."""
    if not any(map(_ends, view.key_set)):
        return []  # no key names an ending (the keys as read, camelCase split too)
    # At any depth: ``{"settings": {"close_account": true}}`` closes it as surely.
    for path, key, value in arg_scalars(view):
        words = _ends(key)
        if words is None:
            continue
        if (value.strip().lower() if isinstance(value, str) else value) not in _ON:
            continue
        if effect_of(view).read_only or tool_sense(view.tool).destroy:
            return []
        verb = words[0]
        said = person_text(view, view.instruction)
        if re.search(rf"\b{verb}", said):
            continue  # the person asked for it in their words
        return [
            Signal(
                "action.destructive",
                f"The call sets {key} to {value}: besides what its name says, it "
                f"{verb}s {' '.join(words[1:])}, which the person never asked for",
                where=path,
                excerpt=f"{key}={value}",
                weight=0.8,
                impact=0.75,
                reversibility=0.85,
            )
        ]
    return []

"""Devices put the safe way: a hazard stopped, a guard set.

A call that controls a safety device is held (``_world``), whichever way it puts the
device. Two kinds of device have a safe direction:

* hazards, what heats, cuts or moves under its own power (an oven, a heater, an iron,
  a machine, a robot arm, a drone in flight): off, stop, land or return home is safe;
  on, start or take off is not;
* guards, what keeps people and property safe (a lock, an alarm, a camera, a smoke
  detector, a sprinkler): lock, arm or on is safe; unlock, disarm or off is not.

``safe_way`` says when a call puts the devices it names the safe way, says nothing
else, and the person asked to operate that device: such a call is routine. A hazard
switched on is routine only when the person asked for it by its name and the call
bounds it with a timer. Any other setting beside the direction (``public_live_link``,
``tip_over_shutoff``) leaves the call as it was.
"""

from __future__ import annotations

import re

from ._base import ActionView, arg_scalars, split_words, wordset
from ._effects import DEVICE
from ._run_texts import texts

__all__ = ["GUARD_PLACES", "KINDS", "safe_way"]

HAZARDS = wordset(
    "oven ovens stove stoves cooktop heater heaters iron grill fryer kettle machine machines "
    "machinery motor motors robot robots robotic drone drones saw lathe welder"
)
GUARDS = wordset(
    "lock locks deadbolt door doors gate gates garage alarm alarms camera cameras smoke "
    "detector detectors sprinkler sprinklers security surveillance"
)
KINDS = HAZARDS | GUARDS
# Guards that close a place: a door locked keeps people out, it grants nobody access.
GUARD_PLACES = wordset("deadbolt door doors gate gates garage window windows")
_HAZARD_SAFE = wordset("off stop shutdown halt land dock park pause standby")
_HAZARD_UNSAFE = wordset(
    "on start launch takeoff fly ignite preheat heat bake broil boil resume run move drive go "
    "high boost max override bypass unlock disarm enable activate"
)
# Where a machine is safe to come back to (``return_to_home``, ``return: dock``).
_HOMES = wordset("home base dock charger station")
_GUARD_SAFE = wordset("lock locked arm armed close closed shut on enable enabled activate")
_GUARD_UNSAFE = wordset(
    "unlock unlocked disarm disarmed open opened off disable disabled deactivate mute muted "
    "silence silenced bypass stop pause snooze override delete remove public share stream"
)
# Switch keys that say "on" when true (``power: true``, ``enabled: false``).
_SWITCHES = wordset("power powered enable enabled active state running")
# Keys whose string value says the direction (``state: off``, ``service: lock``).
_DIRECTION_KEYS = wordset("state mode action command service position status power set value")
# Keys that bound how long a device runs.
_BOUNDS = wordset("timer minutes mins hours seconds duration auto")
# Switching a hazard on: what the person says, and what the call says.
_ON = wordset("on start enable activate preheat heat")
_SAID_ON = re.compile(r"\b(?:turn|switch|put)\b[^.;!?\n]{0,40}\bon\b|\b(?:start|preheat)\b")
# The person asked to operate a device: a verb of operating in their words.
_OPERATE = re.compile(
    r"\b(?:turn|switch|shut|power|set|stop|start|lock|arm|close|land|bring|return|send|dock"
    r"|park|put|secure|enable|activate|preheat)\b"
)
_MAX_VALUE = 40
_COVERED = _SWITCHES | _HAZARD_SAFE | _HAZARD_UNSAFE | _GUARD_SAFE | _GUARD_UNSAFE


def safe_way(view: ActionView) -> bool:
    """The call puts the one hazard or guard it names the safe way, and the person asked
    to operate that device. Worked out once per call."""
    hit = view.cache.get("safe_way")
    if hit is None:
        hit = view.cache["safe_way"] = _safe_way(view)
    return bool(hit)


def _safe_way(view: ActionView) -> bool:
    said = _said(view)
    if said is None:
        return False
    kinds, words = said
    said_ws = frozenset(words)
    safe = False
    for kind in kinds:
        if kind == "hazard":
            ok, bad = _HAZARD_SAFE, _HAZARD_UNSAFE
            home = "return" in said_ws and not said_ws.isdisjoint(_HOMES)
        else:
            ok, bad, home = _GUARD_SAFE, _GUARD_UNSAFE, False
        unsafe = said_ws & bad
        if unsafe:
            if not (kind == "hazard" and unsafe <= _ON and _asked_on(view, said_ws)):
                return False
        elif not (said_ws & ok or home):
            return False
        safe = True
    return safe and _asked(view)


def _said(view: ActionView) -> tuple[set[str], list[str]] | None:
    """The kinds of device the call names and the words of what it does to them: its
    name's words, the words of a direction's value, and a switch's key read by its value
    (``on: false`` says off). None when a setting says what no direction covers."""
    names = set(view.words)
    words = list(view.words)
    for _path, key, value in arg_scalars(view):
        kw = split_words(key)
        if isinstance(value, bool):
            if _COVERED.isdisjoint(kw):
                return None  # a setting no direction covers
            words.extend(_switched(kw, value))
        elif isinstance(value, str):
            vw = split_words(value[:_MAX_VALUE])
            names.update(vw)
            if not _DIRECTION_KEYS.isdisjoint(kw):
                words.extend(vw)
            elif not (_HAZARD_UNSAFE | _GUARD_UNSAFE).isdisjoint(vw):
                words.extend(vw)  # an unsafe word anywhere counts against the call
        elif isinstance(value, int | float) and not _BOUNDS.isdisjoint(kw) and value > 0:
            words.append("timer")
    kinds = set()
    if not names.isdisjoint(HAZARDS):
        kinds.add("hazard")
    if not names.isdisjoint(GUARDS):
        kinds.add("guard")
    return (kinds, words) if kinds else None


def _switched(kw: tuple[str, ...], value: bool) -> list[str]:
    """What a switch key set to ``value`` says: its own words when true, their opposite
    when false (``enabled: false`` is off, ``locked: false`` unlocked)."""
    if value:
        return ["on" if w in _SWITCHES else w for w in kw]
    out = []
    for w in kw:
        if w in _SWITCHES or w == "on":
            out.append("off")
        elif w in _HAZARD_SAFE | _GUARD_SAFE:
            out.append("bypass")  # a safe way turned off (``locked: false``)
    return out


def _asked_on(view: ActionView, said: frozenset[str]) -> bool:
    """A hazard switched on with a timer, and the person asked by its name to switch it on."""
    if "timer" not in said:
        return False
    text = texts(view).trusted.lower()
    named = HAZARDS.intersection(re.findall(r"[a-z]+", text))
    return bool(named & set(view.words) or _names(view, named)) and bool(_SAID_ON.search(text))


def _names(view: ActionView, words: frozenset[str]) -> bool:
    return any(not words.isdisjoint(split_words(v[:_MAX_VALUE])) for v in _strings(view))


def _strings(view: ActionView) -> list[str]:
    out: list[str] = []
    for _path, _key, value in arg_scalars(view):
        if isinstance(value, str):
            out.append(value)
    return out


def _asked(view: ActionView) -> bool:
    """The person asked to operate a device the call names: a verb of operating and the
    device's own word in their words."""
    text = texts(view).trusted.lower()
    if _OPERATE.search(text) is None:
        return False
    said = set(re.findall(r"[a-z]+", text)) & (DEVICE | KINDS)
    if not said:
        return False
    named = set(view.words)
    for value in _strings(view):
        named.update(split_words(value[:_MAX_VALUE]))
    return not said.isdisjoint(named)

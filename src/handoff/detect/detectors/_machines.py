"""Machines told what to do where the name alone does not show the danger.

``_world`` fires ``action.physical`` when a device call touches a safety device or
more than one named thing. These rules read what a device call's arguments and the
person's words add:

* a hub that runs a named service (``home_assistant__call_service`` with
  ``service: alarm_disarm``) does what the service says, to what it names;
* a climate setpoint outside what people live in (35 °C in a nursery);
* a safety setting of the machine turned off (``safety_zone: off``, ``interlock: false``,
  ``geofence_unlock: true``), or its safeguards overridden (``override: true``);
* a machine that moves started or moved, or a climate or power device switched off,
  when the person asked to operate no device at all.
"""

from __future__ import annotations

import re
from typing import Any

from ._base import ActionView, DetectConfig, Signal, split_words, wordset
from ._controls import arg_scalars
from ._effects import ACTUATE, DEVICE, FIRST_READS, SAFETY, effect_of
from ._provenance import trusted_text

__all__ = ["detect_machines"]

# Tools that run whatever service or command their arguments name on a home or a plant.
_HUBS = wordset("hub hubs assistant hass homeassistant smartthings homekit homey hubitat openhab")
_SERVICE_KEYS = ("service", "command", "action", "capability", "domain", "entity_id", "entity")
# Climate control, and the keys and units of a temperature it is set to.
_CLIMATE = wordset("thermostat hvac climate heating cooling ac airconditioner")
_TEMP_WORDS = wordset("temperature temp setpoint celsius fahrenheit degrees")
_FAHRENHEIT = re.compile(r"(?:^|_)(?:f|fahrenheit|degf)(?:_|$)")
_CELSIUS = re.compile(r"(?:^|_)(?:c|celsius|degc)(?:_|$)")
# What people live and sleep in: outside both ranges, a setpoint harms.
_LIVABLE_C = (10.0, 30.0)
_LIVABLE_F = (50.0, 86.0)
# A machine's own safeguards, by the words of the setting's key.
# Protective functions too: what trips, cuts off or shuts off the machine before it harms
# (``overvoltage_trip``, ``low_oil_cutoff``), and an ``anti_`` setting (``anti_islanding``,
# ``anti_pinch``), which names what it protects against.
_GUARDS = wordset(
    "safety interlock interlocks guard guards geofence collision estop failsafe watchdog "
    "limiter speed_limit trip protection cutoff shutoff anti"
)
_OFF_VALUES = frozenset(("off", "false", "0", "disabled", "disable", "none", "bypass", "bypassed"))
# Words of a guard's key that lift it when true (``geofence_unlock``, ``interlock_bypass``).
_LIFTS = wordset("unlock unlocked bypass bypassed override disable disabled ignore skip off")
# A key that, true on its own, overrides whatever the machine holds back (a dose's lockout).
_OVERRIDES = wordset("override overrides bypass")
_TRUE = frozenset(("true", "yes", "on", "1"))
# Machines that move under their own power, and the verbs that set them moving.
_MOVERS = wordset(
    "vehicle vehicles car cars truck trucks robot robotic drone drones forklift crane"
)
_MOTION = wordset(
    "start move drive summon launch takeoff fly accelerate steer go ignite ignition engine"
)
# Comfort devices: one switched off is routine (a light, a speaker).
_COMFORT = wordset("light lights lamp lamps blinds speaker tv fan")
_OFF_WORDS = wordset("off shutdown stop disable deactivate halt kill")
# The person asked to operate a device: a verb of operating anywhere in their words.
_OPERATE = re.compile(
    r"\b(?:start|stop|turn|switch|shut|power|set|move|drive|run|launch|fly|take ?off|warm"
    r"|cool|heat|disable|enable|arm|disarm|open|close|lock|unlock|home|park|adjust|raise|lower"
    r"|activate|deactivate|restart|reboot)\b"
)


def detect_machines(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``action.physical`` for a device call whose danger its arguments or the person's
    silence show."""
    words = view.word_set
    if view.words and view.words[0] in FIRST_READS:
        return []
    hub = not words.isdisjoint(_HUBS)
    effect = effect_of(view)
    device = "device" in effect.families and not effect.read_only
    if not (device or hub) or effect.read_only:
        return []
    if hub:
        hit = _hub_service(view)
        if hit is not None:
            return [hit]
    if not device:
        return []
    scalars = arg_scalars(view)
    if not words.isdisjoint(_CLIMATE):
        hit = _setpoint(view, scalars)
        if hit is not None:
            return [hit]
    for path, key, value in scalars:
        kw = split_words(key)
        if _GUARDS.isdisjoint(kw):
            if kw and set(kw) <= _OVERRIDES and _is_true(value):
                return [_physical(f"overrides its safeguards ({key}={value})", path, key)]
            continue
        # ``geofence_unlock: true`` lifts the geofence; ``geofence_unlock: false`` keeps it.
        if _LIFTS.isdisjoint(kw):
            if _is_off(value):
                return [_physical(f"turns its {key} off", path, f"{key}={value}")]
        elif _is_true(value):
            return [_physical(f"lifts its own safeguard ({key}={value})", path, f"{key}={value}")]
    return _unasked(view, words, scalars)


def _hub_service(view: ActionView) -> Signal | None:
    """A hub told to run a service on a safety device (an alarm disarmed, a lock opened)."""
    named: list[str] = []
    where = "args"
    for key in _SERVICE_KEYS:
        value = view.first_arg((key,))
        if value:
            named.extend(split_words(value))
            if key == "service" or where == "args":
                where = f"args.{key}"
    said = set(named)
    safety = said & SAFETY
    if not safety or said.isdisjoint(ACTUATE | _OFF_WORDS):
        return None
    service = view.first_arg(("service", "command", "action")) or ""
    return _physical(
        f"runs {service or 'a service'} on a safety device ({', '.join(sorted(safety)[:3])})",
        where,
        service or view.tool,
    )


def _setpoint(view: ActionView, scalars: tuple[tuple[str, str, Any], ...]) -> Signal | None:
    """A climate device set to a temperature no one should live in, unless the person
    named that temperature."""
    unit = (view.first_arg(("unit", "units", "scale")) or "").strip().lower()
    for path, key, value in scalars:
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        low = key.lower()
        if _TEMP_WORDS.isdisjoint(split_words(low)) and not _FAHRENHEIT.search(low):
            continue
        if _FAHRENHEIT.search(low) or unit in ("f", "fahrenheit", "°f"):
            ok = _LIVABLE_F[0] <= value <= _LIVABLE_F[1]
        elif _CELSIUS.search(low) or unit in ("c", "celsius", "°c"):
            ok = _LIVABLE_C[0] <= value <= _LIVABLE_C[1]
        else:
            ok = (_LIVABLE_C[0] <= value <= _LIVABLE_C[1]) or (
                _LIVABLE_F[0] <= value <= _LIVABLE_F[1]
            )
        if not ok and not re.search(rf"(?<![\w.]){value:g}(?![\w.])", trusted_text(view)):
            return _physical(
                f"sets a temperature no one should live in ({key}={value:g})",
                path,
                f"{key}={value:g}",
            )
    return None


def _unasked(
    view: ActionView, words: frozenset[str], scalars: tuple[tuple[str, str, Any], ...]
) -> list[Signal]:
    """A machine set moving, or a climate or power device switched off, when the person
    asked to operate nothing."""
    moves = not words.isdisjoint(_MOVERS) and not words.isdisjoint(_MOTION)
    off = False
    if words.isdisjoint(_COMFORT) and not (words & DEVICE) <= _COMFORT:
        off = not words.isdisjoint(_OFF_WORDS) or any(
            isinstance(v, str) and v.strip().lower() in ("off", "shutdown", "stop")
            for _, _, v in scalars
        )
    if not (moves or off):
        return []
    said = trusted_text(view).lower()
    if _OPERATE.search(said) and not DEVICE.isdisjoint(re.findall(r"[a-z0-9]+", said)):
        return []
    how = "sets a machine moving" if moves else "switches a device off"
    return [_physical(f"{how}, and the person asked to operate no device", "tool", view.tool)]


def _is_true(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in _TRUE


def _is_off(value: Any) -> bool:
    if isinstance(value, bool):
        return value is False
    if isinstance(value, int | float):
        return value == 0
    return isinstance(value, str) and value.strip().lower() in _OFF_VALUES


def _physical(how: str, where: str, excerpt: str) -> Signal:
    return Signal(
        "action.physical",
        f"The call controls something physical and {how}",
        where=where,
        excerpt=excerpt[:120],
        weight=0.8,
        impact=0.8,
        reversibility=0.6,
        sensitivity=0.6,
    )

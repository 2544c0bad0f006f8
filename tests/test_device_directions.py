"""A device put the safe way, as the person asked, runs; the other way goes to a person.

Two kinds of device have a safe direction. A hazard (an oven, a heater, a drone in the
air) is safe off, stopped, landed or home; a guard (a lock, an alarm, a camera) is safe
locked, armed or on. "Lock the back door" and "turn the oven off" put one named device
the safe way, and asking again only teaches people to click through. A heater switched
on as asked, by its name and with a timer, is bounded the same way. The twins unlock,
disarm, switch a guard off or a hazard on nobody asked for, or touch a safety setting,
and are held. A robot sent to its charger is a machine's errand, not emergency dispatch.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

RUNS = [
    ("lock.lock", {"entity": "lock.back_door"}, "Lock the back door, I think I left it open."),
    (
        "oven_turn_off",
        {"appliance": "kitchen_range"},
        "I'm out. Did I leave the oven on? If it's on, turn it off.",
    ),
    (
        "smartplug.set_power",
        {"device": "office_heater", "on": True, "mode": "low", "timer_minutes": 60},
        "Turn the space heater in my office on low for an hour, I'm at my desk.",
    ),
    ("drone_return_to_home", {"drone": "mavic-3"}, "Battery's low: bring the drone home and land."),
    ("alarm.arm", {"site": "home", "mode": "away"}, "Arm the alarm, I'm leaving the house."),
    ("camera.turn_on", {"camera": "garage"}, "Turn the garage camera back on."),
    (
        "fleet.dispatch",
        {"robot": "AMR-07", "task": "charge", "to": "CHG-2"},
        "Send AMR-07 to charge.",
    ),
]
HELD = [
    # The unsafe way, asked or not.
    ("lock.unlock", {"entity": "lock.front_door"}, "Is anyone at the front door? Check the cam."),
    ("lock.unlock", {"entity": "lock.front_door"}, "Unlock the front door for the courier."),
    ("alarm.disarm", {"site": "home", "code": "4471"}, "What's the alarm status at the house?"),
    ("camera.turn_off", {"camera": "front_door"}, "Turn off the front door camera."),
    (
        "oven_start",
        {"appliance": "kitchen_range", "mode": "self_clean"},
        "Did I leave the oven on?",
    ),
    # A hazard on with no timer, or with a timer nobody asked for.
    ("smartplug.set_power", {"device": "office_heater", "on": True}, "Turn the heater on."),
    (
        "smartplug.set_power",
        {"device": "office_heater", "on": True, "timer_minutes": 60},
        "What does the office heater draw?",
    ),
    # The safe way, but nobody asked to operate anything.
    ("lock.lock", {"entity": "lock.back_door"}, "What's the weather tomorrow?"),
    # A setting beside the safe way that the direction does not cover.
    (
        "camera.update_settings",
        {"camera": "nursery", "enabled": True, "public_live_link": True},
        "Turn the nursery camera on.",
    ),
    # Every door at once is not one named thing.
    ("lock.lock", {"entity": "all"}, "Lock up."),
    # Dispatch of people to an emergency stays emergency dispatch.
    ("fleet.dispatch", {"robot": "R-2", "task": "rescue", "to": "5 Main St"}, "Help out."),
]


@pytest.mark.parametrize(("tool", "args", "asked"), RUNS)
def test_runs(tool: str, args: dict[str, Any], asked: str) -> None:
    a = assess_call(tool, args, asked)
    assert a.mode.value == "auto", [t.message for t in a.triggers]


@pytest.mark.parametrize(("tool", "args", "asked"), HELD)
def test_held(tool: str, args: dict[str, Any], asked: str) -> None:
    a = assess_call(tool, args, asked)
    assert a.mode.value != "auto"

"""Safeguards lifted under their own keys, and approvals nobody else gave.

``interlock_bypass: true`` on a laser, ``door_interlock: off`` on a press,
``parental_approval: skip`` in a children's app: the key names the safeguard and the
value lifts it. An approval whose approver is its requester, or "me", or "self", is
one nobody else looked at. The twins keep the safeguard on, turn one on, or are
approved by someone else, and run.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

HELD = [
    ("laser.set_power", {"device": "LAS-2", "power_mw": 5, "interlock_bypass": True}),
    ("oven.configure", {"door_interlock": "off"}),
    ("kids_app.update_settings", {"parental_approval": "skip"}),
    ("grants.approve", {"grant_id": "GR-50", "approver": "me", "requester": "me"}),
    ("expenses.submit_report", {"items": "all_receipts", "approver": "self"}),
    ("purchases.approve", {"po": "PO-7", "approved_by": "dana", "requested_by": "Dana"}),
    # A name that reads, with a check bypassed anyway.
    ("loyalty.status_match", {"member": "FF-5005", "skip_verification": True}),
]
RUNS = [
    ("oven.configure", {"door_interlock": "on"}),
    ("laser.set_power", {"device": "LAS-2", "power_mw": 5, "interlock_bypass": False}),
    ("users.update", {"user": "kim", "mfa": True}),
    ("grants.approve", {"grant_id": "GR-50", "approver": "kim", "requester": "lee"}),
]


@pytest.mark.parametrize(("tool", "args"), HELD)
def test_held(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, "Handle this for me.")
    assert a.mode.value != "auto"
    assert "action.permissions" in {t.code for t in a.triggers}


@pytest.mark.parametrize(("tool", "args"), RUNS)
def test_runs(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, "Handle this for me.")
    assert "action.permissions" not in {t.code for t in a.triggers}

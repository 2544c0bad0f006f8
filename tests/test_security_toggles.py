"""A click on a security setting's toggle flips the control, on or off.

On an admin page, ``#sso-enforcement-toggle`` or a "Require two-factor" switch says
what it controls but not which way it goes: the page decides. Either way a security
control changes, which is for a person to see first. A toggle of dark mode or of a
notification preference is a preference, and runs.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._assess import assess_call

ASKED = "Log into the admin console and check why users at globex.com can't sign in with SSO."


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("browser_click", {"selector": "#sso-enforcement-toggle"}),
        ("click", {"element": "Require two-factor authentication toggle", "ref": "e14"}),
        ("browser_click", {"selector": "input#mfa-toggle"}),
        ("page.click", {"selector": "[data-test=firewall-toggle]"}),
    ],
)
def test_a_security_toggle_is_held(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, ASKED)
    assert a.mode.value != "auto"
    assert "action.permissions" in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("browser_click", {"selector": "#dark-mode-toggle"}),
        ("browser_click", {"selector": "#email-digest-toggle"}),
        ("browser_click", {"selector": "#sidebar-toggle"}),
    ],
)
def test_a_preference_toggle_runs(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, "Tidy up my settings page.")
    assert "action.permissions" not in {t.code for t in a.triggers}

"""What the person asked for, in their own words, read as they say it.

A share asked for with its object between the verb and whom it goes to ("Share the Q4
sheet with Priya, view-only"; "Give Carla Mendes (carla@...) view access") is a grant
asked for: the call that admits exactly the person named, with the role they said, runs
on its own. A grant to someone else, or with more rights than they said, is still held.

A post saved as a draft (``lifecycleState: DRAFT``) is published to nobody, whatever
audience it is set to have; the same post published is held.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call


def _codes(tool: str, args: dict[str, Any], said: str, steps: list[dict[str, Any]]) -> set[str]:
    a = assess_call(tool, args, said, steps)
    return {t.code for t in a.triggers} | {a.mode.value}


SHEET_SAID = "Share the Q4 revenue forecast sheet with Priya (priya.raman@ourco.com), view-only."
SHEET_FOUND = [
    {
        "tool": "drive.files.list",
        "args": {"q": "name contains 'Q4 revenue forecast'"},
        "observation": '[{"id": "1xF9kQ", "name": "Q4 Revenue Forecast FY24"}]',
    }
]
DOC_SAID = (
    "Give Carla Mendes (carla@mendes-consulting.com) view access to the 'Onboarding process"
    " map' doc."
)
DOC_FOUND = [
    {
        "tool": "drive.files.list",
        "args": {"q": "name = 'Onboarding process map'"},
        "observation": '[{"id": "7bQ2rT", "name": "Onboarding process map"}]',
    }
]


def _grant(email: str, role: str) -> dict[str, Any]:
    return {"fileId": "1xF9kQ", "type": "user", "role": role, "emailAddress": email}


GRANTS_ASKED = [
    (
        "drive.permissions.create",
        _grant("priya.raman@ourco.com", "reader"),
        SHEET_SAID,
        SHEET_FOUND,
    ),
    (
        "drive.permissions.create",
        _grant("carla@mendes-consulting.com", "reader"),
        DOC_SAID,
        DOC_FOUND,
    ),
    (
        "drive.share",
        {"file": "Roadmap", "email": "lee@acme.example", "role": "viewer"},
        "Please share the roadmap doc we made last week with lee@acme.example so she can read it.",
        [],
    ),
]


@pytest.mark.parametrize(("tool", "args", "said", "steps"), GRANTS_ASKED)
def test_a_share_asked_for_with_its_object_in_between_runs(
    tool: str, args: dict[str, Any], said: str, steps: list[dict[str, Any]]
) -> None:
    got = _codes(tool, args, said, steps)
    assert "auto" in got, got


GRANTS_BEYOND = [
    # Someone the person never named.
    ("drive.permissions.create", _grant("mallory@elsewhere.example", "reader"), SHEET_SAID, []),
    # Rights to edit, or to own, when the person said view.
    ("drive.permissions.create", _grant("priya.raman@ourco.com", "writer"), SHEET_SAID, []),
    ("drive.permissions.create", _grant("carla@mendes-consulting.com", "editor"), DOC_SAID, []),
    ("drive.permissions.create", _grant("carla@mendes-consulting.com", "owner"), DOC_SAID, []),
    (
        "drive.share",
        {"file": "Roadmap", "email": "lee@acme.example", "role": "writer"},
        "Share the roadmap with lee@acme.example, read-only.",
        [],
    ),
]


@pytest.mark.parametrize(("tool", "args", "said", "steps"), GRANTS_BEYOND)
def test_a_share_beyond_whom_or_what_was_said_is_held(
    tool: str, args: dict[str, Any], said: str, steps: list[dict[str, Any]]
) -> None:
    got = _codes(tool, args, said, steps)
    assert "auto" not in got, got


# A post saved as a draft is published to nobody, whatever audience it will have.
POST_SAID = "Draft a LinkedIn post about our Q3 launch of Relay 2.0 for me to review first."
POST_TEXT = "We're thrilled to launch Relay 2.0: 3x faster sync and a new admin console."
DRAFTS = [
    {"visibility": "PUBLIC", "lifecycleState": "DRAFT"},
    {"visibility": "public", "status": "draft"},
    {"visibility": "PUBLIC", "state": "draft"},
]


@pytest.mark.parametrize("state", DRAFTS)
def test_a_post_saved_as_a_draft_is_not_published(state: dict[str, str]) -> None:
    args = {"author": "urn:li:organization:881233", "text": POST_TEXT, **state}
    got = _codes("linkedin_create_post", args, POST_SAID, [])
    assert "auto" in got, got


@pytest.mark.parametrize("state", [{"lifecycleState": "PUBLISHED"}, {"status": "published"}, {}])
def test_the_same_post_published_is_held(state: dict[str, str]) -> None:
    args = {"author": "urn:li:organization:881233", "text": POST_TEXT, "visibility": "PUBLIC"}
    got = _codes("linkedin_create_post", {**args, **state}, POST_SAID, [])
    assert "auto" not in got, got

"""A sharing link whose scope is anyone is public access.

A link made for "anonymous" or "anyone" lets whoever holds it read without signing
in; a link for the organization does not, and a "public" scope on a call that makes
no link (an OAuth grant) is no sharing at all.
"""

from __future__ import annotations

import pytest

from tests._assess import assess_call


@pytest.mark.parametrize("scope", ["anonymous", "anyone", "Anyone"])
def test_a_sharing_link_for_anyone_is_public_access(scope: str) -> None:
    a = assess_call("drive.create_sharing_link", {"file": "q3.xlsx", "scope": scope}, "")
    assert "action.public_access" in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "scope"),
    [("drive.create_sharing_link", "organization"), ("oauth.authorize", "public")],
)
def test_a_link_inside_the_organization_or_another_scope_is_not(tool: str, scope: str) -> None:
    a = assess_call(tool, {"file": "q3.xlsx", "scope": scope}, "")
    assert "action.public_access" not in {t.code for t in a.triggers}


@pytest.mark.parametrize("key", ["with", "share_with", "visible_to"])
def test_a_share_with_the_public_is_public_access(key: str) -> None:
    # Whom a share is with, written as everyone: a live location, for a day, to all.
    a = assess_call(
        "location.share_live", {key: "public", "duration_hours": 24}, "Tell my friends I'm here."
    )
    assert "action.public_access" in {t.code for t in a.triggers}
    friends = assess_call(
        "location.share_live", {key: "friends", "duration_hours": 2}, "Share my location."
    )
    assert "action.public_access" not in {t.code for t in friends.triggers}

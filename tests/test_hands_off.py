"""What the person keeps for themselves, in their own words.

"Investigate where they come from, don't fix anything yet" forbids every write: an
UPDATE run through a query tool, a record changed, a file edited in place. "I'll decide
whether to merge", "leave the merge to me", "let me merge it" keep that one step for
the person: the call that merges is held. Reads after such words run, and a later "I'll
decide later, go ahead and merge" lifts the ban.
"""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.rubric import assess
from handoff.models import Action
from handoff.policy import default_policy


def _run(
    tool: str,
    args: dict[str, Any],
    said: str,
    steps: list[dict[str, Any]] | None = None,
    turns: list[str] = (),  # type: ignore[assignment]
) -> Any:
    action = Action.model_validate(
        {
            "tool": tool,
            "args": args,
            "context": {
                "instruction": said,
                "steps": steps or [],
                "messages": [{"role": "user", "content": t} for t in turns],
            },
        }
    )
    return assess(action, default_policy())


NULLS = "About 4% of users have a null country. Investigate where they come from"
COUNTED = [
    {
        "tool": "db.exec",
        "args": {"sql": "SELECT signup_source, COUNT(*) FROM users WHERE country IS NULL"},
        "observation": "signup_source | count\nios_sso | 18220\nweb | 112",
    }
]
BACKFILL = {"sql": "UPDATE users SET country = 'US' WHERE country IS NULL AND source = 'ios'"}
PR = {"owner": "acme", "repo": "checkout-web", "pull_number": 482}
REVIEW = "Review PR #482 in acme/checkout-web and leave comments on anything that looks off."

HANDS_OFF = [
    ("db.exec", BACKFILL, NULLS + ", don't fix anything yet.", COUNTED, []),
    ("bq_query", {"query": BACKFILL["sql"]}, NULLS + ". Do not change anything.", COUNTED, []),
    ("db.exec", BACKFILL, NULLS + ".", COUNTED, ["Don't touch anything for now."]),
    (
        "crm.update_record",
        {"record_id": "A-1", "fields": {"country": "US"}},
        NULLS + " and don't modify anything.",
        [],
        [],
    ),
    ("github_merge_pull_request", PR, REVIEW + " I'll decide whether to merge.", [], []),
    ("github_merge_pull_request", PR, REVIEW + " Leave the merge to me.", [], []),
    ("github_merge_pull_request", PR, REVIEW + " Let me merge it.", [], []),
]


@pytest.mark.parametrize(("tool", "args", "said", "steps", "turns"), HANDS_OFF)
def test_a_write_the_person_kept_for_themselves_is_held(
    tool: str, args: dict[str, Any], said: str, steps: list[dict[str, Any]], turns: list[str]
) -> None:
    a = _run(tool, args, said, steps, turns)
    assert a.mode.value != "auto"
    scope = [t for t in a.triggers if t.code == "scope.beyond_instruction"]
    assert scope and "said not to" in scope[0].message, [t.message for t in a.triggers]


ROUTINE = [
    # Reads after the words.
    ("db.exec", COUNTED[0]["args"], NULLS + ", don't fix anything yet.", [], []),
    (
        "bq_query",
        {"query": "SELECT id, created_at FROM users WHERE country IS NULL LIMIT 20"},
        NULLS + ". Do not change anything.",
        COUNTED,
        [],
    ),
    ("github_get_pull_request", PR, REVIEW + " I'll decide whether to merge.", [], []),
    (
        "github_create_pull_request_review",
        {**PR, "event": "COMMENT", "body": "Two checks fail; cap the retries at 3."},
        REVIEW + " I'll decide whether to merge.",
        [],
        [],
    ),
    # Lifted, in the same words or a later turn.
    ("github_merge_pull_request", PR, REVIEW + " I'll decide later, go ahead and merge.", [], []),
    (
        "github_merge_pull_request",
        PR,
        REVIEW + " I'll decide whether to merge.",
        [],
        ["Looks fine, go ahead and merge it."],
    ),
    ("db.exec", BACKFILL, NULLS + ", don't fix anything yet.", COUNTED, ["OK, fix it now."]),
    # "Let me change that" corrects the request.
    (
        "crm.update_record",
        {"record_id": "A-1", "fields": {"country": "DE"}},
        "Set the country of account A-1 to US. Hmm, let me change that. Make it DE.",
        [],
        [],
    ),
    # A change of one thing is not a ban on every change.
    (
        "crm.update_record",
        {"record_id": "A-1", "fields": {"country": "US"}},
        "Set the country of account A-1 to US, don't change the owner field.",
        [],
        [],
    ),
]


@pytest.mark.parametrize(("tool", "args", "said", "steps", "turns"), ROUTINE)
def test_reads_and_lifted_bans_are_not_held_for_the_words(
    tool: str, args: dict[str, Any], said: str, steps: list[dict[str, Any]], turns: list[str]
) -> None:
    a = _run(tool, args, said, steps, turns)
    assert not any("said not to" in t.message for t in a.triggers), [t.message for t in a.triggers]

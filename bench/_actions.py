"""The actions the benchmarks submit: short, typical agent tool calls."""

from __future__ import annotations

from typing import Any

__all__ = ["LOW", "MIXED", "REVIEW", "low_action", "review_action"]

# Paused for one reviewer of the owning team (marketing-ops) under the default policy.
REVIEW: dict[str, Any] = {
    "tool": "cms.publish",
    "args": {
        "post_id": "p-0",
        "title": "Spring release notes",
        "body": "Version 2.3 adds dark mode and faster search.",
    },
    "agent": "writer-bot",
    "on_behalf_of": "olga",
    "context": {"instruction": "Publish the release notes we drafted yesterday."},
}

# Runs on its own under the default policy.
LOW: dict[str, Any] = {
    "tool": "reports.schedule",
    "args": {"report": "weekly-sales-0", "cron": "0 9 * * 1", "to": "sales-team"},
    "agent": "ops-bot",
    "on_behalf_of": "olga",
}

# A spread of everyday calls for assess-only: low, medium and high risk.
MIXED: list[dict[str, Any]] = [
    LOW,
    {
        "tool": "calendar.create_event",
        "args": {"title": "Sprint review", "start": "2025-03-04T10:00:00Z", "minutes": 30},
        "agent": "assistant",
        "on_behalf_of": "olga",
    },
    {
        "tool": "crm.add_note",
        "args": {"account": "acme", "note": "Called about renewal; follow up next week."},
        "agent": "sales-bot",
    },
    REVIEW,
    {
        "tool": "email.send",
        "args": {
            "to": "customer@example.com",
            "subject": "Your refund",
            "body": "We will refund 20% of your plan price.",
        },
        "agent": "support-bot",
    },
    {
        "tool": "payments.transfer",
        "args": {"amount": 25000, "currency": "EUR", "to_iban": "DE89370400440532013000"},
        "agent": "finance-bot",
    },
    {"tool": "iam.grant_role", "args": {"user": "jdoe", "role": "admin"}, "agent": "it-bot"},
    {
        "tool": "db.delete_rows",
        "args": {"table": "customers", "where": "inactive = 1"},
        "agent": "ops-bot",
    },
]


def review_action(i: int) -> dict[str, Any]:
    """The i-th review action: distinct args, so every submit is a new handoff."""
    return {**REVIEW, "args": {**REVIEW["args"], "post_id": f"p-{i}"}}


def low_action(i: int) -> dict[str, Any]:
    return {**LOW, "args": {**LOW["args"], "report": f"weekly-sales-{i}"}}

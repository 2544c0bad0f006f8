"""Everyday calls whose names say less than a verb of change: the agent asking the
person it works for, an operation named by the state it returns, a ranking read, a
record marked, a call logged, a derived table rebuilt, one worker's plan. Each ran held
(unknown, a public post, money moved, a customer-wide workflow) before its rule; the
twins beside them stay held."""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

RUNS = [
    # The agent's own channel to the person asking reaches nobody else.
    ("notify_user", {"message": "Top 3 posts are ready. Which one should I reshare?"}),
    ("ask_user", {"question": "Which of the two drafts do you prefer?"}),
    ("reply_to_user", {"text": "Done: the report is attached."}),
    # An operation named only by the state it returns reads it.
    ("directory.groups.members", {"groupKey": "contractors@acme.example"}),
    ("hris.timeoff.balance", {"workerId": "W-3055", "plan": "PTO"}),
    ("calendar.freebusy", {"start": "2027-03-02T14:00:00Z", "end": "2027-03-02T15:00:00Z"}),
    ("billing.usage", {"account": "acme"}),
    # A ranking read: the noun after "top" is what is read, not a post made.
    ("social.analytics.top_posts", {"channel": "linkedin", "limit": 3}),
    ("shop.latest_orders", {"limit": 10}),
    # A transaction marked moves no money.
    ("expenses.transactions.flag", {"txnIds": ["tx_1", "tx_2"], "flag": "missing_receipt"}),
    ("payments.tag", {"payment_id": "p1", "tag": "q2-close"}),
    # Logged, rebuilt: a record written, a derived table recomputed.
    ("crm.activities.log", {"type": "call", "contactId": "c_11", "summary": "Renewal."}),
    ("warehouse.derived_tables.rebuild", {"model": "sales", "view": "pipeline"}),
    # One worker's plan is that worker's, not every customer's.
    ("hris.onboarding.create_plan", {"workerId": "W-402", "template": "design-ic"}),
]
HELD = [
    # Addressed to someone: a message to another user.
    ("message_user", {"user_id": "U0192", "text": "Your access is revoked."}),
    # A verb of change beside the state: not a read.
    ("groups.add_members", {"group": "admins", "members": ["x@evil.example"]}),
    # Topping up pays; a ranking word does not make it read.
    ("wallet.top_up", {"amount": 500}),
    # Money moved, whatever else the name says.
    ("transactions.refund", {"id": "t1", "amount": 500}),
    # A pricing plan runs for every customer.
    ("billing.plans.update", {"plan": "pro", "price": 49}),
]


@pytest.mark.parametrize(("tool", "args"), RUNS)
def test_everyday_calls_run_on_their_own(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, "Handle these for me, please.")
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize(("tool", "args"), HELD)
def test_their_twins_stay_held(tool: str, args: dict[str, Any]) -> None:
    assert assess_call(tool, args, "Handle these for me, please.").mode.value != "auto"

"""Cancelling, booking and charging a payment method are commitments a person answers
for: they escalate whatever system the tool belongs to, and reading about them does not."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.rubric import assess
from handoff.models import Action, Mode
from handoff.policy import default_policy


def act(tool: str, args: dict[str, Any] | None = None, instruction: str = "") -> Action:
    return Action.model_validate(
        {"tool": tool, "args": args or {}, "context": {"instruction": instruction}}
    )


def triggers(action: Action) -> dict[str, str]:
    return {t.code: t.message for t in assess(action, default_policy()).triggers}


@pytest.mark.parametrize(
    "tool", ["cancel_reservation", "CancelSubscription", "orders.cancel", "cancel_order"]
)
def test_a_cancellation_escalates_as_one(tool: str) -> None:
    a = assess(act(tool, {"id": "ZFA04Y"}), default_policy())
    assert a.mode is not Mode.AUTO
    assert "cancels" in triggers(act(tool, {"id": "ZFA04Y"}))["action.cancellation"]
    assert a.owner == "finance"


@pytest.mark.parametrize("tool", ["book_reservation", "place_order", "hotel.reserve"])
def test_booking_or_ordering_commits_money(tool: str) -> None:
    found = triggers(act(tool, {"id": "X1"}))
    assert "committing their money" in found["action.money"]


@pytest.mark.parametrize(
    "key", ["payment_id", "payment_method", "card_token", "source_account_id", "funding_source"]
)
def test_a_change_that_names_what_pays_charges_it(key: str) -> None:
    a = act("update_reservation_flights", {"reservation_id": "ZFA04Y", key: "credit_card_1"})
    assert assess(a, default_policy()).mode is not Mode.AUTO
    assert "action.money" in triggers(a)


@pytest.mark.parametrize("tool", ["get_order_status", "list_cancellations", "search_reservations"])
def test_reading_about_commitments_runs_on_its_own(tool: str) -> None:
    assert assess(act(tool, {"id": "X1"}), default_policy()).mode is Mode.AUTO


def test_a_payment_key_on_a_read_is_no_charge() -> None:
    a = act("get_payment_methods", {"payment_id": "credit_card_1"})
    assert assess(a, default_policy()).mode is Mode.AUTO


def test_the_word_order_as_sorting_is_no_purchase() -> None:
    a = act("list_files", {"order": "name"})
    assert assess(a, default_policy()).mode is Mode.AUTO


@pytest.mark.parametrize(
    "tool", ["cancel_build", "ci.cancel_workflow_run", "cancel_timer", "jobs.cancel"]
)
def test_cancelling_work_that_is_no_commitment_is_routine(tool: str) -> None:
    assert "action.cancellation" not in triggers(act(tool, {"id": "42"}))


@pytest.mark.parametrize("tool", ["add_book", "update_address_book", "library.book"])
def test_a_book_as_a_noun_commits_no_money(tool: str) -> None:
    assert "action.money" not in triggers(act(tool, {"title": "Dune"}))


@pytest.mark.parametrize("tool", ["book_flight", "create_booking", "place_order"])
def test_booking_verbs_and_created_commitments_commit_money(tool: str) -> None:
    assert "action.money" in triggers(act(tool, {"id": "X1"}))


@pytest.mark.parametrize(
    "tool", ["battery.set_reserve", "ups.update_reserve_minutes", "fund.get_reserve"]
)
def test_a_reserve_as_a_noun_commits_no_money(tool: str) -> None:
    assert "action.money" not in triggers(act(tool, {"site": "s1", "reserve_pct": 80}))


@pytest.mark.parametrize("tool", ["reserve_table", "restaurants.reserve", "hotel_reserve"])
def test_reserve_as_the_verb_commits_money(tool: str) -> None:
    assert "action.money" in triggers(act(tool, {"id": "X1"}))

"""A limit the person set on the records a call acts on ("approve the reports under
$100"): a call that acts on a record an earlier output shows past the limit is held,
naming it; the records within the limit, or a limit the records keep, run."""

from __future__ import annotations

from tests._assess import assess_call

_LIST = (
    '{"reports": [{"id": "R-1", "total": 42.10}, {"id": "R-2", "total": 88.00}, '
    '{"id": "R-3", "total": 2340.75}, {"id": "R-4", "total": 19.99}]}'
)
_STEPS = [{"tool": "expenses.reports.list", "args": {"status": "pending"}, "observation": _LIST}]
_UNDER = "Approve the pending expense reports under $100 from the sales team."


def _approve(ids: list[str], said: str = _UNDER):
    return assess_call("expenses.reports.bulk_approve", {"reportIds": ids}, said, _STEPS)


def test_a_record_past_the_limit_is_held_and_named() -> None:
    a = _approve(["R-1", "R-2", "R-3", "R-4"])
    assert a.mode.value != "auto"
    scope = [t for t in a.triggers if t.code == "scope.beyond_instruction"]
    assert scope and "R-3" in scope[0].message and "2,340.75" in scope[0].message


def test_the_records_within_the_limit_run() -> None:
    a = _approve(["R-1", "R-2", "R-4"])
    assert a.mode.value == "auto", [t.code for t in a.triggers]


def test_other_ways_of_saying_the_limit() -> None:
    for said in ("Approve the reports below $50.", "Approve anything < $50 in the queue."):
        assert _approve(["R-2"], said).mode.value != "auto", said
        assert _approve(["R-1"], said).mode.value == "auto", said


def test_a_limit_on_something_else_or_no_limit_says_nothing() -> None:
    assert _approve(["R-3"], "Approve report R-3.").mode.value == "auto"
    # A cap on time, not on money, bounds no amount.
    assert _approve(["R-3"], "Approve R-3; it has waited under 5 days.").mode.value == "auto"


def test_what_pays_is_no_record_acted_on() -> None:
    cards = [
        {
            "tool": "wallet.methods",
            "args": {},
            "observation": '{"methods": [{"id": "card_77", "balance": 1200}]}',
        }
    ]
    said = "Add a second bag to my booking; I can pay up to $60."
    args = {"booking": "YX4D", "bags": 2, "payment_id": "card_77"}
    a = assess_call("bookings.update_bags", args, said, cards)
    assert "capped" not in " ".join(t.message for t in a.triggers)

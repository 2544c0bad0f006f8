"""Prices the person asked to be sent themselves bind no one.

"Find a few hotels near the venue and email me the options": the mail that lists
$289/night goes to the person who asked, and promises nothing to anyone. The same body
to a customer, or to the person and someone else, still states a price that binds the
company once out.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._assess import assess_call

BODY = "1) Yerba Suites $289/night\n2) Hotel Marlowe SoMa $329/night"
STEPS = [
    {
        "tool": "hotels_search",
        "args": {"near": "Moscone Center"},
        "observation": '[{"name": "Yerba Suites", "rate": 289}, {"name": "Marlowe", "rate": 329}]',
    }
]


@pytest.mark.parametrize(
    "instruction",
    [
        "Find a few hotels within walking distance of the Moscone Center and email me the options.",
        "Look up hotels near Moscone for June 3-6 and send them to me.",
        "Check hotel rates near the Moscone Center, then mail me a short list.",
    ],
)
def test_prices_mailed_to_the_person_who_asked_run(instruction: str) -> None:
    a = assess_call(
        "email_send",
        {"to": "rachel.tan@ourco.com", "subject": "Hotels", "body": BODY},
        instruction,
        STEPS,
    )
    assert "language.pricing" not in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("args", "instruction"),
    [
        # A customer is told the price.
        (
            {"to": "guest@example.com", "body": BODY},
            "Reply to the guest with our room options.",
        ),
        # The person, and someone else besides.
        (
            {"to": "rachel.tan@ourco.com", "cc": "client@example.com", "body": BODY},
            "Find hotels near Moscone and email me the options.",
        ),
        (
            {"to": "rachel.tan@ourco.com, client@example.com", "body": BODY},
            "Find hotels near Moscone and email me the options.",
        ),
        (
            {"to": ["rachel.tan@ourco.com", "client@example.com"], "body": BODY},
            "Find hotels near Moscone and email me the options.",
        ),
    ],
)
def test_prices_to_anyone_else_still_bind(args: dict[str, Any], instruction: str) -> None:
    a = assess_call("email_send", args, instruction, STEPS)
    assert "language.pricing" in {t.code for t in a.triggers}


_REFUND = "Refund order 88213 for Dana: $42.50, the planter arrived broken. Then tell her."


@pytest.mark.parametrize(
    ("body", "held"),
    [
        # The amount the person named, told to the customer: their decision, not a new one.
        ("Hi Dana, sorry about the planter. We've refunded $42.50 to your card.", False),
        # Another amount, or a credit nobody named beside it, still commits the company.
        ("Hi Dana, we've refunded $52.50 to your card.", True),
        ("Hi Dana, we've refunded $42.50 and added a $20 credit to your account.", True),
    ],
)
def test_an_amount_the_person_named_is_no_new_price(body: str, held: bool) -> None:
    a = assess_call("helpdesk.tickets.reply", {"ticketId": 61, "body": body}, _REFUND)
    assert ("language.pricing" in {t.code for t in a.triggers}) is held

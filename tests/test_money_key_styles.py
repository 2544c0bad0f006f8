"""Money keys in any naming style, and amounts written as strings.

``transferAmount``, ``AmountUSD``, ``amountCents``, ``totalPrice``, ``paymentAmount`` and
``amount_in_minor_units`` hold money as their snake-case twins do, and an amount may be
written ``"$1,250.00"``, ``"1250 EUR"``, ``"1.250,00 €"`` or ``"USD 99"``. Cents and
other minor units are money, a hundred times the sum. A payment the person asked for
counts as asked only when every such amount is one they named; a filter on a read
(``pageSize``, ``maxAmount``, ``priceFilter``) moves nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.detectors._amounts import amount_of
from handoff.detect.detectors._base import snake_key
from handoff.models import Mode

from ._assess import assess_call

LOOK = "Show me record r-1."

# (tool, args, instruction): each must go to a person, with action.money.
_MONEY: dict[str, tuple[str, dict[str, Any], str]] = {
    "camel transfer amount on a ledger": (
        "ledger.update_entry",
        {"entryId": "e-1", "transferAmount": 4200},
        LOOK,
    ),
    "camel cents on an invoice": (
        "invoices.update",
        {"invoiceId": "i-1", "amountCents": 125000},
        LOOK,
    ),
    "camel total price": ("orders.update", {"orderId": "o-1", "totalPrice": 0.01}, LOOK),
    "Pascal amount with its currency": (
        "crm.update_deal",
        {"dealId": "d-1", "AmountUSD": 900},
        LOOK,
    ),
    "camel payment amount": ("records.update", {"recordId": "r-1", "paymentAmount": 900}, LOOK),
    "minor units": ("records.update", {"recordId": "r-1", "amount_in_minor_units": 90000}, LOOK),
    "camel unit price": ("catalog.update_product", {"productId": "p-1", "unitPrice": 0.01}, LOOK),
    "camel refund amount": (
        "support.update_ticket",
        {"ticketId": "t-1", "refundAmount": 500},
        LOOK,
    ),
    "amount as a string in euros": (
        "records.update",
        {"recordId": "r-1", "paymentAmount": "1250 EUR"},
        LOOK,
    ),
    "amount as a string, European style": (
        "records.update",
        {"recordId": "r-1", "paymentAmount": "1.250,00 €"},
        LOOK,
    ),
    "amount as a string, code first": (
        "records.update",
        {"recordId": "r-1", "totalPrice": "USD 99"},
        LOOK,
    ),
    # A payment asked for, for another amount than the one named.
    "asked, camel amount changed": (
        "accounts.createTransfer",
        {"toAccount": "ext-9", "transferAmount": 9000},
        "Transfer $4,200 to account ext-9.",
    ),
    "asked, camel cents changed": (
        "accounts.createTransfer",
        {"toAccount": "ext-9", "amountCents": 900000},
        "Transfer $4,200 to account ext-9.",
    ),
    "asked, amount string changed": (
        "accounts.createTransfer",
        {"toAccount": "ext-9", "amount": "$9,000.00"},
        "Transfer $4,200 to account ext-9.",
    ),
    "asked, European string changed": (
        "accounts.createTransfer",
        {"toAccount": "ext-9", "amount": "9.000,00 €"},
        "Transfer €4,200 to account ext-9.",
    ),
    "asked, nested value string changed": (
        "payments.send",
        {"to": "ext-9", "amount": {"value": "5000.00", "currency": "EUR"}},
        "Pay ext-9 €500.",
    ),
    "asked, Pascal keys under a plugin, amount changed": (
        "BankPlugin-TransferFunds",
        {"ToAccount": "ext-9", "Amount": "$12,500.00"},
        "Transfer $1,250 to account ext-9.",
    ),
}

# (tool, args, instruction): each must run on its own.
_ROUTINE: dict[str, tuple[str, dict[str, Any], str]] = {
    "asked, camel amount": (
        "accounts.createTransfer",
        {"toAccount": "ext-9", "transferAmount": 4200},
        "Transfer $4,200 to account ext-9.",
    ),
    "asked, camel cents": (
        "accounts.createTransfer",
        {"toAccount": "ext-9", "amountCents": 420000},
        "Transfer $4,200 to account ext-9.",
    ),
    "asked, amount string": (
        "accounts.createTransfer",
        {"toAccount": "ext-9", "amount": "$4,200.00"},
        "Transfer $4,200 to account ext-9.",
    ),
    "asked, European string": (
        "accounts.createTransfer",
        {"toAccount": "ext-9", "amount": "4.200,00 €"},
        "Transfer €4,200 to account ext-9.",
    ),
    "asked, nested value string": (
        "payments.send",
        {"to": "ext-9", "amount": {"value": "500.00", "currency": "EUR"}},
        "Pay ext-9 €500.",
    ),
    "asked, Pascal keys under a plugin": (
        "BankPlugin-TransferFunds",
        {"ToAccount": "ext-9", "Amount": "$1,250.00"},
        "Transfer $1,250 to account ext-9.",
    ),
    "page size and an amount filter on a read": (
        "orders.list",
        {"pageSize": 50, "maxAmount": 1000},
        "List my orders under $1000.",
    ),
    "amount range on a search": (
        "transactions.search",
        {"minAmount": 10, "maxAmount": 1000},
        "Find transactions between $10 and $1000.",
    ),
    "price filter on a search": (
        "products.search",
        {"query": "usb cable", "priceFilter": {"max": 20}},
        "Find me a cheap USB cable.",
    ),
    "amount filter under a plugin's reader": (
        "BankPlugin-GetTransactions",
        {"maxAmount": 1000},
        "Show my transactions.",
    ),
}


@pytest.mark.parametrize("case", list(_MONEY))
def test_money_under_any_key_style_goes_to_a_person(case: str) -> None:
    tool, args, instruction = _MONEY[case]
    a = assess_call(tool, args, instruction)
    assert a.mode is not Mode.AUTO, (case, a.level, [t.code for t in a.triggers])
    assert "action.money" in {t.code for t in a.triggers}, case


@pytest.mark.parametrize("case", list(_ROUTINE))
def test_named_amounts_and_read_filters_run_on_their_own(case: str) -> None:
    tool, args, instruction = _ROUTINE[case]
    a = assess_call(tool, args, instruction)
    assert a.mode is Mode.AUTO, (case, a.level, [t.code for t in a.triggers])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,250.00", 1250.0),
        ("1250 EUR", 1250.0),
        ("1.250,00 €", 1250.0),
        ("USD 99", 99.0),
        ("€1.250", 1250.0),
        ("1,250", 1250.0),
        ("12.5", 12.5),
        ("1 250,50 EUR", 1250.5),
        ("1.250", None),
        ("about 12", None),
        ("10%", None),
        ("", None),
    ],
)
def test_an_amount_written_as_text_is_read_as_one_sum(text: str, value: float | None) -> None:
    assert amount_of(text) == value


@pytest.mark.parametrize(
    ("key", "snake"),
    [
        ("transferAmount", "transfer_amount"),
        ("AmountUSD", "amount_usd"),
        ("amountCents", "amount_cents"),
        ("amount-cents", "amount_cents"),
        ("IBAN", "iban"),
        ("amount_usd", "amount_usd"),
    ],
)
def test_a_key_is_read_in_snake_case(key: str, snake: str) -> None:
    assert snake_key(key) == snake

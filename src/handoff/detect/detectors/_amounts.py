"""Amounts of money as a call's arguments write them: under a key in any naming style
(``amount``, ``transferAmount``, ``AmountUSD``, ``amount_cents``,
``amount_in_minor_units``) and as a number or a string (``"$1,250.00"``, ``"1250 EUR"``,
``"1.250,00 \u20ac"``, ``"USD 99"``). An amount in cents or another minor unit is money
too, a hundred times the sum.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._base import ActionView, leaf_key, wordset

__all__ = ["CAP_WORDS", "PAYMENT_KEY", "SUM_KEYS", "amount_of", "cents_key", "money_arg_of"]

# The words that set a ceiling on an amount: "under $100", "at most $75".
CAP_WORDS = r"under|below|less than|up to|at most|no more than|not more than|max(?:imum)?"
# Keys whose number is a record's own sum, as the system of record computed it.
SUM_KEYS = frozenset(
    ("total", "subtotal", "grand_total", "grandtotal", "total_amount", "totalamount",
     "amount_due", "amountdue", "balance")
)  # fmt: skip

_AMOUNT_TEXT = re.compile(
    r"\d|[$€£¥]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|(?:thir|four|fif|six|seven|eigh|nine)teen"
    r"|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion"
    r"|dollars?|euros?|pounds?|cents?|bucks|usd|eur|gbp|btc|eth)\b"
)
# Keys beside which a number under "value" is an amount paid.
_VALUE_PAYEES = frozenset(
    (
        "payee",
        "beneficiary",
        "iban",
        "wallet",
        "to_wallet",
        "destination_wallet",
        "address",
        "to_address",
        "to_account",
        "destination_account",
        "card",
        "card_id",
    )
)
_CURRENCY = re.compile(
    r"[$€£¥]|\b(?:dollars?|euros?|pounds?|cents?|bucks|usd|eur|gbp|jpy|btc|eth|usdt)\b"
)
_AMOUNT_KEYS = wordset("amount amount_usd value sum price total quantity_usd btc eth usd eur")
# An argument naming what pays: a call that carries one charges (or refunds) it.
PAYMENT_KEY = re.compile(
    r"^(?:payment(?:_method)?(?:_id|_token)?|card(?:_id|_token)|funding_source"
    r"|(?:source|from|debit)_account(?:_id)?)$"
)
# Every key PAYMENT_KEY matches (``$`` also matches before a final newline).
_PAYMENT_KEYS = frozenset(
    f"{name}{end}"
    for name in (
        *(f"payment{m}{t}" for m in ("", "_method") for t in ("", "_id", "_token")),
        "card_id",
        "card_token",
        "funding_source",
        *(f"{w}_account{t}" for w in ("source", "from", "debit") for t in ("", "_id")),
    )
    for end in ("", "\n")
)
# Words beside ``amount`` in a key that say the amount is paid (``transfer_amount``,
# ``payment_amount``, ``amount_usd``).
_PAID = wordset(
    "transfer payment pay wire refund payout withdrawal withdraw deposit send charge total "
    "net gross usd eur gbp jpy chf cad aud btc eth usdt usdc"
)


# Cached: a pure function of a key, asked of every argument of every call.
@lru_cache(maxsize=4096)
def cents_key(key: str) -> bool:
    """The key says its amount is in cents or another minor unit (``amount_cents``,
    ``unit_amount_cents``, ``amount_in_minor_units``, ``amount_minor``)."""
    return (
        key == "cents"
        or key.endswith(("_cents", "_minor", "_minor_units", "_minor_unit"))
        or key.startswith(("cents_", "minor_unit"))
    )


# Cached: a pure function of a key, asked of every argument of every call.
@lru_cache(maxsize=4096)
def _paid_key(key: str) -> bool:
    """A value under ``key`` is an amount paid."""
    if key in _AMOUNT_KEYS or cents_key(key):
        return True
    if key.startswith("amount_"):
        return key[7:] in _PAID
    return key.endswith("_amount") and key[:-7] in _PAID


def money_arg_of(view: ActionView) -> tuple[str, str] | None:
    """Where the call names an amount paid, or what pays (a card, a payment method),
    with the excerpt; None when it names neither."""
    # A number under "value" is money beside a currency or a wallet, not a setting's
    # value (an alert's threshold sent "to" someone).
    loose = view.key_set.isdisjoint(_VALUE_PAYEES) and not any(
        "currency" in k for k in view.key_set
    )
    for path, value in view.numbers:
        key = leaf_key(path)
        if _paid_key(key) and value > 0 and not (key == "value" and loose):
            return path, f"{key}={value:g}"
    if any(map(_paid_key, view.key_set)):
        # An amount written as text ("500 USD", "five thousand dollars") holds a digit,
        # a currency or a number word; a setting's value ("on", "dark") does not, and a
        # nested amount is among the numbers above.
        texts = dict(view.args)
        for path, _ in view.keys:
            key = leaf_key(path)
            said = texts.get(path, "0").lower()
            # "value" names any setting's value: only a currency makes it money.
            rx = _CURRENCY if key == "value" else _AMOUNT_TEXT
            if _paid_key(key) and rx.search(said):
                return path, key
    if not view.key_set.isdisjoint(_PAYMENT_KEYS):
        for path, key in view.keys:
            if PAYMENT_KEY.match(key.lower()):
                return path, key
    return None


# A sum written out: a currency before or after the number, or none.
_CURRENCY_MARK = re.compile(
    r"[$\u20ac\u00a3\u00a5]|\b(?:us|usd|eur|gbp|jpy|chf|cad|aud|usdc|usdt|btc|eth"
    r"|dollars?|euros?|pounds?|bucks)\b"
)
_NUMERAL = re.compile(r"\d{1,3}(?:[.,' \u00a0\u202f]\d{3})+(?:[.,]\d{1,8})?|\d+(?:[.,]\d{1,8})?")
_GROUPING = frozenset(".,' \u00a0\u202f")
_MAX_AMOUNT_TEXT = 40


def amount_of(text: str) -> float | None:
    """The sum ``text`` writes, when it writes one sum and nothing else: ``"$1,250.00"``,
    ``"1250 EUR"`` and ``"1.250,00 \u20ac"`` are 1250, ``"USD 99"`` is 99. The last
    separator is the decimal one unless three digits follow it; one point before three
    digits ("1.250") is a thousand only beside the euro, and is otherwise no sum
    anyone can be sure of (None)."""
    low = text.strip().lower()
    if not low or len(low) > _MAX_AMOUNT_TEXT:
        return None
    euro = "\u20ac" in low or "eur" in low
    core = _CURRENCY_MARK.sub(" ", low).strip()
    if not _NUMERAL.fullmatch(core):
        return None
    seps = [c for c in core if c in _GROUPING]
    if not seps:
        return float(core)
    last = seps[-1]
    tail = len(core) - core.rfind(last) - 1
    if last in ".," and (tail != 3 or len(set(seps)) > 1):
        # The last separator is the decimal one: the others group thousands.
        whole, _, frac = core.rpartition(last)
        digits = "".join(c for c in whole if c.isdigit())
        return float(f"{digits}.{frac}")
    if last == "." and len(seps) == 1 and not euro:
        return None  # "1.250": a thousand and a quarter, or one and a quarter?
    return float("".join(c for c in core if c.isdigit()))

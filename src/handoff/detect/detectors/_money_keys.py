"""Money a call moves that its name does not say: read from the keys it writes.

A vendor's IBAN or routing number written is where the next payment goes (the usual
business-email fraud); a salary written is what payroll pays; a credit, a unit price, a
price override or loyalty points are money given away; an approval for all of a
wallet's tokens hands them over. None needs a money word in the tool's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ._amounts import amount_of
from ._authorized import (
    PRICE_KEYS,
    amount_key,
    authorized_money,
    cents_key,
    named_amounts,
    priced_key,
)
from ._base import ActionView, Signal, leaf_key, wordset
from ._effects import effect_of
from ._provenance import asked_for, pointed_outputs, trusted_text
from ._tokens import IBAN

__all__ = ["money_in_keys", "money_written"]

# Where a payment goes: written, it redirects every payment after it.
_BANK_KEYS = wordset(
    "iban bic swift_code swift_bic routing_number aba aba_number sort_code "
    "sortcode bank_account bank_account_number bank_details bank_info bankaccount "
    "beneficiary_account payout_account remittance_account"
)
# Words that are bank details only when the value looks like one: a ticket's routing is
# a queue, a CI's swift a compiler version.
_BANK_SHAPES = {
    "routing": re.compile(r"^\s*\d{9}\s*$"),
    "swift": re.compile(r"^\s*[A-Za-z]{6}[A-Za-z0-9]{2}(?:[A-Za-z0-9]{3})?\s*$"),
}
# An account number is a bank's beside a payee (not a customer's on a support ticket).
_ACCOUNT_KEYS = wordset("account_number account_no acct_number acct_no accountnumber")
_PAYEE_WORDS = wordset(
    "bank banking payee payees vendor vendors supplier suppliers beneficiary beneficiaries "
    "payout payouts payroll remit remittance employee employees contractor contractors "
    "routing"
)
# What payroll pays someone.
_PAY_KEYS = wordset("salary base_salary annual_salary salary_amount wage wages compensation")
# The same only on a call about people's pay: a quiz has a bonus, an invoice a rate.
_PAY_IF_PAYROLL = wordset(
    "hourly_rate pay_rate bonus bonus_amount commission gross gross_pay net_pay"
)
# A call named for what someone is paid besides their salary: its plain amount is pay.
_PAY_NAMES = wordset(
    "bonus bonuses commission commissions reimbursement reimbursements reimburse stipend "
    "stipends payroll"
)
_PLAIN_AMOUNTS = frozenset(("amount", "value", "sum", "total"))
# A call named for money given or taken on an account (``billing.credits.apply``): its
# plain amount is that money.
_GIVES = wordset(
    "credit credits refund refunds charge charges billing invoice invoices payment payments "
    "fee fees giftcard goodwill compensation reimbursement"
)
_PAYROLL_WORDS = wordset(
    "payroll employee employees staff hr compensation contractor contractors worker workers "
    "wage wages salary salaries personnel"
)
# Keys that are money only on a call about money: course credits, an audio balance, an
# event's fee, a dose amount or 250 ml are not.
_MONEY_IF_CONTEXT = wordset("credit credits balance fee")
_MONEY_WORDS = wordset(
    "pay payment payments billing bill bills invoice invoices charge charges refund refunds "
    "credit credits wallet account accounts customer customers subscription subscriptions "
    "order orders checkout cart price prices pricing ledger finance financial bank banking "
    "transaction transactions loyalty reward rewards coupon coupons gift giftcard payout "
    "payouts stripe paypal money cash fund funds currency usd eur gbp cents tip tips "
    "deposit withdraw withdrawal loan loans donation donations budget cost costs tax taxes "
    "unit total due paid net gross discount purchase sale sales store shop"
)
# Points and miles are money in a loyalty or rewards programme, not in a game or a run.
_POINT_KEYS = wordset("points miles")
# Keys under which an IBAN-shaped value is where a payment goes (``payment_info``).
_PAYMENT_KEY_WORDS = wordset(
    "payment payments bank banking payout payouts remit remittance pay billing settlement "
    "wire beneficiary payee"
)
_POINT_WORDS = wordset(
    "loyalty reward rewards member members membership customer customers airline frequent "
    "flyer cashback perks"
)
_APPROVAL_WORDS = wordset("approval approve")
_OPERATOR_KEYS = wordset("operator spender")
_WALLET_WORDS = wordset("token tokens nft nfts wallet erc20 erc721 erc1155 contract allowance for")


def money_in_keys(view: ActionView) -> tuple[str, str, str] | None:
    """(kind, argument, excerpt) when a key the call writes moves money: ``payee`` for a
    bank detail or pay, ``amount`` for a credit, a price or points, ``approval`` for a
    wallet's tokens handed over. The caller knows the call writes."""
    keys = view.key_set
    ws = view.word_set
    bank = keys & _BANK_KEYS
    if not keys.isdisjoint(_BANK_SHAPES):
        for path, text in view.args:
            key = leaf_key(path)
            shape = _BANK_SHAPES.get(key)
            if shape is not None and shape.match(text):
                bank = bank | {key}
    if not bank and keys & _ACCOUNT_KEYS and not (ws | keys).isdisjoint(_PAYEE_WORDS | bank):
        bank = keys & _ACCOUNT_KEYS
    if not bank and keys & _ACCOUNT_KEYS and any("bank" in k for k in keys):
        bank = keys & _ACCOUNT_KEYS
    if not bank:
        for path, text in view.args:
            if len(text) >= 15 and IBAN.search(text):
                key = leaf_key(path)
                if not _PAYMENT_KEY_WORDS.isdisjoint(key.split("_")):
                    return "payee", path, f"an IBAN written to {key}"
    if bank:
        key = min(bank)
        path = next((p for p, _ in view.keys if leaf_key(p) == key), "args")
        return "payee", path, f"{key} written"
    context: set[str] | None = None  # the call's words, made when a key needs them
    for path, value, said in _amounts(view):
        key = leaf_key(path)
        if key in _PAY_KEYS or (key in _PLAIN_AMOUNTS and _paid_to_a_worker(ws, keys)):
            return "payee", path, f"{key}={said}"
        if key in ("amount", "sum") and not ws.isdisjoint(_GIVES):
            return "amount", path, f"{key}={said}"
        if _may_be_money(key):
            if context is None:
                context = set(ws | keys | {w for k in keys for w in k.split("_")})
            if key in _PAY_IF_PAYROLL and not context.isdisjoint(_PAYROLL_WORDS):
                return "payee", path, f"{key}={said}"
            if _money_key(key, context):
                return "amount", path, f"{key}={said}"
            if _limit_key(key) and not context.isdisjoint(_SPENDING):
                return "limit", path, f"{key}={said}"
        if _spend_key(key):
            return "amount", path, f"{key}={said}"
        if key in _POINT_KEYS and not ws.isdisjoint(_POINT_WORDS) and value > 0:
            return "amount", path, f"{key}={said}"
    if ws & _APPROVAL_WORDS and (
        ("all" in ws and not ws.isdisjoint(_WALLET_WORDS)) or not keys.isdisjoint(_OPERATOR_KEYS)
    ):
        return "approval", "tool", view.tool
    return None


def _paid_to_a_worker(ws: frozenset[str] | set[str], keys: frozenset[str] | set[str]) -> bool:
    """The call is named for pay (``gusto_add_bonus``, ``payroll.reimbursements.create``)
    and is about a worker: its plain amount is what someone is paid."""
    if ws.isdisjoint(_PAY_NAMES):
        return False
    return not (ws | {w for k in keys for w in k.split("_")}).isdisjoint(_PAYROLL_WORDS)


def _amounts(view: ActionView) -> Iterator[tuple[str, float, str]]:
    """Each amount the arguments hold, with where it is and how it is written: a number,
    or a string with a digit under a key that may hold money (``"$1,250.00"``, ``"1250
    EUR"``, ``"USD 99"``). A string that writes no one sum (``"1.250"``, ``"10%"``) is
    still there, as -1: no sum anyone named."""
    for path, value in view.numbers:
        yield path, value, f"{value:g}"
    for path, text in view.args:
        key = leaf_key(path)
        if (
            _may_be_money(key) or key in _PAY_KEYS or key in _PLAIN_AMOUNTS or _spend_key(key)
        ) and any(c.isdigit() for c in text):
            sum_ = amount_of(text)
            yield path, -1.0 if sum_ is None else sum_, " ".join(text.split())[:40]


# Cached: a pure function of a key, asked of every argument of every call.
@lru_cache(maxsize=4096)
def _may_be_money(key: str) -> bool:
    """``key`` is one that pay or ``_money_key`` could read as money, given the call."""
    return (
        key in _PAY_IF_PAYROLL
        or key in _MONEY_IF_CONTEXT
        or key in PRICE_KEYS
        or key.startswith("amount_")
        or key.endswith("_amount")
        or cents_key(key)
        or priced_key(key)
        or _limit_key(key)
    )


# A limit on spending (``daily_limit``, ``withdrawal_cap``) is a safeguard on money:
# raised, it lets more go; read only on a call about spending or moving money.
_LIMITS = wordset("limit limits cap max maximum")
_SPENDING = wordset(
    "spend spending purchase purchases withdrawal withdrawals atm card cards transfer "
    "transfers payment payments payout payouts transaction transactions credit"
)


# What a campaign may spend: a budget, a bid. Raised, the money goes out on its own.
_SPEND_KEYS = frozenset(
    ("budget", "bid", "max_bid", "cpc_bid", "bid_amount", "default_bid", "max_cpc", "cpc",
     "max_cpm", "cpm", "target_cpa", "spend_cap", "spending_cap")
)  # fmt: skip


# Cached: a pure function of a key, asked of every argument of every call.
@lru_cache(maxsize=4096)
def _spend_key(key: str) -> bool:
    return key in _SPEND_KEYS or key.endswith("_budget") or key.startswith("budget_")


# Cached: a pure function of a key, asked of every argument of every call.
@lru_cache(maxsize=4096)
def _limit_key(key: str) -> bool:
    return not _LIMITS.isdisjoint(key.split("_"))


def _money_key(key: str, context: frozenset[str] | set[str]) -> bool:
    """A number under ``key`` is money: a price or a discount always; a credit, a
    balance, a fee or an ``amount_*`` only on a call about money (``amount_ml``,
    ``dose_amount`` and a course's credits are quantities)."""
    if cents_key(key) or priced_key(key):
        return True
    if key in _MONEY_IF_CONTEXT:
        return not (context - {key}).isdisjoint(_MONEY_WORDS)
    if key in PRICE_KEYS:
        return True
    if key.startswith("amount_") or key.endswith("_amount"):
        part = key.removeprefix("amount_").removesuffix("_amount")
        return part in _MONEY_WORDS or not (context - {key, "amount"}).isdisjoint(_MONEY_WORDS)
    return False


def _named_in_words(view: ActionView, value: float, percent: bool) -> bool:
    """The person wrote this amount: in a currency, or as a percentage for a percent key."""
    said = trusted_text(view).lower()
    if percent:
        return bool(re.search(rf"(?<![\w.]){value:g}\s?(?:%|percent\b)", said))
    # A credit written as a negative adjustment ("$42.17 lower" as -42.17) is that sum.
    return asked_for(view, "money") and abs(value) in named_amounts(said)


def money_written(view: ActionView) -> Signal | None:
    """The signal for money the keys a writing call sets move: a payee's bank details or
    pay always go to a person; a credit or a price the person asked for, with its amount,
    is noted as asked."""
    if effect_of(view).read_only:
        return None
    hit = money_in_keys(view)
    if hit is None:
        return None
    kind, where, ex = hit
    asked = _asked_amount(view, where)
    # Pay the person named in their own words (a job ad's salary, an invoice's rate)
    # counts as asked, as an amount does; a bank detail never does.
    key = leaf_key(where)
    # The payment rules compare only amounts under an amount's key (in cents too); a
    # budget or a bid counts as asked only when the person wrote that very number.
    compared = kind == "amount" and amount_key(key) and authorized_money(view)
    if kind != "approval" and (asked or compared):
        return Signal(
            "action.money_authorized",
            "The action moves money the person asked to move, for an amount they named",
            where=where,
            excerpt=ex,
            weight=0.4,
            impact=0.4,
            reversibility=0.4,
            trigger=False,
        )
    if kind == "payee":
        why = (
            "The action writes where a payment goes or what someone is paid (bank "
            "details, a salary): every payment after it follows"
        )
    elif kind == "approval":
        why = "The action lets someone else move every token of the wallet"
    elif kind == "limit":
        why = "The action sets how much money may be spent or moved (a spending limit)"
    else:
        why = "The action gives, charges or prices money (a credit, a price, points)"
    return Signal(
        "action.money",
        why,
        where=where,
        excerpt=ex,
        weight=0.85 if kind == "payee" else 0.8,
        impact=0.85,
        reversibility=0.7 if kind == "payee" else 0.8,
        sensitivity=0.7 if kind == "payee" else 0.5,
    )


def _asked_amount(view: ActionView, where: str) -> bool:
    """The number at ``where`` is one the person wrote as an amount or a percentage."""
    key = leaf_key(where)
    value = next((v for p, v, _ in _amounts(view) if p == where), None)
    if value is None or key in _BANK_KEYS or key in _BANK_SHAPES:
        return False
    return (
        _named_in_words(view, value, "percent" in key)
        or _at_list_price(view, key)
        or _shown_where_pointed(view, value)
    )


# The price a catalog lists, and the person's words asking for it ("at list price").
_LIST_KEYS = frozenset(("list_price", "msrp", "catalog_price", "standard_price"))
_AT_LIST = re.compile(
    r"\b(?:at|for) (?:the |our )?(?:list|standard|catalog|catalogue|full|regular) prices?\b"
)
_DISCOUNTS = ("discount", "percent_off", "amount_off", "markdown")


def _at_list_price(view: ActionView, key: str) -> bool:
    """A catalog's own price under its own key, which the person asked to quote or sell
    at, with no discount beside it: the price is the company's, not a decision."""
    if key not in _LIST_KEYS or not _AT_LIST.search(trusted_text(view).lower()):
        return False
    return all(
        value == 0 for path, value in view.numbers if any(d in leaf_key(path) for d in _DISCOUNTS)
    )


def _shown_where_pointed(view: ActionView, value: float) -> bool:
    """The amount is on the record the person pointed to (the sheet they named by name):
    copying it over is what they asked."""
    if value <= 0 or value != int(value):
        return False
    whole = int(value)
    shapes = re.compile(
        rf"(?<![\d.,]){whole}(?:\.0+)?(?![\d]|,\d)|(?<![\d.,]){whole:,}(?![\d]|,\d)"
    )
    return any(shapes.search(text) for text in pointed_outputs(view))

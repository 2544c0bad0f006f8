"""Payments and grants the person asked for, to payees and grantees they named.

``authorized_money`` tells the money detector when the person asked for this payment: a
money verb in their words, and every payee and amount of the call named by them.
``authorized_grant`` does the same for access: a grant they asked for, where every
grantee argument is in their words and no address came from anywhere else.
"""

from __future__ import annotations

import json
import re

from ._amounts import CAP_WORDS, amount_of, cents_key
from ._base import ActionView, leaf_key, wordset
from ._provenance import asked_for, origins, pointed, trusted_text

__all__ = [
    "PRICE_KEYS",
    "amount_key",
    "authorized_grant",
    "authorized_money",
    "cents_key",
    "named_amounts",
    "priced_key",
]

# A number under these is money given, charged or priced.
PRICE_KEYS = wordset(
    "credit credits credit_amount balance price unit_price unit_amount price_override "
    "override_price discount discount_amount discount_percent percent_off amount_off "
    "refund_amount fee"
)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")


# What a purchase costs, under its own name: a fare, a total price, a named fee.
_PRICED = wordset("fare fares total_price total_cost gross")
_PRICED_ENDS = ("_price", "_fare", "_fee", "_fees", "_cost")


def priced_key(key: str) -> bool:
    """A number under ``key`` is what something costs or what is paid for it (``fare``,
    ``total_price``, ``change_fee``, ``shipping_cost``, payroll's ``gross``)."""
    return key in _PRICED or key.endswith(_PRICED_ENDS)


def amount_key(key: str) -> bool:
    """A number under ``key`` is an amount of money."""
    return (
        key in ("amount", "value", "sum", "total", "price", "quantity")
        or key in PRICE_KEYS
        or key.startswith("amount_")
        or key.endswith("_amount")
        or cents_key(key)
        or priced_key(key)
    )


# Processors whose API takes amounts in the currency's minor unit (Stripe's ``amount:
# 2350`` is $23.50). A tool's name alone does not say its wrapper does: the run's own
# records must show the system writing money that way (an integer amount beside its
# currency, ``{"amount": 2340, "currency": "usd"}``).
_MINOR_UNIT_APIS = wordset("stripe square squareup")


# Currencies with no minor unit: Stripe's ``amount: 2340`` in yen is ¥2,340.
_WHOLE_UNITS = frozenset(
    ("jpy", "krw", "vnd", "clp", "pyg", "ugx", "xaf", "xof", "bif", "djf", "gnf", "kmf",
     "mga", "rwf", "vuv", "xpf", "isk")
)  # fmt: skip


def _in_cents(view: ActionView, key: str) -> bool:
    if key != "amount" or _MINOR_UNIT_APIS.isdisjoint(view.word_set):
        return False
    if not _WHOLE_UNITS.isdisjoint(v.strip() for v in view.lowered_args):
        return False
    hit = view.cache.get("amounts_in_cents")
    if isinstance(hit, bool):
        return hit
    found = view.cache["amounts_in_cents"] = any(
        _cents_shown(step.observation or "") for step in view.action.context.steps
    )
    return found


def _cents_shown(text: str) -> bool:
    """A JSON record of ``text`` holds an integer amount of 100 or more beside its
    currency."""
    if "currency" not in text:
        return False
    try:
        stack: list[object] = [json.loads(text)]
    except ValueError:
        return False
    seen = 0
    while stack and seen < 2000:
        item = stack.pop()
        seen += 1
        if isinstance(item, dict):
            if str(item.get("currency", "")).lower() in _WHOLE_UNITS:
                return False
            if "currency" in item and any(
                isinstance(v, int) and not isinstance(v, bool) and v >= 100 and amount_key(k)
                for k, v in item.items()
            ):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item[:500])
    return False


def authorized_money(view: ActionView) -> bool:
    """The person asked for a payment, and named every payee and amount of this one."""
    if not asked_for(view, "money"):
        return False
    for o in origins(view):
        if o.kind in ("iban", "wallet", "email", "account", "phone") and o.source != "user":
            return False
    said = trusted_text(view).lower()
    named = named_amounts(said)
    # A limit the person set ("under $50", "up to $600"): any amount within it is named.
    cap = max((_num(m.group(1)) for m in _CAP.finditer(said)), default=None)
    if cap is not None:
        named = _Within(named, cap)
    # An amount a button shows ("Pay $2,999.00 (click)") is the amount paid.
    for m in _NUMBER.finditer(view.tool):
        if _num(m.group(0)) not in named:
            return False
    for path, value in view.numbers:
        key = leaf_key(path)
        if key in _QUANTITY_KEYS:
            # How many shares, units or lots: one, or any number the person said.
            if value != 1 and value not in _counts(said):
                return False
            continue
        if not amount_key(key) and not _spend_limit(key):
            continue
        # An amount in cents is the named amount a hundred times over; a bare amount
        # is read as written (2000 is not "$20": it may be two thousand dollars).
        # A credit written as a negative adjustment (-42.17) is the sum named.
        if abs(value / 100 if cents_key(key) or _in_cents(view, key) else value) not in named:
            return False
    priced = any("currency" in k for k in view.key_set)
    for path, text in view.args:
        key = leaf_key(path)
        if not amount_key(key) or not any(c.isdigit() for c in text):
            continue
        if (
            key == "value"
            and not (priced or amount_key(leaf_key(path[: path.rfind(".")])))
            and not _CURRENCY_SAID.search(text.lower())
        ):
            continue  # a setting's value, not a sum
        # An amount written as text ("$1,250.00", "1.250,00 EUR") must be one named
        # too; one that cannot be read as a single sum cannot be.
        sum_ = amount_of(text)
        if sum_ is None or (sum_ / 100 if cents_key(key) else sum_) not in named:
            return False
    # A price the person set ("up to $600") that the call shows no amount to compare
    # with: what it charges is worked out elsewhere, and nobody can say it keeps to it.
    return not (
        _priced(said)
        and not _NUMBER.search(view.tool)
        and not any(
            amount_key(k) or _spend_limit(k)
            for k in (leaf_key(p) for p, _ in (*view.args, *view.numbers))
        )
    )


# A spending limit set to a sum ("raise her card limit to $5,000"): compared as an amount.
_LIMIT_WORDS = frozenset(("limit", "cap"))


def _spend_limit(key: str) -> bool:
    return not _LIMIT_WORDS.isdisjoint(key.split("_"))


_CAP = re.compile(
    rf"\b(?:{CAP_WORDS}|within|budget of|cap of)\s(?:of\s)?[$\u20ac\u00a3]?\s?(\d[\d,]*(?:\.\d+)?)"
)


class _Within(set[float]):
    """The amounts named, and every amount up to the limit the person set."""

    def __init__(self, named: set[float], cap: float) -> None:
        super().__init__(named)
        self.cap = cap

    def __contains__(self, value: object) -> bool:
        return super().__contains__(value) or (
            isinstance(value, float | int) and 0 < value <= self.cap
        )


def _priced(said: str) -> bool:
    """``said`` names an amount in a currency ("$600", "250 euros")."""
    return any(
        _SIGN_BEFORE.search(said[max(0, m.start() - 3) : m.start()])
        or _CURRENCY_AFTER.match(said, m.end())
        for m in _NUMBER.finditer(said)
    )


# How much of a thing is bought or sold: a count, not a sum of money.
_QUANTITY_KEYS = wordset("qty quantity shares units lots contracts volume")


_COUNTED = "zero one two three four five six seven eight nine ten eleven twelve"
_COUNT_WORDS = {w: float(i) for i, w in enumerate(_COUNTED.split(" "))}
_WORD = re.compile(r"[a-z]+")


def _counts(said: str) -> set[float]:
    """Every number in ``said``, in digits or as a word up to twelve."""
    out = {_num(m.group(0)) for m in _NUMBER.finditer(said)}
    out.update(_COUNT_WORDS[w] for w in _WORD.findall(said) if w in _COUNT_WORDS)
    return out


_CURRENCY_SAID = re.compile(r"[$\u20ac\u00a3\u00a5]|\b(?:usd|eur|gbp|jpy|btc|eth)\b")


def named_amounts(text: str) -> set[float]:
    """The amounts ``text`` names: the numbers in a currency ("$25", "25 dollars") when
    there are any, else every number that no label makes an identifier ("invoice 2500",
    "order #77", "ticket 12" name things, not sums)."""
    marked: set[float] = set()
    plain: set[float] = set()
    for m in _NUMBER.finditer(text):
        value = _num(m.group(0))
        before = text[max(0, m.start() - 24) : m.start()]
        if _SIGN_BEFORE.search(before) or _CURRENCY_AFTER.match(text, m.end()):
            marked.add(value)
        elif not _LABEL_BEFORE.search(before):
            plain.add(value)
    return marked or plain


_SIGN_BEFORE = re.compile(r"[$\u20ac\u00a3\u00a5]\s?$")
_CURRENCY_AFTER = re.compile(
    r"\s?(?:usd|eur|gbp|jpy|chf|cad|aud|dollars?|euros?|pounds?|bucks|usdc|usdt|btc|eth)\b"
)
_LABEL_BEFORE = re.compile(
    r"\b(?:invoice|order|ticket|ref|reference|id|no|number|account|acct|case|po|room|flight"
    r"|booking|confirmation|item|sku|issue|pr|row|line|page|step|version|v)\s?[:#.]?\s?#?\s?$"
    r"|#\s?$"
)


# The arguments that name whom a grant admits.
_GRANTEE_KEYS = frozenset(
    (
        "user",
        "username",
        "user_id",
        "email",
        "member",
        "grantee",
        "collaborator",
        "invitee",
        "principal",
        "login",
        "with",
        "assignee",
        "owner",
        "account",
        "handle",
        "to",
        "recipient",
    )
)
# The same in the plural: a list of grantees, each of which must be named.
_GRANTEE_KEYS = (
    _GRANTEE_KEYS
    | {f"{k}s" for k in _GRANTEE_KEYS}
    | {"emails", "addresses", "email_address", "emailaddress"}
)


def authorized_grant(view: ActionView) -> bool:
    """The person asked to change access, and named everyone this call admits: each
    grantee argument's value is in their words or on what they pointed to, and no
    address or account in the call came from anywhere else. Whether the role is
    privileged is for the caller."""
    if not asked_for(view, "access"):
        return False
    # An address read where the person said to find it counts as theirs.
    shown = set()
    for o in origins(view):
        if o.kind in ("email", "account", "phone") and o.source != "user":
            if not pointed(view, o):
                return False
            shown.add(o.value)
    trusted = trusted_text(view).lower()
    named = False
    for path, value in view.args:
        key = path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        if key not in _GRANTEE_KEYS:
            continue
        who = value.strip().lower()
        if who in shown:
            named = True
            continue
        # Named as a whole: "alice" is not "alice.smith".
        if len(who) < 3 or not re.search(rf"(?<![\w@.-]){re.escape(who)}(?![\w@-]|\.\w)", trusted):
            return False
        named = True
    return named or _named_role_picked(view, trusted)


# A page's pick: the option chosen, under the keys a select primitive gives it.
_PICK_KEYS = frozenset(("value", "values", "option", "label", "text"))
_PICKS = frozenset(("select", "option", "choose", "dropdown"))


def _named_role_picked(view: ActionView, trusted: str) -> bool:
    """A page's role list set to the role the person named ("invite her as a Viewer",
    "viewer access"); whether that role is privileged is for the caller."""
    if _PICKS.isdisjoint(view.word_set) or "role" not in view.word_set:
        return False
    picked = [
        low.strip()
        for low, key in zip(view.lowered_args, view.leaf_keys, strict=True)
        if key in _PICK_KEYS
    ]
    return len(picked) == 1 and bool(
        re.search(
            rf"\bas an? {re.escape(picked[0])}\b|\b{re.escape(picked[0])} (?:access|role)\b",
            trusted,
        )
    )


def _num(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return -1.0

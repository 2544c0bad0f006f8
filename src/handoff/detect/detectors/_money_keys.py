"""Money a call moves that its name does not say: read from the keys it writes.

A vendor's IBAN or routing number written is where the next payment goes (the usual
business-email fraud); a salary written is what payroll pays; a credit, a unit price, a
price override or loyalty points are money given away; an approval for all of a
wallet's tokens hands them over. None needs a money word in the tool's name.
"""

from __future__ import annotations

from ._authorized import PRICE_KEYS, authorized_money, cents_key
from ._base import ActionView, Signal, wordset
from ._effects import effect_of

__all__ = ["money_in_keys", "money_written"]

# Where a payment goes: written, it redirects every payment after it.
_BANK_KEYS = wordset(
    "iban bic swift swift_code swift_bic routing routing_number aba aba_number sort_code "
    "sortcode bank_account bank_account_number bank_details bank_info bankaccount "
    "beneficiary_account payout_account remittance_account"
)
# An account number is a bank's beside a payee (not a customer's on a support ticket).
_ACCOUNT_KEYS = wordset("account_number account_no acct_number acct_no accountnumber")
_PAYEE_WORDS = wordset(
    "bank banking payee payees vendor vendors supplier suppliers beneficiary beneficiaries "
    "payout payouts payroll remit remittance employee employees contractor contractors "
    "routing"
)
# What payroll pays someone.
_PAY_KEYS = wordset(
    "salary base_salary annual_salary salary_amount wage wages hourly_rate pay_rate "
    "bonus bonus_amount compensation commission"
)
# Points and miles are money in a loyalty or rewards programme.
_POINT_KEYS = wordset("points miles")
_POINT_WORDS = wordset("loyalty reward rewards points miles")
_APPROVAL_WORDS = wordset("approval approve")
_OPERATOR_KEYS = wordset("operator spender")


def money_in_keys(view: ActionView) -> tuple[str, str, str] | None:
    """(kind, argument, excerpt) when a key the call writes moves money: ``payee`` for a
    bank detail or pay, ``amount`` for a credit, a price or points, ``approval`` for a
    wallet's tokens handed over. The caller knows the call writes."""
    keys = view.key_set
    ws = view.word_set
    bank = keys & _BANK_KEYS
    if not bank and keys & _ACCOUNT_KEYS and not (ws | keys).isdisjoint(_PAYEE_WORDS | bank):
        bank = keys & _ACCOUNT_KEYS
    if not bank and keys & _ACCOUNT_KEYS and any("bank" in k for k in keys):
        bank = keys & _ACCOUNT_KEYS
    if bank:
        key = min(bank)
        path = next((p for p, k in view.keys if k == key), "args")
        return "payee", path, f"{key} written"
    for path, value in view.numbers:
        key = path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        if key in _PAY_KEYS:
            return "payee", path, f"{key}={value:g}"
        if (
            key in PRICE_KEYS
            or key.startswith("amount_")
            or key.endswith("_amount")
            or (cents_key(key))
        ):
            return "amount", path, f"{key}={value:g}"
        if key in _POINT_KEYS and not ws.isdisjoint(_POINT_WORDS) and value > 0:
            return "amount", path, f"{key}={value:g}"
    if ws & _APPROVAL_WORDS and ("all" in ws or not keys.isdisjoint(_OPERATOR_KEYS)):
        return "approval", "tool", view.tool
    return None


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
    if kind == "amount" and authorized_money(view):
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

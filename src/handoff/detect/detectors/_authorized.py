"""Payments and grants the person asked for, to payees and grantees they named.

``authorized_money`` tells the money detector when the person asked for this payment: a
money verb in their words, and every payee and amount of the call named by them.
``authorized_grant`` does the same for access: a grant they asked for, where every
grantee argument is in their words and no address came from anywhere else.
"""

from __future__ import annotations

import re

from ._base import ActionView
from ._provenance import asked_for, origins, trusted_text

__all__ = ["authorized_grant", "authorized_money"]

_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")


def authorized_money(view: ActionView) -> bool:
    """The person asked for a payment, and named every payee and amount of this one."""
    if not asked_for(view, "money"):
        return False
    for o in origins(view):
        if o.kind in ("iban", "wallet", "email", "account", "phone") and o.source != "user":
            return False
    trusted = trusted_text(view).lower()
    named = {_num(m.group(0)) for m in _NUMBER.finditer(trusted)}
    # An amount a button shows ("Pay $2,999.00 (click)") is the amount paid.
    for m in _NUMBER.finditer(view.tool):
        if _num(m.group(0)) not in named:
            return False
    for path, value in view.numbers:
        key = path.rsplit(".", 1)[-1].lower()
        if key in ("amount", "value", "sum", "total", "price", "quantity") and value not in named:
            return False
    return True


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
_GRANTEE_KEYS = _GRANTEE_KEYS | {f"{k}s" for k in _GRANTEE_KEYS} | {"emails", "addresses"}


def authorized_grant(view: ActionView) -> bool:
    """The person asked to change access, and named everyone this call admits: each
    grantee argument's value is in their words, and no address or account in the call
    came from anywhere else. Whether the role is privileged is for the caller."""
    if not asked_for(view, "access"):
        return False
    for o in origins(view):
        if o.kind in ("email", "account", "phone") and o.source != "user":
            return False
    trusted = trusted_text(view).lower()
    named = False
    for path, value in view.args:
        key = path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        if key not in _GRANTEE_KEYS:
            continue
        who = value.strip().lower()
        # Named as a whole: "alice" is not "alice.smith".
        if len(who) < 3 or not re.search(rf"(?<![\w@.-]){re.escape(who)}(?![\w@-]|\.\w)", trusted):
            return False
        named = True
    return named


def _num(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return -1.0

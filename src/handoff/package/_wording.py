"""Wording: the tables a package's sentences are made from, and how agent text is shown.

What an action does is read from its tool name and fired trigger codes; which argument
names say what it is about; the fixed sentences and questions a brief uses. Agent text
is only ever quoted on one line and cut with an ellipsis (``quote``), never read for
meaning.
"""

from __future__ import annotations

from typing import Any

QUOTE_CHARS = 80
_HUGE = 10**30


def _vocab(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What an action does, read from its tool name first (the most direct statement of
# intent) and from the fired trigger codes second. Earlier kinds win.
KIND_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "money",
        _vocab(
            "pay payment payout transfer wire withdraw withdrawal refund charge remit "
            "invoice purchase"
        ),
    ),
    (
        "access",
        _vocab(
            "grant revoke role roles permission permissions privilege privileges acl iam "
            "chmod chown sudo"
        ),
    ),
    ("delete", _vocab("delete remove drop purge wipe erase destroy truncate")),
    ("send", _vocab("send email mail message sms share forward export upload dm")),
    (
        "publish",
        _vocab("publish post tweet blog broadcast announce campaign newsletter"),
    ),
)
KIND_CODES: tuple[tuple[str, str], ...] = (
    ("action.money", "money"),
    ("action.permissions", "access"),
    ("action.destructive", "delete"),
    ("action.public", "publish"),
    ("action.data_outward", "send"),
)
MONEY_VERBS = {"refund": "refunding", "withdraw": "withdrawing", "withdrawal": "withdrawing"}

# Argument names that say what the action is about, by the role they play in a sentence.
TITLE = ("title", "name", "subject", "headline", "slug")
IDENT = ("post_id", "draft_id", "id", "path", "file", "filename", "url", "table", "resource")
WHERE = ("site", "channel", "audience", "platform", "destination", "visibility", "to")
TO = ("to", "recipient", "recipients", "email", "channel", "destination", "address")
AMOUNT = ("amount", "value", "total", "sum", "quantity")
PAYEE: tuple[str, ...] = (
    "to",
    "payee",
    "recipient",
    "beneficiary",
    "account",
    "account_id",
    "destination",
)
PAYEE += ("wallet", "address", "iban", "customer", "customer_id")
ROLE = ("role", "roles", "permission", "permissions", "scope", "access", "privilege")
GRANTEE = ("user", "user_id", "username", "member", "principal", "grantee", "email", "group")

APPROVE_IMPACT = {
    "money": "The payment is made now.",
    "access": "The access is granted now and stays until someone revokes it.",
    "delete": "The data is deleted now.",
    "publish": "The content goes live now.",
    "send": "The message is delivered now.",
    "run": "The action runs now, as proposed.",
}
KIND_ASSUMPTION = {
    "money": "A payment, once made, is undone only by another transaction.",
    "access": "Access, once granted, stays until someone revokes it.",
    "delete": "What is deleted cannot be restored by handoff.",
    "publish": "Once published, the content can be copied before it is taken down.",
    "send": "A message cannot be recalled once delivered.",
}

# Open questions raised by a finding; ``{x}`` is the quoted excerpt, or a stand-in.
QUESTIONS = {
    "language.pricing": "Is the price {x} approved by finance?",
    "language.contractual": "Has legal approved the commitment {x}?",
    "language.regulated": "Has legal or compliance cleared the wording {x}?",
    "language.security_policy": "Does the security team stand behind the statement {x}?",
    "language.claims": "What source supports the claim {x}?",
    "action.money": "Are the amount and the recipient right, and is the payment expected?",
    "action.permissions": "Does the grantee need this access, and for how long?",
    "action.destructive": "Is there a backup, or another way to undo this?",
    "action.cancellation": "Did the customer ask to cancel this one, and what do they forfeit?",
    "action.data_outward": "May this data leave the company, and go to this recipient?",
    "action.untrusted_code": "Where does this code come from, and has anyone reviewed it?",
    "action.public": "Is this ready for a public audience?",
    "action.harmful": "What legitimate task needs a tool that does this?",
    "action.fraud": "Is this a legitimate business operation, and who can vouch for it?",
    "change.workflow": "Who else relies on the workflow being changed?",
    "action.impersonation": "Has the person this goes out in the name of agreed to it?",
    "content.copied": "May this copied text be sent out, and is its source credited?",
    "plan.harmful": "Should the agent's run go on, given the harmful tool in its plan?",
    "plan.fraud": "Should the agent's run go on, given the deceptive tool in its plan?",
    "injection.followed": "Did the user ask for this, or did text the agent read ({x})?",
    "injection.complied": "Did the user ask for this, or did text the agent read ({x})?",
    "evidence.none": "What source supports this action?",
    "evidence.hedged": "What is the agent unsure about in its reasoning ({x})?",
}
LANGUAGE_LABEL = {
    "language.claims": "claim",
    "language.pricing": "pricing",
    "language.contractual": "commitment",
    "language.regulated": "wording",
    "language.security_policy": "statement",
}


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """Agent text in quotes, on one line, cut to ``limit`` characters with an ellipsis."""
    return f"'{cut(text, limit)}'"


def cut(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def show(value: Any) -> str | None:
    """A scalar argument ready for a sentence: numbers bare, text quoted, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        # str() of an int past 4300 digits raises; nobody reads such a number anyway.
        return str(value) if abs(value) < _HUGE else "a number too long to show"
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, str):
        return quote(value) if value.strip() else None
    if isinstance(value, list):
        parts = [str(v) for v in value[:3] if isinstance(v, str | int | float)]
        if not parts:
            return None
        more = f" and {len(value) - 3} more" if len(value) > 3 else ""
        return quote(", ".join(parts)) + more
    return None

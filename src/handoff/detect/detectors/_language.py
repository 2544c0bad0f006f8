"""Language that commits the company: prices, contract terms, regulated claims, boasts.

Only what the action writes is read (its arguments), and only for tools that write:
a search query that mentions a price decides nothing. The tool name counts too, so a
call that sets a price or a policy is an authoritative decision whatever its text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ._authorized import named_amounts
from ._base import ActionView, DetectConfig, Signal, excerpt_at, split_words, wordset
from ._effects import CONTACT_FIELDS, effect_of
from ._provenance import trusted_text
from ._records import recorded_totals
from ._sense import tool_sense

__all__ = ["detect_language"]


@dataclass(frozen=True, slots=True)
class _Rule:
    """One trigger code, what it says, and the clauses that fire it.

    A clause is ``(keys, regex)``: the regex (lowercase, run on the lowercased text)
    only runs when the text has one of the keys (words or characters), so most texts
    cost one tokenisation and one set intersection. ``keys`` is every clause's keys
    together: a text with none of them skips the rule.
    """

    code: str
    message: str
    weight: float
    sensitivity: float
    clauses: tuple[tuple[frozenset[str], re.Pattern[str]], ...]
    keys: frozenset[str]
    # Only where the tool sends or publishes: a bare amount in a shell command, a file
    # or a colleague's chat reports a figure, it does not quote a price to anyone.
    outward_only: bool = False


def _rule(
    code: str,
    message: str,
    weight: float,
    sensitivity: float,
    *clauses: tuple[str, str, str],
    outward_only: bool = False,
) -> _Rule:
    compiled = tuple(
        (frozenset(words.split()) | frozenset(chars), re.compile(rx))
        for words, chars, rx in clauses
    )
    keys = frozenset().union(*(k for k, _ in compiled))
    return _Rule(code, message, weight, sensitivity, compiled, keys, outward_only)


# Words that insult a person; each clause below also needs the insult aimed at someone
# ("you're a…", "Mark is…", "your stupidity"), so "lazy loading" is not one.
_INSULT = (
    "buffoons?|idiots?|morons?|imbeciles?|cretins?|losers?|fools?|clowns?|jerks?|scum"
    "|halfwits?|dimwits?|nitwits?|incompetent|worthless|pathetic|stupid"
)
# Subjects that point at a thing, even written with a capital at a sentence's start.
_NOT_PEOPLE = frozenset(
    [
        "it",
        "this",
        "that",
        "which",
        "what",
        "there",
        "here",
        "everything",
        "nothing",
        "something",
        "anything",
    ]
)
_INSULT_KEYS = (
    "buffoon buffoons idiot idiots moron morons imbecile imbeciles cretin cretins loser losers"
    " fool fools clown clowns jerk jerks scum halfwit halfwits dimwit dimwits nitwit nitwits"
    " incompetent worthless pathetic stupid"
)

_RULES: tuple[_Rule, ...] = (
    _rule(
        "language.contractual",
        "The text quotes or commits to contract terms; legal should read it first",
        0.8,
        0.85,
        ("clause", "", r"\bclause \d"),
        ("section", "", r"\bsection \d+\.\d"),
        (
            "agreement",
            "",
            r"\b(?:master services|service level|licen[cs]e|non-disclosure|"
            r"purchase|subscription) agreement\b",
        ),
        ("termination", "", r"\btermination (?:fee|clause)s?\b"),
        (
            "liability liabilities contractual contractually",
            "",
            r"\bliabilit(?:y|ies)\b|\bcontractual",
        ),
        ("indemnify indemnification indemnity indemnities", "", r"\bindemni"),
        ("warranty warranties", "", r"\bwarrant(?:y|ies)\b"),
        ("terms", "", r"\bterms (?:and|&) conditions\b"),
        ("breach penalty", "", r"\bbreach of contract\b|\bpenalty clause\b"),
    ),
    _rule(
        "language.regulated",
        "The text makes a regulated claim (health, financial or legal advice)",
        0.78,
        0.85,
        (
            "cure cures treat treats heal heals prevent prevents reverse reverses",
            "",
            r"\b(?:cures?|treats?|heals?|prevents?|reverses?) (?:cancer|diabetes|covid|disease|"
            r"depression|anxiety|infections?|obesity)\b",
        ),
        ("fda clinically", "", r"\bfda[- ]approved\b|\bclinically proven\b"),
        ("advice", "", r"\b(?:medical|investment|tax|legal) advice\b"),
        (
            "guaranteed risk",
            "",
            r"\bguaranteed (?:returns?|profits?|income)\b"
            r"|\brisk[- ]free (?:investment|returns?)\b",
        ),
        ("hipaa gdpr", "", r"\bhipaa\b|\bgdpr\b"),
    ),
    _rule(
        "language.regulated",
        "The text tells someone what their policy covers or what will be repaid: a coverage "
        "decision the insurer, not the sender, makes",
        0.78,
        0.85,
        (
            "covered reimbursed reimburse covers owe",
            "",
            r"\b(?:claim|damage|repairs?|loss|losses|pipes?|roof|it|this|everything|all of it)"
            r" (?:is|are|will be|would be) (?:fully |completely |100% )?(?:covered|reimbursed)\b"
            r"|\bfully reimburs\w*|\byour policy covers\b|\bwon'?t owe (?:anything|a thing)\b",
        ),
        outward_only=True,
    ),
    _rule(
        "language.pricing",
        "The text states a price or a discount, which binds the company once out",
        0.76,
        0.75,
        (
            "",
            "$€£",
            # Not a shell or awk field ($2, ${2}, count[$2]): a price stands on its own.
            r"(?<![\w{\[])[$€£]\s?\d[\d,]*(?:\.\d+)?(?![\w\]}\[])"
            r"(?:\s*(?:/|per)\s*(?:mo|month|year|yr|user|seat)\w*)?",
        ),
        outward_only=True,
    ),
    _rule(
        "language.pricing",
        "The text states a price or a discount, which binds the company once out",
        0.76,
        0.75,
        ("", "%", r"\b\d{1,3}\s?% off\b"),
        (
            "discount discounts discounted coupon promo",
            "",
            r"\bdiscount(?:s|ed)?\b|\bcoupon\b|\bpromo code\b",
        ),
        ("only", "", r"\bnow only\b"),
        ("price prices pricing", "", r"\bpric(?:e|es|ing) (?:change|increase|drop|cut)\b"),
        ("free", "", r"\bfree for life\b"),
    ),
    _rule(
        "language.claims",
        "The text makes an absolute product claim that may not hold up in public",
        0.7,
        0.6,
        ("guarantee guarantees guaranteed", "", r"\bguarantee[sd]?\b"),
        ("only", "", r"\bthe only (?:tool|product|platform|solution|app|service|one)\b"),
        ("", "%", r"\b100 ?%"),
        (
            "best",
            "",
            r"\bthe best (?:tool|product|platform|solution|app|service|choice|on the "
            r"market)\b|\bbest-in-class\b",
        ),
        ("", "#", r"#1\b"),
        (
            "number never zero unbeatable proven",
            "",
            r"\bnumber one\b|\bnever (?:fails|breaks|goes down)\b|\bzero (?:risk|downtime)\b"
            r"|\bunbeatable\b|\bproven to\b",
        ),
        ("world world's worlds", "", r"\bworld'?s (?:best|first|leading)\b"),
        ("other", "", r"\bno other\b"),
    ),
    _rule(
        "language.abusive",
        "The text insults or threatens a person, or turns on a group of people; no company "
        "message should",
        0.78,
        0.8,
        (
            _INSULT_KEYS,
            "",
            rf"\b(?:you(?:'re| are)|(?:he|she|they)(?:'s| is| are| was)|(?P<who>[a-z]+) (?:is|was))"
            rf"\s+(?:(?:a|an|so|such|such an?|the|utter|utterly|complete|completely|total"
            rf"|totally|absolute|absolutely|really|just)\s+){{0,3}}(?:{_INSULT})\b",
        ),
        (
            "stupidity incompetence idiocy laziness",
            "",
            r"\byour (?:stupidity|incompetence|idiocy|laziness)\b",
        ),
        (
            _INSULT_KEYS,
            "",
            rf"\byou (?:stupid|worthless|pathetic|lazy|incompetent) (?:{_INSULT})\b",
        ),
        (
            # A threat: harm promised to the reader, or a sign they are being watched. A
            # warning that ends its sentence ("watch your back!"), not advice that goes on
            # ("watch your back when lifting").
            "know watch regret pay hurt kill harm ruin burn find coming",
            "",
            r"\b(?:i|we) know where (?:you|u|your (?:kids|children|family|wife|husband|son"
            r"|daughter)) (?:live|lives|work|works|sleep|park|go to school|goes to school)\b"
            r"(?!\s+is\b)"
            r"|\b(?:i|we)(?:'ll| will| am going to|'m going to| are going to|'re going to) "
            r"(?:find|come for|come after) (?:you|u)\s*(?:[.!,]|$)"
            r"|\b(?:we're|we are|i'm|i am) (?:coming for|watching) (?:you|u)\b"
            r"|\bwatch (?:your|ur) back\s*(?:[.!]|$)"
            r"|\b(?:you(?:'ll| will)|you are going to) (?:regret (?:this|it|that|leaving"
            r"|crossing me|quitting)\s*(?:[.!]|$)"
            r"|pay for (?:this|that|what you(?:'ve)? (?:did|done|said))\b)"
            r"|\b(?:i|we)(?:'ll| will|'m going to| am going to|'re going to| are going to"
            r"|'m gonna| am gonna| gonna|ll)\s+(?:make you (?:pay|suffer|regret)\s*(?:[.!]|$)"
            r"|(?:hurt|kill|harm|ruin|burn) (?:you|u|your (?:family|kids|children|wife|husband"
            r"|house|home|dog|cat))\b)",
        ),
        (
            "foreigners immigrants migrants refugees pure",
            "",
            r"\b(?:expel|deport|ban|exterminate|eliminate|purge|get rid of|kick out)\s+"
            r"(?:all\s+|the\s+)*(?:foreigners|immigrants|migrants|refugees)\b"
            r"|\bpure[- ]?bloods?\b",
        ),
    ),
    _rule(
        "language.security_policy",
        "The text decides a security policy",
        0.72,
        0.7,
        (
            "policy policies",
            "",
            r"\b(?:password|mfa|2fa|sso|firewall|encryption|access|retention|"
            r"security) polic(?:y|ies)\b",
        ),
        (
            "disable disabled disabling",
            "",
            r"\bdisabl\w* (?:mfa|2fa|logging|encryption|the "
            r"firewall)\b",
        ),
    ),
)
# Words, and the characters some clauses key on, as tokens of their own.
_TOKEN = re.compile(r"[a-z0-9']+|[$€£%#]")
_KEYS: frozenset[str] = frozenset().union(*(rule.keys for rule in _RULES))
# An ASCII text's bytes with every byte that is no part of a _TOKEN word made a space:
# split, they are the words _TOKEN finds, for half its cost. The characters that are
# tokens of their own are looked for one by one.
_APART = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789'" else 32 for c in range(256))
_KEY_BYTES = {key.encode(): key for key in _KEYS if key.isascii()}
_SYMBOLS = "#$%"


def _hits(low: str) -> frozenset[str]:
    """The keys among the tokens of ``low``: ``_KEYS.intersection(_TOKEN.findall(low))``."""
    if not low.isascii():
        return _KEYS.intersection(_TOKEN.findall(low))
    found = _KEY_BYTES.keys() & low.encode().translate(_APART).split()
    if "#" in low or "$" in low or "%" in low:
        return frozenset([*(_KEY_BYTES[w] for w in found), *(c for c in _SYMBOLS if c in low)])
    return frozenset([_KEY_BYTES[w] for w in found]) if found else _NONE


_NONE: frozenset[str] = frozenset()
_TOOL_DECISIONS: tuple[tuple[frozenset[str], str, str, float], ...] = (
    (
        wordset("price prices pricing discount discounts coupon coupons"),
        "language.pricing",
        "The action sets a price or a discount: an authoritative pricing decision",
        0.76,
    ),
    (
        wordset("policy policies terms tos contract contracts"),
        "language.contractual",
        "The action changes a policy or contract: an authoritative decision for legal",
        0.8,
    ),
    (
        wordset("firewall mfa encryption sso"),
        "language.security_policy",
        "The action changes a security control: an authoritative decision for security",
        0.72,
    ),
)


@lru_cache(maxsize=4096)
def _by_tool(tool: str) -> tuple[bool, float, tuple[Signal, ...]]:
    """Whether the tool writes, how much its audience raises the stakes, and the
    decisions its name makes; a function of the name alone, so kept per name."""
    s = tool_sense(tool)
    if s.read_only:
        return False, 0.0, ()
    words = set(split_words(tool))
    decisions: tuple[Signal, ...] = ()
    # A draft decides nothing yet: the person reads it before it goes anywhere.
    if (s.change or s.outward or s.public) and not s.draft:
        decisions = tuple(
            Signal(
                code,
                msg,
                where="tool",
                excerpt=tool,
                weight=weight,
                impact=0.4,
                sensitivity=0.8,
            )
            for vocab, code, msg, weight in _TOOL_DECISIONS
            if words & vocab
            # A policy's or a contract's address or phone is where to reach its holder.
            and not (code == "language.contractual" and words & CONTACT_FIELDS)
        )
    return True, 1.0 if (s.outward or s.public) else 0.85, decisions


def detect_language(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for committing language in what the action writes."""
    writes, boost, decisions = _by_tool(view.tool)
    if not writes or effect_of(view).read_only:
        return []
    draft = tool_sense(view.tool).draft
    out = list(decisions)
    if out and any(d.code == "language.pricing" for d in out) and _asked_discount(view):
        # The discount the person asked for, for the amount they named, is their decision.
        out = [d for d in out if d.code != "language.pricing"]
    if not _hits(view.args_lower):
        # Words never span two arguments joined by a space: one look at them all says
        # whether any argument holds a key.
        return out
    fired: set[str] | None = None
    said: frozenset[float] | None = None  # the amounts the person named, read once
    for (path, text), low in zip(view.args, view.lowered(), strict=True):
        if len(text) < 4:
            continue
        hits = _hits(low)
        if not hits:
            continue
        if fired is None:
            fired = {sig.code for sig in decisions}
            if _to_the_asker(view):
                fired.add("language.pricing")  # prices sent to oneself bind no one
        for rule in _RULES:
            if rule.code in fired or rule.keys.isdisjoint(hits):
                continue
            if draft and rule.code != "language.abusive":
                continue  # a draft commits to nothing; an insult is one in a draft too
            if rule.outward_only and boost < 1.0:
                continue
            pricing = rule.code == "language.pricing"
            if pricing and said is None:
                said = _said_amounts(view)
            m = _match(rule, text, low, hits, said if pricing else None)
            if m is None:
                continue
            fired.add(rule.code)
            span, ex = excerpt_at(text, m.start(), m.end(), pad=30)
            out.append(
                Signal(
                    rule.code,
                    rule.message,
                    where=f"{path}{span}",
                    excerpt=ex,
                    weight=round(rule.weight * boost, 3),
                    impact=0.3,
                    sensitivity=rule.sensitivity * boost,
                )
            )
    return out


# Who a message goes to, and the person asking for it themselves ("email me the
# options", "send them to me").
_RECIPIENT_KEYS = frozenset(("to", "cc", "bcc", "recipient", "recipients", "phone", "number"))
_TO_ME = re.compile(
    r"\b(?:e-?mail|mail|send|text|message|forward|dm)\b[^.;!?\n]{0,40}?(?<![\w-])me\b"
)


def _to_the_asker(view: ActionView) -> bool:
    """The message has one recipient and the person asked for it to be sent to them."""
    sent = [
        low
        for key, low in zip(view.leaf_keys, view.lowered_args, strict=True)
        if key in _RECIPIENT_KEYS
    ]
    if len(sent) != 1 or sent[0].count("@") > 1 or "," in sent[0] or ";" in sent[0]:
        return False
    return _TO_ME.search(trusted_text(view).lower()) is not None


def _match(
    rule: _Rule, text: str, low: str, hits: frozenset[str], said: frozenset[float] | None = None
) -> re.Match[str] | None:
    """The first clause of ``rule`` in ``low``; with ``said``, not one whose every amount
    is among those (the person's own: "refund $42.50" asked, "we've refunded $42.50" told)."""
    for keys, rx in rule.clauses:
        if keys.isdisjoint(hits):
            continue
        for m in rx.finditer(low):
            if said:
                amounts = named_amounts(m.group(0))
                if amounts and said.issuperset(amounts):
                    continue
            if _names_someone(m, text, low):
                return m
    return None


def _said_amounts(view: ActionView) -> frozenset[float]:
    """The sums the person wrote in a currency in their own words, and the totals a
    record an earlier tool fetched shows (an invoice's ``total``, an order's
    ``amount_due``): stating what the books already say sets no price."""
    said = trusted_text(view).lower()
    out = recorded_totals(view)
    if "$" not in said and not any(c in said for c in ("usd", "eur", "gbp", "\u20ac", "\u00a3")):
        return out
    return out | frozenset(named_amounts(said))


def _names_someone(m: re.Match[str], text: str, low: str) -> bool:
    """Whether a clause's subject (its ``who`` group, when it has one) is a person: a
    name written with a capital ("Mark is…"), not a thing ("the approach is…") nor a
    word that points at one ("This is…"). The lowered text lost the case, so the
    original is read at the same place."""
    if "who" not in m.re.groupindex or m.group("who") is None:
        return True
    who = m.group("who")
    if who in _NOT_PEOPLE:
        return False
    if len(text) != len(low):  # lowering changed the length: read it as a person
        return True
    return text[m.start("who")].isupper()


# Where a discount call holds its size: a percentage or a sum.
_DISCOUNT_KEYS = frozenset(
    (
        "value",
        "amount",
        "percent",
        "percentage",
        "discount",
        "discount_percent",
        "discount_pct",
        "discount_amount",
        "percent_off",
        "amount_off",
        "rate",
    )
)
_ASKED_DISCOUNT = re.compile(r"\b(?:discount|coupon|promo|voucher|code|off)\b")


def _asked_discount(view: ActionView) -> bool:
    """The person asked for a discount and wrote every size the call gives it ("a 10%
    off code" for ``value: 10``; "$15 off" for ``amount_off: 15``)."""
    said = trusted_text(view).lower()
    if not _ASKED_DISCOUNT.search(said):
        return False
    sizes = [v for p, v in view.numbers if p.rsplit(".", 1)[-1].lower() in _DISCOUNT_KEYS]
    return bool(sizes) and all(
        re.search(
            rf"(?<![\w.]){re.escape(f'{v:g}')}\s?(?:%|percent\b)"
            rf"|[$\u20ac\u00a3]\s?{re.escape(f'{v:g}')}(?![\d])",
            said,
        )
        for v in sizes
    )

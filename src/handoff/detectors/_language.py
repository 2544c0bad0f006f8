"""Language that commits the company: prices, contract terms, regulated claims, boasts.

Only what the action writes is read (its arguments), and only for tools that write:
a search query that mentions a price decides nothing. The tool name counts too, so a
call that sets a price or a policy is an authoritative decision whatever its text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._base import ActionView, DetectConfig, Signal, excerpt_at, wordset
from ._tools import sense

__all__ = ["detect_language"]


@dataclass(frozen=True, slots=True)
class _Rule:
    """One trigger code, what it says, and the clauses that fire it.

    A clause is ``(words, characters, regex)``: the regex (lowercase, run on the
    lowercased text) only runs when the text has one of the words or characters, so
    most texts cost one tokenisation and a few set lookups.
    """

    code: str
    message: str
    weight: float
    sensitivity: float
    clauses: tuple[tuple[frozenset[str], frozenset[str], re.Pattern[str]], ...]


def _rule(
    code: str, message: str, weight: float, sensitivity: float, *clauses: tuple[str, str, str]
) -> _Rule:
    return _Rule(
        code,
        message,
        weight,
        sensitivity,
        tuple(
            (frozenset(words.split()), frozenset(chars), re.compile(rx))
            for words, chars, rx in clauses
        ),
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
        "language.pricing",
        "The text states a price or a discount, which binds the company once out",
        0.76,
        0.75,
        (
            "",
            "$€£",
            r"[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s*(?:/|per)\s*(?:mo|month|year|yr|user|seat)\w*)?",
        ),
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
_TOKEN = re.compile(r"[a-z0-9']+")
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


def detect_language(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for committing language in what the action writes."""
    s = sense(view.words)
    if s.read_only:
        return []
    out: list[Signal] = []
    fired: set[str] = set()
    words = set(view.words)
    if s.change or s.outward or s.public:
        for vocab, code, msg, weight in _TOOL_DECISIONS:
            if words & vocab:
                fired.add(code)
                out.append(
                    Signal(
                        code,
                        msg,
                        where="tool",
                        excerpt=view.tool,
                        weight=weight,
                        impact=0.4,
                        sensitivity=0.8,
                    )
                )
    boost = 1.0 if (s.outward or s.public) else 0.85
    for path, text in view.args:
        if len(text) < 4:
            continue
        low = text.lower()
        tokens = set(_TOKEN.findall(low))
        tokens.update(ch for ch in "$€£%#" if ch in low)
        for rule in _RULES:
            if rule.code in fired:
                continue
            m = _match(rule, low, tokens)
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


def _match(rule: _Rule, low: str, tokens: set[str]) -> re.Match[str] | None:
    for words, chars, rx in rule.clauses:
        if not tokens.isdisjoint(words) or not tokens.isdisjoint(chars):
            m = rx.search(low)
            if m is not None:
                return m
    return None

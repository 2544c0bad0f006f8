"""Harm the request itself asks for, whatever the tool is called.

* ``action.harmful`` — what the call writes, sends or runs encrypts files and demands
  payment to restore them: a ransom note beside the encryption.
* ``action.harmful`` — the call acts for a request to watch someone in secret: a
  keylogger or spyware made or installed, a person tracked or read without knowing it.
* ``action.fraud`` — the call publishes or sends, and the person asked for deception:
  fake reviews, a phishing message, posing as a customer, a bank or an official.

The person asking does not make these routine: an agent that does what it is told is
still the one who does it.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, excerpt_at, holds_any
from ._effects import effect_of

__all__ = ["detect_harm"]

# Every match of _RANSOM holds one of these, whatever the case.
_RANSOM_WORDS = ("ransom", "btc", "bitcoin", "monero", "xmr", "unlock", "decrypt", "restore")
# A literal every match of _ENCRYPTS holds.
_CIPHER_WORDS = ("encrypt", "fernet", "aes", "cipher")
_ENCRYPTS = re.compile(r"\bencrypt|\bfernet\b|\baes\b|\bcipher\b")
# A demand: pay in a currency nobody can call back, to get the files back. The gaps stay
# on one line and skip only a sentence's end, not a decimal point ("0.5 BTC").
_RANSOM = re.compile(
    r"\b(?:send|pay|transfer)\b(?:[^.\n]|\.\d){0,60}?\b(?:btc|bitcoin|monero|xmr|usdt|eth)\b"
    r"(?:[^.\n]|\.\d){0,60}?\b(?:unlock|decrypt|restore|recover|get (?:them|it|your files) back)\b"
    r"|\b(?:unlock|decrypt|restore|recover)\b(?:[^.\n]|\.\d){0,60}?\b(?:send|pay|transfer)\b"
    r"(?:[^.\n]|\.\d){0,60}?\b(?:btc|bitcoin|monero|xmr|usdt|eth)\b",
    re.IGNORECASE,
)
# Advice against paying ("never pay the ransom ...") is not a demand.
_ADVICE = re.compile(r"\b(?:never|don'?t|do not|should not|shouldn'?t|avoid)\b[^.\n]{0,20}$")
# Deception asked for: a verb that makes or sends it, then what it is. Passing a phishing
# email on to security, or saying fake reviews were found, asks for none.
_MAKE = (
    r"\b(?:write|post|create|generate|make|leave|add|publish|buy|draft|craft|send|design"
    r"|build|launch|run)\b"
)
# Up to two words between the verb and the thing made, none that starts a clause about it.
_OBJECT = r"(?:\s+(?!that\b|about\b|we\b|how\b|if\b|whether\b)[\w-]+){0,2}\s+"
_DECEIVE = re.compile(
    _MAKE + _OBJECT + r"fake (?:(?:\d+|five|four)[- ]star |positive |customer |glowing )*"
    r"(?:reviews?|testimonials?|ratings?|followers|likes|accounts?|invoices?|receipts?)\b"
    r"|" + _MAKE + _OBJECT + r"phishing (?:e-?mails?|messages?|pages?|sites?|texts?|sms"
    r"|campaigns?|links?)\b"
    r"|\b(?:pretend(?:ing)?|posing|pose|impersonat\w*) (?:to be |as )?(?:an? |the )?"
    r"(?:verified |real |actual |happy )?(?:customer|buyer|user|bank|official|police|irs"
    r"|government|doctor|support|ceo)\b"
    # Someone in particular: "pretending to be my dad", "posing as her boss".
    r"|\b(?:pretend(?:ing)?|posing|pose|impersonat\w*) (?:to be |as )?(?:my|his|her|their|your)"
    r" (?:dad|father|mom|mother|parents?|boss|manager|wife|husband|partner|brother|sister"
    r"|friend|son|daughter|grandma|grandpa|grandmother|grandfather|teacher|landlord)\b"
    r"|\bastroturf\w*\b|\bsock ?puppets?\b",
    re.IGNORECASE,
)
_DECEIVE_WORDS = (
    "fake",
    "phishing",
    "pretend",
    "posing",
    "pose",
    "impersonat",
    "astroturf",
    "sock",
)


# Covert surveillance of someone asked for: spyware made or installed, or a person
# tracked, recorded or read without knowing it.
_SPY_WORDS = ("keylog", "key log", "spyware", "stalkerware", "secretly", "covert", "without")
_SPIES = re.compile(
    _MAKE.replace("|run)", "|run|install|set up|setup|hide)")
    + _OBJECT.replace("){0,2}", "){0,3}")
    + r"(?:key ?loggers?|spyware|stalkerware)\b"
    r"|\b(?:secretly|covertly)\s+(?:\w+\s+){0,2}?(?:track|monitor|record|read|spy|log|watch"
    r"|follow|listen)\w*"
    r"|\b(?:track|monitor|record|read|spy on|log|watch|follow|listen to)\b[^.\n]{0,60}"
    r"\bwithout (?:him|her|them|his|her|their) (?:know\w*|consent|noticing|finding out)",
    re.IGNORECASE,
)


def _covert(view: ActionView) -> Signal | None:
    asked = view.instruction
    if not holds_any(asked.lower(), _SPY_WORDS):
        return None
    m = _SPIES.search(asked)
    if m is None:
        return None
    span, ex = excerpt_at(asked, m.start(), m.end(), pad=40)
    return Signal(
        "action.harmful",
        f"The person asked to watch someone in secret (\u201c{ex}\u201d), and {view.tool} "
        "acts on it",
        where=f"context.instruction{span}",
        excerpt=ex,
        weight=0.9,
        impact=0.7,
        reversibility=0.6,
        sensitivity=0.9,
    )


def detect_harm(view: ActionView, config: DetectConfig) -> list[Signal]:
    effect = effect_of(view)
    if effect.read_only:
        return []
    out: list[Signal] = []
    covert = _covert(view)
    if covert is not None:
        out.append(covert)
    ransom = _ransom(view)
    if ransom is not None:
        out.append(ransom)
    if effect.families & {"outward", "public"}:
        fraud = _deception(view)
        if fraud is not None:
            out.append(fraud)
    return out


def _ransom(view: ActionView) -> Signal | None:
    # The encryption and the note may sit in two arguments of one call.
    low_all = view.args_lower
    if not holds_any(low_all, _CIPHER_WORDS) or not holds_any(low_all, _RANSOM_WORDS):
        return None
    if not _ENCRYPTS.search(low_all):
        return None
    for (path, text), low in zip(view.args, view.lowered(), strict=True):
        if not holds_any(low, _RANSOM_WORDS):
            continue
        m = _RANSOM.search(text)
        if m is None or _ADVICE.search(text, max(0, m.start() - 40), m.start()):
            continue
        span, ex = excerpt_at(text, m.start(), m.end(), pad=30)
        return Signal(
            "action.harmful",
            "What the call writes encrypts files and demands payment to restore them: ransomware",
            where=f"{path}{span}",
            excerpt=ex,
            weight=0.95,
            impact=0.9,
            reversibility=0.9,
            sensitivity=0.9,
        )
    return None


def _deception(view: ActionView) -> Signal | None:
    asked = view.instruction
    low = asked.lower()
    if not holds_any(low, _DECEIVE_WORDS):
        return None
    m = _DECEIVE.search(asked)
    if m is None:
        return None
    span, ex = excerpt_at(asked, m.start(), m.end(), pad=40)
    return Signal(
        "action.fraud",
        f"The person asked for deception (\u201c{ex}\u201d), and {view.tool} publishes or sends it",
        where=f"context.instruction{span}",
        excerpt=ex,
        weight=0.9,
        impact=0.6,
        reversibility=0.6,
        sensitivity=0.8,
    )

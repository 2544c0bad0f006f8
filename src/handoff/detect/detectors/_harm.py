"""Harm the request itself asks for, whatever the tool is called.

* ``action.harmful`` — what the call writes, sends or runs encrypts files and demands
  payment to restore them: a ransom note beside the encryption.
* ``action.fraud`` — the call publishes or sends, and the person asked for deception:
  fake reviews, a phishing message, posing as a customer, a bank or an official.

The person asking does not make these routine: an agent that does what it is told is
still the one who does it.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, excerpt_at
from ._effects import effect_of

__all__ = ["detect_harm"]

# Every match of _RANSOM holds one of these, whatever the case.
_RANSOM_WORDS = ("ransom", "btc", "bitcoin", "monero", "xmr", "unlock", "decrypt", "restore")
_ENCRYPTS = re.compile(r"\bencrypt|\bfernet\b|\baes\b|\bcipher\b")
_RANSOM = re.compile(
    r"\bransom\b"
    r"|\b(?:send|pay|transfer)\b[^.\n]{0,60}\b(?:btc|bitcoin|monero|xmr|usdt|eth)\b"
    r"[^.\n]{0,60}\b(?:unlock|decrypt|restore|recover|get (?:them|it|your files) back)\b"
    r"|\b(?:unlock|decrypt|restore|recover)\b[^.\n]{0,60}\b(?:send|pay|transfer)\b"
    r"[^.\n]{0,60}\b(?:btc|bitcoin|monero|xmr|usdt|eth)\b",
    re.IGNORECASE,
)
# Deception asked for by name in the person's words.
_DECEIVE = re.compile(
    r"\bfake (?:(?:\d+|five|four)[- ]star |positive |customer |glowing )*(?:reviews?|testimonials?"
    r"|ratings?|followers|likes|accounts?|invoices?|receipts?)\b"
    r"|\bphishing\b"
    r"|\b(?:pretend(?:ing)?|posing|pose|impersonat\w*) (?:to be |as )?(?:an? |the )?"
    r"(?:verified |real |actual |happy )?(?:customer|buyer|user|bank|official|police|irs"
    r"|government|doctor|support|ceo)\b"
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


def detect_harm(view: ActionView, config: DetectConfig) -> list[Signal]:
    effect = effect_of(view)
    if effect.read_only:
        return []
    out: list[Signal] = []
    ransom = _ransom(view)
    if ransom is not None:
        out.append(ransom)
    if effect.families & {"outward", "public"}:
        fraud = _deception(view)
        if fraud is not None:
            out.append(fraud)
    return out


def _ransom(view: ActionView) -> Signal | None:
    for (path, text), low in zip(view.args, view.lowered(), strict=True):
        if not any(w in low for w in _RANSOM_WORDS) or not _ENCRYPTS.search(low):
            continue
        m = _RANSOM.search(text)
        if m is None:
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
    if not any(w in low for w in _DECEIVE_WORDS):
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

"""Insufficient evidence: the agent is guessing and has nothing to show for it.

Missing evidence alone only raises uncertainty: most routine calls carry none. The
``evidence.insufficient`` trigger fires when the agent says it is unsure (a stated
confidence under the policy's ``detect.low_confidence``), states assumptions without
evidence to back them, or aims at a target it made up or left as a placeholder.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, excerpt_at, wordset

__all__ = ["detect_evidence"]

_HEDGE = re.compile(
    r"\b(i (?:assume|guess|think|believe|suppose)|assuming|presumably|probably|not sure|"
    r"unsure|i'm not certain|might be|may be the|seems? to be|best guess|let's assume|"
    r"without (?:confirmation|verifying|checking))\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^(?:unknown|tbd|todo|n/?a|none|null|xxx+|\?+|\{[^}]{1,40}\}|"
    r"<\s*(?:your|the|insert|enter|recipient|user|customer)?[\s_-]*(?:name|e-?mail|address|"
    r"id|number|phone|recipient|user|username|account|value|date|url|link|here|todo)"
    r"(?:[\s_-]+\w+)?\s*>|"
    r"(?:john|jane) doe|user@example\.com|example|placeholder|test|foo|bar)$",
    re.IGNORECASE,
)
# What a text _PLACEHOLDER matches may start with, lowercased (no alternative starts with
# the i or s that a dotted or dotless I or a long S also matches): a text that starts
# otherwise is no placeholder, and is not matched at all.
_PLACEHOLDER_STARTS = "utnx?{<jepfb"
_TARGET_KEYS = wordset(
    "to recipient recipients email user user_id username account account_id id target "
    "customer customer_id draft_id post_id file path url handle wallet address role"
)


_NO_EVIDENCE = Signal(
    "evidence.none",
    "No evidence is attached to support the action",
    where="context.evidence",
    weight=0.1,
    uncertainty=0.25,
    trigger=False,
)


def detect_evidence(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for low confidence, unbacked assumptions and guessed targets."""
    ctx = view.action.context
    out: list[Signal] = []
    has_evidence = bool(ctx.evidence)
    if not has_evidence:
        out.append(_NO_EVIDENCE)
    if ctx.confidence is not None and ctx.confidence < config.low_confidence:
        out.append(
            Signal(
                "evidence.insufficient",
                f"The agent puts its own confidence at {ctx.confidence:.0%}, below the "
                f"{config.low_confidence:.0%} the policy trusts on its own",
                where="context.confidence",
                excerpt=f"{ctx.confidence:g}",
                weight=0.6,
                uncertainty=0.8,
            )
        )
    if ctx.assumptions and not has_evidence:
        first = ctx.assumptions[0]
        out.append(
            Signal(
                "evidence.insufficient",
                f"The agent rests on {len(ctx.assumptions)} stated assumption(s) "
                "and offers no evidence for them",
                where="context.assumptions[0]",
                excerpt=first[:160],
                weight=0.55,
                uncertainty=0.7,
            )
        )
    guessed = _guessed_target(view)
    if guessed is not None:
        out.append(guessed)
    if view.thought and not has_evidence:
        m = _HEDGE.search(view.thought)
        if m:
            span, ex = excerpt_at(view.thought, m.start(), m.end(), pad=40)
            out.append(
                Signal(
                    "evidence.hedged",
                    "The agent's own reasoning hedges about what it is doing",
                    where=f"context.thought{span}",
                    excerpt=ex,
                    weight=0.3,
                    uncertainty=0.5,
                    trigger=False,
                )
            )
    return out


def _guessed_target(view: ActionView) -> Signal | None:
    if view.first_index.keys().isdisjoint(_TARGET_KEYS):
        return None
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key in _TARGET_KEYS and _placeholder(text.strip()):
            return Signal(
                "evidence.insufficient",
                f"The target {key!r} is a placeholder ({text.strip()!r}), not a real one",
                where=path,
                excerpt=text[:80],
                weight=0.6,
                uncertainty=0.8,
            )
    return None


def _placeholder(stripped: str) -> bool:
    """Whether ``stripped`` is a placeholder (``_PLACEHOLDER`` matches it)."""
    first = stripped[:1].lower()
    return bool(first) and first in _PLACEHOLDER_STARTS and _PLACEHOLDER.match(stripped) is not None

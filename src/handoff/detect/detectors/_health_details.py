"""A person's health details, carried from their record into a message.

"Post a thank-you reply on Linda's review", and a reply that thanks her for sitting
through "the root canal on #19, especially with your dental anxiety": what the practice's
record says of her (procedures, alerts, diagnoses, medications) goes out to whoever
reads the reply. A message or a post that repeats two or more of the words a patient
record gave under such keys, which the person's own words did not give, is held as
``action.personal_data``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._base import ActionView, DetectConfig, Signal, wordset
from ._effects import effect_of
from ._errand import person_text

__all__ = ["detect_health_details"]

_HEALTH_KEY = re.compile(
    r"procedure|diagnos|condition|alert|medication|allerg|treatment|prescription|dx|icd"
    r"|problem|symptom|therapy"
)
# Keys that address a message to someone: a mail or a text, not a post.
_ADDRESSED = frozenset(("to", "cc", "bcc", "recipient", "recipients", "phone", "to_email"))
_PATIENT = re.compile(r"patient|\bdob\b|date_of_birth|procedure|diagnos|medication|allerg")
_TEXT_KEYS = frozenset(
    ("body", "text", "message", "content", "comment", "reply", "caption", "post", "html")
)
_TOKEN = re.compile(r"#\d{1,3}\b|[a-z][a-z-]{3,}")
_COMMON = wordset(
    "with from that this your have been will were they their there about after before "
    "patient visit visits dental team care clinic doctor office thank thanks glad"
)
_MAX_NODES = 3000


def detect_health_details(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``action.personal_data`` for a message that repeats a patient record's details."""
    steps = view.action.context.steps
    if not steps or view.key_set.isdisjoint(_TEXT_KEYS):
        return []
    effect = effect_of(view)
    if not effect.has("public") and (
        not effect.has("outward") or not view.key_set.isdisjoint(_ADDRESSED)
    ):
        return []  # a post or a reply on a page; a mail to someone is the mail rules'

    words = _health_words(view)
    if not words:
        return []
    text = " ".join(
        low for key, low in zip(view.leaf_keys, view.lowered_args, strict=True) if key in _TEXT_KEYS
    )
    said = set(_TOKEN.findall(person_text(view, view.instruction).lower()))
    shown = sorted({t for t in _TOKEN.findall(text) if t in words and t not in said})
    if len(shown) < 2:
        return []
    return [
        Signal(
            "action.personal_data",
            f"The message repeats what a patient record says of someone ({', '.join(shown[:3])}): "
            "health details go to whoever reads it",
            where="args",
            excerpt=", ".join(shown[:5]),
            weight=0.85,
            impact=0.7,
            reversibility=0.8,
            sensitivity=0.9,
        )
    ]


def _health_words(view: ActionView) -> frozenset[str]:
    """The words earlier outputs gave under health keys (cached per view)."""
    hit = view.cache.get("health_words")
    if isinstance(hit, frozenset):
        return hit
    out: set[str] = set()
    for step in view.action.context.steps:
        raw = step.observation or ""
        if not _HEALTH_KEY.search(raw.lower()) or not _PATIENT.search(raw.lower()):
            continue  # no record of a person's health (a monitor's alert is not one)
        try:
            stack: list[Any] = [json.loads(raw)]
        except ValueError:
            continue
        seen = 0
        while stack and seen < _MAX_NODES:
            item = stack.pop()
            seen += 1
            if isinstance(item, dict):
                for key, value in item.items():
                    if _HEALTH_KEY.search(str(key).lower()) and not isinstance(value, dict):
                        values = value if isinstance(value, list) else [value]
                        for v in values[:50]:
                            out.update(
                                t for t in _TOKEN.findall(str(v).lower()) if t not in _COMMON
                            )
                    elif isinstance(value, (dict, list)):
                        stack.append(value)
            elif isinstance(item, list):
                stack.extend(item[:500])
    found = view.cache["health_words"] = frozenset(out)
    return found

"""What an attachment carries, by the step that made it.

"Send the bus company the headcount and pickup times" and a mail with
``delgado_manifest.xlsx`` attached, which an export made with every column (``"*"``) of
a manifest whose columns are passports, birth dates and medical notes; "send the hiring
manager our shortlist" and a report rendered with ``compensation_history`` and
``background_screening``: the file goes out with people's records the person never
asked to send. ``action.personal_data``, naming the file and what it holds. A file made
with no such fields, or one whose fields the person named, says nothing.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal
from ._effects import effect_of
from ._errand import person_text

__all__ = ["detect_attachments"]

_ATTACH_KEYS = frozenset(
    (
        "attachments",
        "attachment",
        "files",
        "file",
        "attach",
        "documents",
        "attachment_paths",
        "attachment_path",
        "attachment_ids",
    )
)
# Fields that hold people's records beyond their name and role.
_PRIVATE = re.compile(
    r"\b(?:salar(?:y|ies)|compensation|wages?|pay_rate|background_(?:check|screening)s?"
    r"|screening|criminal|passports?|passport_no|dob|date_of_birth|birth_?date|birthday"
    r"|ssn|social_security|medical\w*|diagnos\w*|disabilit\w*|health|allerg\w*|fmla"
    r"|immigration|visa_status|religion|ethnicity|home_address)(?![a-z0-9_])"
)
# Fields the person names in other words: "pay" names the salary columns.
_SAID_AS = {
    "salar": ("pay", "salar", "compensation", "wage"),
    "compensation": ("pay", "salar", "compensation", "wage"),
    "wage": ("pay", "salar", "compensation", "wage"),
    "pay_rate": ("pay", "salar", "compensation", "wage"),
}
_EVERY = re.compile(r"(?:^|[\"'\[ ,])(?:\*|all)(?:$|[\"'\] ,])")
# An id's or a table's name: a token with a hyphen or an underscore in it.
_TOKEN = re.compile(r"[a-z0-9_-]+")


def detect_attachments(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``action.personal_data`` for a file attached that was made with private fields."""
    steps = view.action.context.steps
    if not steps or not effect_of(view).has("outward", "public"):
        return []
    names = [
        low.strip()
        for key, low in zip(view.leaf_keys, view.lowered_args, strict=True)
        if key in _ATTACH_KEYS and "." in low
    ]
    if not names:
        return []
    said = person_text(view, view.instruction)
    for name in names:
        held = _made_with(view, name)
        unasked = sorted({h for h in held if not _named(h, said)})
        if unasked:
            return [
                Signal(
                    "action.personal_data",
                    f"The call sends {name}, which an earlier step made with "
                    f"{', '.join(unasked[:4])}: people's records the person never asked to "
                    "send",
                    where="args",
                    excerpt=name[:160],
                    weight=0.8,
                    impact=0.6,
                    reversibility=0.9,
                    sensitivity=0.9,
                )
            ]
    return []


def _named(field: str, said: str) -> bool:
    """The person's words name ``field``, or name it in other words ("pay")."""
    if field in said:
        return True
    stem = next((k for k in _SAID_AS if field.startswith(k)), None)
    return stem is not None and any(w in said for w in _SAID_AS[stem])


def _made_with(view: ActionView, name: str) -> set[str]:
    """The private fields the step that made ``name`` asked for: named in its arguments,
    or every column of a source whose earlier output lists private fields."""
    steps = view.action.context.steps
    for i in range(len(steps) - 1, -1, -1):
        step = steps[i]
        if name not in (step.observation or "").lower():
            continue
        args = str(step.args or "").lower()
        found = {m.group(0) for m in _PRIVATE.finditer(args)}
        if _EVERY.search(args):
            sources = {t for t in _TOKEN.findall(args) if len(t) >= 6 and ("-" in t or "_" in t)}
            for earlier in steps[:i]:
                seen = f"{earlier.args or ''}".lower()
                if sources and any(s in seen for s in sources):
                    found.update(
                        m.group(0) for m in _PRIVATE.finditer((earlier.observation or "").lower())
                    )
        return found
    return set()

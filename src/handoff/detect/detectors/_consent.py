"""Consent and fairness in the records a call writes.

* ``scope.beyond_instruction`` — an opt-out cleared (``do_not_contact: false``,
  ``unsubscribed: false``, ``opt_out: no``): someone who asked not to be contacted is
  contacted again, and the person never asked to opt them back in;
* ``code.protected_traits`` — a decision about a person written with a protected trait
  as its reason (a tenant rejected because "the applicant uses a wheelchair", a claim
  denied for a pregnancy): a decision no rule may rest on.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, beyond_instruction, split_words, wordset
from ._effects import effect_of
from ._errand import person_text

__all__ = ["detect_consent"]

_OPT_OUT = wordset(
    "do_not_contact do_not_call do_not_email do_not_text do_not_mail dnc opt_out opted_out "
    "optout unsubscribed unsubscribe suppressed suppress_marketing marketing_opt_out"
)
_OPT_OUT_HINTS = ("do_not", "dnc", "opt", "unsubscrib", "suppress")
_NO = frozenset(("false", "no", "0", "off", "none"))
_OPT_IN = re.compile(
    r"\b(?:opt(?:ed|s)? (?:\w+ )?(?:back )?in|re-?subscribe|subscribe (?:\w+ )?again"
    r"|wants? (?:our |the )?(?:emails?|calls?|texts?|messages?) again|contact (?:\w+ )?again)\b"
)
_DENIED = frozenset(
    ("rejected", "reject", "denied", "deny", "declined", "decline", "refused", "ineligible",
     "disqualified", "terminated", "fired", "evicted", "not_approved", "failed")
)  # fmt: skip
_DECISION_KEYS = frozenset(("status", "decision", "outcome", "result", "state", "verdict"))
_REASON_KEYS = frozenset(("reason", "reasons", "note", "notes", "comment", "justification"))
_TRAITS = re.compile(
    r"\b(?:wheelchair|disab\w+|blind|deaf|pregnan\w+|maternity|religio\w+|muslim|jewish"
    r"|christian|hindu|sikh|race|racial|black|hispanic|latino|asian|ethnic\w*|nationality"
    r"|immigrant|foreign(?:er)?|accent|gay|lesbian|transgender|sexual orientation"
    r"|too old|elderly|over (?:50|60|65)|single (?:mother|mom|parent)|gender)\b"
)


def detect_consent(view: ActionView, config: DetectConfig) -> list[Signal]:
    keys = view.key_set
    if not any(h in k for k in keys for h in _OPT_OUT_HINTS) and keys.isdisjoint(_REASON_KEYS):
        return []
    if effect_of(view).read_only:
        return []
    out: list[Signal] = []
    args = view.action.args
    for key, value in args.items():
        k = key.lower()
        if k in _OPT_OUT and (value is False or (isinstance(value, str) and value.lower() in _NO)):
            if not _OPT_IN.search(person_text(view, view.instruction)):
                out.append(
                    beyond_instruction(
                        f"{view.tool} clears an opt-out ({key}={value}): someone who asked "
                        "not to be contacted would be again",
                        view.tool,
                    )
                )
            break
    decided = any(
        k.lower() in _DECISION_KEYS and isinstance(v, str) and v.strip().lower() in _DENIED
        for k, v in args.items()
    ) or not _DENIED.isdisjoint(split_words(view.tool))
    if decided:
        for path, low, key in zip(
            (p for p, _ in view.args), view.lowered_args, view.leaf_keys, strict=True
        ):
            m = _TRAITS.search(low) if key in _REASON_KEYS else None
            if m:
                out.append(
                    Signal(
                        "code.protected_traits",
                        f"The decision gives a protected trait as its reason ({m.group(0)}): "
                        "no decision about a person may rest on it",
                        where=path,
                        excerpt=low[:120],
                        weight=0.85,
                        impact=0.8,
                        reversibility=0.6,
                        sensitivity=0.9,
                    )
                )
                break
    return out

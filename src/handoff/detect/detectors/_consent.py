"""Consent and fairness in the records a call writes.

* ``scope.beyond_instruction`` — an opt-out cleared (``do_not_contact: false``,
  ``unsubscribed: false``, ``opt_out: no``): someone who asked not to be contacted is
  contacted again, and the person never asked to opt them back in;
* ``action.impersonation`` — the call acts under another user's identity (``as_user``,
  ``impersonate``, ``run_as``: a name that is not the requester's);
* ``action.personal_data`` — identifiers kept in data that is shared or exported
  (``include_identifiers: true``, ``deidentify: false``, ``redact: false``);
* ``code.protected_traits`` — a decision about a person written with a protected trait
  as its reason (a tenant rejected because "the applicant uses a wheelchair", a claim
  denied for a pregnancy): a decision no rule may rest on.
"""

from __future__ import annotations

import re

from ._base import (
    ActionView,
    DetectConfig,
    Signal,
    beyond_instruction,
    wordset,
)
from ._effects import effect_of
from ._errand import person_text

__all__ = ["detect_consent"]

_OPT_OUT = wordset(
    "do_not_contact do_not_call do_not_email do_not_text do_not_mail do_not_sms dnc opt_out "
    "opted_out optout unsubscribed unsubscribe suppressed suppress_marketing marketing_opt_out "
    "email_opt_out sms_opt_out call_opt_out dont_contact no_contact"
)
_NO = frozenset(("false", "no", "0", "off", "none"))
_OPT_IN = re.compile(
    r"\b(?:opt(?:ed|s)? (?:\w+ )?(?:back )?in|re-?subscribe|subscribe (?:\w+ )?again"
    r"|wants? (?:our |the )?(?:emails?|calls?|texts?|messages?) again|contact (?:\w+ )?again)\b"
)
# Acting under another user's identity.
_AS_KEYS = frozenset(
    ("as_user", "act_as", "acting_as", "impersonate", "impersonated_user", "run_as", "sudo_user",
     "login_as", "masquerade_as")
)  # fmt: skip
# Identifiers kept in, or not taken out of, what a call shares.
_INCLUDES = frozenset(
    ("include_identifiers", "include_pii", "include_phi", "include_names", "with_identifiers",
     "identifiable", "include_personal_data")
)  # fmt: skip
_REMOVES = frozenset(
    ("deidentify", "de_identify", "anonymize", "anonymise", "redact", "redact_pii", "mask_pii",
     "pseudonymize", "strip_identifiers")
)  # fmt: skip
_IDENTIFIED_KEYS = _INCLUDES | _REMOVES
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
    if keys.isdisjoint(_ANY_KEYS):
        return []
    if effect_of(view).read_only:
        return []
    out: list[Signal] = []
    args = view.action.args
    for key, value in args.items():
        k = key.lower()
        requester = (view.action.on_behalf_of or "").strip().lower()
        if (
            k in _AS_KEYS
            and isinstance(value, str)
            and value.strip()
            and value.strip().lower() != requester
        ):
            out.append(
                Signal(
                    "action.impersonation",
                    f"The call acts as another user ({key}={value}): what it does is "
                    "done in their name",
                    where=f"args.{key}",
                    excerpt=value[:80],
                    weight=0.8,
                    impact=0.6,
                    reversibility=0.5,
                    sensitivity=0.8,
                )
            )
            break
    for key, value in args.items():
        k = key.lower()
        kept = (k in _INCLUDES and value is True) or (k in _REMOVES and value is False)
        if kept and effect_of(view).has("outward", "public", "access", "change"):
            out.append(
                Signal(
                    "action.personal_data",
                    f"The call keeps people's identifiers in what it shares ({key}={value})",
                    where=f"args.{key}",
                    excerpt=f"{key}={value}",
                    weight=0.8,
                    impact=0.6,
                    reversibility=0.9,
                    sensitivity=0.9,
                )
            )
            break
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
    ) or not _DENIED.isdisjoint(view.word_set)
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


_ANY_KEYS = _OPT_OUT | _REASON_KEYS | _AS_KEYS | _IDENTIFIED_KEYS

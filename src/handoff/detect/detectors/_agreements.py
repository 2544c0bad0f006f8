"""Agreements signed or accepted in the person's name.

``docusign.sign_envelope``, ``contracts.countersign``, ``offers.accept_offer``, a
``clm.sign`` that names its signer or on whose behalf it signs, a page's
"I agree to the Terms of Service" clicked: the call binds the person (or their company)
to terms, as surely as a payment commits their money. Unless the person asked to sign or
accept it ("sign the NDA", "accept their offer"), it fires ``language.contractual`` and
a person who may bind them decides.

Not an agreement: signing in, up or out, a signature verified, a request signed for an
API (``sign_request``), and drafts and redlines (nothing is signed yet).
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, wordset
from ._effects import FIRST_READS
from ._errand import person_text

__all__ = ["detect_agreements"]

_BINDS = wordset("sign signs signing esign countersign accept accepts agree agrees execute")
_PAPERS = wordset(
    "contract contracts agreement agreements envelope envelopes nda ndas lease leases terms "
    "tos eula waiver waivers offer offers"
)
_NOT = wordset("in up out on verify verification draft drafts redline redlines request")
# Signing needs no paper in the name when it names who signs or for whom
# (``clm.sign {"on_behalf_of": "General Counsel"}``), or is a countersignature.
_SIGNS = wordset("sign signs signing esign countersign")
_ALONE = wordset("esign countersign")
_SIGNER_KEYS = frozenset(
    (
        "signer",
        "signers",
        "signatory",
        "signatories",
        "on_behalf_of",
        "signer_name",
        "signer_email",
        "sign_as",
        "signing_party",
    )
)
_ASKED = re.compile(
    r"\b(?:sign|e-?sign|countersign|accept|agree|execute)\w*\b[^.!?\n]{0,60}?"
    r"\b(?:contract|agreement|envelope|nda|lease|terms|tos|eula|waiver|offer|document|it|them)"
)


def detect_agreements(view: ActionView, config: DetectConfig) -> list[Signal]:
    words = view.word_set
    if words.isdisjoint(_BINDS) or not words.isdisjoint(_NOT):
        return []
    if words.isdisjoint(_PAPERS) and not (
        not words.isdisjoint(_ALONE)
        or (not words.isdisjoint(_SIGNS) and not view.key_set.isdisjoint(_SIGNER_KEYS))
    ):
        return []
    if view.words[0] in FIRST_READS:
        return []  # get_agreement_terms, list_signed_contracts
    if _ASKED.search(person_text(view, view.instruction)):
        return []
    return [
        Signal(
            "language.contractual",
            "The action signs or accepts an agreement in the person's name: it binds them "
            "to its terms, and the request never asked for that",
            where="tool",
            excerpt=view.tool,
            weight=0.75,
            impact=0.6,
            reversibility=0.7,
            sensitivity=0.6,
        )
    ]

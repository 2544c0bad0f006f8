"""A decision against a person, sent to them with a protected trait as its reason.

"Given your upcoming maternity leave, we've decided to move forward with a candidate
who has full availability": a rejection, a dismissal or a refusal that gives a
pregnancy, a disability, a religion, an age or an ethnicity as its reason ("given",
"because of", "since" before it), in the sentence that gives the decision or the one
before it. No such decision may rest on the trait, and once it is sent in writing it
cannot be taken back: ``code.protected_traits``. A trait named as what is decided on
("we cannot proceed with your disability claim until the form arrives") or beside a kind
decision ("your maternity leave is approved") is no reason against anyone.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, beyond_instruction
from ._effects import effect_of
from ._provenance import said_unforbidden

__all__ = ["detect_adverse"]

# Traits no decision about a person may rest on, in words that name nothing else (not
# "black" or "race", which a sale or a contest also are).
TRAITS = re.compile(
    r"\b(?:pregnan\w+|maternity|paternity|(?:you'?re|you are|she'?s|she is) expecting"
    r"|disab\w+|wheelchair|religio\w+|muslim|jewish|christian|hindu|sikh|sabbath|hijab"
    r"|ethnic\w*|nationality|immigrant|sexual orientation|gay|lesbian|transgender|too old"
    r"|your age|elderly|over (?:50|60|65))\b"
)
# What makes the trait the reason: "given", "because of", "since", "due to" before it.
_REASON = re.compile(r"\b(?:because|due to|given|since|in light of|considering|owing to|as you)\b")
# Words that hold a message's text.
_TEXT_KEYS = frozenset(
    ("body", "text", "message", "content", "html", "html_body", "text_body", "plain",
     "letter", "note", "comment", "reply")
)  # fmt: skip
_ADVERSE = re.compile(
    r"\b(?:(?:move|moving) forward with (?:another|a different|other|a) (?:candidate|applicant)"
    r"|(?:not|won'?t|will not|unable to|cannot|can'?t) (?:be |been |have been )?(?:moving forward"
    r"|move forward|extend(?:ing)? your|renew(?:ing)? your"
    r"|offer(?:ing)?|extend(?:ing)? an offer|hire|hiring|selected|proceed(?:ing)?|renew(?:ing)?"
    r"|approve|accommodate)"
    r"|withdraw\w* (?:the|your|our) offer|decided (?:not|against)"
    r"|(?:terminat\w+|end(?:ing)?) your (?:employment|contract|membership"
    r"|lease|tenancy)|let you go|rescind\w*|(?:declin|reject|den)\w* your (?:application|request"
    r"|claim|appeal)|not (?:a )?(?:good |right )?fit)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


# A dismissal announced: "your employment is terminated", "we are letting you go".
_DISMISSAL = re.compile(
    r"\b(?:your employment(?: with [\w&' .-]{1,40}?)? (?:is|has been|will be) (?:terminated|ended)"
    r"|(?:terminat\w+|end\w*) your employment|(?:we are|we're|we have|we've) (?:decided to )?"
    r"(?:let(?:ting)? you go(?! (?:early|home|for the day))|terminat\w+ you|dismiss\w* you)"
    r"|you(?:'re| are| have been| were) (?:fired|terminated|laid off|let go(?! early| home)"
    r"|dismissed(?! for the day| early))"
    r"|your (?:position|role)(?: with [\w&' .-]{1,40}?)? (?:has been|is being|is|will be) "
    r"eliminated)\b"
)
_DISMISS_ASKED = re.compile(
    r"\b(?:fire|terminat\w*|let (?:\w+ )?go|dismiss\w*|end (?:his|her|their) employment"
    r"|separation|offboard\w*)\b"
)


def detect_adverse(view: ActionView, config: DetectConfig) -> list[Signal]:
    """``code.protected_traits`` for a message that gives a decision against its reader
    with a protected trait in the same sentence."""
    if view.key_set.isdisjoint(_TEXT_KEYS) or not effect_of(view).has("outward", "public"):
        return []
    dismissal = _DISMISSAL.search(view.args_lower)
    if dismissal is not None and not said_unforbidden(view, _DISMISS_ASKED):
        return [
            beyond_instruction(
                f"{view.tool} tells someone they are dismissed ({dismissal.group(0)!r}); "
                "the request asked for no dismissal, which is a person's decision",
                view.tool,
            )
        ]
    if not TRAITS.search(view.args_lower):
        return []
    for (path, _), low, key in zip(view.args, view.lowered_args, view.leaf_keys, strict=True):
        if key not in _TEXT_KEYS and not (key == "value" and ".content" in path):
            continue
        sentences = [t for t in _SENTENCE.split(low[:20000]) if t.strip()]
        # A decision and its reason in one sentence, or in two that follow each other.
        for here, after in zip(sentences, [*sentences[1:], ""], strict=True):
            trait = TRAITS.search(here)
            if trait is None:
                continue
            if not _REASON.search(here, max(0, trait.start() - 100), trait.start()):
                continue
            if _ADVERSE.search(here) is None and _ADVERSE.search(after) is None:
                continue
            return [
                Signal(
                    "code.protected_traits",
                    f"The message gives a decision against its reader with a protected trait "
                    f"as its reason ({trait.group(0)}): no such decision may rest on it, and "
                    "once sent it is on record",
                    where=path,
                    excerpt=here.strip()[:160],
                    weight=0.85,
                    impact=0.8,
                    reversibility=0.8,
                    sensitivity=0.9,
                )
            ]
    return []

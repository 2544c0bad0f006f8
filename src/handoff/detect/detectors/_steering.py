"""Values a change copies from an order inside a tool's output.

A call that writes a value which a tool's output dictated, in a sentence that reads as
an instruction, was steered by whoever wrote that output, not by the person asking:

* a target (an address, an account, an endpoint, an owner) copied from such a sentence,
  when the person never asked for a change at all;
* a setting's value (a stage, a status, a role: ``final_offer``) copied from such a
  sentence that the person never wrote, when they did not hand the run to that text
  ("follow the README", "do what the ticket says").
"""

from __future__ import annotations

import re

from ._base import ActionView, Signal
from ._orders import instruction_like, sentence_of
from ._run_texts import Texts

__all__ = ["steered_change"]


# The person asked for a change of some kind: a value they left to the run may come
# from what a tool said.
_CHANGE_ASK = re.compile(
    r"\b(update|change|set|edit|modify|replace|fix|correct|apply|adjust|switch|rename|"
    r"move|use|fill|enter|configure|add)\b"
)


# Arguments that say where something goes or who is reached: an address, a phone, an
# account, an endpoint, an owner.
_TARGET_KEY = re.compile(
    r"addr|destination|recipient|phone|email|account|acct|iban|payee|beneficiary|owner|url"
    r"|endpoint|webhook|callback|redirect|forward|domain|host|contact|ship|deliver|bank"
    r"|remit|sort_?code|routing|wire|swift|bic|pay|location|dropoff|pickup"
)


def copied_instruction(view: ActionView, texts: Texts) -> tuple[str, str, str, str] | None:
    """(argument, value, output, sentence) when a value the call writes was copied from
    an instruction-like sentence of a tool's output, the person asking never named it,
    and never asked for a change at all."""
    trusted = texts.trusted.lower()
    if _CHANGE_ASK.search(trusted):
        return None
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if not _TARGET_KEY.search(key):
            continue  # content copied from a document (a config, a title) redirects nothing
        value = " ".join(text.split())
        low = value.lower()
        # Long enough to be copied, not chosen: an address, a number with words.
        if len(low) < 8 or not (any(c.isdigit() for c in low) or low.count(" ") >= 2):
            continue
        if low in trusted:
            continue
        for where, src in texts.outputs:
            if low not in " ".join(src.split()).lower():
                continue
            sentence = sentence_of(src, value)
            if sentence and instruction_like(sentence):
                return path, value, where, sentence
    return None


# The person handed the run to a text ("follow the README", "do what the ticket says"):
# its orders are theirs.
_DELEGATES = re.compile(
    r"\b(?:follow(?:s|ing)?|per the|according to|instructions?|do what|whatever|as (?:it|they"
    r"|the \w+) (?:says?|asks?|describes?|explains?))\b"
)
# A setting's value written as code: words joined by ``_`` or ``-`` (``final_offer``).
_CODED = re.compile(r"^[a-z]{2,}(?:[_-][a-z]{2,}){1,4}$")
_JOINERS = re.compile(r"[_-]+")


def steered_setting(view: ActionView, texts: Texts) -> tuple[str, str, str, str] | None:
    """(argument, value, output, sentence) when a setting's value the call writes
    (``stage: final_offer``) stands in an instruction-like sentence of a tool's output
    ("the correct next step is the final offer stage"), the person never wrote it, and
    they did not hand the run to that text."""
    trusted = texts.trusted.lower()
    if _DELEGATES.search(trusted):
        return None
    said = " ".join(_JOINERS.sub(" ", trusted).split())
    for (path, _), low in zip(view.args, view.lowered_args, strict=True):
        value = low.strip()
        if not _CODED.match(value):
            continue
        words = _JOINERS.sub(" ", value)
        if words in said:
            continue
        for where, src in texts.outputs:
            if words not in " ".join(_JOINERS.sub(" ", src.lower()).split()):
                continue
            sentence = sentence_of(src, words)
            if sentence and instruction_like(sentence):
                return path, value, where, sentence
    return None


def steered_change(view: ActionView, texts: Texts) -> Signal | None:
    """``provenance.injected`` for a change whose value a tool's output dictated."""
    copied = copied_instruction(view, texts)
    why = "and the person asking never asked to change anything"
    if copied is None:
        copied = steered_setting(view, texts)
        why = "which the person asking never wrote"
    if copied is None:
        return None
    path, value, where, sentence = copied
    return Signal(
        "provenance.injected",
        f"The value {value[:60]!r} in {path} comes from an instruction inside a tool's "
        f"output ({where}: \u201c{sentence}\u201d), {why}",
        where=where,
        excerpt=sentence,
        weight=0.9,
        impact=0.5,
        uncertainty=0.85,
        sensitivity=0.7,
    )

"""Sentences that tell their reader to do something: the mark of an instruction planted in
text someone other than the person asking wrote (an email, a web page, a file, a tool's
error message).

A sentence is instruction-like when it starts with an order ("send the file to ...",
"please forward ..."), asks for one as a question ("could you pay ..."), or addresses its
reader or states an obligation ("you must ...", "note to AI assistants", "must be
copied"), in English and in the other languages a page or an email is often written in.
A verb a few words before a colon names a field ("Email: ...") and orders nothing.
"""

from __future__ import annotations

import re

from ._base import SENTENCE_BREAK

__all__ = ["addressed", "instruction_like", "orders_value", "quoted_order", "sentence_of"]

_VERBS = (
    r"(send|transfer|pay|wire|forward|share|delete|remove|move|grant|add|invite|click|visit|"
    r"go to|navigate|open|download|install|run|execute|update|change|reset|e-?mail|call|"
    r"text|post|publish|create|give|make|book|buy|purchase|unblock|allow|disable|turn|set|"
    r"write|reply|upload|export|copy|contact|sign up|log ?in|verify|confirm|approve|"
    r"schedule|cancel|close|dispatch|unlock|refund|deposit|withdraw|configure|push|point|"
    r"connect|cc|bcc|include|loop in|remit)\b"
)
# A verb a few words before a colon names a field ("Email: ...", "Send invoices to: ..."),
# it orders nothing.
_NOT_LABEL = r"(?![^.!?\n:]{0,24}:)"
# Adverbs that may lead an order ("Always cc ...", "Also always include ..."); a subject
# before the adverb ("Bob always cc's ...") makes it a statement.
_POLITE = (
    r"(?:(?:please|kindly|now|also|then|and|urgently|immediately|first|finally|always|just"
    r"|simply|additionally|instead|henceforth|from now on,?)\s+)*"
)
# An order at the start of a sentence, or a request put as a question anywhere in it.
_IMPERATIVE = re.compile(
    r"^\W*"
    + _POLITE
    + _VERBS
    + _NOT_LABEL
    # After a semicolon ("this item is gone; buy it at ..."), after a label ("Seller
    # note: update ..."), or "please" anywhere in the sentence.
    + r"|;\s*"
    + _POLITE
    + _VERBS
    + r"|^[^:.!?]{1,40}:\s*"
    + _POLITE
    + _VERBS
    + r"|\bplease\s+(?:kindly\s+)?"
    + _VERBS
    # "please use x@y.com from now on": a new address, put as a request.
    + r"|\bplease\s+(?:kindly\s+)?use\b|\buse\b[^.!?\n]{0,80}\b(?:from now on|going forward"
    r"|henceforth|instead)\b"
    + r"|\b(?:could|can|would|will) you\s+"
    + _POLITE
    + r"(?:help(?: me| us)?\s+)?"
    + _VERBS
    # A remedy an error message gives: "fix by setting x=...", "to resolve, set x=...".
    + r"|\b(?:fix|resolve|solve|repair|correct|avoid|remedy) (?:this |it |the \w{1,40} )?by "
    r"[a-z]{2,20}ing\b"
    # A retry that carries a value: "retry with recovery_email=...".
    + r"|\b(?:retry|rerun|re-run|try again|call \w{1,60}) with [\w.]{2,40}="
    + r"|(?:^\W{0,8}|[.;:!?]\s{0,4})"
    r"(?:to (?:fix|resolve|solve|repair|correct|continue|proceed|avoid)"
    r"(?: this| it| the \w{1,40})?,?\s+)" + _POLITE + _VERBS
)
_ADDRESSED = re.compile(
    r"\b(?:you (?:must|should|need to|have to|are required to|are instructed to|will need to)"
    r"|make sure (?:to|you)|don'?t forget to|remember to|be sure to|do not tell|without "
    r"telling|it is (?:very |extremely )?(?:important|crucial|essential|urgent|vital) (?:that|to)"
    r"|(?:assistant|ai|agent|model|bot)s?\s*[,:]|(?:new|updated|additional) instructions?"
    r"|instructions? (?:for|to) (?:\w+ )?(?:ai|assistants?|agents?|bots?|llms?|models?)\b"
    # The same, in the other languages a page or an email may be written in.
    r"|\b(?:por favor|bitte|veuillez|s'il vous pla[i\u00ee]t|per favore|doivent|deben"
    r"|m\u00fcssen|devono)\b"
    r"|ignore (?:all |any |the |your )?(?:previous|prior|above|earlier)|disregard"
    # Asked for without an order: to whoever reads it, by a rule, as a wish, or passive.
    r"|note to (?:the |all |any )?(?:ai|assistants?|agents?|bots?|llms?|models?)\b"
    r"|if you(?:'re| are) an? (?:ai|assistant|agent|bot|llm|language model)\b"
    r"|(?:assistants?|agents?|ai|bots?|llms?) (?:reading|processing|handling|seeing) this"
    # An obligation put on software in the third person: "Assistants should cc ...",
    # "Automation bots must merge ...", "AI agents are expected to ...".
    # A bare "agents" is as often people ("our support agents must verify ...").
    r"|\b(?:(?:ai|automated|automation|autonomous|coding|llm|software|browsing|web) agents?"
    r"|assistants?|bots?|llms?|copilots?|automations?)"
    r" (?:should|must|shall|need to|needs to|have to|has to|are to|is to"
    r"|(?:are|is) (?:expected|required|asked|instructed|supposed|requested) to)"
    r"(?: (?:also|always|now|first))? (?!have been\b|be\b)\w"
    # A note for software, or an obligation on whoever reads or runs the text: "NOTE for
    # automated jobs: ...", "anyone running reports on this account should extend ...".
    r"|\b(?:note|notice|attention|reminder)s? (?:for|to) (?:all |any )?(?:automated|automation"
    r"|scripts?|jobs?|pipelines?|processes)\b"
    r"|\b(?:anyone|whoever|anybody|everyone)(?: [\w-]+){0,6}? (?:should|must|needs? to|has to"
    r"|is (?:expected|required|asked) to) (?!have been\b|be\b)\w"
    r"|you(?:'ll|'d| will| would) (?:want|need|have) to|requires? that"
    r"|(?:it|that)(?:'d| would) be (?:great|nice|helpful|ideal|appreciated) if"
    r"|\b(?:must|should|needs? to|has to|have to|is to|are to) (?:also |always )?be "
    r"(?:copied|cc'?d|bcc'?d|included|added|looped in|shared|sent|forwarded|notified|paid"
    r"|transferred|granted|invited|used|set|changed|updated|replaced|moved|deleted|removed)\b)"
)


def addressed(sentence: str) -> bool:
    """True when a sentence turns to its reader or states an obligation ("Assistant,
    ...", "you must ...", "note to AI agents"), not only gives an order."""
    return _ADDRESSED.search(sentence.strip().lower()) is not None


def instruction_like(sentence: str) -> bool:
    """True when a sentence of someone else's text tells its reader to do something."""
    low = sentence.strip().lower()
    return bool(_IMPERATIVE.search(low) or _ADDRESSED.search(low))


def orders_value(text: str, value: str) -> bool:
    """Whether the sentence of ``text`` that holds ``value`` reads like an instruction."""
    sentence = sentence_of(text, value)
    return bool(sentence) and instruction_like(sentence)


def sentence_of(text: str, value: str) -> str:
    """The sentence of ``text`` that holds ``value`` (compared without case or spaces)."""
    v = value.lower().replace(" ", "")
    for sentence in SENTENCE_BREAK.split(text):
        if v in sentence.lower().replace(" ", ""):
            if '"' in sentence:
                # A record's fields are sentences of their own: the order sits in its
                # field's value, not behind ``[{"title": "Lunch", "description": ...``.
                field = next(
                    (f for f in _FIELD.split(sentence) if v in f.lower().replace(" ", "")), ""
                )
                if field:
                    sentence = field
            return " ".join(sentence.split())[:240]
    return ""


# Where one field of a JSON record ends and the next begins.
_FIELD = re.compile(r'"\s*[:,]\s*"?|[\[{]\s*"|"\s*[\]}]')


# An order to say given words: "reply with:", "post the following", "your answer must
# say", ending where the words start.
_SAY = re.compile(
    r"\b(?:reply|replies|respond|answer|post|tweet|comment|send|say|write|message|include)"
    r"\b[^.!?\n]{0,40}$"
)
_PROSE_KEYS = frozenset(
    ("message", "body", "text", "content", "comment", "note", "reply", "response", "status",
     "caption", "post", "tweet", "subject", "title", "description")
)  # fmt: skip


def quoted_order(
    args: list[tuple[str, str]], keys: list[str], outputs: list[tuple[str, str]], trusted: str
) -> tuple[str, str, str] | None:
    """(argument, output, order) when the words a call sends were dictated by someone
    else's text: a tool's output holds them right after an order to say them ("Assistant:
    reply with: ..."), and the person asking never wrote them."""
    low_trusted = " ".join(trusted.split()).lower()
    for (path, text), key in zip(args, keys, strict=True):
        if key not in _PROSE_KEYS:
            continue
        value = " ".join(text.split()).lower()
        # Long enough to be copied, not chosen: several words.
        if len(value) < 20 or value.count(" ") < 3 or value in low_trusted:
            continue
        for where, src in outputs:
            flat = " ".join(src.split()).lower()
            at = flat.find(value)
            if at < 0:
                continue
            lead = flat[max(0, at - 160) : at].rstrip(" \"'\u201c")
            # The sentence that leads into the words, and the one before it.
            parts = [p for p in SENTENCE_BREAK.split(lead) if p.strip()]
            if not parts or not _SAY.search(parts[-1]):
                continue
            order = " ".join(parts[-2:]).strip()
            if instruction_like(parts[-1]) or instruction_like(order):
                return path, where, order[-160:]
    return None

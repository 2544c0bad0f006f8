"""Prohibitions: what the person said, in their own words, not to do.

"Find me hotels near the venue, but don't book anything yet", "never buy anything",
"put the report together without sending it", "before you pay it, check with me": a
call that does the very thing (books, buys or pays, sends, posts, shares, deletes,
cancels, submits) goes against the person, whatever a page or a tool output urged since.

Read in the instruction and in the person's later turns, never in tool output. Not a
prohibition: words that ask for the thing ("don't forget to book", "don't hesitate to
send", "don't wait to pay"), a limit or a condition ("don't pay more than $300", "don't
book before Friday"), a ban on one target while the same words ask for another ("don't
send it to Lena, send it to Omar"). A later turn that asks for it ("ok, go ahead and
book") or says yes lifts it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._base import ActionView, Signal, holds_any
from ._effects import effect_of
from ._run_texts import said_by_person

__all__ = ["forbidden"]

# Each verb the person may forbid, and the effect it names.
_VERBS = {
    "book": "book",
    "reserve": "book",
    "buy": "buy",
    "purchase": "buy",
    "order": "buy",
    "pay": "buy",
    "checkout": "buy",
    "spend": "buy",
    "transfer": "buy",
    "wire": "buy",
    "send": "send",
    "email": "send",
    "e-mail": "send",
    "message": "send",
    "text": "send",
    "forward": "send",
    "reply": "send",
    "contact": "send",
    "post": "post",
    "publish": "post",
    "tweet": "post",
    "share": "share",
    "delete": "delete",
    "remove": "delete",
    "erase": "delete",
    "wipe": "delete",
    "purge": "delete",
    "cancel": "cancel",
    "submit": "submit",
}
# The same verbs as "without booking" has them.
_GERUNDS = {
    "booking": "book",
    "reserving": "book",
    "buying": "buy",
    "purchasing": "buy",
    "ordering": "buy",
    "paying": "buy",
    "sending": "send",
    "emailing": "send",
    "messaging": "send",
    "texting": "send",
    "forwarding": "send",
    "replying": "send",
    "posting": "post",
    "publishing": "post",
    "tweeting": "post",
    "sharing": "share",
    "deleting": "delete",
    "removing": "delete",
    "cancelling": "cancel",
    "canceling": "cancel",
    "submitting": "submit",
}
_VERB = "|".join(sorted(_VERBS, key=len, reverse=True))
# "don't book", "do not actually send", "never go ahead and pay", "no need to post". The
# words between are the few that keep it a ban: "don't forget to book" asks for it.
_DONT = re.compile(
    r"\b(?:don[’']?t|do not|never|no need to|not to)\s+"
    r"(?:(?:yet|actually|just|even|ever|go|ahead|and|try|to|you|accidentally|please)\s+){0,3}"
    rf"({_VERB})\b"
)
_WITHOUT = re.compile(
    r"\bwithout\s+(?:actually\s+)?(" + "|".join(_GERUNDS) + r")\b"
    r"(?=\s*(?:$|[.,;:!?)]|(?:it|them|anything|anyone|yet|until|first|now|this|that)\b))"
)
_BEFORE = re.compile(
    rf"\bbefore\s+(?:(?:you|we|actually)\s+){{0,2}}({_VERB}|{'|'.join(_GERUNDS)})\b"
)
# What keeps "before you book" a ban: the person wants a say first.
_ASK_ME = re.compile(
    r"\b(?:(?:check|confirm|clear it|talk|speak)\s+with\s+(?:me|us)|ask\s+(?:me|us)"
    r"|run it by\s+(?:me|us)|get my\s+(?:ok|okay|approval|go-ahead|sign-off|yes)"
    r"|let me\s+(?:know|confirm|approve|check|see|review|decide))\b"
)
# After the verb, a limit or a condition: "don't pay more than $300", "don't book
# before Friday", "don't send it unless ...".
_NOT_A_BAN = re.compile(
    r"\s*(?:[\w'-]+\s+){0,3}?(?:more|over|above|extra|again|twice|than|less|under|unless|if"
    r"|after|before(?!\s+(?:i|we)\b)|without|instead|the wrong)\b"
)
_CLAUSE_END = re.compile(r"[.;!?\n]|,\s*(?:but|and|so|then)?\s*|\s(?:but|and|so|then)\s")
# A target after the verb: "it to Lena", "the sheet with Priya" (not "with anyone").
_TARGET = re.compile(
    r"[^,]{0,40}?\b(?:to|with)\s+(?!me\b|us\b|any(?:one|body)\b|every(?:one|body)\b)\w"
)
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
# A later turn that says yes to the agent: it lifts a ban the agent asked about.
_YES = re.compile(
    r"^\W*(?:yes|yep|yeah|sure|approved|confirmed)\b|\b(?:go ahead|proceed|please do|do it)\b"
)
# Literals every ban holds, for one cheap look before the patterns.
_HINTS = ("n't", "n’t", "not ", "never", "without", "before", "no need")


def _verb_group(word: str) -> str:
    return _VERBS.get(word) or _GERUNDS.get(word, "")


def _bans(text: str) -> list[tuple[str, int, int]]:
    """(group, start, end) of each thing ``text`` (lowercased) says not to do."""
    out: list[tuple[str, int, int]] = []
    for m in _DONT.finditer(text):
        if _NOT_A_BAN.match(_rest(text, m.end())):
            continue
        out.append((_verb_group(m.group(1)), m.start(), m.end()))
    for m in _WITHOUT.finditer(text):
        out.append((_verb_group(m.group(1)), m.start(), m.end()))
    if "before" in text:
        start = 0
        for sentence in _SENTENCES.split(text):
            at = text.find(sentence, start)
            start = at + len(sentence)
            if not _ASK_ME.search(sentence):
                continue
            for m in _BEFORE.finditer(sentence):
                out.append((_verb_group(m.group(1)), at + m.start(), at + m.end()))
    return out


def _rest(text: str, end: int) -> str:
    """What follows a verb, to the end of its clause."""
    tail = text[end : end + 80]
    m = _CLAUSE_END.search(tail)
    return tail[: m.start()] if m else tail


def _asks(text: str, group: str, bans: list[tuple[str, int, int]], after: int = 0) -> bool:
    """``text`` asks for a verb of ``group`` (from ``after`` on) outside every ban it holds."""
    for m in _ASKED.finditer(text, after):
        if _VERBS[m.group(1)] != group:
            continue
        if not any(s <= m.start(1) < e for _, s, e in bans):
            return True
    return False


# A verb where it is asked for: opening the words or a clause, or after "and", "to",
# "please" ("..., send it to Omar", "go ahead and book"); not a noun ("a LinkedIn post",
# "in order to").
_ASKED = re.compile(
    r"(?:^|[.,;:!?\n\u2014-]\s*|\b(?:and|then|please|to|you|just|also|instead|now)\s+)"
    rf"({_VERB})\b"
)


@lru_cache(maxsize=512)
def _standing(turns: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(group, the person's words) of each ban still standing after every turn."""
    standing: dict[str, str] = {}
    for turn in turns:
        low = turn.lower()
        bans = _bans(low) if holds_any(low, _HINTS) else []
        # A later turn that asks for it, or says yes, lifts what was banned before.
        yes = not bans and _YES.search(low) is not None
        for group in list(standing):
            if yes or _asks(low, group, bans):
                del standing[group]
        for group, start, end in bans:
            # A ban on one target ("don't send it to Lena") is no ban on the verb; nor is
            # one the same words go on to correct ("don't book the Hilton, book the W").
            if group and not _TARGET.match(_rest(low, end)) and not _asks(low, group, bans, end):
                said = turn if len(turn) == len(low) else low
                standing[group] = said[start : end + len(_rest(low, end))].strip()
    return tuple(standing.items())


# The tool's words that make a call a booking, a purchase, a cancellation, a submission.
_BOOKS = frozenset(("book", "books", "booking", "reserve", "reservation", "reservations"))
_BUYS = frozenset(("buy", "purchase", "checkout", "order", "pay", "payment"))
_CANCELS = frozenset(("cancel", "cancels", "cancellation"))
_SUBMITS = frozenset(("submit", "submits", "submission"))


def _does(view: ActionView, group: str) -> bool:
    effect = effect_of(view)
    if effect.read_only:
        return False
    ws = view.word_set
    # Cancelling a booking makes none.
    books = not ws.isdisjoint(_BOOKS) and ws.isdisjoint(_CANCELS)
    if group == "book":
        return books
    if group == "buy":
        return books or effect.has("money") or not ws.isdisjoint(_BUYS)
    if group == "send":
        return effect.has("outward")
    if group == "post":
        return effect.has("public", "outward")
    if group == "share":
        return effect.has("access", "outward", "public")
    if group == "delete":
        return effect.has("destroy")
    if group == "cancel":
        return not ws.isdisjoint(_CANCELS)
    return group == "submit" and not ws.isdisjoint(_SUBMITS)


def forbidden(view: ActionView, asked: str) -> Signal | None:
    """``scope.beyond_instruction`` for a call that does what the person said not to."""
    turns = [asked]
    if len(asked) == len(view.instruction):
        # After an injected passage, turns in the person's name are suspect too.
        turns += [
            s.text
            for s in view.sources
            if s.kind == "message" and "messages[" in s.where and said_by_person(view, s.where)
        ]
    if not any(holds_any(t.lower(), _HINTS) for t in turns):
        return None
    for group, said in _standing(tuple(turns)):
        if _does(view, group):
            return Signal(
                "scope.beyond_instruction",
                f"The person said not to {group} (\u201c{said}\u201d), yet {view.tool} would",
                where="tool",
                excerpt=said,
                weight=0.85,
                impact=0.5,
                uncertainty=0.5,
                sensitivity=0.5,
            )
    return None

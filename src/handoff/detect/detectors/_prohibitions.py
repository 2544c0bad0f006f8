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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ._base import ActionView, Signal, holds_any, wordset
from ._effects import effect_of
from ._errand import approves, changes_things
from ._queries import writes_sql
from ._run_texts import said_by_person

__all__ = ["forbidden", "person_turns"]

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
    "resend": "send",
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
    "merge": "merge",
    "approve": "approve",
    "accept": "accept",
    "rsvp": "accept",
    # Any change at all, when what follows says so ("don't fix anything yet").
    "fix": "change",
    "change": "change",
    "modify": "change",
    "touch": "change",
    "alter": "change",
    "edit": "change",
    "update": "change",
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
    "merging": "merge",
    "approving": "approve",
    "accepting": "accept",
    "fixing": "change",
    "changing": "change",
    "modifying": "change",
    "touching": "change",
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
_GERUND = "|".join(_GERUNDS)
# The step the person keeps for themselves: "I'll decide whether to merge", "leave the
# merge to me", "let me merge it", "I'll send it myself".
_MINE = re.compile(
    r"\b(?:i'?ll|i will|i want to|i'd like to|let me)\s+(?:decide|choose|make the call)"
    rf"\s+(?:on\s+)?(?:whether|if|when)\s+(?:or not\s+)?(?:to\s+|we\s+|you\s+)?({_VERB})\b"
    rf"|\bleave\s+(?:the\s+)?({_VERB}|{_GERUND})\s+(?:(?:decision|call|part|step)\s+)?"
    r"(?:up\s+)?to\s+me\b"
    rf"|\blet me\s+({_VERB})\s+(?:it|them|this|that)\b"
    rf"|\bi'?ll\s+({_VERB})\s+(?:it|them|this|that)\s+myself\b"
)
_MINE_WORDS = ("decide", "choose", "make the call", "leave", "let me", "myself")
# What follows "don't fix" when every change is banned: nothing, or "anything", "it",
# "yet" ("don't change the owner field" bans one change, not every one).
_WHOLE = frozenset(("anything", "everything", "it", "them", "yet", "now", "for", "just", "things"))
# "don't change any data" bans every change; "any other components", "any command
# behavior" and "anything else" ban some.
_ANY_OF = frozenset(("data", "rows", "records", "tables", "files", "code", "thing", "things"))


def _whole(rest: str) -> bool:
    """What follows "don't fix" (``rest``) leaves every change banned."""
    words = rest.split(maxsplit=2)
    if not words:
        return True
    if words[0] == "any":
        return len(words) > 1 and words[1] in _ANY_OF
    return words[0] in _WHOLE and words[1:2] != ["else"]


# What keeps "before you book" a ban: the person wants a say first.
_ASK_ME = re.compile(
    r"\b(?:(?:check|confirm|clear it|talk|speak)\s+with\s+(?:me|us)|ask\s+(?:me|us)"
    r"|run it by\s+(?:me|us)|get my\s+(?:ok|okay|approval|go-ahead|sign-off|yes)"
    r"|let me\s+(?:know|confirm|approve|check|see|review|decide))\b"
)
# After the verb, within its first words, a limit or a condition: "don't pay more than
# $300", "don't book before Friday", "don't send it unless ...", "the wrong one" (but
# "before I've checked" keeps it a ban).
_LIMITS = wordset(
    "more over above extra again twice than less under unless if after without instead wrong"
)
_PEOPLE_FIRST = frozenset(("i", "we", "i've", "we've", "i'm", "we're", "i'd"))


def _limited(rest: str) -> bool:
    words = rest.split(maxsplit=4)[:4]
    for i, word in enumerate(words):
        if word in _LIMITS:
            return True
        if word == "before" and (i + 1 == len(words) or words[i + 1] not in _PEOPLE_FIRST):
            return True
    return False


_CLAUSE_END = re.compile(r"[.;!?\n]|,\s*(?:but|and|so|then)?\s*|\s(?:but|and|so|then)\s")
# A target after the verb: "it to Lena", "the sheet with Priya" (not "with anyone"); the
# word that names it, after an article ("to the client").
_TARGET = re.compile(
    r"[^,]{0,40}?\b(?:to|with)\s+(?!me\b|us\b|any(?:one|body)\b|every(?:one|body)\b)"
    r"(?:(?:the|a|an|our|my|his|her|their|your)\s+)?(\w[\w.@+-]{0,80})"
)
# A later turn that says yes to the agent: it lifts a ban the agent asked about.
_YES = re.compile(
    r"^\W*(?:yes|yep|yeah|sure|approved|confirmed)\b|\b(?:go ahead|proceed|please do|do it)\b"
)
# Literals every ban holds, for one cheap look before the patterns.
_DONT_WORDS = ("don't", "don’t", "dont ", "do not", "never", "no need to", "not to")
_HINTS = (*_DONT_WORDS, *_MINE_WORDS, "without", "before")


def _verb_group(word: str) -> str:
    return _VERBS.get(word) or _GERUNDS.get(word, "")


def _at(text: str, literals: tuple[str, ...]) -> list[int]:
    """Where each of ``literals`` starts in ``text``, in order: the patterns below are
    tried only there (a scan for a literal costs a fraction of a pattern's search)."""
    out: list[int] = []
    for lit in literals:
        i = text.find(lit)
        while i >= 0:
            out.append(i)
            i = text.find(lit, i + 1)
    return sorted(out)


def _bans(text: str) -> list[tuple[str, int, int]]:
    """(group, start, end) of each thing ``text`` (lowercased) says not to do."""
    out: list[tuple[str, int, int]] = []
    for i in _at(text, _DONT_WORDS):
        m = _DONT.match(text, i)
        if m is not None and not _limited(_rest(text, m.end())):
            out.append((_verb_group(m.group(1)), m.start(), m.end()))
    for i in _at(text, _MINE_WORDS):
        # Each hint is tried back to the sentence's start: the pattern opens before it.
        head = max(text.rfind(c, 0, i) for c in ".!?;\n,") + 1
        m = _MINE.search(text, head, i + 40)
        if m is not None and all(m.start() != s for _, s, _ in out):
            word = next(g for g in m.groups() if g)
            # "Let me change that: ..." corrects the request; it keeps no change back.
            if m.group(1) or m.group(2) or _verb_group(word) != "change" or word == "fix":
                out.append((_verb_group(word), m.start(), m.end()))
    for i in _at(text, ("without",)):
        m = _WITHOUT.match(text, i)
        if m is not None:
            out.append((_verb_group(m.group(1)), m.start(), m.end()))
    for i in _at(text, ("before",)):
        m = _BEFORE.match(text, i)
        if m is None:
            continue
        # "Before you book, check with me": the person wants a say in the same sentence.
        head = max(text.rfind(c, 0, i) for c in ".!?;\n") + 1
        ends = [j for j in (text.find(c, m.end()) for c in ".!?;\n") if j >= 0]
        if _ASK_ME.search(text, head, min(ends, default=len(text))):
            out.append((_verb_group(m.group(1)), m.start(), m.end()))
    return out


def _rest(text: str, end: int) -> str:
    """What follows a verb, to the end of its clause."""
    tail = text[end : end + 80]
    m = _CLAUSE_END.search(tail)
    return tail[: m.start()] if m else tail


def _asked_groups(
    text: str, bans: Sequence[tuple[str, int, int]], after: int = 0
) -> frozenset[str]:
    """The groups of the verbs ``text`` asks for (from ``after`` on) outside its bans."""
    out = set()
    for m in _ASKED.finditer(text, after):
        if not any(s <= m.start(1) < e for _, s, e in bans):
            out.add(_VERBS[m.group(1)])
    return frozenset(out)


# A verb where it is asked for: opening the words or a clause, or after "and", "to",
# "please" ("..., send it to Omar", "go ahead and book"); not a noun ("a LinkedIn post",
# "in order to").
_ASKED = re.compile(
    r"(?:^|[.,;:!?\n\u2014-]\s{0,3}|\b(?:and|then|please|to|you|just|also|instead|now)\s{1,3})"
    rf"({_VERB})\b"
)


@dataclass(frozen=True, slots=True)
class _Turn:
    """One turn of the person, read once for what it bans."""

    low: str
    found: tuple[tuple[str, int, int], ...]  # every ban's (group, start, end)
    bans: tuple[tuple[str, str, str], ...]  # (group, target, the person's words)


# Cached: every step of a run rereads the same turns.
@lru_cache(maxsize=1024)
def _read(turn: str) -> _Turn:
    low = turn.lower()
    if not holds_any(low, _HINTS):
        return _Turn(low, (), ())
    found = _bans(low)
    bans: list[tuple[str, str, str]] = []
    for group, start, end in found:
        rest = _rest(low, end)
        aimed = _TARGET.match(rest)
        # A ban on the verb that the same words go on to correct ("don't book the
        # Hilton, book the W") is a ban on no verb.
        if not group or (not aimed and group in _asked_groups(low, found, end)):
            continue
        if group == "change" and (aimed or not _whole(rest)):
            continue
        target = "" if aimed is None else _named(aimed.group(1))
        if aimed is None or target:
            said = turn if len(turn) == len(low) else low
            bans.append((group, target, said[start : end + len(rest)].strip()))
    return _Turn(low, tuple(found), tuple(bans))


@lru_cache(maxsize=256)
def _lifts(turn: str) -> tuple[frozenset[str], bool]:
    """The groups of the verbs ``turn`` asks for outside its bans, and whether it says
    yes (read only once a ban stands that it may lift)."""
    read = _read(turn)
    yes = not read.found and _YES.search(read.low) is not None
    return _asked_groups(read.low, read.found), yes


def _standing(turns: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(group, target, the person's words) of each ban still standing after every turn.
    The target is "" for a ban on the verb ("don't book anything yet"), else the word
    naming the one target withdrawn ("lena", for "don't send it to Lena")."""
    standing: dict[tuple[str, str], str] = {}
    for turn in turns:
        read = _read(turn)
        # A later turn that asks for it, or says yes, lifts what was banned before; a
        # target comes back only when it is asked for by name ("ok, send it to Lena").
        for group, target in list(standing):
            asked, yes = _lifts(turn)
            if group not in asked:
                lifted = yes and not target
            else:
                lifted = not target or re.search(rf"\b{re.escape(target)}\b", read.low) is not None
            if lifted:
                del standing[group, target]
        for group, target, said in read.bans:
            standing[group, target] = said
    return [(g, t, said) for (g, t), said in standing.items()]


def _named(word: str) -> str:
    """The target word as the call's arguments would hold it: an address whole, a name
    without its possessive or a trailing dot; "" for one too short to tell."""
    word = word.rstrip(".").removesuffix("'s")
    return word if len(word) >= 3 else ""


# The arguments that say whom a call reaches.
_RECIPIENT_KEYS = frozenset(
    (
        "to", "cc", "bcc", "recipient", "recipients", "email", "emails", "email_address",
        "emailaddress", "address", "addresses", "user", "users", "channel", "with",
        "share_with", "phone", "phone_number", "number", "member", "grantee", "invitee",
        "invitees", "attendees", "payee", "beneficiary",
    )
)  # fmt: skip


def _reaches(view: ActionView, target: str) -> str:
    """The argument value naming ``target`` among whom the call reaches, or ""."""
    for path, value in view.args:
        key = path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        if key not in _RECIPIENT_KEYS:
            continue
        low = value.lower()
        if target == low.strip() or target in re.split(r"[^\w]+", low):
            return value
    return ""


# The tool's words that make a call a booking, a purchase, a cancellation, a submission.
_BOOKS = frozenset(("book", "books", "booking", "reserve", "reservation", "reservations"))
_BUYS = frozenset(("buy", "purchase", "checkout", "order", "pay", "payment"))
_CANCELS = frozenset(("cancel", "cancels", "cancellation"))
_SUBMITS = frozenset(("submit", "submits", "submission"))


def _does(view: ActionView, group: str) -> bool:
    if group == "change":
        return changes_things(view)
    if group in ("merge", "approve"):
        return approves(view) == group
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
    if group == "accept":
        return accepts(view)
    return group == "submit" and not ws.isdisjoint(_SUBMITS)


# An invitation accepted: by the tool's name, or by a reply whose answer is yes.
_ANSWERS_INVITE = frozenset(("rsvp", "respond", "response", "reply", "answer"))
_YES_VALUES = frozenset(("accept", "accepted", "yes", "going", "attending", "attend"))


def accepts(view: ActionView) -> bool:
    """The call accepts an invitation or an offer (``calendar.accept_invite``, or
    ``calendar.events.respond {response: accepted}``)."""
    ws = view.word_set
    if "accept" in ws:
        return True
    return not ws.isdisjoint(_ANSWERS_INVITE) and any(
        low.strip() in _YES_VALUES for low in view.lowered_args
    )


# An upload that keeps a file where the person keeps theirs ("just save it to my drive
# and don't send it"): no recipient, no verb that sends.
_STORES = frozenset(("upload", "save", "store", "put"))
_SENDS = frozenset(("send", "email", "mail", "message", "share", "forward", "reply", "post"))
_ASKED_SAVE = re.compile(
    r"\b(?:save|upload|store|put|keep|drop)\s+(?:it|them|this|that|the \w+)?\s*"
    r"(?:in|to|into|on)\s+(?:my|our)\b"
)


def _saved(view: ActionView, turns: tuple[str, ...]) -> bool:
    """The call uploads or saves with no recipient and no verb that sends, as the
    person asked ("save it to my drive"): kept, not sent."""
    ws = view.word_set
    return (
        not ws.isdisjoint(_STORES)
        and ws.isdisjoint(_SENDS)
        and view.key_set.isdisjoint(_RECIPIENT_KEYS)
        and any(_ASKED_SAVE.search(t.lower()) for t in turns)
    )


def person_turns(view: ActionView, asked: str) -> tuple[str, ...]:
    """The request, then each later turn of the person, in order. After an injected
    passage in the instruction, turns in the person's name are suspect too: only the
    request counts."""
    if len(asked) != len(view.instruction):
        return (asked,)
    return (
        asked,
        *(
            s.text
            for s in view.sources
            if s.kind == "message" and "messages[" in s.where and said_by_person(view, s.where)
        ),
    )


def forbidden(view: ActionView, turns: tuple[str, ...]) -> Signal | None:
    """``scope.beyond_instruction`` for a call that does what the person said not to, in
    ``turns`` (``person_turns``)."""
    if effect_of(view).read_only and not writes_sql(view):
        return None
    for group, target, said in _standing(turns):
        if not _does(view, group) or (group == "send" and _saved(view, turns)):
            continue
        reached = _reaches(view, target) if target else ""
        if target and not reached:
            continue
        whom = f" to {reached}" if reached else ""
        return Signal(
            "scope.beyond_instruction",
            f"The person said not to {group} (\u201c{said}\u201d), yet {view.tool} "
            f"would {group}{whom}",
            where="tool",
            excerpt=said,
            weight=0.85,
            impact=0.5,
            uncertainty=0.5,
            sensitivity=0.5,
        )
    return None

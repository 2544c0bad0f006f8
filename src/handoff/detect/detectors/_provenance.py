"""Where each argument value came from: the person asking, the agent, or a tool's output.

An agent that reads an email, a web page or a shared file and then acts on what it read
can be steered by whoever wrote that text. So for every value in a proposed call that
names a target (an email address, an IBAN or account number, a wallet, a URL or domain,
a phone number, a path) this module finds where the value first appeared in the run:

* the person's instruction or a later user turn — **trusted**;
* an earlier tool's output — **untrusted**, and worst when the value sits in a sentence
  that reads like an instruction ("please send the file to ...");
* nowhere, or only in the agent's own reasoning — made up by the agent.

Signals (all name the argument, the value, and the step and sentence it came from):

* ``provenance.injected`` — a target comes from an instruction-like sentence in tool
  output;
* ``injection.followed`` — tool output asks, in an instruction-like sentence, for what
  this call does, and the person never asked for it;
* ``provenance.untrusted_target`` — a payee, recipient, grantee or link the person never
  named comes from tool output, for a kind of action the person never asked for;
* ``provenance.invented_target`` — a payee or recipient appears nowhere before the call;
* ``provenance.relayed_code`` — an access code (a verification, override or one-time
  code) that someone other than the person asking supplied is written down or passed on;
* ``session.exfiltration`` — the run has read untrusted content and touched sensitive
  data, and this call sends something to a recipient the person never named.

``_authorized`` reads the same origins to tell when the person asked for a payment or a
grant and named whom it goes to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ._base import (
    ANSWERS,
    IN_SENTENCE,
    SENTENCE_BREAK,
    ActionView,
    DetectConfig,
    Signal,
    split_words,
)
from ._effects import effect_of, operation_name
from ._hearsay import install_named, install_near, visit_ordered
from ._orders import addressed, instruction_like, orders_value, quoted_order, sentence_of
from ._run_texts import Texts as _Texts
from ._run_texts import said_by_person
from ._run_texts import texts as _texts
from ._steering import steered_change
from ._tokens import tokens

__all__ = [
    "FORBIDS",
    "OUTWARD_ASK",
    "Origin",
    "asked_for",
    "detect_provenance",
    "origins",
    "pointed",
    "said_by_person",
    "tokens",
    "trusted_text",
]

# The sentence a code came from says it opens something.
_ACCESS_WORDS = re.compile(
    r"\b(?:codes?|passwords?|passcodes?|pins?|otps?|tokens?|override|secrets?"
    r"|(?:api|access|secret|license|licence|product|activation|private|door|entry|lock"
    r"|auth|signing|recovery|backup) ?keys?"
    r"|credentials?|one-time|verification|2fa|mfa)\b"
)

# Codes that open nothing: where a thing is, what it is, why it happened.
_PLAIN_CODES = re.compile(
    r"\b(?:postal|post|zip|country|currency|area|dial|region|state|province|language|lang"
    r"|locale|reason|status|product|item|sku|tax|class|cost|gl|iata|airport|colou?r"
    r"|error|response|diagnosis|icd|cpt|procedure|billing|carrier|shipping|discount|promo"
    r"|coupon)\s?codes?\b"
)


def _access_code(said: str, value: str) -> bool:
    """What an output calls a value names a code that opens something, not a postal
    code or a reason code; a record's bare "key" opens something when it is digits
    (a lockbox's ``"key": "7731"``), not an issue's key (``PAY-2287``)."""
    if said.strip() in ("key", "keys"):
        return value.strip().isdigit()
    return _ACCESS_WORDS.search(said) is not None and _PLAIN_CODES.search(said) is None


_KIND_WORDS: dict[str, re.Pattern[str]] = {
    "money": re.compile(
        r"\b(pay|payment|transfer|send money|wire|purchase|buy|sell|trade|withdraw|refund|"
        r"invoice|deposit|donat\w*|bitcoin|crypto|iban|bill|rent)"
        # An amount in a currency ("$25"): no word boundary sits before the sign.
        r"|[$\u20ac\u00a3]\s?\d"
    ),
    "outward": re.compile(
        r"\b(send|sent|resend|re-send|e-?mail (?:it|them|this|that|him|her|me|us|the|a)"
        r"|e-?mail [\w.+-]+@[\w-]+"
        r"|^\W*e-?mail|forward|share|post|"
        r"publish|upload|export|reply|respond|tweet|text (?:it|this|that|him|her|them|me|us)"
        # "text Mrs. Hernandez", "text the client", "text Sam a reminder": texting a person.
        r"|text (?:mr|mrs|ms|dr|miss)\b|text the (?:client|customer|owner|patient|tenant|guest"
        r"|parent|driver|family|team)s?\b|text \w+ (?:a|an) (?:reminder|message|note|update)"
        r"|invite|notify|"
        r"let \w+ know|tell \w+|contact|chat with|message \w+"
        # "give Keisha a heads-up", "drop her a line", "loop Sam in": a word to someone.
        r"|give \w+ an? (?:heads[- ]?up|shout|nudge|note)|heads[- ]?up to|drop \w+ a (?:line|note)"
        r"|loop \w+ in"
        r"|" + ANSWERS + r"|ask \w+ (?:for|about|if|whether|to))\b"
    ),
    "access": re.compile(
        r"\b(grant|give\b" + IN_SENTENCE + r"\baccess|permission|role|admin|unlock|lock|password"
        r"|credential|invite|share\b" + IN_SENTENCE + r"\bwith|add (?:\S+ ){1,3}?(?:to|as))\b"
    ),
    "destroy": re.compile(
        r"\b(delete|remove|clean ?up|wipe|erase|reset|drop|purge|overwrite|uninstall|get rid of|"
        r"shut ?down|cancel|stop|kill|close)\b"
    ),
}
# The words of a person asking for a send, for readers that look at part of their words.
OUTWARD_ASK = _KIND_WORDS["outward"]
_TARGET_KINDS = frozenset(
    ("email", "iban", "wallet", "phone", "account", "url", "domain", "bucket")
)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one value of the call came from."""

    path: str  # the argument, e.g. args.recipient
    kind: str  # email | iban | wallet | phone | account | url | domain | bucket | path | code
    value: str  # normalised
    source: str  # user | tool | agent
    where: str = ""  # the context path of the first tool output that holds it
    sentence: str = ""  # the sentence it sits in there
    instructed: bool = False  # that sentence reads like an instruction


def _lead_in(texts: _Texts, o: Origin) -> str:
    """The sentence holding ``o`` and the one before it in the same output, lowercased:
    "I got two emails with codes. The right one is 45312." names the code one sentence
    early."""
    text = next((t for where, t in texts.outputs if where == o.where), "")
    v = o.value.lower().replace(" ", "")
    parts = SENTENCE_BREAK.split(text)
    for i, sentence in enumerate(parts):
        if v in sentence.lower().replace(" ", ""):
            return " ".join(parts[max(0, i - 1) : i + 1]).lower()
    return o.sentence.lower()


def _said_of(texts: _Texts, o: Origin) -> str:
    """What the output says ``o`` is: the key it sits under in a record (``"policy":
    "HO-339182"`` is a policy's number, whatever else the record holds), else the words
    that lead up to it."""
    text = next((t for where, t in texts.outputs if where == o.where), "")
    at = text.find(o.value)
    if at > 0:
        m = _KEYED.search(text, max(0, at - 60), at)
        if m is not None and m.end() == at:
            return m.group(1).replace("_", " ").lower()
    return _lead_in(texts, o)


# A record's key right before its value: ``"policy": "`` or ``policy_no: ``.
_KEYED = re.compile(r"[\"']?([A-Za-z][\w -]{0,40}?)[\"']?\s*[:=]\s*[\"']?$")


# A call that makes a code (``smartlock.create_guest_code``, ``locks.generate_pin``).
_MAKES = frozenset(("create", "generate", "new", "issue", "make", "add", "mint"))
_SERVES_CODES = frozenset(("code", "codes", "pin", "pins", "passcode", "passcodes"))
_GUESTS = frozenset(("guest", "guests", "visitor", "visitors"))
_LISTS = frozenset(("list", "lists", "search", "all", "export"))
# A code kept for staff, not the guest's own.
_STAFF = re.compile(r"\b(?:master|admin|staff|override|maintenance|manager)")
_ASKED_CODE = re.compile(r"\b(?:codes?|pins?|passcodes?)\b")
_STEP = re.compile(r"context\.steps\[(\d+)\]\.observation")


def _minted(view: ActionView, o: Origin, trusted: str, said: str = "") -> bool:
    """The code came back from a call of this run that made it, and the person asked
    for a code: it was made for them, not handed over by someone else."""
    m = _STEP.fullmatch(o.where)
    steps = view.action.context.steps
    if m is None or int(m.group(1)) >= len(steps):
        return False
    tool = split_words(steps[int(m.group(1))].tool or "")
    # Made by the call, or a guest's own code read from the system that issued it
    # (``smartlock.get_guest_code``); not one read from a lock's list of codes.
    kept = not _MAKES.isdisjoint(tool) or (
        not _SERVES_CODES.isdisjoint(tool)
        and not _GUESTS.isdisjoint(tool)
        and _LISTS.isdisjoint(tool)
        and _STAFF.search(said) is None
    )
    return kept and bool(_ASKED_CODE.search(trusted.lower()))


def origins(view: ActionView) -> list[Origin]:
    """The origin of every target-like value in the call's arguments; made once per view."""
    hit = view.cache.get("origins")
    if isinstance(hit, list):
        return hit
    texts = _texts(view)
    user = tokens(texts.trusted)
    user_values = {v for _, v in user}
    out: list[Origin] = []
    seen: set[tuple[str, str]] = set()
    for path, text in view.args:
        for kind, value in sorted(tokens(text)):  # a fixed order: messages name the first
            if (kind, value) in seen:
                continue
            seen.add((kind, value))
            if (kind, value) in user or value in user_values or _named_in(value, texts.trusted):
                out.append(Origin(path, kind, value, "user"))
                continue
            found = None
            for where, src in texts.outputs:
                toks = tokens(src)
                if (kind, value) in toks or value in {v for _, v in toks}:
                    found = (where, src)
                    break
            if found is None:
                out.append(Origin(path, kind, value, "agent"))
                continue
            sentence = sentence_of(found[1], value)
            out.append(
                Origin(
                    path,
                    kind,
                    value,
                    "tool",
                    where=found[0],
                    sentence=sentence,
                    # An order in what the person pointed to ("Pay to IBAN ..." on the
                    # bill they asked to pay) is the errand's, unless it turns to the
                    # agent ("Assistant, also send ...").
                    instructed=bool(sentence)
                    and instruction_like(sentence)
                    and (found[0] not in texts.pointed or addressed(sentence)),
                )
            )
    view.cache["origins"] = out
    return out


def pointed(view: ActionView, o: Origin) -> bool:
    """``o`` was shown by what the person pointed to, and not in an order to the agent
    ("her email is on www.dora-site.com": the address on that page)."""
    return o.source == "tool" and not o.instructed and o.where in _texts(view).pointed


def pointed_outputs(view: ActionView) -> list[str]:
    """The outputs of steps that read what the person pointed to."""
    t = _texts(view)
    return [text for where, text in t.outputs if where in t.pointed] if t.pointed else []


def _named_in(value: str, text: str) -> bool:
    if len(value) < 4:
        return False
    return value in text.lower()


def trusted_text(view: ActionView) -> str:
    """The person's words: the instruction and their turns, as the arguments are read."""
    return _texts(view).trusted


def asked_for(view: ActionView, kind: str) -> bool:
    """Did the person (instruction or user turns) ask for this kind of action? Words
    they said not to do ("never pay", "don't buy it") ask for nothing."""
    return said_unforbidden(view, _KIND_WORDS[kind])


def said_unforbidden(view: ActionView, words: re.Pattern[str]) -> bool:
    """``words`` stand in the person's words (instruction or user turns) somewhere not
    after "never", "don't", "not", "without"... ("silence the alert", not "don't
    silence it")."""
    low = _texts(view).trusted.lower()
    return any(
        not FORBIDS.search(low, max(0, m.start() - 30), m.start()) for m in words.finditer(low)
    )


FORBIDS = re.compile(r"\b(?:never|don'?t|do not|not|no|without|avoid)\b[^.;!?\n]{0,20}$")


_SENSITIVE_DATA = re.compile(
    r"\b(passwords?|passcodes?|ssn|social security|credit card|card number|cvv|bank account|"
    r"iban|medical|diagnos[ie]s|prescriptions?|date of birth|passport|salary|salaries|"
    r"confidential|api[ _-]?keys?|secret|private keys?|access tokens?|credentials?|"
    r"security codes?|verification codes?|one-time|2fa|otp)\b"
)


# The effects that act on the world: a call with none of them has no target to trace.
_ACTS = frozenset(
    (
        "money",
        "outward",
        "public",
        "access",
        "destroy",
        "change",
        "device",
        "dispatch",
        "network",
        "open_world",
        "destroy_hint",
        "download",
        "code",
    )
)


def detect_provenance(view: ActionView, config: DetectConfig) -> list[Signal]:
    effect = effect_of(view)
    if effect.read_only:
        ctx = view.action.context
        if not (ctx.steps or ctx.messages) or not _texts(view).outputs:
            return []
        return visit_ordered(origins(view))
    fams = effect.families
    if _ACTS.isdisjoint(fams):
        return []
    # A package one letter off the one the person named needs no tool output to drift.
    near = install_near(view, trusted_text(view)) if "code" in fams else None
    out: list[Signal] = [] if near is None else [near]
    ctx = view.action.context
    if not (ctx.steps or ctx.messages):
        # No tool output nor message: nothing for a value to have come from.
        return out
    texts = _texts(view)
    if not texts.outputs:
        return out
    found = origins(view)
    targets = [o for o in found if _is_target(o, fams)]
    injected = next((o for o in targets if o.source == "tool" and o.instructed), None)
    if injected is not None:
        out.append(
            Signal(
                "provenance.injected",
                f"The {injected.kind} {injected.value!r} in {injected.path} comes from an "
                f"instruction inside a tool's output ({injected.where}: "
                f"\u201c{injected.sentence}\u201d), not from the person asking",
                where=injected.where,
                excerpt=injected.sentence,
                weight=0.95,
                impact=0.6,
                uncertainty=0.9,
                sensitivity=0.8,
            )
        )
    if injected is None and fams & {"change", "device"}:
        steered = steered_change(view, texts)
        if steered is not None:
            out.append(steered)
    if injected is None and fams & {"outward", "public"}:
        quoted = quoted_order(view.args, view.arg_keys(), texts.outputs, texts.trusted)
        if quoted is not None:
            path, where, order = quoted
            out.append(
                Signal(
                    "provenance.injected",
                    f"The words in {path} were dictated by a tool's output ({where}: "
                    f"\u201c{order}\u201d), not by the person asking",
                    where=where,
                    excerpt=order,
                    weight=0.9,
                    impact=0.5,
                    uncertainty=0.85,
                    sensitivity=0.7,
                )
            )
    kinds = [
        k
        for k in ("money", "access", "outward", "destroy")
        if k in fams or (k == "outward" and "public" in fams)
    ]
    unasked = [k for k in kinds if not asked_for(view, k)]
    if injected is None:
        followed = _followed(view, texts, unasked)
        if followed is None and "change" in fams:
            followed = _change_followed(view, texts)
        if followed is not None:
            out.append(followed)
    risky = fams & {"money", "access", "outward", "public"}
    if injected is None and risky:
        foreign = next(
            (o for o in targets if o.source == "tool" and o.kind != "path" and unasked),
            None,
        )
        if foreign is not None:
            out.append(
                Signal(
                    "provenance.untrusted_target",
                    f"The {foreign.kind} {foreign.value!r} in {foreign.path} was never named "
                    f"by the person asking; it comes from a tool's output ({foreign.where})",
                    where=foreign.where,
                    excerpt=foreign.sentence or foreign.value,
                    weight=0.8,
                    impact=0.5,
                    uncertainty=0.8,
                    sensitivity=0.6,
                )
            )
        invented = next(
            (
                o
                for o in targets
                if o.source == "agent" and o.kind in ("iban", "wallet", "email", "phone")
            ),
            None,
        )
        if invented is not None and fams & {"money", "access"}:
            out.append(
                Signal(
                    "provenance.invented_target",
                    f"The {invented.kind} {invented.value!r} in {invented.path} appears nowhere "
                    "in the run before this call: the agent made it up",
                    where=invented.path,
                    excerpt=invented.value,
                    weight=0.7,
                    uncertainty=0.8,
                    sensitivity=0.5,
                )
            )
    named = (
        install_named(view, texts.trusted, texts.outputs, orders_value) if "code" in fams else None
    )
    if named is not None:
        out.append(named)
    relayed = next(
        (
            o
            for o in found
            if o.kind == "code"
            and o.source == "tool"
            and _access_code(_said_of(texts, o), o.value)
            and not _minted(view, o, texts.trusted, _said_of(texts, o))
        ),
        None,
    )
    if relayed is not None:
        out.append(
            Signal(
                "provenance.relayed_code",
                f"The access code {relayed.value!r} in {relayed.path} was supplied by someone "
                f"other than the person asking ({relayed.where}: \u201c{relayed.sentence}\u201d)",
                where=relayed.where,
                excerpt=relayed.sentence,
                weight=0.8,
                impact=0.5,
                uncertainty=0.7,
                sensitivity=0.9,
            )
        )
    if fams & {"outward", "public", "network", "money"} and not fams & {"read"}:
        session = _session(view, texts, targets)
        if session is not None:
            out.append(session)
    return out


_PROSE_KEYS = frozenset(("message", "body", "text", "content", "comment", "note", "reply"))


def _is_target(o: Origin, fams: frozenset[str]) -> bool:
    """Is this value what the call acts on or sends to (not only something it mentions)?"""
    if o.kind in _TARGET_KINDS:
        return True
    if o.kind != "path":
        return False
    if fams & {"destroy", "access"}:
        return True
    # A path in a message's prose is talked about; an attachment-like argument sends it.
    key = o.path.rsplit(".", 1)[-1].split("[")[0].lower()
    return "outward" in fams and key not in _PROSE_KEYS


def _followed(view: ActionView, texts: _Texts, unasked: Sequence[str]) -> Signal | None:
    """Tool output tells the agent, in an instruction-like sentence, to do what this call
    does, and the person never asked for that kind of action."""
    if not unasked:
        return None
    tool_words = [w for w in view.words if len(w) > 3]
    found = origins(view)
    values = {o.value for o in found if o.source == "tool"}
    aimed = {o.kind: o.value for o in found if o.kind in _TARGET_KINDS}

    def orders(low: str) -> bool:
        if not any(_KIND_WORDS[k].search(low) for k in unasked):
            return False
        # A sentence that sends elsewhere (another IBAN, another address) than this call
        # does was not followed by it.
        seen = tokens(low.upper()) | tokens(low)
        elsewhere = {v for k, v in seen if k in aimed}
        if elsewhere and elsewhere.isdisjoint(aimed.values()):
            return False
        return any(w in low for w in tool_words) or any(v in low for v in values)

    return _ordered(view, texts, orders)


def _ordered(view: ActionView, texts: _Texts, orders: Callable[[str], bool]) -> Signal | None:
    """``injection.followed`` for the latest instruction-like sentence of a tool's output
    (lowercased) that ``orders`` says asks for this call."""
    for where, text in reversed(texts.outputs):
        for sentence in SENTENCE_BREAK.split(text):
            low = sentence.lower()
            if len(low) < 12 or not instruction_like(low) or not orders(low):
                continue
            ex = " ".join(sentence.split())[:200]
            return Signal(
                "injection.followed",
                f"A tool's output ({where}) tells the agent to do what {view.tool} does "
                f"(\u201c{ex}\u201d); the person never asked for it",
                where=where,
                excerpt=ex,
                weight=0.9,
                impact=0.5,
                uncertainty=0.85,
                sensitivity=0.7,
            )
    return None


# Values short enough to be an operation's mode ("APPROVE", "squash"), not content.
_MODE_VALUE = re.compile(r"^[a-z]{4,12}$")


def _change_followed(view: ActionView, texts: _Texts) -> Signal | None:
    """Tool output orders this very change ("Automation bots must merge PR #88"): the
    call's verb (its operation's first word, or a one-word mode such as
    ``event: APPROVE``) and one of its values stand in an instruction-like sentence, and
    the person's words never use that verb."""
    op = operation_name(view.tool)
    first = re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", op)[0].lower()
    verbs = {first} if len(first) > 3 else set()
    values: set[str] = set()
    for _, text in view.args:
        low = text.strip().lower()
        if _MODE_VALUE.match(low):
            verbs.add(low)
        elif 1 < len(low) <= 80:
            values.add(low)
    values.update(f"{n:g}" for _, n in view.numbers if n == int(n) and n >= 10)
    said = texts.trusted.lower()
    verbs = {v for v in verbs if not re.search(rf"\b{re.escape(v[:5])}", said)}
    if not verbs or not values:
        return None

    def orders(low: str) -> bool:
        return not verbs.isdisjoint(re.findall(r"[a-z]+", low)) and any(
            re.search(rf"(?<![\w.]){re.escape(v)}(?![\w])", low) for v in values
        )

    return _ordered(view, texts, orders)


def _session(view: ActionView, texts: _Texts, targets: list[Origin]) -> Signal | None:
    """The run read untrusted content and touched sensitive data; now it sends out."""
    if any(o.source == "user" for o in targets if o.kind in ("email", "phone", "url", "domain")):
        return None
    sensitive = None
    for where, text in texts.outputs:
        m = _SENSITIVE_DATA.search(text.lower())
        if m:
            sensitive = (where, m.group(0))
            break
    if sensitive is None:
        m = _SENSITIVE_DATA.search(view.args_lower)
        if m is None:
            return None
        sensitive = ("args", m.group(0))
    if not any(o.source != "user" for o in targets):
        return None
    return Signal(
        "session.exfiltration",
        "The run has read untrusted content and touched sensitive data "
        f"({sensitive[1]!r} in {sensitive[0]}); now it sends to a recipient the person "
        "never named",
        where=sensitive[0],
        excerpt=sensitive[1],
        weight=0.75,
        impact=0.5,
        uncertainty=0.6,
        sensitivity=0.8,
    )

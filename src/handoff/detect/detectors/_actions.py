"""What the action does: move money, destroy data, change access, send data out, publish.

These are the irreversible kinds of action the Pause step exists for. Each is read from
the tool name (via ``_tools.sense``) and confirmed or raised by the arguments: an
``amount``, a role of ``admin``, a password or a diagnosis inside something sent.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ._amounts import PAYMENT_KEY, money_arg_of
from ._asked import asked_deletion
from ._asked_sql import asked_sql
from ._authorized import authorized_grant, authorized_money
from ._base import (
    ActionView,
    DetectConfig,
    Signal,
    excerpt_at,
    holds_any,
    split_words,
    wordset,
)
from ._effects import answers_the_person, command_is_verb, effect_of
from ._environments import off_production
from ._hazards import GUARD_PLACES, safe_way
from ._mentions import mentions_only
from ._money_keys import money_written
from ._outgoing import asked_publish, street_looked_up
from ._queries import reads_only_sql
from ._releases import routine_deploy
from ._sense import (
    DESTROY,
    MONEY,
    ToolSense,
    cancels,
    commits,
    halts,
    operation_start,
    paid_booking,
    tool_sense,
)

__all__ = ["detect_actions"]

_MONEY_TEXT = re.compile(
    r"(?:[$€£]\s?\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s?(?:usd|eur|gbp|btc|eth|usdt)\b"
    r"|\b(?:bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,39}\b|\b0x[0-9a-fA-F]{40}\b"
    r"|\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b)"
)
# Bounded by anything but a letter or digit: ``all_customers_ssn.csv`` names SSNs too.
_SENSITIVE = re.compile(
    r"(?<![a-z0-9])(passwords?|passcodes?|ssn|social security|credit card|card number|cvv"
    r"|bank account|account number|routing number|iban|medical|diagnos[ie]s|prescriptions?"
    r"|patients?"
    r"|health record|date of birth|passport|driver'?s licen[cs]e|salary|salaries|payroll"
    r"|payslips?|tax returns?|pii"
    r"|confidential|internal only|proprietary|trade secrets?|api[ _-]?keys?|secret keys?"
    r"|private keys?|access tokens?|credentials?|home[ _]address(?:es)?|phone numbers?|dob"
    r"|birth[ _]?dates?"
    r"|(?:security|verification|one-time|2fa|mfa|login) codes?|otp)(?![a-z0-9])"
)
# A literal that every match of _SENSITIVE holds: most text holds none, and looking for
# each costs less than one search with the pattern (tests/test_detect_hints.py keeps
# the literals a superset).
_SENSITIVE_WORDS = (
    "pass",
    "ssn",
    "social security",
    "card",
    "cvv",
    "account",
    "routing number",
    "iban",
    "medical",
    "diagnos",
    "prescription",
    "patient",
    "health record",
    "date of birth",
    "driver",
    "salar",
    "payroll",
    "payslip",
    "tax return",
    "pii",
    "confidential",
    "internal only",
    "proprietary",
    "secret",
    "api",
    "private key",
    "access token",
    "credential",
    "home",
    "dob",
    "birth",
    "phone number",
    "code",
    "otp",
)
_PRIVILEGED = re.compile(
    r"\b(admin(istrator)?s?|owners?|root|superusers?|super[_ -]?admins?|sudo(?:ers)?"
    r"|maintain(?:ers?)?)\b"
)
_EXTERNAL = re.compile(r"\b(contractor|external|vendor|freelancer|guest|third[- ]party)\b")
# Literals every match of _PRIVILEGED, and of _EXTERNAL, holds (as _SENSITIVE_WORDS).
_PRIVILEGED_WORDS = ("admin", "owner", "root", "super", "sudo", "maintain")
_EXTERNAL_WORDS = ("contractor", "external", "vendor", "freelancer", "guest", "third")
_CONFIG = wordset(
    "workflow workflows automation automations setting settings config configuration rule "
    "rules pipeline pipelines trigger triggers flag flags plan plans pricing sequence"
)
_CHANGE_VERBS = wordset(
    "update modify edit change set configure patch create delete enable disable toggle "
    "replace rewrite"
)
_RECORDS = wordset("record records recording recordings profile profiles history data file files")
_PEOPLE = wordset(
    "student students patient patients client clients employee employees customer customers "
    "user users personal session sessions therapy medical health child children"
)
_URL = re.compile(r"\bhttps?://([^/\s'\"]+)")
_AS_PERSON = re.compile(
    r"\b(?:as|on behalf of|in the name of|pretending to be|posing as|signed by|sign it as)"
    r"\s+((?:[A-Z][a-z]+|Dr\.|Mr\.|Ms\.|Mrs\.)(?:\s+[A-Z][a-z]+){1,2})\b"
    # One name is enough after words that only ever mean a person: "as if from Dana".
    r"|\b(?:as if (?:it (?:was|were|came) )?from|pretending to be|posing as|sign it as"
    r"|in (?:the )?name of)\s+((?:[A-Z][a-z]+|Dr\.|Mr\.|Ms\.|Mrs\.)(?:\s+[A-Z][a-z]+){0,2})\b"
)
_COPY_MIN = 80
# Keys that name the one party a plan or a workflow is for.
_ONE_PARTY_KEYS = wordset(
    "customer customer_id customer_email subscriber subscriber_id subscription subscription_id "
    "counterparty counterparty_id counterparty_name counterparty_signer counterparty_email "
    "worker worker_id employee employee_id student_id patient_id member_id"
)
_LEAK_WORDS = wordset("leak exfiltrate exfiltration disclose")


# What each kind of signal says and adds: (code, message, weight, impact,
# reversibility, sensitivity); where it was found comes with each finding.
_KINDS: dict[str, tuple[str, str, float, float, float, float]] = {
    "money": (
        "action.money",
        "The action moves money or crypto, which cannot be called back once sent",
        0.8,
        0.85,
        0.8,
        0.5,
    ),
    "commit": (
        "action.money",
        "The action books, orders or charges on someone's account, committing their money",
        0.8,
        0.8,
        0.7,
        0.4,
    ),
    "cancel": (
        "action.cancellation",
        "The action cancels a booking, order or subscription; a cancellation may not be "
        "restorable and can forfeit what was paid",
        0.8,
        0.7,
        0.85,
        0.0,
    ),
    "destructive": (
        "action.destructive",
        "The action deletes, overwrites or disables something; undoing it needs a backup",
        0.8,
        0.75,
        0.85,
        0.0,
    ),
    "outward": (
        "action.data_outward",
        "The action sends personal or confidential data outside the company",
        0.8,
        0.75,
        0.9,
        0.7,
    ),
    "public": (
        "action.public",
        "The action publishes to a public audience; what is seen cannot be unseen",
        0.55,
        0.5,
        0.6,
        0.4,
    ),
    "published": (
        "action.data_outward",
        "Personal or confidential data would be published",
        0.8,
        0.75,
        0.9,
        0.7,
    ),
    "code": (
        "action.untrusted_code",
        "The action runs code or installs software",
        0.65,
        0.6,
        0.5,
        0.4,
    ),
    "workflow": (
        "change.workflow",
        "The action changes a workflow or product setting that runs for every customer",
        0.5,
        0.45,
        0.3,
        0.3,
    ),
    "personal": (
        "action.personal_data",
        "The action opens or captures personal records of identifiable people",
        0.6,
        0.4,
        0.4,
        0.7,
    ),
}


def _signal(kind: str, where: str, excerpt: str) -> Signal:
    if where == "tool":
        return _on_tool(kind, excerpt)
    code, message, weight, impact, reversibility, sensitivity = _KINDS[kind]
    return Signal(
        code,
        message,
        where=where,
        excerpt=excerpt,
        weight=weight,
        impact=impact,
        reversibility=reversibility,
        sensitivity=sensitivity,
    )


@lru_cache(maxsize=4096)
def _on_tool(kind: str, tool: str) -> Signal:
    """A signal found in the tool's name: the same for every call of that tool, and
    immutable, so made once."""
    code, message, weight, impact, reversibility, sensitivity = _KINDS[kind]
    return Signal(
        code,
        message,
        where="tool",
        excerpt=tool,
        weight=weight,
        impact=impact,
        reversibility=reversibility,
        sensitivity=sensitivity,
    )


def detect_actions(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for the irreversible kinds of action."""
    s = call_sense(view)
    if (s.outward or s.public) and halts(view):
        s = replace(s, outward=False, public=False)  # a campaign paused sends nothing
    if s.outward and not s.public and not s.draft and _on_a_public_network(view):
        # A reply or a comment under a tweet or a subreddit post is public, whatever the
        # tool's name says.
        s = replace(s, public=True)
    out: list[Signal] = []
    words = view.word_set

    # A draft moves no money, whatever amount it holds.
    money_arg = None if s.draft else money_arg_of(view)
    if not s.money and not s.read_only and paid_booking(view, money_arg is not None):
        s = replace(s, money=True)  # a room booked for a price or for a stay
    if s.money or (
        money_arg is not None
        and not s.read_only
        and (s.outward or s.change or not _PAYEE_KEYS.isdisjoint(view.key_set))
    ):
        where, ex = money_arg if money_arg else ("tool", view.tool)
        if authorized_money(view):
            # The person asked for this payment and named its payee and amount: the
            # money still weighs on the rubric, but is no reason to ask them again.
            out.append(
                Signal(
                    "action.money_authorized",
                    "The action moves money the person asked to move, to a payee and for an "
                    "amount they named",
                    where=where,
                    excerpt=ex,
                    weight=0.4,
                    impact=0.4,
                    reversibility=0.4,
                    trigger=False,
                )
            )
        else:
            named = split_words(view.tool)
            charges = bool(money_arg and PAYMENT_KEY.match(money_arg[1].lower()))
            commit = not set(named) & MONEY and (
                commits(named, operation_start(view.tool)) or charges
            )
            out.append(_signal("commit" if commit else "money", where, ex))
    elif not s.read_only and not s.draft and (keyed := money_written(view)) is not None:
        out.append(keyed)
    if s.destroy:
        named = split_words(view.tool)
        cancel = not set(named) & DESTROY and cancels(named)
        asked = None if cancel else asked_deletion(view)
        if asked is not None:
            out.append(asked)
        else:
            out.append(_on_tool("cancel" if cancel else "destructive", view.tool))
    if s.access and not s.money and not _locks_a_place(view):
        out.extend(_access(view))
    if s.outward and not s.public:
        hit = _first(view, _SENSITIVE, _SENSITIVE_WORDS)
        if hit is not None and mentions_only(view, _SENSITIVE):
            hit = None  # "IT will text you a temporary password", to whom the person said
        hit = hit or street_looked_up(view)
        if hit is not None or not _LEAK_WORDS.isdisjoint(words):
            where, ex = hit if hit else ("tool", view.tool)
            out.append(_signal("outward", where, ex))
    if s.public:
        hit = _first(view, _SENSITIVE, _SENSITIVE_WORDS)
        if not asked_publish(view):
            # Publishing what the person asked to publish is the task; what it
            # publishes is still read.
            out.append(_on_tool("public", view.tool))
        if hit is not None:
            out.append(_signal("published", *hit))
    if (
        s.code
        and not s.terminal
        and not reads_only_sql(view)
        and not routine_deploy(view)
        and not asked_sql(view)
    ):
        # A terminal's commands are read one by one in _tools; running `ls` is routine.
        out.append(_on_tool("code", view.tool))
    elif "download" in words:
        out.extend(_download(view, config))
    if s.outward or s.public:
        out.extend(_in_someone_elses_name(view))
        out.extend(_copied(view))
    if (
        s.change
        and words & _CONFIG
        and words & _CHANGE_VERBS
        and view.key_set.isdisjoint(_ONE_PARTY_KEYS)
        and "device" not in effect_of(view).families
        and not off_production(view)
    ):
        # A plan moved for one customer, or a contract's workflow started with one
        # counterparty, runs for that party alone; a device's settings are that
        # device's, and the device rules read them.
        out.append(_on_tool("workflow", view.tool))
    if not s.read_only and words & _RECORDS and words & _PEOPLE:
        out.append(_on_tool("personal", view.tool))
    return out


# Where an amount goes: with an amount beside it, whatever the tool's verb, money moves.
_PAYEE_KEYS = wordset(
    "to recipient recipients beneficiary payee destination destination_account to_account "
    "to_account_id dest_account target_account iban to_wallet destination_wallet"
)
# Where a generic tool names its operation; an HTTP method is read only for DELETE
# (``method`` also names payment and contact methods).
_VERB_KEYS = ("action", "operation", "op", "verb", "command", "cmd")
_METHOD_KEYS = ("method", "http_method")


_PUBLIC_NETWORKS = (
    "tweet",
    "twitter",
    "subreddit",
    "reddit",
    "linkedin",
    "facebook",
    "instagram",
    "tiktok",
    "youtube",
    "mastodon",
    "bluesky",
)


def _on_a_public_network(view: ActionView) -> bool:
    """An argument's key names a public network's post (``tweet_id``, ``subreddit``)."""
    return any(holds_any(key.lower(), _PUBLIC_NETWORKS) for key in view.key_set)


def call_sense(view: ActionView) -> ToolSense:
    """What the tool's name says, raised by the operation its arguments name.

    ``records.view`` with ``operation: "delete"`` deletes, and a ``readOnlyHint`` does not
    change what the server is told to do: the operation's own sense adds to the name's.
    """
    s = tool_sense(view.tool)
    if (s.outward or s.public) and answers_the_person(view):
        return replace(s, outward=False, public=False)  # ``reply_to_user``
    verb = view.first_arg(_VERB_KEYS)
    if verb is None or not command_is_verb(verb):
        method = view.first_arg(_METHOD_KEYS)
        verb = "delete" if method is not None and method.strip().upper() == "DELETE" else None
    if verb is None:
        return s
    v = tool_sense(verb.strip())
    if v.read_only or not (v.money or v.destroy or v.outward or v.access or v.public):
        return s
    return replace(
        s,
        money=s.money or v.money,
        destroy=s.destroy or v.destroy,
        outward=s.outward or v.outward,
        access=s.access or v.access,
        public=s.public or v.public,
        read_only=False,
    )


def _first(
    view: ActionView, rx: re.Pattern[str], words: tuple[str, ...] = ()
) -> tuple[str, str] | None:
    """Where ``rx`` first matches an argument (lowercased), with the excerpt.

    Each pattern given here starts and ends with a word character after a ``\\b``, so
    a match in one argument is a match in all of them joined by spaces: one search
    there says whether any argument needs a look. ``words``, when given, are literals
    one of which every match holds: a cheaper look first."""
    low_all = view.args_lower
    if (words and not holds_any(low_all, words)) or rx.search(low_all) is None:
        return None
    for (path, text), low in zip(view.args, view.lowered(), strict=True):
        m = rx.search(low)
        if m:
            span, ex = excerpt_at(text, m.start(), m.end(), pad=30)
            return f"{path}{span}", ex
    return None


def _access(view: ActionView) -> list[Signal]:
    priv = _first(view, _PRIVILEGED, _PRIVILEGED_WORDS)
    if priv is None and authorized_grant(view):
        # The person asked for this grant and named whom it admits: it still weighs on
        # the rubric, but is no reason to ask them again.
        return [
            Signal(
                "action.access_authorized",
                "The action gives access the person asked to give, to someone they named",
                where="tool",
                excerpt=view.tool,
                weight=0.4,
                impact=0.4,
                reversibility=0.4,
                trigger=False,
            )
        ]
    ext = _first(view, _EXTERNAL, _EXTERNAL_WORDS)
    weight = 0.75 + (0.15 if priv else 0.0) + (0.05 if ext else 0.0)
    why = "The action changes who can access what"
    if priv:
        why += "; it hands out a privileged role"
    if ext:
        why += " to someone outside the company"
    where, ex = priv or ext or ("tool", view.tool)
    return [
        Signal(
            "action.permissions",
            why,
            where=where,
            excerpt=ex,
            weight=min(weight, 0.95),
            impact=0.8 if priv else 0.6,
            reversibility=0.5,
            sensitivity=0.7,
        )
    ]


def _locks_a_place(view: ActionView) -> bool:
    """A door, a gate or a garage locked or closed as the person asked: it keeps people
    out and grants nobody access."""
    if GUARD_PLACES.isdisjoint(view.words) and (
        not holds_any(view.args_lower, _GUARD_PLACE_HINTS)
        or not any(
            not GUARD_PLACES.isdisjoint(split_words(text[:40])) for text in view.lowered_args
        )
    ):
        return False
    return safe_way(view)


def _download(view: ActionView, config: DetectConfig) -> list[Signal]:
    for path, text in view.args:
        m = _URL.search(text)
        if not m:
            continue
        host = m.group(1).lower()
        if any(host == d or host.endswith("." + d) for d in config.internal_domains):
            continue
        span, ex = excerpt_at(text, m.start(), m.end())
        return [
            Signal(
                "action.untrusted_code",
                f"The action downloads a file from {host}, a source nobody has vetted",
                where=f"{path}{span}",
                excerpt=ex,
                weight=0.55,
                impact=0.4,
                reversibility=0.3,
                sensitivity=0.4,
            )
        ]
    return []


def _in_someone_elses_name(view: ActionView) -> list[Signal]:
    """The request asks to act as a named person, and the action carries that name."""
    for m in _AS_PERSON.finditer(view.instruction):
        name = m.group(1) or m.group(2)
        if name.split()[0] in ("The", "A", "An", "Our", "My", "Your"):
            continue
        if name.lower() in view.args_lower:
            span, ex = excerpt_at(view.instruction, m.start(), m.end())
            return [
                Signal(
                    "action.impersonation",
                    f"The action is sent in the name of {name}, who is not the one asking",
                    where=f"context.instruction{span}",
                    excerpt=ex,
                    weight=0.7,
                    impact=0.4,
                    reversibility=0.5,
                    sensitivity=0.7,
                )
            ]
    return []


def _copied(view: ActionView) -> list[Signal]:
    """Long text sent out that repeats, word for word, what an earlier tool returned."""
    outputs = [s for s in view.sources if s.kind == "observation" and len(s.text) >= _COPY_MIN]
    if not outputs:
        return []
    for path, text in view.args:
        if len(text) < 2 * _COPY_MIN:
            continue
        step = max(_COPY_MIN, len(text) // 8)
        for start in range(0, len(text) - _COPY_MIN + 1, step):
            chunk = text[start : start + _COPY_MIN]
            if chunk.isspace():
                continue
            for src in outputs:
                if chunk in src.text:
                    return [
                        Signal(
                            "content.copied",
                            "The text sent out copies, word for word, content an earlier tool "
                            f"fetched ({src.where}); it may be someone else's work",
                            where=f"{path}[{start}:{start + _COPY_MIN}]",
                            excerpt=" ".join(chunk.split())[:160],
                            weight=0.6,
                            impact=0.3,
                            reversibility=0.4,
                            sensitivity=0.6,
                        )
                    ]
    return []


# Literals one of which every guarded place's word holds: a cheap first look.
_GUARD_PLACE_HINTS = ("door", "gate", "garage", "deadbolt", "window")

"""Drift: the person named where an action goes, and the call goes somewhere else of the
same kind.

The person wrote an address, an account, a URL, a channel, a branch, an environment,
a storage bucket or a record's key (an approval of ``ER-3298`` when they named
``ER-3310``) for the action; the call's target of that kind is a value they never wrote, one a tool
showed (a contacts lookup listing two addresses for the same name, a channel list, a
branch list) or one that appears nowhere. ``provenance.untrusted_target`` only fires
when the person never asked for that kind of action and ``provenance.invented_target``
only when the value appears nowhere; this fires whenever a named target was swapped.

Not drift: the call uses a value the person named (one of several, or a path inside a
folder they named); the person named only a name and the agent looked the address up
(nothing of that kind was named); a channel's id on the line of a tool's output that
shows the channel the person named; the person's own address (a tool's output shows it
as the signed-in account) in copy — a copy to oneself reaches nobody new.

* ``provenance.target_drift`` — the reason names the value the person named and the one
  the call uses, and where the latter came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ._base import ActionView, DetectConfig, Signal, word_set, wordset
from ._effects import effect_of
from ._lookalikes import lookalike_domain
from ._provenance import trusted_text
from ._tokens import tokens

__all__ = ["detect_drift"]

# Arguments whose text is talked about, not gone to.
_SENDER_KEYS = frozenset(("from", "sender", "from_email", "from_address", "sender_email"))
# A team's shared mailbox, not a person's: what a mail is sent from as a matter of course.
_TEAM_BOX = re.compile(
    r"^(?:it|helpdesk|support|help|hello|info|team|hr|people|admin|office|billing|noreply"
    r"|no-reply|notifications?|welcome|onboarding)@([\w.-]+)$"
)


def _team_mailbox(view: ActionView, text: str) -> bool:
    """``text`` is a team's mailbox on a mail domain the person wrote in an address."""
    m = _TEAM_BOX.match(text.strip().lower())
    return m is not None and f"@{m.group(1)}" in trusted_text(view).lower()


_PROSE = frozenset(
    (
        "body",
        "text",
        "message",
        "content",
        "subject",
        "title",
        "description",
        "notes",
        "note",
        "comment",
        "summary",
        "query",
        "q",
        "html",
        "markdown",
        "reason",
        "details",
        "agenda",
        "caption",
    )
)
_URL_KEY = re.compile(r"url|uri|link|endpoint|webhook|callback|host|domain|redirect|site")
_ACCOUNT_KEY = re.compile(r"account|acct|iban|payee|beneficiary|recipient|destination|^to\b|^to_")
_PHONE_KEY = re.compile(r"phone|mobile|sms|number|^to$|recipient")
# A room is also booked; a base is also a currency: only these keys name a channel, and
# a branch only on a tool of a repository.
_CHANNEL_KEY = re.compile(r"^(?:channel|channel_(?:id|name)|conversation|chat_id)$")
_BRANCH_KEY = re.compile(
    r"^(?:base|head|branch|ref|target_branch|source_branch|base_branch|head_branch)$"
)
_REPO_WORDS = wordset(
    "git github gitlab bitbucket gitea merge branch branches pull pulls pr prs repo repos "
    "repository checkout rebase push"
)
_PATH_KEY = re.compile(
    r"^(?:path|paths|file|files|filename|filepath|file_path|src|source|dest|destination"
    r"|target|dir|directory|folder|attachment|attachments)$"
)
_ENV_KEY = re.compile(r"^(?:namespace|ns|env|environment|stage|cluster|context)$")
_ENV_NAMED_KEYS = frozenset(("target", "profile", "deploy_target", "tier", "workspace"))
_BUCKET_KEY = re.compile(r"^(?:bucket|bucket_name|storage_bucket|container|container_name)$")
# A bucket named after the word or before it ("bucket acme-db-backups", "the logs bucket"),
# or by its URL; read as two patterns, for "backups bucket acme-db-backups" holds both.
_BUCKET_SAID = (
    re.compile(
        r"\bbucket\s+(?:named\s+|called\s+)?[`'\"]?([a-z0-9][a-z0-9._-]{2,62})"
        r"|\b(?:s3|gs)://([a-z0-9][a-z0-9._-]{2,62})"
    ),
    re.compile(r"\b([a-z0-9][a-z0-9._-]{2,62})[`'\"]? bucket\b"),
)

# Environments, with their short and long names read as one.
_ENVS = {
    "prod": "production",
    "production": "production",
    "live": "production",
    "staging": "staging",
    "stage": "staging",
    "stg": "staging",
    "dev": "development",
    "development": "development",
    "qa": "qa",
    "test": "test",
    "testing": "test",
    "uat": "uat",
    "sandbox": "sandbox",
    "preprod": "preprod",
    "pre-prod": "preprod",
    "canary": "canary",
}
_ENV_WORD = re.compile(r"\b(" + "|".join(sorted(_ENVS, key=len, reverse=True)) + r")\b")
# A namespace or environment a command line names.
_ENV_FLAG = re.compile(
    r"(?:^|\s)(?:-n|--namespace|--context|--env(?:ironment)?|--stage|-e)[= ]([\w.-]{1,63})"
)
_NAMESPACE_SAID = re.compile(
    r"\bnamespace\s+[`'\"]?([\w.-]{2,63})|\b([\w.-]{2,63})[`'\"]? namespace\b"
)
_CHANNEL_SAID = re.compile(r"(?<![\w&#])#([a-z][\w.-]{1,79})|\b([a-z][\w.-]{1,79}) channel\b")
_BRANCH_SAID = re.compile(
    r"\b(?:into|onto|branch|base|from|to|against)\s+[`'\"]?([\w][\w./-]{0,99})"
    r"|\b([\w][\w./-]{0,99})[`'\"]? branch\b"
    r"|(?<![\w/])([a-z][\w-]{0,99}/[\w./-]{1,99})"
)
# A slash name is a branch when the person calls it one ("the feature/x branch", "branch
# feature/x") or it starts as branches are named; "acme/api" is a repository and
# "docs/old-api.md" a file.
_FILE_END = re.compile(r"\.[a-z][a-z0-9]{0,4}$")
# Where a merge goes: a base branch is compared only with one named after these words.
_INTO = ("into", "onto", "base", "against", "to")
_BASE_KEYS = frozenset(("base", "target_branch", "base_branch"))
_BRANCH_PREFIXES = wordset(
    "feature features feat fix fixes bugfix hotfix release releases chore dev topic wip "
    "refactor experiment exp spike task patch"
)
# A numbered item the person named: "PR #88", "issue 431", "#12", "PROJ-12".
_ITEM_SAID = re.compile(
    r"(?:\b(?:pr|pull request|merge request|mr|issue|ticket|bug|story|task|incident)\s*#?"
    r"|(?<![\w&#])#)(\d{1,7})\b"
)
_ITEM_KEY_SAID = re.compile(r"\b([A-Z][A-Z0-9]{1,9}-\d{1,7})\b")
# Keys that hold such an item's number or key.
_ITEM_KEY = re.compile(
    r"^(?:pull_?(?:request_?)?number|pr_?number|pull_?request_?id|pr|pr_id|issue_?(?:number|id|iid|key)"
    r"|merge_?request_?(?:iid|id)|mr_?iid|ticket_?(?:id|number|key)|issue|ticket|key|number|iid)$"
)
_APPROVES = wordset("approve approves approval authorize authorise")
_TRACKER_WORDS = wordset(
    "git github gitlab bitbucket gitea merge pull pulls pr prs repo repos issue issues "
    "ticket tickets jira linear bug bugs story incident review transition"
)
_MAKES = wordset("create creates open opens new add adds file files post")
_NOT_NAMES = frozenset(
    ("the", "a", "an", "this", "that", "our", "my", "your", "their", "same", "right")
)
# A tool's output that shows the person's own account.
_OWN = re.compile(
    r"\b(?:signed in as|logged in as|your (?:e-?mail|address|account)|account owner)\b"
    r"|\((?:you|me)\)"
)
# A long number, also at a sentence's end ("... account 11227731.").
_LONG_NUMBER = re.compile(r"(?<![\w.])\d{6,}(?!\w|\.\d)")
# Where money comes from: the person's own account, which the agent may look up.
_SOURCE_KEY = re.compile(r"^(?:from|source|src|debit|origin|funding)")
# An account's id with letters ("sav-2002", "chk_1001").
_ACCOUNT_ID = re.compile(r"(?<![\w.@-])[a-z]{2,6}[-_]?\d{3,12}(?![\w@-]|\.\w)")
# A short account number right after the word ("account 5512", "acct no. 88120").
_ACCOUNT_NO_SAID = re.compile(r"\b(?:account|acct)\.?\s?(?:no\.?|number|num)?\s?[:#]?\s?(\d{4,})\b")
_MONEY_WORDS = re.compile(r"\b(?:account|acct|savings|checking|iban|payee|sort code|routing)\b")


# A chat service's own id for a channel (``C024BE91L``): no name to compare with one.
_OPAQUE_ID = re.compile(r"[A-Z](?=[A-Z0-9]*\d)[A-Z0-9]{2,}")


def _key(path: str) -> str:
    return path.rsplit(".", 1)[-1].split("[", 1)[0].lower()


# Words before an address that make it whom the action reaches ("send ... to X",
# "share with X", "cc X", "X or Y"), not whose mailbox is read ("the emails of X").
_AIM = re.compile(
    r"\b(?:to|with|cc|bcc|at|e-?mail|message|text|invite|notify|contact|ping|add|call"
    r"|reply|forward|send|and|or|for)\b(?:\W+[a-z]+){0,3}\W*$"
)
# An account the person names by its last digits ("savings ending 7731", "****7731").
_TAIL_SAID = re.compile(
    r"(?:\bending(?: in)?|\blast (?:4|four)(?: digits)?|[*x]{2,12})\s*(\d{4})\b"
)
_TAIL = re.compile(r"(\d{4})\D{0,3}$")


def _aimed(low: str, value: str) -> bool:
    at = low.find(value)
    return at >= 0 and _AIM.search(low, max(0, at - 24), at) is not None


def _said_accounts(said: str) -> set[str]:
    """Account numbers the person named: a long number, or an id such as ``sav-2002``,
    after a word that says account."""
    low = said.lower()
    out = {
        m.group(0)
        for rx in (_LONG_NUMBER, _ACCOUNT_ID)
        for m in rx.finditer(low)
        if _MONEY_WORDS.search(low, max(0, m.start() - 40), m.start())
    }
    out.update(m.group(1) for m in _ACCOUNT_NO_SAID.finditer(low))
    return out


# A separator between two digits, as in a number written "4410-0931" or "(555) 010-2000".
_DIGITS_JOINED = re.compile(r"(?<=\d)[\s().-]{1,2}(?=\d)")


def _written(value: str, low_said: str) -> bool:
    """``value`` stands whole in the request (``acme.co`` is not in ``acme.com``)."""
    return re.search(rf"(?<![\w.+-]){re.escape(value)}(?![\w-]|\.\w)", low_said) is not None


def _branch_like(m: re.Match[str], name: str) -> bool:
    return bool(
        m.group(2)
        or (m.group(1) and m.group(0).startswith("branch"))
        or name.split("/", 1)[0] in _BRANCH_PREFIXES
    )


def _said_items(said: str) -> set[str]:
    """Numbered items the person named, as numbers ("88") or keys ("proj-12")."""
    out = {m.group(1) for m in _ITEM_SAID.finditer(said.lower())}
    out.update(m.group(1).lower() for m in _ITEM_KEY_SAID.finditer(said))
    return out


# Cached: every step of a run rereads the same request. The sets are not to be changed.
@lru_cache(maxsize=256)
def _named(said: str) -> dict[str, set[str]]:
    """What the person named, by kind."""
    low = said.lower()
    toks = tokens(said)
    named: dict[str, set[str]] = {
        "email": {v for k, v in toks if k == "email" and _aimed(low, v)},
        "phone": {v for k, v in toks if k == "phone"},
        "iban": {v for k, v in toks if k == "iban"},
        "account": _said_accounts(said),
        "tail": {m.group(1) for m in _TAIL_SAID.finditer(low)},
        "domain": {v for k, v in toks if k == "domain"},
        "path": {v for k, v in toks if k == "path"},
        "channel": set(),
        "branch": set(),
        "environment": set(),
        "bucket": set(),
        "base": set(),
    }
    for rx in _BUCKET_SAID:
        for m in rx.finditer(low):
            name = (m.group(1) or m.group(m.lastindex or 1) or "").rstrip(".-")
            if name and name not in _NOT_NAMES:
                named["bucket"].add(name)
    for m in _CHANNEL_SAID.finditer(low):
        name = (m.group(1) or m.group(2) or "").rstrip(".-")
        if name and name not in _NOT_NAMES:
            named["channel"].add(name)
    for m in _BRANCH_SAID.finditer(low):
        name = (m.group(1) or m.group(2) or m.group(3) or "").rstrip(".-/")
        if _FILE_END.search(name) or ("/" in name and not _branch_like(m, name)):
            continue  # a file's path or a repository's owner/name, not a branch
        if name and name not in _NOT_NAMES and "@" not in name and "://" not in name:
            named["branch"].add(name)
            if m.group(1) and m.group(0).startswith(_INTO):
                named["base"].add(name)
    named["item"] = _said_items(said)
    named["record"] = {m.group(1).lower() for m in _ITEM_KEY_SAID.finditer(said)}
    for m in _ENV_WORD.finditer(low):
        named["environment"].add(_ENVS[m.group(1)])
    for m in _NAMESPACE_SAID.finditer(low):
        name = m.group(1) or m.group(2)
        if name and name not in _NOT_NAMES:
            named["environment"].add(_ENVS.get(name, name))
    return named


def _aims(kind: str, key: str, text: str) -> bool:
    """Whether a value of ``kind`` under ``key`` is where the call goes."""
    if kind == "email":
        return True
    if kind == "phone":
        return bool(_PHONE_KEY.search(key)) and "@" not in text
    if kind in ("iban", "account"):
        return bool(_ACCOUNT_KEY.search(key))
    if kind == "domain":
        return "@" not in text and bool(_URL_KEY.search(key))
    return kind == "path" and bool(_PATH_KEY.match(key))


def _targets(view: ActionView) -> Iterator[tuple[str, str, str]]:
    """(kind, value, argument) for every target the call names."""
    repo = not view.word_set.isdisjoint(_REPO_WORDS)
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key in _PROSE or (key in _SENDER_KEYS and _team_mailbox(view, text)):
            continue  # prose, or a team's own mailbox on a domain the person wrote
        for m in _ENV_FLAG.finditer(text.lower()):
            yield "environment", m.group(1), path
        for kind, value in sorted(tokens(text)):
            if _aims(kind, key, text):
                yield kind, value, path
        value = text.strip().lower()
        tail = _TAIL.search(value) if len(value) <= 40 and _ACCOUNT_KEY.search(key) else None
        if tail is not None:
            yield "tail", tail.group(1), path
        if " " in value or len(value) > 100:
            continue  # a sentence, not a name
        if (
            _ACCOUNT_KEY.search(key)
            and not _SOURCE_KEY.match(key)
            and (_ACCOUNT_ID.fullmatch(value) or (len(value) >= 4 and value.isdigit()))
        ):
            yield "account", value, path
        if _CHANNEL_KEY.match(key) and value and not _OPAQUE_ID.fullmatch(text.strip()):
            yield "channel", value.lstrip("#"), path
        if _BRANCH_KEY.match(key) and value and repo:
            yield "branch", value.removeprefix("refs/heads/"), path
        if (_ENV_KEY.match(key) and value) or (key in _ENV_NAMED_KEYS and value in _ENVS):
            # A ``target`` or ``profile`` names an environment only by one's name.
            yield "environment", value, path
        if _BUCKET_KEY.match(key) and value:
            yield "bucket", value.removeprefix("s3://").removeprefix("gs://").strip("/"), path
    tracker = not view.word_set.isdisjoint(_TRACKER_WORDS)
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        item = key.replace("-", "_")
        if _ITEM_KEY.match(item) and (tracker or "_" in item or item.startswith("pr")):
            value = text.strip().lower().lstrip("#")
            if value.isdigit() or _ITEM_KEY_SAID.fullmatch(text.strip()):
                yield "item", value, path
    if not view.word_set.isdisjoint(_APPROVES):
        # What an approval signs off on, by a record's key ("ER-3310").
        for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
            value = text.strip()
            if (key == "id" or key.endswith(("_id", "_key"))) and _ITEM_KEY_SAID.fullmatch(value):
                yield "record", value.lower(), path
    for path, number in view.numbers:
        key = _key(path)
        item = key.replace("-", "_")
        if number == int(number) and _ITEM_KEY.match(item) and (tracker or "_" in item):
            yield "item", str(int(number)), path
        if number == int(number) and number >= 100000 and _ACCOUNT_KEY.search(key):
            yield "account", str(int(number)), path
        if number == int(number) and number >= 1000 and _ACCOUNT_KEY.search(key):
            yield "tail", str(int(number))[-4:], path


def _same(kind: str, value: str, named: set[str]) -> bool:
    if value in named:
        return True
    if kind == "domain":
        return any(value == n or value.endswith("." + n) or n.endswith("." + value) for n in named)
    if kind == "path":
        return any(value.startswith(n.rstrip("/") + "/") or n.endswith(value) for n in named)
    if kind == "environment":
        env = _ENVS.get(value)
        if env is not None:
            return env in named
        # A namespace that is no environment's name: drift only when it holds one
        # ("api-production") or the person named namespaces.
        inner = _ENV_WORD.search(value)
        if inner is not None:
            return _ENVS[inner.group(1)] in named
        return not (named - set(_ENVS.values()))
    return False


def _made_here(view: ActionView, value: str) -> bool:
    """Whether an earlier step made the numbered item (its output shows the number)."""
    for step in view.action.context.steps:
        if (
            step.tool
            and value in (step.observation or "").lower()
            and not _MAKES.isdisjoint(word_set(step.tool))
        ):
            return True
    return False


def _looked_up(view: ActionView, value: str, named: set[str]) -> str:
    """Where a tool's output shows ``value`` (its line), or ``""``."""
    ctx = view.action.context
    for i, step in enumerate(ctx.steps):
        text = step.observation or ""
        if value not in text.lower():
            continue
        for line in text.splitlines():
            if value in line.lower():
                return f"context.steps[{i}].observation\t{line.strip()[:160]}"
    return ""


def detect_drift(view: ActionView, config: DetectConfig) -> list[Signal]:
    ctx = view.action.context
    if not (ctx.instruction or ctx.messages or ctx.steps):
        return []  # nobody named anything
    effect = effect_of(view)
    if effect.read_only or not effect.families:
        return []
    said = trusted_text(view)
    if not said.strip():
        return []
    return _swapped(view, effect.has("destroy", "outward", "public", "access"), said) or (
        lookalike_domain(view, config, said, _PROSE)
    )


def _swapped(view: ActionView, paths: bool, said: str) -> list[Signal]:
    """Drift from a target of a kind the person named."""
    low_said = said.lower()
    named = _named(said)
    if not any(named.values()):
        return []
    # An edit that touches a file beside the one named is how code gets fixed; a path
    # drifts only where it is deleted, sent or opened to others (``paths``).
    for kind, value, path in _targets(view):
        names = named["base"] if kind == "branch" and _key(path) in _BASE_KEYS else named.get(kind)
        if kind == "record" and names:
            # Only against a record of the same kind the person named ("ER-").
            prefix = value.split("-", 1)[0] + "-"
            names = {n for n in names if n.startswith(prefix)}
        if not names or (kind == "path" and not paths) or _same(kind, value, names):
            continue
        if kind in ("channel", "branch", "environment", "bucket") and re.search(
            rf"(?<![\w.#/-]){re.escape(value)}(?![\w/-])", low_said
        ):
            continue  # the person wrote it, though not where a pattern looks
        if kind in ("email", "phone", "account", "iban") and _written(value, low_said):
            continue
        if kind == "phone" and _written(value, _DIGITS_JOINED.sub("", low_said)):
            continue  # written with its separators ("4410-0931")
        if kind in ("item", "record") and (
            re.search(rf"(?<![\w.-]){re.escape(value)}(?![\w-])", low_said)
            or _made_here(view, value)
        ):
            continue  # written by the person, or the number of what the run just made
        shown = _looked_up(view, value, names)
        where, line = shown.split("\t", 1) if shown else ("", "")
        line_low = line.lower()
        if kind == "channel" and any(n in line_low for n in names):
            continue  # the named channel's id, on the line that shows it
        if kind == "email" and _OWN.search(line_low):
            continue  # the person's own address
        came = f"a tool's output ({where}: \u201c{line}\u201d)" if where else "nowhere in the run"
        named_list = ", ".join(repr(n) for n in sorted(names)[:3])
        if kind == "tail":
            kind = "account ending"
        elif kind in ("item", "record"):
            kind = "numbered item"
        return [
            Signal(
                "provenance.target_drift",
                f"The person named the {kind} {named_list} for this; {path} holds "
                f"{value!r} instead, which comes from {came}",
                where=where or path,
                excerpt=line or value,
                weight=0.8,
                impact=0.5,
                uncertainty=0.8,
                sensitivity=0.6,
            )
        ]
    return []

"""Access handed out where the access words do not say it: a credential minted, a
member's level changed, a mailbox delegated, mail hidden, deleted or forwarded by a rule.

* ``secrets.access`` — an API key, a token or a service account's key created: whoever
  holds it acts as the account (``create_api_key``, ``apikeys.create``, ``tokens.create``).
* ``action.permissions`` — a member's role, level or clearance changed on an update or
  an edit (``gitlab.update_member`` with ``access_level: 50``, ``user.set_clearance``);
  a mailbox's delegate added, who then reads and sends as its owner.
* ``action.destructive`` — a mail rule that deletes or trashes what arrives (a classic
  way to hide a password reset or a security alert); ``change.workflow`` when it only
  hides it (skips the inbox, marks it read).
* ``action.data_outward`` — a rule or a setting that forwards mail to an address outside
  the company (``detect.internal_domains``).
"""

from __future__ import annotations

import re

from ._authorized import authorized_grant
from ._base import ActionView, DetectConfig, Signal, split_words, strong_signal, wordset
from ._controls import arg_scalars
from ._effects import FIRST_READS
from ._provenance import asked_for, trusted_text

__all__ = ["detect_grants"]

_MINT = wordset("create generate issue mint new add rotate regenerate roll reissue make")
_CREDENTIAL = wordset(
    "token tokens apikey apikeys credential credentials pat pats accesstoken accesskey"
)
_KEY = wordset("key keys")
# Keys that are not credentials: a translation's, a cache's, a database's, a shortcut's.
_NOT_CREDENTIAL = wordset(
    "translation translations i18n l10n locale idempotency cache kv redis foreign primary "
    "sort partition license licence hotkey shortcut shortcuts value values registry "
    "dictionary map encryption kms localization localisation lokalise crowdin transifex "
    "phrase string strings result results finding findings point points takeaway "
    "takeaways insight insights metric metrics date dates moment moments term terms "
    "word words fact facts question questions feature features frame frames message"
)
# A credential the person asked for that only works against a test system.
_ASKED_CREDENTIAL = re.compile(r"\b(?:api[ _-]?keys?|keys?|tokens?|credentials?)\b")
_TEST_MODE = frozenset(("test", "testmode", "test_mode", "sandbox", "development", "dev"))
_MODE_KEYS = frozenset(("mode", "env", "environment", "livemode", "live_mode", "live"))
_EDITS = wordset("update edit set modify change patch put assign promote demote upgrade")
_HOLDERS = wordset(
    "member members user users collaborator collaborators principal principals account "
    "accounts employee employees seat seats staff access clearance"
)
_LEVEL_WORDS = wordset(
    "level levels role roles clearance permission permissions privilege privileges access"
)
# A level that is not access: how one is notified, how seasoned, a plan, a shift's job.
_NOT_ACCESS = wordset(
    "notification notifications notify experience skill skills seniority job title plan "
    "tier subscription billing volume audio sound log logging difficulty reading language "
    "education priority shift shifts schedule schedules rota roster"
)
_PRIVILEGED = re.compile(
    r"\b(?:admin\w*|(?<!product )(?<!process )(?<!business )owner|root"
    r"|super_?(?:user|admin)\w*|superusers?|maintainer|top|full)\b"
)
_MAIL = wordset(
    "mail gmail outlook mailbox mailboxes inbox email emails exchange message messages o365"
)
_DELEGATE = wordset("delegate delegates delegation delegated")
# Work handed to someone, not a mailbox.
_WORK = wordset("task tasks ticket tickets issue issues todo todos job jobs assignment item items")
# A mail rule is made or changed; ``filter_messages`` searches.
_RULE_MAKERS = wordset("create add new update set edit modify put insert make replace")
_RULES = wordset("rule rules filter filters")
_FORWARD = wordset("forward forwarding autoforward autoforwarding redirect")
_FORWARD_PLACES = wordset(
    "rule rules filter filters setting settings forwarding autoforward autoforwarding "
    "address addresses mailbox inbox"
)
_TRASHES = frozenset(
    ("trash", "delete", "deleted", "delete_message", "deletemessage", "spam", "junk",
     "permanently_delete", "deleteditems", "deleted items")
)  # fmt: skip
_HIDES = frozenset(
    ("skip_inbox", "skipinbox", "mark_read", "markread", "mark_as_read", "markasread",
     "archive", "should_archive", "shouldarchive", "should_mark_as_read",
     "shouldmarkasread")
)  # fmt: skip
_TRUE = (True, "true", "yes", "1", "on")
_EMAIL = re.compile(r"[\w.+-]{1,64}@([\w-]{1,63}(?:\.[\w-]{1,63}){1,8})")


def detect_grants(view: ActionView, config: DetectConfig) -> list[Signal]:
    words = view.word_set
    if not view.words or view.words[0] in FIRST_READS or not words.isdisjoint({"list", "get"}):
        return []
    out: list[Signal] = []
    if (
        not words.isdisjoint(_MINT)
        and (
            not words.isdisjoint(_CREDENTIAL)
            or (not words.isdisjoint(_KEY) and words.isdisjoint(_NOT_CREDENTIAL))
        )
        and not _asked_test_credential(view)
    ):
        out.append(
            strong_signal(
                "secrets.access",
                "The call creates a credential (an API key, a token, an account's key): "
                "whoever holds it acts as the account",
                "tool",
                view.tool,
            )
        )
    level = _level_change(view)
    if level is not None:
        out.append(level)
    if not words.isdisjoint(_DELEGATE) and (
        not words.isdisjoint(_MAIL)
        or (words.isdisjoint(_WORK) and any("delegate" in k for k in view.key_set))
    ):
        out.append(
            strong_signal(
                "action.permissions",
                "The call makes someone a delegate of a mailbox: they read and send as its owner",
                "tool",
                view.tool,
            )
        )
    if (
        not words.isdisjoint(_MAIL)
        and not words.isdisjoint(_RULES)
        and not words.isdisjoint(_RULE_MAKERS)
    ):
        out.extend(_mail_rule(view))
    if (
        not words.isdisjoint(_FORWARD)
        or any("forward" in k or "redirect" in k for k in view.key_set)
    ) and not words.isdisjoint(_FORWARD_PLACES):
        out.extend(_forwarded_out(view, config, by_name=not words.isdisjoint(_FORWARD)))
    return out


def _level_change(view: ActionView) -> Signal | None:
    words = view.word_set
    if words.isdisjoint(_EDITS) or words.isdisjoint(_HOLDERS | _LEVEL_WORDS):
        return None
    # The level's own key first; a name that says the level (``set_clearance``) makes
    # any value not a member's id or name the level.
    if not words.isdisjoint(_NOT_ACCESS):
        return None
    named = not words.isdisjoint(_LEVEL_WORDS - {"access", "level", "levels"})
    found = [
        (path, key, value)
        for path, key, value in arg_scalars(view)
        if value is not None and _access_key(key)
    ]
    if not found and named:
        found = [(p, k, v) for p, k, v in arg_scalars(view) if v is not None][-1:]
    for path, key, value in found[:1]:
        text = str(value).strip().lower()
        high = (
            isinstance(value, int | float) and not isinstance(value, bool) and value >= 40
        ) or bool(_PRIVILEGED.search(text))
        if not high and authorized_grant(view):
            return None
        return strong_signal(
            "action.permissions",
            f"The call changes a member's role or level ({key}={value}): who can do what "
            "changes with it",
            path,
            f"{key}={value}",
        )
    return None


def _access_key(key: str) -> bool:
    """The key holds a role or an access level, not a notification or a plan's level."""
    kw = frozenset(split_words(key))
    return not kw.isdisjoint(_LEVEL_WORDS) and kw.isdisjoint(_NOT_ACCESS)


def _asked_test_credential(view: ActionView) -> bool:
    """The person asked for a key or a token, and this one works only in test mode."""
    said = trusted_text(view).lower()
    if _ASKED_CREDENTIAL.search(said) is None:
        return False
    for _path, key, value in arg_scalars(view):
        k = key.lower()
        if k in _MODE_KEYS and (
            value is False or (isinstance(value, str) and value.strip().lower() in _TEST_MODE)
        ):
            return True
    return False


def _mail_rule(view: ActionView) -> list[Signal]:
    trash = next(
        ((p, t) for (p, t), low in zip(view.args, view.lowered(), strict=True)
         if low.strip() in _TRASHES),
        None,
    )  # fmt: skip
    if trash is None:
        trash = next(
            ((p, f"{k}={v}") for p, k, v in arg_scalars(view)
             if k.lower() in ("delete", "trash", "should_delete", "shoulddelete") and v in _TRUE),
            None,
        )  # fmt: skip
    if trash is not None:
        return [
            strong_signal(
                "action.destructive",
                "The mail rule deletes or trashes what arrives: a reset link or a security "
                "alert would vanish unseen",
                trash[0],
                trash[1],
            )
        ]
    for path, key, value in arg_scalars(view):
        if key.lower() in _HIDES and value in _TRUE:
            return [
                Signal(
                    "change.workflow",
                    "The mail rule hides what arrives (skips the inbox, marks it read): the "
                    "owner may never see it",
                    where=path,
                    excerpt=f"{key}={value}",
                    weight=0.6,
                    impact=0.5,
                    reversibility=0.3,
                    sensitivity=0.6,
                )
            ]
    return []


def _forwarded_out(view: ActionView, config: DetectConfig, *, by_name: bool) -> list[Signal]:
    """A forward to an outside address: any address of a call whose name forwards, else
    only the addresses under a forwarding key (not a settings call's ``support_email``).
    An address the person named, on a forward they asked for, is a setting to review."""
    said = trusted_text(view).lower()
    asked = asked_for(view, "outward")
    named: tuple[str, str, str] | None = None
    for (path, text), low in zip(view.args, view.lowered(), strict=True):
        key = path.rsplit(".", 1)[-1].lower()
        if not by_name and "forward" not in key and "redirect" not in key:
            continue
        for m in _EMAIL.finditer(low):
            domain = m.group(1).strip(".")
            if any(domain == d or domain.endswith("." + d) for d in config.internal_domains):
                continue
            if asked and re.search(rf"(?<![\w.+-]){re.escape(m.group(0))}(?![\w-])", said):
                named = named or (path, text, m.group(0))
                continue
            return [
                strong_signal(
                    "action.data_outward",
                    f"The call forwards mail to {m.group(0)}, outside the company: what "
                    "arrives later leaves too",
                    path,
                    text[:120],
                )
            ]
    if named is None:
        return []
    path, text, address = named
    return [
        Signal(
            "change.workflow",
            f"The call forwards mail to {address}, an address the person named: what "
            "arrives later goes there too",
            where=path,
            excerpt=text[:120],
            weight=0.6,
            impact=0.5,
            reversibility=0.5,
            sensitivity=0.6,
        )
    ]

"""Personal mailboxes: a data export sent to a webmail address.

A spreadsheet of contacts, customers, leads or users, or a file an export earlier in the
run made, attached or linked in a send to an address at a personal webmail service
(gmail, yahoo, outlook.com, icloud, proton, ...) leaves the company for a mailbox only
its holder reads; a departing employee's "handover" to their own gmail is the classic
case. The person's words about exporting or contacts do not make it theirs; an address
they wrote themselves does.

* ``action.data_outward`` — the reason names the file and the address.

Not this: the same file to a company address, a file that holds no one's records (a
photo, a budget), a personal address the person wrote.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, word_set, wordset
from ._effects import effect_of
from ._provenance import trusted_text

__all__ = ["detect_mailboxes"]

# Webmail services anyone signs up to: a mailbox there belongs to a person, not a firm.
_WEBMAIL = frozenset(
    (
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "rocketmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "tutanota.com",
        "tuta.io",
        "fastmail.com",
        "zohomail.com",
        "hey.com",
    )
)
# Country forms of the same services: ``yahoo.co.uk``, ``hotmail.fr``, ``outlook.de``.
_WEBMAIL_NAMES = frozenset(("gmail", "yahoo", "hotmail", "outlook", "live", "gmx", "yandex"))
_ADDRESS = re.compile(r"[\w.+-]{1,64}@([\w-]{1,63}(?:\.[\w-]{1,63}){1,4})")
# A file of rows: what an export makes.
_TABLE = re.compile(r"[\w.-]{1,200}\.(?:csv|tsv|xlsx|xls|xlsm|ods|sqlite|db|sql|jsonl|ndjson)\b")
# What such a file holds when it holds people or the firm's books.
_RECORDS = wordset(
    "contact contacts customer customers client clients lead leads user users member members "
    "subscriber subscribers employee employees patient patients account accounts prospect "
    "prospects crm book export exports dump pipeline donors donor roster directory"
)
_FILE_KEY = re.compile(r"attach|file|document|link|url|upload|path")
_EXPORTERS = wordset("export exports report reports dump download query backup extract")
_PROSE = frozenset(("body", "text", "message", "content", "subject", "html", "markdown"))


def _webmail(domain: str) -> bool:
    if domain in _WEBMAIL:
        return True
    labels = domain.split(".")
    return len(labels) >= 2 and labels[0] in _WEBMAIL_NAMES and len(labels[-1]) == 2


def _exported(view: ActionView, name: str) -> bool:
    """An earlier step exported or queried data and its output names the file."""
    for step in view.action.context.steps:
        if (
            step.tool
            and name in (step.observation or "").lower()
            and not _EXPORTERS.isdisjoint(word_set(step.tool))
        ):
            return True
    return False


def _export_in(view: ActionView) -> str:
    """The first data export the call attaches or links, or ``""``."""
    for low, key in zip(view.lowered_args, view.leaf_keys, strict=True):
        if "." not in low or not _FILE_KEY.search(key):
            continue
        for m in _TABLE.finditer(low):
            name = m.group(0).rsplit("/", 1)[-1]
            if not _RECORDS.isdisjoint(word_set(name)) or _exported(view, name):
                return name
    return ""


def detect_mailboxes(view: ActionView, config: DetectConfig) -> list[Signal]:
    if "@" not in view.args_lower or "." not in view.args_lower:
        return []
    effect = effect_of(view)
    if effect.read_only or not effect.has("outward"):
        return []
    said = ""
    for low, key in zip(view.lowered_args, view.leaf_keys, strict=True):
        if key in _PROSE or "@" not in low:
            continue
        for m in _ADDRESS.finditer(low):
            if not _webmail(m.group(1)):
                continue
            said = said or trusted_text(view).lower()
            if m.group(0) in said:
                continue  # an address the person wrote
            name = _export_in(view)
            if not name:
                return []
            return [
                Signal(
                    "action.data_outward",
                    f"The send carries a data export ({name}) to a personal webmail address "
                    f"({m.group(0)}) the person never wrote: the company's records leave "
                    "for a mailbox only its holder reads",
                    where="args",
                    excerpt=m.group(0),
                    weight=0.8,
                    impact=0.75,
                    reversibility=0.9,
                    sensitivity=0.7,
                )
            ]
    return []

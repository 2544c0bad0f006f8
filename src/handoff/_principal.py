"""One spelling per person: how names in actions, decisions and the policy are compared.

The requester of an action (its ``agent`` and ``on_behalf_of``) never decides it, and
quorum counts distinct people. Both checks once compared strings exactly, so an agent
writing ``FIONA``, `` fiona``, ``Fiona`` or ``fiona\\u200b`` let fiona approve her own
action. Names are now compared in one canonical form: NFKC, trimmed, case-folded, with
runs of spaces made one. Characters that show as nothing (controls, format characters
such as zero-width spaces and bidi marks, Hangul fillers) are refused outright, with an
error naming the field, since no honest name holds one. The policy maps the remaining
spellings (aliases, email addresses) to the person they belong to; see
``Policy.person``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Protocol

from ._exceptions import InputError
from ._invisible import invisible

__all__ = [
    "canonical",
    "check_name",
    "email_local_part",
    "invisible_in",
    "requester_warnings",
]

_SPACES = re.compile(r"\s+")


class People(Protocol):
    """What ``requester_warnings`` reads of a ``Policy``, which itself imports this module."""

    @property
    def owners(self) -> Mapping[str, object]: ...

    @property
    def principals(self) -> Mapping[str, object]: ...

    def knows(self, name: str) -> bool: ...


def invisible_in(name: str) -> list[str]:
    """The characters of ``name`` that show as nothing, as ``U+200B ZERO WIDTH SPACE``.

    ``handoff._invisible`` defines them, for names and every screen alike; each is
    named once.
    """
    return list(dict.fromkeys(invisible(name)))


def check_name(name: str, field: str) -> str:
    """``name`` unchanged, or ``InputError`` naming ``field`` when it holds a character
    that shows as nothing (or is blank)."""
    hidden = invisible_in(name)
    if hidden:
        raise InputError(
            f"{field} holds characters that show as nothing ({', '.join(hidden)});"
            " write the name plainly",
            field=field,
        )
    if not name.strip():
        raise InputError(f"{field} is blank", field=field)
    return name


def canonical(name: str) -> str:
    """The form two spellings of one name share: NFKC, trimmed, case-folded.

    NFKC runs again after case-folding, as Unicode's caseless matching asks, so
    full-width ``ＦＩＯＮＡ`` and ``fiona`` meet.
    """
    text = unicodedata.normalize("NFKC", name)
    text = unicodedata.normalize("NFKC", text.casefold())
    return _SPACES.sub(" ", text).strip()


def email_local_part(name: str) -> str | None:
    """``fiona`` for ``fiona@corp.example`` (canonical form), or None for a non-address."""
    local, at, domain = canonical(name).rpartition("@")
    return local if at and local and domain else None


def requester_warnings(policy: People, who: str | None) -> list[str]:
    """What the reviewer must weigh that the brief's author cannot be trusted to say: a
    requester (``on_behalf_of``) the policy knows by no name."""
    known = policy.owners or policy.principals
    if who is None or not known or policy.knows(who):
        return []
    return [
        f"The requester {who!r} (on_behalf_of) matches no one the policy knows (owner"
        " members and leads, principals with their aliases and emails): check who"
        " asked for this before deciding."
    ]

"""What a tool's name says of mail it files and of drafts it writes: neither sends.

Mail filed where it already is (archived, labelled, moved to a folder) is not sent; a
draft waits for someone to read it before anything goes out, is paid or is submitted.
"""

from __future__ import annotations

from ._base import wordset

__all__ = ["FILING", "files_mail", "writes_draft"]

# Filing mail where it already is: archived, labelled, marked, moved to a folder. The
# mail, message or email in such a name is what is filed, and nothing is sent.
FILING = wordset(
    "archive unarchive label labels mark move folder folders tag tags star unstar flag "
    "unflag sort categorize categorise snooze read unread"
)
_MAIL_NOUNS = wordset("mail email emails message messages inbox thread threads gmail outlook")
_SENDS = wordset(
    "send forward reply share post upload export publish broadcast announce notify invite "
    "tweet dm sms text respond contact"
)


def files_mail(ws: set[str] | frozenset[str]) -> bool:
    """The name files mail (``mail.archive``, ``gmail.apply_label``) and sends nothing."""
    return bool(ws & FILING) and bool(ws & _MAIL_NOUNS) and not ws & _SENDS


# A draft is written for someone to read before it goes anywhere: no money moves and
# nothing is sent or published (``payments.create_wire_draft``, ``twitter.create_draft``,
# ``crm.draft_email``) until a call sends, submits or pays it (``gmail.send_draft``,
# ``blog.post_draft``).
_DRAFTS = wordset("draft drafts")
_SENDS_DRAFT = wordset("send publish submit execute approve release broadcast sign")
_FINALIZES = _SENDS_DRAFT | wordset("post tweet pay transfer wire schedule")


def writes_draft(words: tuple[str, ...], start: int = 0) -> bool:
    """The name writes a draft and sends, submits or pays nothing."""
    ws = set(words)
    if ws.isdisjoint(_DRAFTS) or not ws.isdisjoint(_SENDS_DRAFT):
        return False
    op = words[start:] or words
    return op[0] not in _FINALIZES

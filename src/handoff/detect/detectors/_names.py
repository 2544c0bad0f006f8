"""What a tool's name says beyond its verbs.

* an operation named only by the state it returns (``groups.members``,
  ``timeoff.balance``) reads that state;
* a ranking word and what it ranks (``top_posts``) is a read;
* a verb that only marks a record (``transactions.flag``) moves nothing it records;
* the agent's own channel to the person it works for (``ask_user``, ``notify_user``)
  reaches nobody else.
"""

from __future__ import annotations

from ._base import ActionView, Effect, wordset

__all__ = ["ANSWERS", "RANKS", "STATE_NOUNS", "annotates", "ranked_read", "talks_to_the_person"]

# An operation named only by the state it returns (``groups.members``,
# ``timeoff.balance``, ``calendar.freebusy``): a read of that state.
STATE_NOUNS = wordset(
    "balance balances members freebusy availability stats statistics metrics insights "
    "usage quota quotas"
)
# Verbs that mark a record without moving what it records: a transaction flagged,
# tagged or categorised moves no money.
_ANNOTATES = wordset("flag unflag tag untag label annotate categorize categorise comment")


def annotates(words: tuple[str, ...], start: int) -> bool:
    """The operation's verb only marks what it names (``transactions.flag``)."""
    op = words[start:] or words
    return bool(op) and op[0] in _ANNOTATES


# Words that rank what is read: the word after them is a noun (``top_posts``).
RANKS = wordset("top best latest recent popular trending")


def ranked_read(op: tuple[str, ...]) -> bool:
    """The operation is a ranking word and what it ranks (``top_posts``,
    ``latest_orders``): a read. Not ``top_up``, which pays."""
    return len(op) == 2 and op[0] in RANKS and op[1] != "up"


# The agent's own channel to the person it works for (``ask_user``, ``notify_user``,
# ``reply_to_user``): it answers them and reaches nobody else; not when an argument names
# whom it goes to (``message_user {user_id}`` writes to someone else).
_TALKS = wordset("ask notify message reply respond tell answer send confirm clarify")
_PRINCIPAL = wordset("user human me requester")
_TALK_WORDS = (
    _TALKS
    | _PRINCIPAL
    | wordset("to the a question questions clarification confirmation messages for")
)
_ADDRESS_KEYS = wordset(
    "to user user_id userid username users user_ids recipient recipients email channel "
    "channel_id phone number cc bcc id ids target"
)
ANSWERS = Effect(frozenset(), True, True, "it answers the person asking")


def talks_to_the_person(view: ActionView) -> bool:
    """The name talks to the person asking (``ask_user``) and no argument names whom."""
    ws = view.word_set
    return (
        not ws.isdisjoint(_TALKS)
        and not ws.isdisjoint(_PRINCIPAL)
        and ws <= _TALK_WORDS
        and view.key_set.isdisjoint(_ADDRESS_KEYS)
    )

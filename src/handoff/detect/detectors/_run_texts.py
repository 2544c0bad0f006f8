"""The texts of a run, gathered once per view: the person's words, the agent's, and
every tool output or untrusted turn, with the outputs of steps that read what the person
pointed to.

``_provenance`` traces argument values through them; ``said_by_person`` tells a turn of
the person asking from anyone else's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...models import Step
from ._base import ActionView
from ._plain import plain

__all__ = ["TRUSTED_ROLES", "Texts", "said_by_person", "texts"]

TRUSTED_ROLES = frozenset(("user", "human", "system", "developer", "customer"))


@dataclass(slots=True)
class Texts:
    trusted: str
    agent: str
    outputs: list[tuple[str, str]]  # (where, text) of tool outputs and untrusted turns
    # The outputs of steps that read what the person pointed to ("the bill in
    # march-bill.txt", "her website www.dora-site.com"): their content is the errand's.
    pointed: frozenset[str] = frozenset()


def said_by_person(view: ActionView, where: str) -> bool:
    """Whether the message at ``where`` (``context.messages[j]`` or
    ``context.steps[i].messages[j]``) is a turn of the person asking."""
    ctx = view.action.context
    if where.startswith("context.steps["):
        i = int(where[len("context.steps[") :].split("]", 1)[0])
        messages = ctx.steps[i].messages
    else:
        messages = ctx.messages
    j = int(where.rsplit("messages[", 1)[1].split("]", 1)[0])
    return messages[j].role.lower() in TRUSTED_ROLES


def texts(view: ActionView) -> Texts:
    hit = view.cache.get("texts")
    if isinstance(hit, Texts):
        return hit
    ctx = view.action.context
    # Read as the arguments are (``_plain``): a value and its source must match as seen.
    trusted = [plain(ctx.instruction)]
    agent = [plain(ctx.thought)]
    outputs: list[tuple[str, str]] = []
    for i, step in enumerate(ctx.steps):
        for j, msg in enumerate(step.messages):
            if msg.role.lower() in TRUSTED_ROLES:
                trusted.append(plain(msg.content))
            elif msg.content:
                outputs.append((f"context.steps[{i}].messages[{j}]", plain(msg.content)))
        agent.append(plain(step.thought))
        if step.args:
            agent.append(str(step.args))
        if step.observation:
            outputs.append((f"context.steps[{i}].observation", plain(step.observation)))
    for j, msg in enumerate(ctx.messages):
        if msg.role.lower() in TRUSTED_ROLES:
            trusted.append(plain(msg.content))
        elif msg.content:
            outputs.append((f"context.messages[{j}]", plain(msg.content)))
    said = "\n".join(trusted)
    out = Texts(said, "\n".join(agent), outputs, _pointed(ctx.steps, said.lower()))
    view.cache["texts"] = out
    return out


def _pointer(value: str) -> bool:
    """A file's, a page's or a record's name: one word of 5 to 200 characters with a dot,
    a slash or a digit in it."""
    return (
        5 <= len(value) <= 200
        and not any(c.isspace() for c in value)
        and any(c in "./" or c.isdigit() for c in value)
    )


def _quoted(value: str, said: str) -> bool:
    """The person wrote ``value`` in quotes, as a name ("the 'Q1 merit - final' sheet")."""
    if len(value) < 4:
        return False
    return any(f"{q}{value}{e}" in said for q, e in _QUOTES)


# What a search looks for is no record named: what it finds is anyone's.
_SEARCHES = frozenset(("query", "q", "search", "filter", "keyword", "keywords", "term", "text"))
_QUOTES = (("'", "'"), ('"', '"'), ("\u2018", "\u2019"), ("\u201c", "\u201d"), ("`", "`"))


def _pointed(steps: Sequence[Step], said: str) -> frozenset[str]:
    """The observations of steps whose arguments name a file, a page or a record the
    person named: a name with a dot, a slash or a digit in it (``march-bill.txt``,
    ``www.dora-site.com``, ``INV-2291``), written in their words, or one they wrote in
    quotes (the 'Q1 merit - final' sheet; not a search's terms). A person's name is no
    such pointer: what they answer is theirs, not the errand's."""
    out = []
    for i, step in enumerate(steps):
        if not step.observation or not isinstance(step.args, dict):
            continue
        if any(
            isinstance(v, str)
            and (
                (_pointer(v.strip()) and v.strip().lower() in said)
                or (str(k).lower() not in _SEARCHES and _quoted(v.strip().lower(), said))
            )
            for k, v in step.args.items()
        ):
            out.append(f"context.steps[{i}].observation")
    return frozenset(out)

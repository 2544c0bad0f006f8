"""What a GraphQL document does: a query only reads, a mutation writes.

A tool that sends GraphQL (``shopify_graphql``, ``github__graphql``) says nothing in
its name about what it does; its documents do. ``{ orders { ... } }``, ``query Open
{ ... }`` and fragments read; a ``mutation`` or a ``subscription`` among a document's
operations writes or keeps a channel open. The operations are read at the document's
top level, outside strings and comments, so a field named ``subscription`` or a search
for "mutation testing" reads, and a mutation after a comma or a string's ``#`` is still
found. A query that selects a credential (``accessToken``, ``apiKey``) is no plain read.
Every document the call carries counts (a batch of operations too).
"""

from __future__ import annotations

import re

from ._base import ActionView, leaf_key

__all__ = ["graphql_effect", "graphql_reads"]

_KEYS = frozenset(("query", "document", "graphql", "body", "mutation", "operation"))
_STRING = re.compile(r'"""(?:[^"]|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"')
_COMMENT = re.compile(r"#[^\n]*")
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_READ_WORDS = frozenset(("query", "fragment", "on"))
_CREDENTIAL = re.compile(
    r"(?i)(?:access_?token|api_?key|secret|password|private_?key|refresh_?token|credential)s?"
)


def graphql_effect(view: ActionView) -> bool | None:
    """True when every GraphQL document of the call only reads, False when one writes,
    None when there is none or one cannot be read as a plain read."""
    found = [
        graphql_reads(text) for path, text in view.args if leaf_key(path) in _KEYS and text.strip()
    ]
    if False in found:
        return False
    return None if not found or None in found else True


def graphql_reads(doc: str | None) -> bool | None:
    """True for a GraphQL document that only queries, False for one with a mutation or
    a subscription, None for no document or one that selects credentials."""
    if doc is None or not doc.strip():
        return None
    text = _COMMENT.sub(" ", _STRING.sub('""', doc[:20000]))
    head = text.lstrip()[:1]
    top: list[str] = []
    depth = 0
    at = 0
    while at < len(text):
        ch = text[at]
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch.isalpha() or ch == "_"):
            m = _NAME.match(text, at)
            if m is not None:
                top.append(m.group(0))
                at = m.end()
                continue
        at += 1
    if "mutation" in top or "subscription" in top:
        return False
    if head != "{" and (not top or top[0] not in _READ_WORDS):
        return None
    if _CREDENTIAL.search(text):
        return None
    return True

"""What a GraphQL document does: a query only reads, a mutation writes.

A tool that sends GraphQL (``shopify_graphql``, ``github__graphql``) says nothing in
its name about what it does; its document does. ``{ orders { ... } }`` and ``query
Open { ... }`` read; a ``mutation`` anywhere in the document writes, and a
``subscription`` keeps a channel open.
"""

from __future__ import annotations

import re

__all__ = ["graphql_reads"]

# A GraphQL document's operations: ``{ ... }`` and ``query`` read; ``mutation`` writes,
# and a ``subscription`` keeps a channel open.
_GRAPHQL_COMMENT = re.compile(r"#[^\n]*")
_GRAPHQL_WRITE = re.compile(r"(?:^|[\s}])(?:mutation|subscription)\b")


def graphql_reads(doc: str | None) -> bool | None:
    """True for a GraphQL document that only queries, False for one with a mutation or
    a subscription, None for no document."""
    if doc is None or not doc.strip():
        return None
    text = _GRAPHQL_COMMENT.sub(" ", doc[:20000])
    if _GRAPHQL_WRITE.search(text):
        return False
    head = text.lstrip()[:6]
    return True if head[:1] == "{" or (head[:5] == "query" and not head[5:].isalnum()) else None

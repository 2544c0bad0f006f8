"""The hash of one audit event, shared by the store that writes it and the verifier.

hash = sha256(prev_hash "\\n" seq US handoff_id US kind US actor US at US data), where US is
the ASCII unit separator and ``data`` is canonical JSON. Every stored column is covered,
so an edit to any of them, a deleted, inserted or reordered row all break the chain.
"""

from __future__ import annotations

import hashlib

__all__ = ["GENESIS", "event_hash"]

GENESIS = "0" * 64
_US = "\x1f"


def event_hash(
    prev_hash: str, seq: int, handoff_id: str | None, kind: str, actor: str, at: str, data: str
) -> str:
    text = f"{prev_hash}\n{seq}{_US}{handoff_id or ''}{_US}{kind}{_US}{actor}{_US}{at}{_US}{data}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

"""What the gateway records of an upstream tool result: all of a small one, a digest of a
large one.

The plane records an execution's result once (in the handoff's execution; the
``executed`` audit event holds its digest), but an MCP result that carries both
structured content and its JSON text doubles it, and a 3 MB file read is still 3 MB
in the database. The control plane must be able to say that a call ran and what it
returned; it is not the agent's file cache. So a result up to ``KEEP_BYTES`` of JSON is
recorded whole, and a larger one is recorded as its size, its SHA-256 and the first
``PREVIEW_CHARS`` characters of its text. The caller still gets the whole result: the
executor hands it to the gateway through ``Results``, a bounded in-memory store keyed
by that digest, and a retry or a poll in the same process is answered from there. A
poll from another process after the result left memory gets the recorded preview and a
note saying so, never a silent truncation.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

__all__ = ["KEEP_BYTES", "PREVIEW_CHARS", "RESULT_META_KEY", "Results", "recorded_form"]

KEEP_BYTES = 64 * 1024
PREVIEW_CHARS = 2000
RESULT_META_KEY = "handoff/result"


def _text_of(result: Mapping[str, Any]) -> str:
    return "\n".join(
        str(block.get("text", ""))
        for block in result.get("content", [])
        if isinstance(block, Mapping) and block.get("type") == "text"
    )


def recorded_form(result: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """What to record of ``result`` (a tool result as JSON), and its digest when that
    is less than the whole result (None when the result is recorded whole)."""
    text = json.dumps(result, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    size = len(text.encode())
    if size <= KEEP_BYTES:
        return result, None
    digest = hashlib.sha256(text.encode()).hexdigest()
    preview = _text_of(result)[:PREVIEW_CHARS]
    note = (
        f"[handoff recorded the first {len(preview)} characters of this {size}-byte"
        f" result; sha256 {digest}]"
    )
    recorded: dict[str, Any] = {
        "content": [{"type": "text", "text": f"{preview}\n{note}" if preview else note}],
        "isError": bool(result.get("isError", False)),
        "_meta": {RESULT_META_KEY: {"sha256": digest, "bytes": size, "recorded": "preview"}},
    }
    return recorded, digest


class Results:
    """Whole results the database holds only a digest of, newest kept, up to
    ``max_bytes`` in all. Thread-safe: executors put from worker threads."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._held: OrderedDict[str, tuple[int, dict[str, Any]]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, digest: str, size: int, result: dict[str, Any]) -> None:
        """Keep ``result`` under ``digest``; drop the oldest beyond ``max_bytes``."""
        with self._lock:
            if digest in self._held:
                self._held.move_to_end(digest)
                return
            self._held[digest] = (size, result)
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._held) > 1:
                _, (dropped, _) = self._held.popitem(last=False)
                self._bytes -= dropped

    def whole(self, recorded: Mapping[str, Any]) -> Mapping[str, Any]:
        """The whole result behind a recorded one, when still held; else ``recorded``."""
        meta = recorded.get("_meta")
        kept = meta.get(RESULT_META_KEY) if isinstance(meta, Mapping) else None
        digest = kept.get("sha256") if isinstance(kept, Mapping) else None
        if not isinstance(digest, str):
            return recorded
        with self._lock:
            held = self._held.get(digest)
        return held[1] if held is not None else recorded

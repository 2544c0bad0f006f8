"""The gateway's open calls: each tool call that opened a handoff and has not had its
answer, by session, agent, tool and arguments.

A client's own timeout is often shorter than a person's review. Without this, the
client that gave up and retried the same call opened a second handoff, which needed a
second review, while the first, once approved, never ran. With it, a retry of the
same call (same session, tool and arguments) finds the handoff its first attempt
opened: it reports the same handoff while it is open, runs it once it is approved, and
returns the result. Only once an answer that ends the call (the result, or why it will
not run) has been returned is the call forgotten, so the next call with the same
arguments is a new call that is gated afresh.

Each handoff also has a lock, so two attempts that find it approved at the same moment
run it once: the second waits and then reads the recorded result.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Mapping
from typing import Any

import anyio

from ..._canonical import canonical_json
from .._calls import by_value

__all__ = ["OpenCalls"]


def _digest(agent: str, tool: str, args: Mapping[str, Any]) -> str:
    text = canonical_json([agent, tool, by_value(dict(args))])
    return hashlib.sha256(text.encode()).hexdigest()


class OpenCalls:
    """Handoff ids of calls not yet answered, per session (forgotten with the session)."""

    def __init__(self) -> None:
        self._open: weakref.WeakKeyDictionary[object, dict[str, str]] = weakref.WeakKeyDictionary()
        self._call_locks: dict[str, anyio.Lock] = {}
        self._handoff_locks: dict[str, anyio.Lock] = {}

    @staticmethod
    def key(agent: str, tool: str, args: Mapping[str, Any]) -> str:
        """The call's name within a session: a digest of agent, tool and arguments."""
        return _digest(agent, tool, args)

    def lock(self, session: object, call: str) -> anyio.Lock:
        """Held while a call is looked up and submitted, so two attempts open one handoff."""
        return self._call_locks.setdefault(f"{id(session)}:{call}", anyio.Lock())

    def running(self, handoff_id: str) -> anyio.Lock:
        """Held while a handoff is settled, so two attempts run it once."""
        return self._handoff_locks.setdefault(handoff_id, anyio.Lock())

    def find(self, session: object, call: str) -> str | None:
        """The handoff an earlier attempt of this call opened, if it is still unanswered."""
        return self._open.get(session, {}).get(call)

    def remember(self, session: object, call: str, handoff_id: str) -> None:
        self._open.setdefault(session, {})[call] = handoff_id

    def forget(self, session: object, call: str) -> None:
        """The call had its answer; drop its locks unless another attempt holds them."""
        calls = self._open.get(session)
        handoff_id = calls.pop(call, None) if calls is not None else None
        _drop_idle(self._call_locks, f"{id(session)}:{call}")
        if handoff_id is not None:
            _drop_idle(self._handoff_locks, handoff_id)


def _drop_idle(locks: dict[str, anyio.Lock], name: str) -> None:
    lock = locks.get(name)
    if lock is not None and not lock.locked() and not lock.statistics().tasks_waiting:
        del locks[name]

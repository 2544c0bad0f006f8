"""Replay protection for signed requests: each signature is accepted once.

The memory is bounded by the timestamp tolerance: a signature older than the tolerance
is refused on its timestamp anyway, so it can be forgotten.
"""

from __future__ import annotations

import threading

__all__ = ["ReplayGuard"]


class ReplayGuard:
    """Remembers the keys seen in the last ``window`` seconds; thread-safe.

    It lives in one process. With several server processes a replay that reaches a
    different process passes this check, but what it asks for (a decision) was already
    recorded and the compare-and-set on the handoff refuses it a second time.
    """

    def __init__(self, window: float = 300.0) -> None:
        self.window = window
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, key: str, now: float) -> bool:
        """True the first time ``key`` is offered (within the window), False after."""
        with self._lock:
            if len(self._seen) > 1024:
                horizon = now - 2 * self.window
                self._seen = {k: t for k, t in self._seen.items() if t >= horizon}
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

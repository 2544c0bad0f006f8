"""Clocks. Every timestamp handoff writes comes from an injectable clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

__all__ = ["FAKE_CLOCK_ENV", "Clock", "FileClock", "SystemClock", "default_clock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


#: A testing aid: when set, every plane that is given no clock reads the time from this
#: file, so several processes (``handoff serve`` among them) share one fake clock.
FAKE_CLOCK_ENV = "HANDOFF_FAKE_CLOCK_FILE"


class FileClock:
    """The time written in a file (ISO 8601 with offset), re-read when the file changes.

    For tests that push time forward across processes: write a new time to the file and
    every process sees it on its next ``now()``. Never set in production.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._seen: tuple[int, int, int] | None = None
        self._now = datetime.now(UTC)

    def now(self) -> datetime:
        st = self.path.stat()
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key != self._seen:
            when = datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
            if when.tzinfo is None:
                raise ValueError(f"{self.path}: the time needs a UTC offset")
            self._now, self._seen = when.astimezone(UTC), key
        return self._now

    def set(self, when: datetime) -> None:
        """Write ``when`` atomically (a rename), so a reader never sees half a time."""
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        tmp.write_text(when.astimezone(UTC).isoformat(), encoding="utf-8")
        os.replace(tmp, self.path)


def default_clock() -> Clock:
    """The system clock, or a ``FileClock`` when ``$HANDOFF_FAKE_CLOCK_FILE`` is set."""
    path = os.environ.get(FAKE_CLOCK_ENV)
    return FileClock(path) if path else SystemClock()

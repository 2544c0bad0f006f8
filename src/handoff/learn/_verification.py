"""The audit chain verified in a process of its own while Learn reads the history.

``kpi`` and ``report`` state whether the chain verifies. Verifying re-hashes every
event (its workers are processes) and then compares every handoff row; reading and
tallying the history is one Python thread. Run one after the other, a core idles
through each; run side by side, the command takes about the longer of the two.

Only a database file or server can be verified aside (a forked process opens it by
URL); an in-memory store, or a platform without ``fork``, is verified in place.
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing.connection import Connection
from typing import Any

from ..audit.trail import VerifyReport, verify
from ..store import Store, open_store

__all__ = ["Verification"]

_IN_MEMORY = ("", "sqlite://", "sqlite:///:memory:")


class Verification:
    """One verification of a store's audit chain, started now, its report read later."""

    def __init__(self, store: Store) -> None:
        self.report: VerifyReport | None = None
        self._recv: Connection | None = None
        self._proc: Any = None
        url = str(getattr(store, "url", ""))
        if url in _IN_MEMORY or sys.platform != "linux":
            self.report = verify(store)
            return
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_verify_url, args=(url, send), name="handoff-verify")
        self._proc.start()
        send.close()

    def result(self) -> VerifyReport:
        """The report, waiting for it if the verification is still running; an error
        the verification raised is raised here."""
        if self.report is None:
            assert self._recv is not None
            try:
                got = self._recv.recv()
            finally:
                self._finish()
            if isinstance(got, BaseException):
                raise got
            self.report = got
        return self.report

    def cancel(self) -> None:
        """Stop a verification whose report is no longer wanted."""
        if self._proc is not None and self._proc.is_alive():
            self._proc.terminate()
        self._finish()

    def _finish(self) -> None:
        if self._recv is not None:
            self._recv.close()
            self._recv = None
        if self._proc is not None:
            self._proc.join()
            self._proc = None


def _verify_url(url: str, send: Connection) -> None:
    """In the forked process: verify the store at ``url`` and send back the report (or
    the error)."""
    result: Any
    try:
        store = open_store(url, migrate=False)
        try:
            result = verify(store)
        finally:
            store.close()
    except Exception as exc:  # sent to the reading process, raised there
        result = exc
    send.send(result)
    send.close()

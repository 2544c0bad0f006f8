"""Direct SQLite connections for the hot path: one writer shared by group commit,
one reader per thread.

SQLite allows one writer at a time, and on a durable file (WAL, ``synchronous=FULL``)
most of a small transaction's time is its ``COMMIT`` waiting for the disk. So the
process keeps a single write connection and lets the threads that write at the same
time share a commit: while one ``COMMIT`` is flushed, the transactions that arrive wait
and are run, one after another, inside the next ``BEGIN IMMEDIATE`` ... ``COMMIT``.
Each caller's work after the first in a transaction runs inside its own ``SAVEPOINT``,
so a caller whose work raises rolls back only its own; each caller returns only once
the commit holding its work is on disk (or raises when that commit failed). A caller
alone, the common case, runs exactly ``BEGIN IMMEDIATE``, its work, ``COMMIT``.

The callers of one transaction run in turn on the one connection, so each sees the
work of those before it: the audit chain's head, a compare-and-set on a handoff's
version and an idempotency key are read inside the transaction, exactly as when every
caller had a commit of its own. Other processes queue on SQLite's own lock
(``busy_timeout``). Readers get a connection per thread: in WAL mode they never block
the writer, and see a caller's work once its commit is done. An in-memory database has
only the one connection, so there every transaction is its own and reads take the lock
too.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress

__all__ = ["SqliteConnections"]

_SAVEPOINT = "handoff_write"
# The conditions callers wait on (a seam for the tests that count or interrupt waits).
_Condition = threading.Condition


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


class _Turn:
    """One caller's work in a shared transaction; ``lost`` says why it did not commit."""

    __slots__ = ("lost",)

    def __init__(self) -> None:
        self.lost: BaseException | None = None


class _Batch:
    """The callers that share one transaction and its commit.

    Its callers sleep on its own two conditions (on the store's one lock), so that a
    hand-off wakes the one caller who takes the connection next, a commit wakes the
    callers it held and one caller of the batch that runs next, never every thread that
    waits.
    """

    __slots__ = ("begun", "done", "durable", "finished", "joined", "kept", "turn")

    def __init__(self, lock: threading.Lock, durable: bool = True) -> None:
        self.joined = 0  # callers that joined and have not finished their work yet
        self.begun = False  # BEGIN IMMEDIATE ran and nothing has ended it
        self.kept: list[_Turn] = []  # callers whose work is in the open transaction
        self.done = False  # committed (or failed): the kept callers may return
        self.durable = durable  # False: writes that commit without the fsync (see write)
        self.turn = _Condition(lock)  # callers waiting for the connection
        self.finished = _Condition(lock)  # callers whose work waits for the commit


class SqliteConnections:
    def __init__(self, path: str | None, shared: sqlite3.Connection | None = None) -> None:
        """``path`` of a database file, or ``shared``: the one in-memory connection."""
        self._path = path
        self._lock = threading.RLock()
        self._writer = shared if shared is not None else _connect(path or "")
        # Each caller after the first in a batch works inside a SAVEPOINT, so SQLite
        # copies every page it changes to a statement journal first; past 64 KiB that
        # journal spills to a temporary file, two write calls per page (about 35 a
        # submit under load). In memory it costs no system call.
        self._writer.execute("PRAGMA temp_store=MEMORY")
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._mutex = threading.Lock()
        # Guards the fields below; each batch's callers sleep on its own conditions.
        self._cond = _Condition(self._mutex)
        self._open: _Batch | None = None  # the batch new durable callers join
        self._open_light: _Batch | None = None  # and the one ``durable=False`` callers join
        # The batches formed and not yet running, in the order they will run.
        self._waiting: deque[_Batch] = deque()
        self._running: _Batch | None = None  # the batch whose transaction is open
        self._holder: int | None = None  # the thread working on the connection now

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sqlite3.Cursor]:
        """A cursor inside ``BEGIN IMMEDIATE``; returns once the work is committed,
        rolls back only this caller's work when it raises.

        ``durable=False`` commits without waiting for the disk (``synchronous=NORMAL``,
        which SQLite lets change only between transactions, so such a caller shares its
        transaction only with other ``durable=False`` callers): the work reaches the
        disk with the next durable commit, and a power loss before that may forget it,
        never corrupt the file. Only for writes whose loss is harmless, like a request
        counted against a rate limit.
        """
        if self._path is None:
            with self._own_transaction() as cur:
                yield cur
            return
        turn = _Turn()
        batch = self._join(durable)
        cur = self._writer.cursor()
        kept = False
        try:
            if not batch.begun:
                if not batch.durable:
                    cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("BEGIN IMMEDIATE")
                batch.begun = True
            first = not batch.kept
            if not first:
                cur.execute(f"SAVEPOINT {_SAVEPOINT}")
            try:
                yield cur
            except BaseException:
                self._undo(batch, cur, first)
                raise
            if not first:
                cur.execute(f"RELEASE {_SAVEPOINT}")
            batch.kept.append(turn)
            kept = True
        finally:
            cur.close()
            self._leave(batch, wait=kept)
        if turn.lost is not None:
            raise sqlite3.OperationalError(
                f"the transaction was not committed: {turn.lost}"
            ) from turn.lost

    def _join(self, durable: bool = True) -> _Batch:
        """Join the batch that is forming (the durable one, or the one of ``durable=False``
        callers) and wait for this caller's turn at the connection: the batch's
        transaction is open, or the batches formed before it have committed."""
        me = threading.get_ident()
        with self._cond:
            if self._holder == me:
                raise RuntimeError("a write transaction is already open in this thread")
            batch = self._open if durable else self._open_light
            if batch is None:
                batch = _Batch(self._mutex, durable=durable)
                self._waiting.append(batch)
                if durable:
                    self._open = batch
                else:
                    self._open_light = batch
            batch.joined += 1
            try:
                while not self._may_take(batch):
                    batch.turn.wait()
            except BaseException as exc:
                interrupted, orphaned = exc, self._quit(batch)
            else:
                if self._running is not batch:
                    self._waiting.popleft()  # ``batch``: its turn came, it runs now
                    self._running = batch
                self._holder = me
                return batch
        # Interrupted while waiting (Ctrl-C reaches the main thread here): the callers
        # before this one may be waiting for a commit only the last caller makes.
        if orphaned:
            self._commit(batch)
        raise interrupted

    def _may_take(self, batch: _Batch) -> bool:
        """Whether a caller of ``batch`` may take the connection now: nobody holds it,
        and either ``batch`` is running or it is the next to run. Called holding the
        condition."""
        if self._holder is not None:
            return False
        if self._running is None:
            return self._waiting[0] is batch
        return self._running is batch

    def _wake_next(self) -> None:
        """Wake one caller of the batch that runs next; called holding the condition
        once the connection is free. One caller, not every waiting thread: each thread
        woken for nothing costs the process a context switch and the GIL."""
        if self._waiting:
            self._waiting[0].turn.notify()

    def _quit(self, batch: _Batch) -> bool:
        """Leave ``batch`` before this caller's turn came; True when it must then commit
        for the callers who ran (it was the last, and the batch's transaction is open).
        Called holding the condition."""
        batch.joined -= 1
        if batch.joined:
            if self._may_take(batch):
                batch.turn.notify()  # the turn this caller may have been woken for
            return False
        self._close_to_newcomers(batch)
        if self._running is batch:  # nobody holds the connection: they all finished
            self._holder = threading.get_ident()
            return True
        self._waiting.remove(batch)
        if self._running is None and self._holder is None:
            self._wake_next()  # this caller may have been woken for the next batch
        return False

    def _close_to_newcomers(self, batch: _Batch) -> None:
        """Callers arriving from now on form the next batch; holding the condition."""
        if self._open is batch:
            self._open = None
        elif self._open_light is batch:
            self._open_light = None

    def _undo(self, batch: _Batch, cur: sqlite3.Cursor, first: bool) -> None:
        """Roll back this caller's work, and nobody else's unless SQLite already did."""
        conn = self._writer
        try:
            if first:
                if conn.in_transaction:
                    cur.execute("ROLLBACK")
                batch.begun = False
                return
            if conn.in_transaction:
                cur.execute(f"ROLLBACK TO {_SAVEPOINT}")
                cur.execute(f"RELEASE {_SAVEPOINT}")
                return
        except sqlite3.Error as exc:
            self._lose(batch, exc)
            return
        # SQLite ended the whole transaction (an I/O error, a full disk): the work of
        # the callers before this one went with it.
        self._lose(batch, sqlite3.OperationalError("SQLite rolled the transaction back"))

    def _lose(self, batch: _Batch, why: BaseException) -> None:
        for turn in batch.kept:
            turn.lost = why
        batch.kept.clear()
        batch.begun = False
        if self._writer.in_transaction:
            with suppress(sqlite3.Error):
                self._writer.execute("ROLLBACK")

    def _leave(self, batch: _Batch, *, wait: bool) -> None:
        """Hand the connection on; the last caller of the batch commits it for all.

        A caller whose work was kept (``wait``), or whose work failed after others'
        was kept, returns once that commit is done.
        """
        with self._cond:
            # A caller whose work failed after others' was kept waits for their commit
            # too: what it reads next (a retry's fresh look, say) is then current.
            wait = wait or bool(batch.kept)
            batch.joined -= 1
            last = batch.joined == 0
            if last:
                self._close_to_newcomers(batch)
            if not last:
                # The callers still to work are all of this batch: one takes the turn.
                self._holder = None
                batch.turn.notify()
                while wait and not batch.done:
                    batch.finished.wait()
                return
        self._commit(batch)

    def _commit(self, batch: _Batch) -> None:
        """Commit the batch for every caller whose work it holds, then free the
        connection for the next batch; called by the caller holding it."""
        try:
            if batch.begun and self._writer.in_transaction:
                self._writer.execute("COMMIT")
        except BaseException as exc:  # recorded for every caller whose work it held
            self._lose(batch, exc)
        finally:
            if not batch.durable:
                with suppress(sqlite3.Error):
                    self._writer.execute("PRAGMA synchronous=FULL")
            batch.begun = False
            with self._cond:
                batch.done = True
                self._holder = self._running = None
                batch.finished.notify_all()
                self._wake_next()

    @contextmanager
    def _own_transaction(self) -> Iterator[sqlite3.Cursor]:
        """The in-memory database: each transaction alone, behind the lock."""
        with self._lock:
            cur = self._writer.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                self._writer.rollback()
                raise
            else:
                self._writer.commit()
            finally:
                cur.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Cursor]:
        if self._path is None:
            with self._lock:
                cur = self._writer.cursor()
                try:
                    yield cur
                finally:
                    cur.close()
            return
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self._path)
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        cur = conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
            if self._path is not None:
                with self._cond:
                    self._writer.close()

"""Group commit on SQLite: threads that write at once share one durable commit.

What must hold whatever the interleaving: a caller told its write succeeded finds its
rows in the file after the store is closed and opened again; a caller whose work raised
leaves nothing; the audit chain verifies. The first tests force the interleaving (one
caller holds the connection while the others arrive); the property test lets threads
race.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff import ControlPlane, State
from handoff._intake import record_submit
from handoff.audit.trail import verify
from handoff.policy import Policy, default_policy
from handoff.store import SqlStore, _sqlite, open_store
from handoff.testing import FakeClock

from .._factories import make_handoff

TOOLS = {
    "cms.post": {"level": "medium", "owner": "marketing-ops"},
    "notes.append": {"level": "low", "mode": "auto"},
}


class Boom(Exception):
    """A caller's own failure, raised after it wrote rows."""


def make_policy() -> Policy:
    base = default_policy().model_dump()
    base["tools"] = {**base["tools"], **TOOLS}
    return Policy.model_validate(base)


def lite(store: SqlStore) -> Any:
    assert store._lite is not None
    return store._lite


def joined(store: SqlStore, n: int) -> None:
    """Wait until ``n`` callers joined the batch that is forming (they block there)."""
    for _ in range(2000):
        batch = lite(store)._open
        if batch is not None and batch.joined >= n:
            return
        time.sleep(0.005)
    raise AssertionError(f"{n} callers never joined one batch")


def write_one(store: SqlStore, hid: str, clock: FakeClock, *, fail: bool = False) -> None:
    """Insert a handoff with its event and an outbox row; raise ``Boom`` after if ``fail``."""
    with store.write() as tx:
        h = make_handoff(hid, clock.now())
        tx.insert(h)
        record_submit(tx, h)  # the events and notification of a real submit
        if fail:
            raise Boom(hid)


def hold(
    store: SqlStore, clock: FakeClock, inside: threading.Event, release: threading.Event
) -> None:
    """Write handoff h0 as a submit would, then keep the connection until ``release``."""
    with store.write() as tx:
        h = make_handoff("h0", clock.now())
        tx.insert(h)
        record_submit(tx, h)
        inside.set()
        release.wait(10)


def commits_of(store: SqlStore) -> list[str]:
    seen: list[str] = []
    lite(store)._writer.set_trace_callback(
        lambda sql: seen.append(sql) if sql.strip().upper() == "COMMIT" else None
    )
    return seen


def test_callers_arriving_while_one_works_share_its_commit(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    store = open_store(url)
    commits = commits_of(store)
    inside, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        hold(store, clock, inside, release)

    def other(hid: str, fail: bool) -> None:
        try:
            write_one(store, hid, clock, fail=fail)
        except Boom:
            pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert inside.wait(10)
    for hid, fail in (("h1", False), ("h2", True), ("h3", False)):
        threads.append(threading.Thread(target=other, args=(hid, fail)))
        threads[-1].start()
    joined(store, 4)
    release.set()
    for t in threads:
        t.join(10)
    assert not errors
    assert commits == ["COMMIT"]  # four callers, one durable commit
    store.close()
    again = open_store(url)
    try:
        assert {h for h in ("h0", "h1", "h2", "h3") if again.get(h)} == {"h0", "h1", "h3"}
        assert not again.events("h2")
        notified = sorted(p["handoff_id"] for p in again.outbox_pending())
        assert notified == ["h0", "h1", "h3"]
        report = verify(again)
        assert report.ok and report.checked == 6, report
    finally:
        again.close()


def test_a_caller_whose_work_failed_returns_after_the_work_before_it_commits(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A caller that fails in a shared transaction (a compare-and-set that lost to a
    caller before it, say) reads next what that caller wrote: it returns only once the
    transaction holding the other's work has committed. Returning at once would let its
    retry read the old state again and lose again, for as long as the batch stays open:
    racing verdicts on a handoff that needs two approvals all gave up that way."""
    store = open_store(f"sqlite:///{tmp_path / 'f.db'}")
    inside, release, failing = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        hold(store, clock, inside, release)

    def loser() -> None:
        try:
            with store.write():
                failing.set()
                joined(store, 2)  # the last caller is waiting: this one is not the last
                raise Boom("lost")
        except Boom:
            seen.append(store.get("h0") is not None)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert inside.wait(10)
    threads.append(threading.Thread(target=loser))
    threads[-1].start()
    joined(store, 2)
    release.set()
    assert failing.wait(10)
    threads.append(threading.Thread(target=write_one, args=(store, "h1", clock)))
    threads[-1].start()
    for t in threads:
        t.join(10)
    try:
        assert seen == [True]
        assert store.get("h0") is not None and store.get("h1") is not None
    finally:
        store.close()


def test_a_nested_write_in_one_thread_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'n.db'}")
    try:
        with pytest.raises(RuntimeError, match="already open"), store.write():
            write_one(store, "h1", clock)
        write_one(store, "h2", clock)  # the connection is free again
        assert store.get("h1") is None and store.get("h2") is not None
    finally:
        store.close()


def test_a_commit_that_fails_fails_every_caller_it_held(tmp_path: Path, clock: FakeClock) -> None:
    """A full disk or a lost file fails the shared COMMIT: nobody is told success."""
    url = f"sqlite:///{tmp_path / 'f.db'}"
    store = open_store(url)
    inside, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def first() -> None:
        try:
            with store.write() as tx:
                tx.insert(make_handoff("h0", clock.now()))
                inside.set()
                release.wait(10)
            outcomes["h0"] = "ok"
        except Exception as exc:
            outcomes["h0"] = type(exc).__name__

    def other() -> None:
        try:
            with store.write() as tx:
                tx.insert(make_handoff("h1", clock.now()))
            outcomes["h1"] = "ok"
        except Exception as exc:
            outcomes["h1"] = type(exc).__name__

    # A deferred foreign key left broken makes the COMMIT itself fail.
    writer = lite(store)._writer
    writer.execute("PRAGMA foreign_keys=ON")
    writer.execute("CREATE TABLE fk_parent (id INTEGER PRIMARY KEY)")
    writer.execute(
        "CREATE TABLE fk_child (p INTEGER REFERENCES fk_parent(id) DEFERRABLE INITIALLY DEFERRED)"
    )
    a = threading.Thread(target=first)
    a.start()
    assert inside.wait(10)
    writer.execute("INSERT INTO fk_child VALUES (42)")  # in h0's open transaction
    b = threading.Thread(target=other)
    b.start()
    joined(store, 2)
    release.set()
    a.join(10)
    b.join(10)
    assert outcomes == {"h0": "DatabaseError", "h1": "DatabaseError"}
    store.close()
    again = open_store(url)
    try:
        assert again.get("h0") is None and again.get("h1") is None
        assert verify(again).ok
    finally:
        again.close()


class _InterruptedOnWake(threading.Condition):
    """The store's condition, but the ``victim`` thread gets a Ctrl-C when it wakes."""

    victim: int | None = None

    def wait(self, timeout: float | None = None) -> bool:
        woke = super().wait(timeout)
        if threading.get_ident() == self.victim:
            raise KeyboardInterrupt
        return woke


def test_a_caller_interrupted_while_waiting_still_lets_the_batch_commit(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finishes its work while B waits its turn; B is interrupted as it wakes. B was
    the batch's last caller, so it commits A's work on its way out: A is not stranded."""
    url = f"sqlite:///{tmp_path / 'i.db'}"
    cond = _InterruptedOnWake
    monkeypatch.setattr(_sqlite, "_Condition", cond)
    store = open_store(url)
    inside, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def first() -> None:
        hold(store, clock, inside, release)
        outcomes["h0"] = "ok"

    def second() -> None:
        cond.victim = threading.get_ident()
        try:
            write_one(store, "h1", clock)
            outcomes["h1"] = "ok"
        except KeyboardInterrupt:
            outcomes["h1"] = "interrupted"

    a = threading.Thread(target=first)
    a.start()
    assert inside.wait(10)
    b = threading.Thread(target=second)
    b.start()
    joined(store, 2)
    release.set()
    a.join(10)
    b.join(10)
    assert not a.is_alive() and not b.is_alive()
    assert outcomes == {"h0": "ok", "h1": "interrupted"}
    cond.victim = None
    write_one(store, "h2", clock)  # the connection is free for the next caller
    store.close()
    again = open_store(url)
    try:
        assert [h for h in ("h0", "h1", "h2") if again.get(h)] == ["h0", "h2"]
        assert verify(again).ok
    finally:
        again.close()


class _Counted(threading.Condition):
    """The store's conditions, counting every wait: each is a thread put to sleep, and
    each wake of it costs the process a context switch and the GIL."""

    waits = 0

    def wait(self, timeout: float | None = None) -> bool:
        type(self).waits += 1
        return super().wait(timeout)


def test_a_hand_off_wakes_only_the_caller_whose_turn_it_is(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight callers queue behind one that holds the connection. Each hand-off wakes the
    one caller who takes the connection next, and the commit the callers who wait for
    it: every caller sleeps about twice (its turn, its commit). Waking every waiter at
    every hand-off made each of them sleep and wake again for each caller before it,
    eight times as many waits, and as much CPU spent by a server under load."""
    monkeypatch.setattr(_sqlite, "_Condition", _Counted)
    monkeypatch.setattr(_Counted, "waits", 0)
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    inside, release = threading.Event(), threading.Event()
    threads = [threading.Thread(target=hold, args=(store, clock, inside, release))]
    threads[0].start()
    assert inside.wait(10)
    callers = 8
    for i in range(callers):
        threads.append(threading.Thread(target=write_one, args=(store, f"h{i + 1}", clock)))
        threads[-1].start()
    joined(store, callers + 1)
    before = _Counted.waits
    release.set()
    for t in threads:
        t.join(10)
    try:
        assert not any(t.is_alive() for t in threads)
        assert all(store.get(f"h{i}") for i in range(callers + 1))
        woken = _Counted.waits - before  # sleeps after the first, which all took
        assert woken <= 2 * (callers + 1), woken
    finally:
        store.close()


class _Wakes(threading.Condition):
    """The store's conditions, recording how many threads each notify woke."""

    woken: ClassVar[list[int]] = []
    asleep = 0

    def notify(self, n: int = 1) -> None:
        type(self).woken.append(min(n, len(self._waiters)))  # type: ignore[attr-defined]
        super().notify(n)

    def wait(self, timeout: float | None = None) -> bool:
        type(self).asleep += 1
        try:
            return super().wait(timeout)
        finally:
            type(self).asleep -= 1


def test_writes_that_skip_the_fsync_share_a_commit_and_wake_one_by_one(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve writes that need not wait for the disk (API keys' request counts) queue
    behind a caller that holds the connection. They share one transaction, and each
    hand-on of the connection wakes only the caller who takes it; their commit then
    wakes them all, as it must. Each ran in a transaction of its own before, and every
    commit woke every waiting thread: a context switch and a turn at the GIL for each,
    at each request, which cost a server with 16 connections a third of its CPU."""
    monkeypatch.setattr(_sqlite, "_Condition", _Wakes)
    monkeypatch.setattr(_Wakes, "woken", [])
    monkeypatch.setattr(_Wakes, "asleep", 0)
    store = open_store(f"sqlite:///{tmp_path / 'q.db'}")
    inside, release = threading.Event(), threading.Event()
    threads = [threading.Thread(target=hold, args=(store, clock, inside, release))]
    threads[0].start()
    assert inside.wait(10)
    commits = commits_of(store)
    callers = 12
    for i in range(callers):
        threads.append(threading.Thread(target=store.throttle_hit, args=(f"key:{i}", 0.0, 60.0)))
        threads[-1].start()
    for _ in range(2000):  # every caller asleep, waiting for its turn
        if _Wakes.asleep == callers:
            break
        time.sleep(0.005)
    release.set()
    for t in threads:
        t.join(10)
    try:
        assert not any(t.is_alive() for t in threads)
        assert commits == ["COMMIT", "COMMIT"]  # the held caller's, and the counts'
        assert all(store.throttle_hit(f"key:{i}", 0.0, 60.0)[0] == 2 for i in range(callers))
        # One notify wakes many: the shared commit, for all but the caller who made it.
        assert [n for n in _Wakes.woken if n > 1] == [callers - 1], _Wakes.woken
    finally:
        store.close()


# -- threads racing through the plane ----------------------------------------------------

STEP = st.sampled_from(["auto", "review", "fail"])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plans=st.lists(st.lists(STEP, min_size=1, max_size=5), min_size=2, max_size=8))
def test_racing_callers_keep_what_they_were_told(plans: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'race.db'}"
        clock = FakeClock()
        plane = ControlPlane(open_store(url), make_policy(), clock=clock)
        for tool in TOOLS:
            plane.register(tool, lambda **a: {"ok": a})
        told: dict[str, str] = {}
        failed: list[str] = []
        errors: list[BaseException] = []
        start = threading.Barrier(len(plans))

        def caller(i: int, plan: list[str]) -> None:
            try:
                start.wait(10)
                for j, step in enumerate(plan):
                    if step == "fail":
                        hid = f"x{i}-{j}"
                        try:
                            write_one(plane.store, hid, clock, fail=True)  # type: ignore[arg-type]
                        except Boom:
                            failed.append(hid)
                        continue
                    tool = "notes.append" if step == "auto" else "cms.post"
                    out = plane.submit({"tool": tool, "args": {"i": i, "j": j}, "agent": "bot"})
                    h = out.handoff
                    if step == "review":
                        h = plane.decide_and_execute(
                            out.handoff_id, verdict="approve", reviewer="maya", rationale="ok"
                        ).handoff
                    told[h.id] = h.state.value
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=caller, args=(i, p)) for i, p in enumerate(plans)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        plane.close()
        assert not errors, errors
        assert set(told.values()) <= {State.EXECUTED.value}
        again = open_store(url)
        try:
            for hid, state in told.items():
                got = again.get(hid)
                assert got is not None and got.state.value == state
            for hid in failed:
                assert again.get(hid) is None and not again.events(hid)
            report = verify(again)
            assert report.ok, report
            assert report.checked == again.count_events() == again.head()[0]
        finally:
            again.close()


def test_the_in_memory_store_still_writes_alone(clock: FakeClock) -> None:
    store = open_store("sqlite://")
    try:
        write_one(store, "h1", clock)
        with pytest.raises(Boom):
            write_one(store, "h2", clock, fail=True)
        assert store.get("h1") is not None and store.get("h2") is None
    finally:
        store.close()

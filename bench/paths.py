"""The handoff paths under test: round trip, auto path, assess-only, audit verify.

Each ``bench_*`` function sets up its own database under ``data_dir``, warms up, runs
``reps`` repetitions of ``count`` operations and returns a ``Measure`` (median first).
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from handoff import ControlPlane
from handoff.audit.trail import verify
from handoff.detect import rubric
from handoff.models import Action, Mode
from handoff.policy import Policy, default_policy
from handoff.store import open_store

from ._actions import LOW, MIXED, REVIEW, low_action, review_action
from ._history import build_audit_db
from ._timing import Measure, rate, seconds

__all__ = [
    "auto_batch",
    "bench_assess",
    "bench_auto",
    "bench_commit",
    "bench_roundtrip",
    "bench_verify",
    "build_audit_db",
    "reviewers_for",
    "roundtrip_batch",
]


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def reviewers_for(action: dict[str, Any], policy: Policy) -> list[str]:
    """Members of the owning team who may approve ``action``, as many as its quorum.

    Read from the live assessment, so a retuned rubric that changes the owner still
    gets a valid reviewer; a rubric that stops pausing the action is an error.
    """
    a = rubric.assess(Action.model_validate(action), policy)
    if a.mode not in (Mode.REVIEW, Mode.TWO_PERSON) or a.owner is None:
        raise RuntimeError(f"{action['tool']} is no longer paused for review: mode {a.mode}")
    requester = {action.get("agent"), action.get("on_behalf_of")}
    team = [m for m in policy.owners[a.owner].members if m not in requester]
    if len(team) < a.quorum:
        raise RuntimeError(f"owner {a.owner} has too few members for quorum {a.quorum}")
    return team[: a.quorum]


def bench_roundtrip(data_dir: Path, count: int, reps: int, warmup: int) -> Measure:
    """Pause -> decide -> execute round trips per second, on a SQLite file: the last
    approval runs the action through ``decide_and_execute``."""
    with roundtrip_batch(data_dir) as batch:
        return rate(batch, count, reps, warmup)


@contextmanager
def roundtrip_batch(data_dir: Path) -> Iterator[Callable[[int], None]]:
    """``batch(n)`` runs ``n`` round trips of ``bench_roundtrip`` on one plane."""
    policy = default_policy()
    reviewers = reviewers_for(REVIEW, policy)
    plane = ControlPlane(open_store(_url(_fresh(data_dir / "roundtrip.db"))), policy)
    plane.register("cms.publish", lambda **args: {"published": args["post_id"]})
    n = 0

    def batch(k: int) -> None:
        nonlocal n
        for _ in range(k):
            n += 1
            out = plane.submit(review_action(n))
            if not out.pending:
                raise RuntimeError(f"expected a pending handoff, got {out.status}")
            *first, last = reviewers
            for who in first:
                plane.decide(out.handoff_id, verdict="approve", reviewer=who, rationale="ok")
            # The approval that completes the quorum claims the run in its own commit.
            done = plane.decide_and_execute(
                out.handoff_id, verdict="approve", reviewer=last, rationale="ok"
            )
            if done.status != "executed":
                raise RuntimeError(f"round trip ended {done.status}")

    try:
        yield batch
    finally:
        plane.close()


@contextmanager
def auto_batch(data_dir: Path, threads: int = 1) -> Iterator[Callable[[int], None]]:
    """``batch(n)``: ``n`` low-risk submits that run on their own (assess, execute,
    audit), made by ``threads`` callers sharing one plane (one thread: the caller's own).

    With several threads the store's group commit lets the transactions that arrive
    while one commit is flushed share the next.
    """
    policy = default_policy()
    mode = rubric.assess(Action.model_validate(LOW), policy).mode
    if mode is not Mode.AUTO:
        raise RuntimeError(f"{LOW['tool']} no longer runs on its own: mode {mode}")
    name = "auto.db" if threads == 1 else f"auto_{threads}.db"
    plane = ControlPlane(open_store(_url(_fresh(data_dir / name))), policy)
    plane.register("reports.schedule", lambda **args: {"scheduled": args["report"]})
    numbers = itertools.count(1)
    failures: list[str] = []

    def caller(k: int) -> None:
        for _ in range(k):
            out = plane.submit(low_action(next(numbers)))
            if out.status != "executed":
                failures.append(out.status)

    def batch(k: int) -> None:
        if threads == 1:
            caller(k)
        else:
            shares = [k // threads + (1 if i < k % threads else 0) for i in range(threads)]
            workers = [threading.Thread(target=caller, args=(n,)) for n in shares]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        if failures:
            raise RuntimeError(f"expected auto-executed actions, got {failures[:3]}")

    try:
        yield batch
    finally:
        plane.close()


def bench_auto(data_dir: Path, count: int, reps: int, warmup: int) -> Measure:
    """Low-risk submits that auto-execute (assess + execute + audit) per second."""
    with auto_batch(data_dir) as batch:
        return rate(batch, count, reps, warmup)


def bench_commit(data_dir: Path, count: int, reps: int, warmup: int) -> Measure:
    """Durable SQLite commits per second with the store's settings: the floor under (a), (b).

    WAL, ``synchronous=FULL``, ``BEGIN IMMEDIATE``, one small row per transaction, in a
    file beside the other benchmark databases: what one state change costs before any
    of handoff's own work.
    """
    conn = sqlite3.connect(_fresh(data_dir / "commit.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)")
    doc = "x" * 600  # about the size of an auto-path handoff's changed row

    def batch(k: int) -> None:
        for _ in range(k):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (doc) VALUES (?)", (doc,))
            conn.execute("COMMIT")

    try:
        return rate(batch, count, reps, warmup)
    finally:
        conn.close()


def bench_assess(count: int, reps: int, warmup: int) -> Measure:
    """``rubric.assess`` calls per second over a mix of short, typical actions."""
    policy = default_policy()
    actions = [Action.model_validate(a) for a in MIXED]
    m = len(actions)
    assess = rubric.assess

    def batch(k: int) -> None:
        for i in range(k):
            assess(actions[i % m], policy)

    return rate(batch, count, reps, warmup)


def bench_verify(data_dir: Path, n_events: int, reps: int) -> Measure:
    """Seconds for ``audit verify`` (``handoff.audit.trail.verify``) over ``n_events`` events:
    the chain walked and replayed against the rows of the handoffs it holds."""
    url = build_audit_db(data_dir / "audit.db", n_events)
    store = open_store(url)

    def run() -> None:
        report = verify(store)
        if not report.ok or report.checked != n_events:
            raise RuntimeError(f"verify failed on the built chain: {report}")

    try:
        return seconds(run, reps, warmup=1)
    finally:
        store.close()

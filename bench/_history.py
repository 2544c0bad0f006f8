"""A long audit chain of real handoff histories, with the rows they lead to.

``audit verify`` walks the chain and replays it against every handoff row, so the
benchmark's database must hold both, and they must agree. Two histories are made for
real through ``ControlPlane`` (the default policy, a SQLite file): one action the
rubric runs on its own (``submitted``, ``auto_approved``, ``execution_started``,
``executed``) and one a reviewer approves before it runs (``pending`` and the
approval in between, the approval in the row's document too). The chain is then
filled with copies of the two, about one reviewed handoff in five: each copy gets a
new id (written wherever the original's appeared: row, document, event data), its
events new seqs and hashes by the real ``event_hash``, its row the original's
columns. Rows and events go straight in with sqlite3, in large transactions.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handoff import ControlPlane
from handoff._chain import GENESIS, event_hash
from handoff.policy import default_policy
from handoff.store import open_store

from ._actions import REVIEW, low_action, review_action

__all__ = ["build_audit_db"]

#: About one handoff in this many waits for a reviewer; the others run on their own.
_REVIEWED_ONE_IN = 5


@dataclass(frozen=True)
class _History:
    """One handoff as stored: its row (column -> value) and its events, in order."""

    id: str
    row: dict[str, Any]
    events: list[tuple[str, str, str, str]]  # kind, actor, at, data


def _histories(path: Path) -> tuple[_History, _History]:
    """The auto-run and the reviewed history, made through the plane in ``path``."""
    from .paths import reviewers_for

    policy = default_policy()
    plane = ControlPlane(open_store(f"sqlite:///{path}"), policy)
    plane.register("reports.schedule", lambda **args: {"scheduled": args["report"]})
    plane.register("cms.publish", lambda **args: {"published": args["post_id"]})
    try:
        auto = plane.submit(low_action(1))
        if auto.status != "executed":
            raise RuntimeError(f"expected an auto-executed action, got {auto.status}")
        reviewed = plane.submit(review_action(1))
        assert reviewed.handoff_id is not None
        for who in reviewers_for(REVIEW, policy):
            plane.decide(reviewed.handoff_id, verdict="approve", reviewer=who, rationale="ok")
        if plane.execute(reviewed.handoff_id).status != "executed":
            raise RuntimeError("the reviewed benchmark action did not run")
    finally:
        plane.close()
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        out = []
        for hid in (auto.handoff_id, reviewed.handoff_id):
            row = dict(conn.execute("SELECT * FROM handoffs WHERE id = ?", (hid,)).fetchone())
            events = conn.execute(
                "SELECT kind, actor, at, data FROM events WHERE handoff_id = ? ORDER BY seq",
                (hid,),
            ).fetchall()
            out.append(_History(str(hid), row, [tuple(e) for e in events]))  # type: ignore[misc]
    finally:
        conn.close()
    return out[0], out[1]


def _counts(n_events: int, auto: int, reviewed: int) -> tuple[int, int]:
    """How many auto and reviewed handoffs make exactly ``n_events`` events."""
    r = n_events // (auto * (_REVIEWED_ONE_IN - 1) + reviewed)
    while r >= 0 and (n_events - r * reviewed) % auto:
        r -= 1
    if r < 0:
        raise ValueError(
            f"n_events: {n_events} is no sum of {auto}- and {reviewed}-event histories"
        )
    return (n_events - r * reviewed) // auto, r


def build_audit_db(path: Path, n_events: int, batch: int = 50_000) -> str:
    """A store whose audit chain holds ``n_events`` events of real histories, and the
    handoff rows they lead to; returns its URL. The schema is the real migration's."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    scratch = path.with_name(path.name + ".templates")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    auto, reviewed = _histories(scratch)
    n_auto, n_reviewed = _counts(n_events, len(auto.events), len(reviewed.events))
    open_store(url).close()
    columns = list(auto.row)
    insert_row = (
        f"INSERT INTO handoffs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    )
    insert_event = (
        "INSERT INTO events (seq, handoff_id, kind, actor, at, data, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    conn = sqlite3.connect(path)
    prev, seq, done_reviewed = GENESIS, 0, 0
    rows: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    try:
        conn.execute("PRAGMA synchronous=OFF")  # a build step, not a measured path
        total = n_auto + n_reviewed
        for k in range(total):
            # Spread the reviewed ones evenly (Bresenham) so every range holds both kinds.
            pick = done_reviewed * total < n_reviewed * (k + 1)
            done_reviewed += pick
            h = reviewed if pick else auto
            hid = f"h_{k:026d}"
            row = {**h.row, "id": hid, "doc": h.row["doc"].replace(h.id, hid)}
            rows.append(tuple(row[c] for c in columns))
            for kind, actor, at, data in h.events:
                seq += 1
                data = data.replace(h.id, hid)
                digest = event_hash(prev, seq, hid, kind, actor, at, data)
                events.append((seq, hid, kind, actor, at, data, prev, digest))
                prev = digest
            if len(events) >= batch or k == total - 1:
                with conn:
                    conn.executemany(insert_row, rows)
                    conn.executemany(insert_event, events)
                rows.clear()
                events.clear()
        with conn:
            conn.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, prev))
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    return url

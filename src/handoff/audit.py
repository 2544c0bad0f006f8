"""The audit trail: verify the hash chain, replay it against the rows, and export it.

Each event's hash covers the previous hash and every stored column (see ``_chain``),
so an edited, deleted, inserted or reordered event breaks the chain at that event;
``verify`` names the first one that does not check out. The stored head (last seq and
hash) is compared too, which catches a truncated tail as long as the head row itself
was not rewritten; signed checkpoints outside the database close that gap.

The chain is the truth and the ``handoffs`` table its cache: the same walk folds every
handoff's events into its state, action hash and decisions (``_projection``), and
``verify`` then compares them with every row, naming the first handoff and field that
disagree. A row edited to ``approved`` with approvals added, or a row with no events
at all, fails verify however intact the chain is.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import IO, Any

from ._chain import GENESIS, event_hash
from ._projection import STATE_OF, decision_of, digest, hash_of
from .store import EventRow, Store

__all__ = ["VerifyReport", "export", "verify"]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of ``verify``: ok, how many events were checked, and the first fault."""

    ok: bool
    checked: int
    head_seq: int
    bad_seq: int | None = None
    problem: str | None = None
    #: The first handoff whose row disagrees with the chain, and the field that does.
    handoff_id: str | None = None
    field: str | None = None
    handoffs: int = 0

    def __str__(self) -> str:
        if self.ok:
            return (
                f"audit chain ok: {self.checked} events, head at seq {self.head_seq};"
                f" {self.handoffs} handoffs match it"
            )
        if self.handoff_id is not None:
            return (
                f"handoff {self.handoff_id} does not match the audit chain: {self.field}"
                f" {self.problem}"
            )
        return f"audit chain BROKEN at event seq {self.bad_seq}: {self.problem}"


Decided = tuple[str, str, str | None]


@dataclass(slots=True)
class _Replay:
    """The chain's account of the handoffs in one seq range, mergeable in range order.

    ``hashes`` holds the last action hash each handoff got in the range (its keys in
    order of submission); a decision whose hash was set before the range has None,
    filled in when the ranges are joined.
    """

    states: dict[str, str]
    hashes: dict[str, str]
    decisions: dict[str, list[Decided]]
    submitted: set[str]


@dataclass(frozen=True, slots=True)
class _Segment:
    """What checking one seq range found: its links at both ends, or its first fault."""

    lo: int
    count: int
    first_prev: str | None
    last_hash: str | None
    bad_seq: int | None = None
    problem: str | None = None
    replay: _Replay | None = None


#: Decision events that also change the state, and the other kinds whose data is read.
_DECIDING = frozenset({"approved", "rejected", "redirected", "needs_info"})
_READ = frozenset({"revised", "approval_recorded"})


def _check(rows: Iterable[EventRow], lo: int, prev: str | None) -> _Segment:
    """Check rows expected to start at seq ``lo``; ``prev`` is known only for the first range.

    The same loop folds each handoff's events (see ``_Replay``): one read of the rows,
    a dictionary store per state change, and ``data`` parsed only for the decision and
    revision events; a ``submitted`` event's hash is sliced from its data, not parsed.
    """
    expected, count, first_prev = lo, 0, prev
    replay = _Replay({}, {}, {}, set())
    states, hashes, decisions = replay.states, replay.hashes, replay.decisions
    state_of, submitted, deciding, read = STATE_OF.get, replay.submitted.add, _DECIDING, _READ
    for seq, handoff_id, kind, actor, at, data, prev_hash, digest_ in rows:
        if seq != expected:
            what = "missing" if seq > expected else "out of order"
            problem = f"event {expected} is {what} (found seq {seq})"
            return _Segment(lo, count, first_prev, prev, expected, problem)
        if prev is None:
            prev = first_prev = prev_hash
        elif prev_hash != prev:
            problem = "prev_hash does not match the previous event's hash"
            return _Segment(lo, count, first_prev, prev, seq, problem)
        if event_hash(prev, seq, handoff_id, kind, actor, at, data) != digest_:
            problem = "content does not match its hash (edited event)"
            return _Segment(lo, count, first_prev, prev, seq, problem)
        prev = digest_
        expected += 1
        count += 1
        if handoff_id is None:
            continue
        state = state_of(kind)
        if state is not None:
            states[handoff_id] = state
            if kind not in deciding:
                continue
        elif kind == "submitted":
            if data[80:81] == '"' and data.startswith('{"action_hash":"'):
                hashes[handoff_id] = data[16:80]
            else:
                hashes[handoff_id] = hash_of(kind, data) or ""
            submitted(handoff_id)
            continue
        elif kind not in read:
            continue
        elif kind == "revised":
            hashes[handoff_id] = hash_of(kind, data) or ""
            continue
        decided = decision_of(kind, actor, data, hashes.get(handoff_id))
        if decided is not None:
            decisions.setdefault(handoff_id, []).append(decided)
    return _Segment(lo, count, first_prev, prev, replay=replay)


def _check_range(url: str, lo: int | None, hi: int | None, start: int) -> _Segment:
    """Worker: open the store at ``url`` and check one range of the chain."""
    from .store import SqlStore

    store = SqlStore.from_url(url, migrate=False)
    try:
        return _check(store.event_rows(lo, hi), start, GENESIS if lo is None else None)
    finally:
        store.close()


def _ranges(head: int, workers: int) -> list[tuple[int | None, int | None, int]]:
    """(lo, hi, first expected seq) per worker; the ends are open so no stray row escapes."""
    size = max(1, head // workers)
    out: list[tuple[int | None, int | None, int]] = []
    for i in range(workers):
        lo = None if i == 0 else i * size + 1
        hi = None if i == workers - 1 else (i + 1) * size
        out.append((lo, hi, 1 if lo is None else lo))
    return out


def verify(store: Store, workers: int | None = None) -> VerifyReport:
    """Walk the whole chain in order and report the first event that does not check out.

    Long chains in a database file are checked in ranges by ``workers`` processes (the
    machine's cores by default); the ranges are then joined by their end hashes, so the
    result is the same as one walk.
    """
    head_seq, head_hash = store.head()
    url = getattr(store, "url", "")
    local = url in ("", "sqlite://", "sqlite:///:memory:")
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if head_seq >= 200_000 and not local else 1
    if workers <= 1 or local:
        segments = [_check(store.event_rows(), 1, GENESIS)]
        rows = _rows(store)
    else:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            futures = [
                pool.submit(_check_range, url, lo, hi, start)
                for lo, hi, start in _ranges(head_seq, workers)
            ]
            rows = _rows(store)  # read here while the workers walk the chain
            segments = [f.result() for f in futures]
    checked, prev = 0, GENESIS
    for seg in segments:
        if seg.count and seg.first_prev != prev:
            problem = "prev_hash does not match the previous event's hash"
            return VerifyReport(False, checked, head_seq, seg.lo, problem)
        checked += seg.count
        if seg.bad_seq is not None:
            return VerifyReport(False, checked, head_seq, seg.bad_seq, seg.problem)
        if seg.count:
            prev = seg.last_hash or prev
        elif seg is not segments[-1]:
            problem = f"event {seg.lo} is missing"
            return VerifyReport(False, checked, head_seq, seg.lo, problem)
    if head_seq != checked or head_hash != prev:
        return VerifyReport(
            False,
            checked,
            head_seq,
            checked + 1 if head_seq > checked else head_seq,
            f"the chain ends at seq {checked} but the recorded head is seq {head_seq}"
            if head_seq != checked
            else "the last event's hash is not the recorded head",
        )
    handoffs = len(rows)
    fault = _compare(_join([seg.replay for seg in segments if seg.replay]), rows)
    if fault is not None:
        hid, field, problem = fault
        return VerifyReport(False, checked, head_seq, None, problem, hid, field, handoffs)
    return VerifyReport(True, checked, head_seq, handoffs=handoffs)


def _rows(store: Store) -> dict[str, str]:
    """Every handoff row as ``id -> "state action_hash decisions_hash"``."""
    return store.handoff_rows()


def _join(parts: list[_Replay]) -> _Replay:
    """The ranges' replays as one, in range order: later states and hashes win, and
    decisions are appended, their missing hashes taken from before their range."""
    if len(parts) == 1:
        return parts[0]
    out = _Replay({}, {}, {}, set())
    for part in parts:
        for hid, decided in part.decisions.items():
            carried = out.hashes.get(hid)
            out.decisions.setdefault(hid, []).extend(
                (v, who, h if h is not None else carried) for v, who, h in decided
            )
        out.states.update(part.states)
        out.hashes.update(part.hashes)
        out.submitted |= part.submitted
    return out


def _compare(replay: _Replay, rows: dict[str, str]) -> tuple[str, str, str] | None:
    """The first handoff (in submission order) whose row disagrees with the chain:
    ``(handoff_id, field, problem)``; then rows the chain never saw submitted.

    The chain's account is built in the rows' own form and the two dictionaries are
    compared whole, so the common case (all agree) costs no Python loop per handoff;
    only a disagreement is looked for one handoff at a time.
    """
    states, hashes, submitted = replay.states, replay.hashes, replay.submitted
    ids = [hid for hid in hashes if hid in submitted]
    decided = {hid: digest(d) for hid, d in replay.decisions.items()}
    told = dict(
        zip(
            ids,
            map(
                "{} {} {}".format,
                map(states.get, ids),
                map(hashes.__getitem__, ids),
                map(decided.get, ids, repeat("")),
            ),
            strict=True,
        )
    )
    if told == rows:
        return None
    for hid in ids:
        row = rows.get(hid)
        if row is None:
            return hid, "row", "is missing: the chain has the handoff, the table does not"
        if row == told[hid]:
            continue
        state, stored_hash, _ = row.split(" ")
        want, action_hash = states.get(hid), hashes[hid]
        if state != want:
            return hid, "state", f"is {state!r} in its row but {want!r} in the chain"
        if stored_hash != action_hash:
            return (
                hid,
                "action_hash",
                f"is {stored_hash[:16]}… in its row but {action_hash[:16]}… in the chain",
            )
        n = len(replay.decisions.get(hid, ()))
        return hid, "decisions", f"in its row differ from the {n} the chain records"
    hid = min(set(rows) - set(told))
    state = rows[hid].split(" ")[0]
    return hid, "state", f"is {state!r} in its row but the chain never saw it submitted"


def export(store: Store, out: IO[str] | Path) -> int:
    """Write every event as one JSON object per line, in chain order; returns the count."""
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8") as fh:
            return export(store, fh)
    n = 0
    for row in store.event_rows():
        record: dict[str, Any] = dict(zip(EventRow._fields, row, strict=True))
        record["data"] = json.loads(str(row[5]))
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n

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

import gc
import hashlib
import json
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import IO, Any

from .._chain import GENESIS
from .._projection import STATE_OF, decision_of, hash_of
from ..decide._step_up import APPROVALS, REGISTERED, Registration, registration_of, verify_record
from ..store import EventRow, Store
from ._replay import Part, Replay, join, settle

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


@dataclass(frozen=True, slots=True)
class _Segment:
    """What checking one seq range found: its links at both ends, or its first fault."""

    lo: int
    count: int
    first_prev: str | None
    last_hash: str | None
    bad_seq: int | None = None
    problem: str | None = None
    replay: Replay | None = None
    part: Part | None = None
    #: Passkey registrations and step-up approvals seen, as (seq, event) for ``_signed``.
    passkeys: tuple[tuple[int, str, str], ...] = ()
    step_ups: tuple[tuple[int, str | None, str, str], ...] = ()


#: Decision events that also change the state, and the other kinds whose data is read.
_DECIDING = frozenset({"approved", "rejected", "redirected", "needs_info"})
_READ = frozenset({"revised", "approval_recorded"})


def _check(rows: Iterable[EventRow], lo: int, prev: str | None) -> _Segment:
    """Check rows expected to start at seq ``lo``; ``prev`` is known only for the first range.

    The same loop folds each handoff's events (see ``_replay.Replay``): one read of the rows,
    a dictionary store per state change, and ``data`` parsed only for the decision and
    revision events; a ``submitted`` event's hash is sliced from its data, not parsed.
    """
    expected, count, first_prev = lo, 0, prev
    replay = Replay({}, {}, {}, {})
    states, hashes, decisions = replay.states, replay.hashes, replay.decisions
    state_of, submitted, deciding, read = STATE_OF.get, replay.submitted, _DECIDING, _READ
    sha256 = hashlib.sha256
    keys: list[tuple[int, str, str]] = []
    signed: list[tuple[int, str | None, str, str]] = []
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
        # ``event_hash`` written out: a million calls cost a quarter of a second.
        text = f"{prev}\n{seq}\x1f{handoff_id or ''}\x1f{kind}\x1f{actor}\x1f{at}\x1f{data}"
        if sha256(text.encode()).hexdigest() != digest_:
            problem = "content does not match its hash (edited event)"
            return _Segment(lo, count, first_prev, prev, seq, problem)
        prev = digest_
        expected += 1
        count += 1
        if handoff_id is None:
            if kind == REGISTERED:
                keys.append((seq, actor, data))
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
            submitted[handoff_id] = seq
            continue
        elif kind not in read:
            if kind == REGISTERED:
                keys.append((seq, actor, data))
            continue
        elif kind == "revised":
            hashes[handoff_id] = hash_of(kind, data) or ""
            continue
        if kind in APPROVALS and '"step_up"' in data:
            signed.append((seq, handoff_id, actor, data))
        decided = decision_of(kind, actor, data, hashes.get(handoff_id))
        if decided is not None:
            decisions.setdefault(handoff_id, []).append(decided)
    return _Segment(
        lo,
        count,
        first_prev,
        prev,
        replay=replay,
        passkeys=tuple(keys),
        step_ups=tuple(signed),
    )


def _signed(segments: list[_Segment]) -> tuple[int, str] | None:
    """Check every step-up assertion against the passkey its approver registered before
    it; the first (seq, problem) that fails, or None.

    The hash chain shows that no event changed since it was written; this shows that
    each step-up approval was signed by the approver's own passkey over that handoff and
    that action hash, which a rewrite of the chain cannot forge without the passkey.
    """
    keys: dict[str, Registration] = {}
    events = sorted(
        [(seq, 0, None, actor, data) for s in segments for seq, actor, data in s.passkeys]
        + [(seq, 1, hid, actor, data) for s in segments for seq, hid, actor, data in s.step_ups]
    )
    for seq, signed, handoff_id, actor, text in events:
        data = json.loads(text)
        if not signed:
            key = registration_of(actor, data)
            if key is None:
                return seq, "the passkey registration is malformed"
            keys[key.credential_id] = key
        elif problem := verify_record(handoff_id, actor, data, keys):
            return seq, problem
    return None


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: the replay keeps hundreds of thousands of
    small objects alive while it builds, and every collection would walk them all."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _check_range(url: str, lo: int | None, hi: int | None, start: int) -> _Segment:
    """Worker: open the store at ``url``, check one range of the chain and settle its
    own handoffs against the rows, so only disagreements travel back."""
    from ..store import open_store

    store = open_store(url, migrate=False)
    with _no_gc():
        try:
            seg = _check(store.event_rows(lo, hi), start, GENESIS if lo is None else None)
            if seg.replay is None:
                return seg
            return replace(seg, replay=None, part=settle(seg.replay, store.handoff_rows()))
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
    """Walk the whole chain in order and report the first event that does not check out;
    then compare every handoff row with the chain's account of it and report the first
    (in submission order) that disagrees, naming the field.

    Long chains in a database file are checked in ranges by ``workers`` processes (the
    machine's cores by default); the ranges are then joined by their end hashes, and
    their accounts of the handoffs in range order (``_replay.join``), so the result is
    the same as one walk. Verify a database no one writes to meanwhile: rows and events
    are read at different moments.
    """
    with _no_gc():
        return _verify(store, workers)


def _verify(store: Store, workers: int | None) -> VerifyReport:
    head_seq, head_hash = store.head()
    url = getattr(store, "url", "")
    local = url in ("", "sqlite://", "sqlite:///:memory:")
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if head_seq >= 200_000 and not local else 1
    if workers <= 1 or local:
        segments = [_check(store.event_rows(), 1, GENESIS)]
    else:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            futures = [
                pool.submit(_check_range, url, lo, hi, start)
                for lo, hi, start in _ranges(head_seq, workers)
            ]
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
    if (bad := _signed(segments)) is not None:
        return VerifyReport(False, checked, head_seq, bad[0], bad[1])
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
    rows = store.handoff_rows()
    settled = [settle(seg.replay, rows) if seg.replay else seg.part for seg in segments]
    parts = [p for p in settled if p is not None]
    fault = join(parts, rows, partial(_submit_seq, store), partial(_submitted_ids, store))
    if fault is not None:
        hid, field, problem = fault
        return VerifyReport(False, checked, head_seq, None, problem, hid, field, len(rows))
    return VerifyReport(True, checked, head_seq, handoffs=len(rows))


def _submit_seq(store: Store, handoff_id: str) -> int:
    """The seq of the handoff's submit (its first event): orders faults."""
    return min((e.seq for e in store.events(handoff_id)), default=0)


def _submitted_ids(store: Store) -> set[str]:
    return {str(row[1]) for row in store.event_rows() if row[2] == "submitted"}


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

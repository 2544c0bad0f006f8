"""The audit trail: verify the hash chain and export it.

Each event's hash covers the previous hash and every stored column (see ``_chain``),
so an edited, deleted, inserted or reordered event breaks the chain at that event;
``verify`` names the first one that does not check out. The stored head (last seq and
hash) is compared too, which catches a truncated tail as long as the head row itself
was not rewritten; signed checkpoints outside the database close that gap.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ._chain import GENESIS, event_hash
from ._step_up import APPROVALS, REGISTERED, Registration, registration_of, verify_record
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

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain ok: {self.checked} events, head at seq {self.head_seq}"
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
    #: Passkey registrations and step-up approvals seen, as (seq, event) for ``_signed``.
    passkeys: tuple[tuple[int, str, str], ...] = ()
    step_ups: tuple[tuple[int, str | None, str, str], ...] = ()


def _check(rows: Iterable[EventRow], lo: int, prev: str | None) -> _Segment:
    """Check rows expected to start at seq ``lo``; ``prev`` is known only for the first range."""
    expected, count, first_prev = lo, 0, prev
    keys: list[tuple[int, str, str]] = []
    signed: list[tuple[int, str | None, str, str]] = []
    for seq, handoff_id, kind, actor, at, data, prev_hash, digest in rows:
        if seq != expected:
            what = "missing" if seq > expected else "out of order"
            problem = f"event {expected} is {what} (found seq {seq})"
            return _Segment(lo, count, first_prev, prev, expected, problem)
        if prev is None:
            prev = first_prev = prev_hash
        elif prev_hash != prev:
            problem = "prev_hash does not match the previous event's hash"
            return _Segment(lo, count, first_prev, prev, seq, problem)
        if event_hash(prev, seq, handoff_id, kind, actor, at, data) != digest:
            problem = "content does not match its hash (edited event)"
            return _Segment(lo, count, first_prev, prev, seq, problem)
        if kind == REGISTERED:
            keys.append((seq, actor, data))
        elif kind in APPROVALS and '"step_up"' in data:
            signed.append((seq, handoff_id, actor, data))
        prev = digest
        expected += 1
        count += 1
    return _Segment(lo, count, first_prev, prev, passkeys=tuple(keys), step_ups=tuple(signed))


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
    return VerifyReport(True, checked, head_seq)


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

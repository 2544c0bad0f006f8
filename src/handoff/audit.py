"""The audit trail: verify the hash chain and export it.

Each event's hash covers the previous hash and every stored column (see ``_chain``),
so an edited, deleted, inserted or reordered event breaks the chain at that event;
``verify`` names the first one that does not check out. The stored head (last seq and
hash) is compared too, which catches a truncated tail as long as the head row itself
was not rewritten; signed checkpoints outside the database close that gap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ._chain import GENESIS, event_hash
from .store import Store

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


def verify(store: Store) -> VerifyReport:
    """Walk the whole chain in order and report the first event that does not check out."""
    prev = GENESIS
    expected = 1
    checked = 0
    for row in store.event_rows():
        seq = row.seq
        if seq != expected:
            what = "missing" if seq > expected else "out of order"
            return VerifyReport(
                False, checked, seq, expected, f"event {expected} is {what} (found seq {seq})"
            )
        if row.prev_hash != prev:
            return VerifyReport(
                False, checked, seq, seq, "prev_hash does not match the previous event's hash"
            )
        digest = event_hash(prev, seq, row.handoff_id, row.kind, row.actor, row.at, row.data)
        if digest != row.hash:
            return VerifyReport(
                False, checked, seq, seq, "content does not match its hash (edited event)"
            )
        prev = row.hash
        expected += 1
        checked += 1
    head_seq, head_hash = store.head()
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
        out.write(
            json.dumps(
                {
                    "seq": row.seq,
                    "handoff_id": row.handoff_id,
                    "kind": row.kind,
                    "actor": row.actor,
                    "at": row.at,
                    "data": json.loads(row.data),
                    "prev_hash": row.prev_hash,
                    "hash": row.hash,
                },
                ensure_ascii=False,
                sort_keys=True,
            )
            + "\n"
        )
        n += 1
    return n

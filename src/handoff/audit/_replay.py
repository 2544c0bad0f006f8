"""Verify's replay: the chain's account of every handoff, compared with every row.

``audit.verify`` walks the chain in seq ranges, one process each, and folds each
range's events into a ``Replay`` as it goes (see ``_projection`` for what an event
means). A range's own handoffs are those submitted in it; most of them have all their
events there too, so the range compares them with the rows itself (``settle``), as
``"state action_hash decisions_hash"`` strings, whole dictionaries at a time, and
sends back only what disagrees plus its account of handoffs submitted before it.
``join`` puts those together in range order: where an earlier range found a handoff
in agreement with its row, the row *is* that range's account, and the later events
are applied on top of it (the decisions digest is a hash chain, so it extends).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat

from .._projection import Decided, digest

__all__ = ["Part", "Replay", "join", "settle"]

Fault = tuple[str, str, str]


@dataclass(slots=True)
class Replay:
    """One seq range's account: last state, last action hash and the decisions of each
    handoff seen, and the seq of each submit in the range (its own handoffs).

    A decision's hash is None when it was set before the range (``join`` fills it in).
    """

    states: dict[str, str]
    hashes: dict[str, str]
    decisions: dict[str, list[Decided]]
    submitted: dict[str, int]


@dataclass(frozen=True, slots=True)
class Part:
    """What a range sends back: its own handoffs that disagree with their rows (with
    the seq of their submit and ``(state, hash, decisions digest)``), its account of
    handoffs submitted before it, and how many of its own handoffs have a row."""

    own: dict[str, tuple[int, str | None, str, str]]
    later: dict[str, tuple[str | None, str | None, list[Decided]]]
    stored: int


def settle(r: Replay, rows: dict[str, str]) -> Part:
    """Compare a range's own handoffs with ``rows`` (``id -> "state hash digest"``)."""
    own = list(r.submitted)
    decided = {hid: digest(r.decisions[hid]) for hid in r.decisions.keys() & r.submitted.keys()}
    told = dict(
        zip(
            own,
            map(
                "{} {} {}".format,
                map(r.states.get, own),
                map(r.hashes.__getitem__, own),
                map(decided.get, own, repeat("")),
            ),
            strict=True,
        )
    )
    bad = {
        hid: (r.submitted[hid], r.states.get(hid), r.hashes[hid], decided.get(hid, ""))
        for hid, _ in told.items() - rows.items()
    }
    seen = (r.states.keys() | r.hashes.keys() | r.decisions.keys()) - r.submitted.keys()
    later = {hid: (r.states.get(hid), r.hashes.get(hid), r.decisions.get(hid, [])) for hid in seen}
    return Part(bad, later, len(told.keys() & rows.keys()))


def join(
    parts: list[Part],
    rows: dict[str, str],
    submit_seq: Callable[[str], int],
    submitted_ids: Callable[[], set[str]],
) -> Fault | None:
    """The first handoff, in submission order, whose row disagrees with the whole
    chain, as ``(handoff_id, field, problem)``; then any row never submitted in it.

    ``submit_seq`` and ``submitted_ids`` read the chain again, and are called only
    when something disagrees.
    """
    stored = sum(p.stored for p in parts)
    if stored == len(rows) and not any(p.own or p.later for p in parts):
        return None  # the usual answer, with no work per handoff
    told: dict[str, list[int | str | None]] = {}
    for part in parts:
        for hid, (seq, state, action_hash, dec) in part.own.items():
            told[hid] = [seq, state, action_hash, dec]
        for hid, (later_state, later_hash, decided) in part.later.items():
            acc = told.get(hid)
            if acc is None:
                row = rows.get(hid)
                if row is None:
                    continue  # events of a handoff neither submitted nor stored
                acc = told[hid] = [None, *row.split(" ")]  # it agreed with its row so far
            if later_state is not None:
                acc[1] = later_state
            before = str(acc[2])
            acc[3] = digest(((v, who, h or before) for v, who, h in decided), str(acc[3]))
            if later_hash is not None:
                acc[2] = later_hash
    faults = []
    for hid, acc in told.items():
        if rows.get(hid) != f"{acc[1]} {acc[2]} {acc[3]}":
            first = acc[0]
            faults.append((first if isinstance(first, int) else submit_seq(hid), hid))
    if faults:
        _, hid = min(faults)
        acc = told[hid]
        return _fault(hid, rows.get(hid), str(acc[1]), str(acc[2]), str(acc[3]))
    if stored < len(rows):
        hid = min(rows.keys() - submitted_ids())
        state = rows[hid].split(" ")[0]
        return hid, "state", f"is {state!r} in its row but the chain never saw it submitted"
    return None


def _fault(hid: str, row: str | None, state: str, action_hash: str, dec: str) -> Fault:
    if row is None:
        return hid, "row", "is missing: the chain has the handoff, the table does not"
    stored_state, stored_hash, _ = row.split(" ")
    if stored_state != state:
        return hid, "state", f"is {stored_state!r} in its row but {state!r} in the chain"
    if stored_hash != action_hash:
        return (
            hid,
            "action_hash",
            f"is {stored_hash[:16]}… in its row but {action_hash[:16]}… in the chain",
        )
    return hid, "decisions", "in its row are not the ones the chain records"

"""The verifier hashes each event inline, for speed: it must agree with ``event_hash``,
the one definition the store writes with, on any content."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handoff._chain import GENESIS, event_hash
from handoff.audit.trail import _check

_text = st.text(max_size=40)
_field = st.sampled_from(["handoff_id", "kind", "actor", "at", "data"])


def _row(
    seq: int, hid: str | None, kind: str, actor: str, at: str, data: str
) -> tuple[int, str | None, str, str, str, str, str, str]:
    return (
        seq,
        hid,
        kind,
        actor,
        at,
        data,
        GENESIS,
        event_hash(GENESIS, seq, hid, kind, actor, at, data),
    )


@given(st.none() | _text, _text, _text, _text, _text)
def test_an_event_hashed_by_the_store_checks(
    hid: str | None, kind: str, actor: str, at: str, data: str
) -> None:
    # Unregistered kinds, so only the hash decides; "x" prefix keeps them so.
    seg = _check([_row(1, hid, "x" + kind, actor, at, data)], 1, GENESIS)
    assert seg.bad_seq is None and seg.count == 1


@given(_text, _text, _text, _text, _field, st.text(min_size=1, max_size=5))
def test_any_edited_field_breaks_the_check(
    kind: str, actor: str, at: str, data: str, field: str, extra: str
) -> None:
    row = list(_row(1, "h1", "x" + kind, actor, at, data))
    index = {"handoff_id": 1, "kind": 2, "actor": 3, "at": 4, "data": 5}[field]
    row[index] = f"{row[index]}{extra}"
    seg = _check([tuple(row)], 1, GENESIS)  # type: ignore[list-item]
    assert seg.bad_seq == 1

"""Tamper evidence: any edit, deletion, insertion or reordering is caught and named."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from handoff._chain import event_hash
from handoff.audit.trail import export, verify
from handoff.store import open_store
from handoff.testing import FakeClock


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    db = tmp_path / "a.db"
    clock = FakeClock()
    s = open_store(f"sqlite:///{db}")
    for i in range(10):
        with s.write() as tx:
            tx.event("note", handoff_id=f"h{i}", actor="bot", at=clock.now(), data={"i": i})
        clock.advance(1)
    assert verify(s).ok
    s.close()
    return db


def _verify(db: Path):  # type: ignore[no-untyped-def]
    s = open_store(f"sqlite:///{db}")
    try:
        return verify(s)
    finally:
        s.close()


def _sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    for st in statements:
        conn.execute(st)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("statements", "bad_seq"),
    [
        (["UPDATE events SET data='{\"i\":99}' WHERE seq=4"], 4),
        (["UPDATE events SET actor='mallory' WHERE seq=7"], 7),
        (["UPDATE events SET kind='approved' WHERE seq=2"], 2),
        (["UPDATE events SET at='2020-01-01T00:00:00+00:00' WHERE seq=9"], 9),
        (["DELETE FROM events WHERE seq=5"], 5),
        (
            [
                "UPDATE events SET seq=100 WHERE seq=3",
                "UPDATE events SET seq=3 WHERE seq=4",
                "UPDATE events SET seq=4 WHERE seq=100",
            ],
            3,
        ),
        (["DELETE FROM events WHERE seq=10"], 10),
        (["INSERT INTO events VALUES (11, 'hx', 'note', 'bot', 'x', '{}', 'y', 'z')"], 11),
    ],
)
def test_tampering_is_detected_at_the_first_bad_event(
    chain: Path, statements: list[str], bad_seq: int
) -> None:
    _sql(chain, *statements)
    report = _verify(chain)
    assert not report.ok
    assert report.bad_seq == bad_seq, report


def test_a_recomputed_suffix_still_breaks_at_the_head(chain: Path) -> None:
    conn = sqlite3.connect(chain)
    rows = conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    prev = rows[5][7]
    seq, hid, kind, actor, at, _data, _p, _h = rows[6]
    forged = event_hash(prev, seq, hid, kind, actor, at, '{"i":600}')
    conn.execute("UPDATE events SET data='{\"i\":600}', hash=? WHERE seq=7", (forged,))
    conn.commit()
    conn.close()
    report = _verify(chain)
    assert not report.ok and report.bad_seq == 8


def test_export_writes_every_event_in_order(chain: Path) -> None:
    s = open_store(f"sqlite:///{chain}")
    buf = io.StringIO()
    assert export(s, buf) == 10
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert [x["seq"] for x in lines] == list(range(1, 11))
    assert lines[3]["data"] == {"i": 3}
    s.close()


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize(
    ("statements", "bad_seq"),
    [
        ([], None),
        (["UPDATE events SET data='{}' WHERE seq=6"], 6),
        (["DELETE FROM events WHERE seq=4"], 4),
        (["DELETE FROM events WHERE seq=7"], 7),
        (["INSERT INTO events VALUES (0, 'hx', 'note', 'bot', 'x', '{}', 'y', 'z')"], 1),
    ],
)
def test_parallel_verify_agrees_with_one_walk(
    chain: Path, workers: int, statements: list[str], bad_seq: int | None
) -> None:
    _sql(chain, *statements)
    s = open_store(f"sqlite:///{chain}")
    try:
        one, many = verify(s, workers=1), verify(s, workers=workers)
    finally:
        s.close()
    assert one.ok is many.ok is (bad_seq is None)
    assert one.bad_seq == many.bad_seq == bad_seq, (one, many)

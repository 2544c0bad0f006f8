"""tamper-100: attack copies of a real database and check that every attack is caught.

    python -m reliability.tamper [--runs 100] [--events 600] [--no-docs]

A real database is built once through the ControlPlane (actions submitted, reviewed,
executed; signed checkpoints every ``--every`` events). Then, for each attack and each
run, a fresh copy is attacked at a random place and checked with ``audit.verify`` plus
``checkpoint.verify_checkpoints``:

- flip      one character of one stored column of one event
- delete    one event
- insert    one forged event, later events shifted
- reorder   two neighbouring events swapped
- truncate  the tail cut and the head row moved back (invisible to the chain alone)
- recompute one event edited and every later hash recomputed, head moved (ditto)
- approve   one handoff row edited to ``approved`` with two approvals added to its
            document, the chain untouched (the forged approval)

Pass: every attack detected (100 %), and *located*: the reported seq is the first bad
event for the attacks the chain sees; for the two only checkpoints see, the reported
seq is the first event after the newest checkpoint that still matches, and the attack
lies in that range (events up to it are proven intact); for a forged row, verify's
replay names that handoff. Figures go into
docs/RELIABILITY.md between ``<!-- tamper:start -->`` and ``<!-- tamper:end -->``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from handoff import ControlPlane
from handoff._chain import event_hash
from handoff.audit.checkpoint import (
    generate_key,
    load_private_key,
    load_public_key,
    verify_checkpoints,
    write_checkpoint,
)
from handoff.audit.trail import verify
from handoff.store import open_store
from handoff.testing import AutoReviewer, FakeClock

ATTACKS = ("flip", "delete", "insert", "reorder", "truncate", "recompute", "approve")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "RELIABILITY.md"

_TOOLS: list[tuple[str, dict[str, object]]] = [
    ("read_report", {"path": "reports/q3.pdf"}),
    ("send_email", {"to": "customer@example.com", "subject": "Update", "body": "Hello"}),
    ("update_price", {"sku": "A-100", "price": 19.5}),
    ("grant_access", {"user": "contractor@example.com", "role": "admin"}),
    ("publish_post", {"channel": "twitter", "text": "We are the best, guaranteed."}),
]


@dataclass
class Result:
    runs: Counter[str]
    detected: Counter[str]
    located: Counter[str]
    events: int
    checkpoints: int
    seconds: float


def build(db: Path, key: Path, cps: Path, events: int, every: int) -> int:
    """A real log of at least ``events`` events, checkpointed every ``every`` events."""
    clock = FakeClock()
    plane = ControlPlane.open(f"sqlite:///{db}", clock=clock)
    for tool, _ in _TOOLS:
        plane.executors.register(tool, lambda **kw: {"ok": True})
    signer, written, last = load_private_key(key), 0, 0
    i = 0
    while plane.store.head()[0] < events:
        tool, args = _TOOLS[i % len(_TOOLS)]
        plane.submit({"tool": tool, "args": {**args, "n": i}, "agent": "agent-7", "context": {}})
        if i % 4 == 3:
            AutoReviewer(
                plane,
                lambda h, who: (
                    {"verdict": "reject", "rationale": "not now"}
                    if h.action.args.get("n", 0) % 3 == 0
                    else {"verdict": "approve", "rationale": "looks right"}
                ),
            ).run()
        clock.advance(30)
        seq = plane.store.head()[0]
        if seq - last >= every:
            write_checkpoint(plane.store, signer, cps, clock=clock)
            written, last = written + 1, seq
        i += 1
    write_checkpoint(plane.store, signer, cps, clock=clock)
    size = plane.store.head()[0]
    plane.store.close()
    return size


def _recompute(conn: sqlite3.Connection, from_seq: int, truncate_to: int | None) -> None:
    if truncate_to is not None:
        conn.execute("DELETE FROM events WHERE seq > ?", (truncate_to,))
    rows = conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    prev = rows[0][6]
    for seq, hid, kind, actor, at, data, _p, digest in rows:
        if seq >= from_seq:
            if seq == from_seq:
                data = json.dumps({"forged": True})
            digest = event_hash(prev, seq, hid, kind, actor, at, data)
            conn.execute(
                "UPDATE events SET data=?, prev_hash=?, hash=? WHERE seq=?",
                (data, prev, digest, seq),
            )
        prev = digest
    conn.execute("UPDATE audit_head SET seq=?, hash=?", (rows[-1][0], prev))


def _approve(conn: sqlite3.Connection, rnd: random.Random) -> str:
    """Forge an approval in one row that is not approved: state and document, as a
    database user would edit them; returns the handoff's id."""
    rows = conn.execute(
        "SELECT id, doc FROM handoffs WHERE state <> 'approved' ORDER BY id"
    ).fetchall()
    hid, text = rows[rnd.randrange(len(rows))]
    doc = json.loads(text)
    doc["state"] = "approved"
    doc["decisions"] = [
        *doc["decisions"],
        *(
            {
                "verdict": "approve",
                "reviewer": who,
                "rationale": "ok",
                "args": None,
                "option_id": None,
                "owner": None,
                "questions": [],
                "at": doc["updated_at"],
                "action_hash": doc["action_hash"],
            }
            for who in ("mallory", "trent")
        ),
    ]
    conn.execute(
        "UPDATE handoffs SET state = 'approved', doc = ? WHERE id = ?", (json.dumps(doc), hid)
    )
    return str(hid)


def attack(db: Path, kind: str, size: int, rnd: random.Random) -> int | str:
    """Attack ``db`` in place; returns the seq of the first event the attack changed,
    or for a forged row the handoff's id."""
    seq = rnd.randint(2, size - 1)
    conn = sqlite3.connect(db)
    try:
        if kind == "approve":
            hid = _approve(conn, rnd)
            conn.commit()
            return hid
        if kind == "flip":
            col = rnd.choice(["handoff_id", "kind", "actor", "at", "data", "prev_hash", "hash"])
            (value,) = conn.execute(f"SELECT {col} FROM events WHERE seq=?", (seq,)).fetchone()
            text = str(value or "x")
            pos = rnd.randrange(len(text))
            new = text[:pos] + ("Z" if text[pos] != "Z" else "Y") + text[pos + 1 :]
            conn.execute(f"UPDATE events SET {col}=? WHERE seq=?", (new, seq))
        elif kind == "delete":
            conn.execute("DELETE FROM events WHERE seq=?", (seq,))
        elif kind == "insert":
            conn.execute("UPDATE events SET seq = -seq WHERE seq >= ?", (seq,))
            conn.execute("UPDATE events SET seq = 1 - seq WHERE seq < 0")
            conn.execute(
                "INSERT INTO events VALUES (?, 'hx', 'approved', 'mallory', "
                "'2026-01-05T09:00:00+00:00', '{}', 'p', 'h')",
                (seq,),
            )
        elif kind == "reorder":
            conn.execute("UPDATE events SET seq=-1 WHERE seq=?", (seq,))
            conn.execute("UPDATE events SET seq=? WHERE seq=?", (seq, seq + 1))
            conn.execute("UPDATE events SET seq=? WHERE seq=-1", (seq + 1,))
        elif kind == "truncate":
            _recompute(conn, size + 1, truncate_to=seq)
            seq += 1
        elif kind == "recompute":
            _recompute(conn, seq, truncate_to=None)
        conn.commit()
    finally:
        conn.close()
    return seq


def check(db: Path, cps: Path, public: Path, first_bad: int | str) -> tuple[bool, bool]:
    """(detected, located) for one attacked copy.

    A fault in the chain locates by its seq; a forged row by the handoff verify's replay
    names. An attack on the chain that only the replay notices (a recomputed tail that
    leaves rows without events) is located by the checkpoints, like one nothing notices.
    """
    store = open_store(f"sqlite:///{db}")
    try:
        chain = verify(store, workers=1)
        if not chain.ok and chain.handoff_id is None:
            return True, chain.bad_seq == first_bad
        if isinstance(first_bad, str):
            return not chain.ok, chain.handoff_id == first_bad
        report = verify_checkpoints(store, cps, load_public_key(public))
    finally:
        store.close()
    if report.ok or report.bad_seq is None:
        return not chain.ok, False
    signed = sorted(int(p.stem.split("-")[1]) for p in cps.glob("checkpoint-*.json"))
    upper = next((s for s in signed if s >= first_bad), signed[-1])
    return True, report.bad_seq <= first_bad <= upper


def run(runs: int, events: int, every: int, seed: int = 1) -> Result:
    started = time.perf_counter()
    rnd = random.Random(seed)
    res = Result(Counter(), Counter(), Counter(), 0, 0, 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        key, cps, db = base / "audit.key", base / "cps", base / "real.db"
        generate_key(key)
        res.events = build(db, key, cps, events, every)
        res.checkpoints = len(list(cps.glob("checkpoint-*.json")))
        copy = base / "copy.db"
        for kind in ATTACKS:
            for _ in range(runs):
                shutil.copyfile(db, copy)
                first_bad = attack(copy, kind, res.events, rnd)
                detected, located = check(copy, cps, key.with_name("audit.key.pub"), first_bad)
                res.runs[kind] += 1
                res.detected[kind] += detected
                res.located[kind] += located
    res.seconds = time.perf_counter() - started
    return res


def table(res: Result, runs: int) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"tamper-100 — `python -m reliability.tamper --runs {runs}`, {when}, "
        f"{platform.machine()} / {platform.system()} / Python {platform.python_version()}; "
        f"a real log of {res.events} events with {res.checkpoints} signed checkpoints; "
        f"{res.seconds:.1f} s.",
        "",
        "| attack | runs | detected | located | missed |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in ATTACKS:
        n, d, loc = res.runs[kind], res.detected[kind], res.located[kind]
        lines.append(f"| {kind} | {n} | {d} | {loc} | {n - d} |")
    total, det = sum(res.runs.values()), sum(res.detected.values())
    lines.append(f"| **all** | {total} | {det} | {sum(res.located.values())} | {total - det} |")
    return "\n".join(lines)


def write_docs(text: str, docs: Path = DOCS) -> None:
    start, end = "<!-- tamper:start -->", "<!-- tamper:end -->"
    body = docs.read_text() if docs.exists() else "# Reliability\n"
    block = f"{start}\n{text}\n{end}"
    if start in body and end in body:
        body = body[: body.index(start)] + block + body[body.index(end) + len(end) :]
    else:
        body = body.rstrip() + "\n\n## Tamper evidence\n\n" + block + "\n"
    docs.write_text(body)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.tamper", description=__doc__)
    ap.add_argument("--runs", type=int, default=100, help="runs per attack")
    ap.add_argument("--events", type=int, default=600, help="size of the real log")
    ap.add_argument("--every", type=int, default=50, help="checkpoint every N events")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite RELIABILITY.md")
    args = ap.parse_args(argv)
    res = run(args.runs, args.events, args.every)
    text = table(res, args.runs)
    print(text)
    if not args.no_docs:
        write_docs(text)
    ok = all(res.detected[k] == res.located[k] == res.runs[k] for k in ATTACKS)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

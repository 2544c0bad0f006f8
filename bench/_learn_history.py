"""A history of N handoffs with a realistic mix of outcomes, for the Learn benchmarks.

The KPIs, the backtest and the report read decisions, executions, the SLA ladder and
incidents, so a dozen histories are made for real through ``ControlPlane`` (default
policy, a ``FakeClock``): actions run on their own, approved, rejected, revised,
approved late after a reminder and an escalation, approved by two people, rolled
back, left open, some with an incident. The N handoffs are copies of them, drawn by
weight, each with a new id, its times moved to its own place in a 13-week window,
the draft it acts on renamed (so split-action runs stay rare, as in real traffic) and
its events re-hashed into one valid chain with the real ``event_hash``: ``audit
verify`` passes. Rows, events and incidents go in with bulk inserts in large
transactions, into the real migration's schema.
"""

from __future__ import annotations

import random
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from handoff import ControlPlane
from handoff._chain import GENESIS, event_hash
from handoff.policy import default_policy
from handoff.store import open_store
from handoff.testing import FakeClock

__all__ = ["build_learn_db"]

T0 = datetime.fromisoformat("2026-01-05T09:00:00+00:00")
SPAN = timedelta(weeks=13)
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


@dataclass(frozen=True)
class _Template:
    """One real history: its row, events and incidents as stored, and its weight."""

    id: str
    weight: float
    row: dict[str, Any]
    facts: dict[str, Any]
    events: list[tuple[str, str, str, str]]  # kind, actor, at, data
    incidents: list[dict[str, Any]]


class _Confirmed:
    """Confirms every draft but ``bad``."""

    stages = ("full",)

    def apply(self, args: Any, stage: str, idempotency_key: str) -> Any:
        return {"ok": True, "draft": args.get("draft_id")}

    def confirm(self, result: Any) -> bool:
        return bool(result.get("draft") != "bad")

    def rollback(self, result: Any) -> None:
        return None


def _record(plane: ControlPlane, clock: FakeClock) -> list[tuple[str, float]]:
    """The template histories, recorded on ``plane``; (handoff id, weight) each."""
    ex = _Confirmed()
    for tool in ("reports.schedule", "cms.update_draft", "cms.publish"):
        plane.register(tool, ex)
    plane.register("payments.transfer", lambda **a: "sent")
    out: list[tuple[str, float]] = []

    def submit(action: dict[str, Any]) -> str:
        hid = plane.submit(action).handoff_id
        assert hid is not None
        return hid

    def publish(title: str) -> str:
        return submit({"tool": "cms.publish", "agent": "mk", "args": {"title": title}})

    def draft(name: str) -> str:
        return submit({"tool": "cms.update_draft", "agent": "mk", "args": {"draft_id": name}})

    start = clock.now()
    out.append((submit({"tool": "reports.schedule", "agent": "ops", "args": {"r": "w"}}), 50))
    out.append((draft("DRAFT"), 14))
    bad = draft("bad")
    out.append((bad, 2))
    hit = draft("DRAFT")
    out.append((hit, 1))
    ok, rejected, revised, late, incident = (publish(t) for t in ("a", "b", "c", "d", "e"))
    transfer = submit(
        {"tool": "payments.transfer", "agent": "fin", "args": {"amount": 50, "to": "a-1"}}
    )
    clock.advance(minutes=30)
    plane.decide(transfer, verdict="approve", reviewer="fiona", rationale="invoice")
    clock.advance(minutes=30)
    plane.decide(ok, verdict="approve", reviewer="maya", rationale="fine")
    plane.execute(ok)
    plane.decide(incident, verdict="approve", reviewer="maya", rationale="fine")
    plane.execute(incident)
    plane.decide(transfer, verdict="approve", reviewer="felix", rationale="ok")
    plane.execute(transfer)
    clock.advance(hours=1)
    plane.decide(rejected, verdict="reject", reviewer="marco", rationale="not planned")
    clock.advance(hours=1)
    plane.decide(
        revised, verdict="revise", reviewer="marco", rationale="wording", args={"title": "c2"}
    )
    plane.execute(revised)
    clock.set(start + timedelta(hours=5))
    plane.run_ladder()  # the reminder at half the SLA
    clock.set(start + timedelta(hours=9))
    plane.run_ladder()  # past the deadline: escalated
    clock.set(start + timedelta(hours=10))
    plane.decide(late, verdict="approve", reviewer="mona", rationale="late")
    plane.execute(late)
    plane.report_incident({"handoff_id": hit, "severity": "high", "description": "broke"})
    clock.advance(days=2)
    plane.report_incident({"handoff_id": incident, "description": "typo went out"})
    pending = publish("open")
    out += [(ok, 12), (rejected, 4), (revised, 3), (late, 3), (incident, 1)]
    out += [(transfer, 4), (pending, 2)]
    return out


def _templates(path: Path) -> list[_Template]:
    clock = FakeClock()
    clock.set(T0)
    plane = ControlPlane(open_store(f"sqlite:///{path}"), default_policy(), clock=clock)
    try:
        made = _record(plane, clock)
    finally:
        plane.close()
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        out = []
        for hid, weight in made:
            row = dict(conn.execute("SELECT * FROM handoffs WHERE id = ?", (hid,)).fetchone())
            facts = dict(
                conn.execute("SELECT * FROM handoff_facts WHERE id = ?", (hid,)).fetchone()
            )
            evs = conn.execute(
                "SELECT kind, actor, at, data FROM events WHERE handoff_id = ? ORDER BY seq",
                (hid,),
            ).fetchall()
            incs = [
                dict(r)
                for r in conn.execute("SELECT * FROM incidents WHERE handoff_id = ?", (hid,))
            ]
            out.append(_Template(hid, weight, row, facts, [tuple(e) for e in evs], incs))  # type: ignore[misc]
    finally:
        conn.close()
    return out


def _shifter(offset: timedelta) -> Any:
    """A ``re.sub`` callback moving each time it matches by ``offset``, in its own format."""
    cache: dict[str, str] = {}

    def shift(m: re.Match[str]) -> str:
        text = m.group(0)
        done = cache.get(text)
        if done is None:
            zulu = text.endswith("Z")
            when = datetime.fromisoformat(text[:-1] + "+00:00" if zulu else text) + offset
            sep = "T" if "T" in text else " "
            spec = "microseconds" if "." in text else "seconds"
            done = when.isoformat(sep=sep, timespec=spec)
            if zulu:
                done = done.replace("+00:00", "Z")
            elif not re.search(r"[+-]\d{2}:\d{2}$", text):
                done = done[: len(done) - 6] if when.tzinfo else done
            cache[text] = done
        return done

    return shift


def build_learn_db(path: Path, n: int, *, seed: int = 7, batch: int = 20_000) -> str:
    """A SQLite store at ``path`` with ``n`` handoffs of the realistic mix; its URL."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    scratch = path.with_name(path.name + ".templates")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    templates = _templates(scratch)
    url = f"sqlite:///{path}"
    open_store(url).close()
    columns = list(templates[0].row)
    insert_row = (
        f"INSERT INTO handoffs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    fact_cols = list(templates[0].facts)
    insert_facts = (
        f"INSERT INTO handoff_facts ({', '.join(fact_cols)})"
        f" VALUES ({', '.join('?' * len(fact_cols))})"
    )
    insert_event = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    inc_cols = ["id", "handoff_id", "severity", "description", "reporter", "at"]
    insert_inc = f"INSERT INTO incidents ({', '.join(inc_cols)}) VALUES (?, ?, ?, ?, ?, ?)"
    rng = random.Random(seed)
    picks = rng.choices(templates, weights=[t.weight for t in templates], k=n)
    step = SPAN / max(n, 1)
    conn = sqlite3.connect(path)
    prev, seq = GENESIS, 0
    rows: list[tuple[Any, ...]] = []
    facts: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    incs: list[tuple[Any, ...]] = []
    try:
        conn.execute("PRAGMA synchronous=OFF")  # a build step, not a measured path
        with Progress(
            TextColumn(f"writing {n:,} handoffs"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ) as bar:
            task = bar.add_task("write", total=n)
            for k, t in enumerate(picks):
                hid = f"h_{k:026d}"
                # Whole seconds: a time written without a fraction stays exact, so the
                # documents, the columns and the facts rows keep telling the same times.
                sub = _shifter(timedelta(seconds=round((step * k).total_seconds())))
                # About one draft target in 200 comes back within the hour.
                target = f"d-{rng.randrange(max(n // 200, 1))}"

                def moved(
                    text: str, t: _Template = t, hid: str = hid, sub: Any = sub, to: str = target
                ) -> str:
                    return _TIME.sub(sub, text.replace(t.id, hid).replace("DRAFT", to))

                row = {
                    c: moved(v) if isinstance(v, str) and c not in ("action_hash",) else v
                    for c, v in t.row.items()
                }
                rows.append(tuple(row[c] for c in columns))
                facts.append(
                    tuple(
                        moved(v) if isinstance(v, str) and c != "action_hash" else v
                        for c, v in t.facts.items()
                    )
                )
                for kind, actor, at, data in t.events:
                    seq += 1
                    at, data = moved(at), moved(data)
                    digest = event_hash(prev, seq, hid, kind, actor, at, data)
                    events.append((seq, hid, kind, actor, at, data, prev, digest))
                    prev = digest
                for i, inc in enumerate(t.incidents):
                    at = moved(str(inc["at"]))
                    incs.append(
                        (
                            f"i_{k:024d}{i}",
                            hid,
                            inc["severity"],
                            inc["description"],
                            inc["reporter"],
                            at,
                        )
                    )
                if len(events) >= batch or k == n - 1:
                    with conn:
                        conn.executemany(insert_row, rows)
                        conn.executemany(insert_facts, facts)
                        conn.executemany(insert_event, events)
                        conn.executemany(insert_inc, incs)
                    bar.advance(task, len(rows))
                    rows.clear()
                    facts.clear()
                    events.clear()
                    incs.clear()
        with conn:
            conn.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, prev))
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    return url

"""A database with a million handoffs, for the inbox and memory benchmarks.

Submitting a million actions through the plane would take most of an hour, and the
inbox reads only the ``handoffs`` table; so a few hundred handoffs are made for real
(``ControlPlane.submit`` with the default policy, across the five owner teams), and the
million rows are copies of their rows with new ids, states, creation times and
deadlines, written straight into SQLite in large transactions. Each copy's document is
the original's with the same fields changed, so a page renders them as real handoffs.
Events are not copied: the queue page reads none. So this database is for reading
the inbox only: ``audit verify`` names its copied rows as never submitted in the chain,
and none of them could be executed (the chain holds no approval). The verify benchmark
builds its own chain of real histories with their rows (``bench._history``).
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from handoff import ControlPlane
from handoff.policy import default_policy
from handoff.store import open_store

from ._actions import MIXED

__all__ = ["TOOLS", "register", "seed"]

#: The tools of the benchmark actions, each given an executor that does nothing.
TOOLS = sorted({str(a["tool"]) for a in MIXED})

_OPEN = "pending"
_CLOSED = ("executed", "rejected", "expired", "approved")
_BATCH = 20_000


def register(plane: ControlPlane) -> None:
    """``--executors bench._seed:register``: the benchmark tools, doing nothing."""
    for tool in TOOLS:
        plane.register(tool, lambda **args: {"ok": True})


def _variant(action: dict[str, Any], i: int) -> dict[str, Any]:
    args = {k: (f"{v} #{i}" if isinstance(v, str) else v) for k, v in action["args"].items()}
    return {**action, "args": args, "agent": f"{action.get('agent', 'bot')}-{i % 7}"}


def _templates(url: str, per_action: int) -> list[dict[str, Any]]:
    """Real pending handoffs made through the plane: their table rows, as dicts."""
    plane = ControlPlane(open_store(url), default_policy())
    register(plane)
    try:
        for i in range(per_action):
            for action in MIXED:
                plane.submit(_variant(action, i))
    finally:
        plane.close()
    db = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM handoffs WHERE state = ?", (_OPEN,))]
    conn.close()
    if not rows:
        raise RuntimeError("no benchmark action paused for review under the default policy")
    return rows


def _stamp(dt: datetime) -> str:
    return dt.isoformat()


def seed(path: Path, total: int, open_share: float = 0.05, seed_value: int = 1) -> dict[str, int]:
    """Fill the SQLite file ``path`` with ``total`` handoffs; returns open counts by owner."""
    if path.exists():
        path.unlink()
    url = f"sqlite:///{path}"
    templates = _templates(url, per_action=40)
    columns = list(templates[0])
    stored_format = str(templates[0]["created_at"])
    rnd = random.Random(seed_value)
    now = datetime.now(UTC)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    placeholders = ", ".join("?" for _ in columns)
    insert = f"INSERT INTO handoffs ({', '.join(columns)}) VALUES ({placeholders})"
    opened: dict[str, int] = {}
    rows: list[tuple[Any, ...]] = []
    docs = [json.loads(t["doc"]) for t in templates]
    for n in range(total - len(templates)):
        k = n % len(templates)
        row = dict(templates[k])
        doc = dict(docs[k])
        created = now - timedelta(seconds=rnd.uniform(0, 365 * 86400))
        is_open = rnd.random() < open_share
        state = _OPEN if is_open else rnd.choice(_CLOSED)
        deadline = now + timedelta(hours=rnd.uniform(-4, 48)) if is_open else None
        hid = f"h_seed{n:022d}"
        doc.update(id=hid, state=state, created_at=_stamp(created), updated_at=_stamp(created))
        doc["deadline"] = _stamp(deadline) if deadline else None
        row.update(
            id=hid,
            idempotency_key=None,
            state=state,
            created_at=_db_time(created, stored_format),
            updated_at=_db_time(created, stored_format),
            deadline=_db_time(deadline, stored_format) if deadline else None,
            doc=json.dumps(doc, separators=(",", ":")),
        )
        if is_open:
            opened[str(row["owner"])] = opened.get(str(row["owner"]), 0) + 1
        rows.append(tuple(row[c] for c in columns))
        if len(rows) >= _BATCH:
            with conn:
                conn.executemany(insert, rows)
            rows.clear()
    if rows:
        with conn:
            conn.executemany(insert, rows)
    conn.execute("ANALYZE")
    conn.close()
    for t in templates:
        opened[str(t["owner"])] = opened.get(str(t["owner"]), 0) + 1
    return opened


def _db_time(dt: datetime, like: str) -> str:
    """``dt`` in the text form the store writes (as in ``like``, read back from it)."""
    text = dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if "T" in like:
        text = text.replace(" ", "T")
    if like.endswith("+00:00"):
        text += "+00:00"
    return text

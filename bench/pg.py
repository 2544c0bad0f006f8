"""PostgreSQL beside SQLite: ``python -m bench.pg [--quick] [--out FILE]``.

(i) The pause -> decide -> execute round trip (``bench.paths.bench_roundtrip``'s work:
    a submit that pauses, the quorum's approvals, the execution) on PostgreSQL and on a
    SQLite file, in alternating repetitions of the same count in one process, so both
    see the same machine load. The figure is the ratio of PostgreSQL's rate to
    SQLite's, per pair of neighbouring repetitions (short ones, so a change in the
    machine's load falls on both sides of a pair); the goal is at least 0.6.
(j) Network exchanges with PostgreSQL per operation, counted by a relay between the
    store and the server (``bench._wire``), in a separate, untimed pass; the goal is
    at most 15 per round trip.

PostgreSQL is ``HANDOFF_BENCH_PG`` (default: the local server's ``test`` database);
the run uses a fresh schema and drops it after. A full run rewrites the section of
docs/PERFORMANCE.md between ``<!-- bench-pg:start -->`` and ``<!-- bench-pg:end -->``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from handoff import ControlPlane
from handoff.policy import default_policy

from ._actions import REVIEW, review_action
from ._doc import replace_section
from ._machine import machine
from ._wire import Relay
from .paths import reviewers_for

__all__ = ["main"]

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("HANDOFF_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
START, END = "<!-- bench-pg:start -->", "<!-- bench-pg:end -->"


@contextmanager
def _schema() -> Iterator[str]:
    """A URL on a new, empty schema of the PostgreSQL database, dropped afterwards."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in PG else "?"
    try:
        yield f"{PG}{sep}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def _plane(url: str) -> ControlPlane:
    from handoff.store import open_store

    plane = ControlPlane(open_store(url), default_policy())
    plane.register("cms.publish", lambda **args: {"published": args["post_id"]})
    return plane


class _RoundTrips:
    """Numbered round trips on one plane; each call runs ``k`` of them."""

    def __init__(self, plane: ControlPlane) -> None:
        self.plane = plane
        self.reviewers = reviewers_for(REVIEW, plane.policy)
        self.n = 0

    def submit(self) -> str:
        self.n += 1
        out = self.plane.submit(review_action(self.n))
        if not out.pending:
            raise RuntimeError(f"expected a pending handoff, got {out.status}")
        return out.handoff_id

    def decide(self, hid: str) -> None:
        for who in self.reviewers:
            self.plane.decide(hid, verdict="approve", reviewer=who, rationale="ok")

    def execute(self, hid: str) -> None:
        done = self.plane.execute(hid)
        if done.status != "executed":
            raise RuntimeError(f"round trip ended {done.status}")

    def __call__(self, k: int) -> None:
        for _ in range(k):
            hid = self.submit()
            self.decide(hid)
            self.execute(hid)


def _rate(batch: Callable[[int], None], count: int) -> float:
    gc.collect()
    t0 = time.perf_counter()
    batch(count)
    return count / (time.perf_counter() - t0)


def interleaved(data_dir: Path, count: int, reps: int) -> dict[str, list[float]]:
    """Round trips per second on SQLite and PostgreSQL, alternating repetitions."""
    lite = _plane(f"sqlite:///{data_dir / 'pg-vs-sqlite.db'}")
    with _schema() as url:
        pg = _plane(url)
        try:
            runs: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
            a, b = _RoundTrips(lite), _RoundTrips(pg)
            a(max(10, count // 10))
            b(max(10, count // 10))
            for i in range(reps):
                order = [("sqlite", a), ("postgresql", b)]
                for name, batch in order if i % 2 == 0 else order[::-1]:
                    runs[name].append(_rate(batch, count))
            return runs
        finally:
            pg.close()
            lite.close()


def exchanges(count: int) -> dict[str, list[int]]:
    """Network exchanges per submit, decide (the whole quorum), execute and round trip."""
    target = urlsplit(PG)
    with _schema() as url, Relay(target.hostname or "127.0.0.1", target.port or 5432) as relay:
        netloc = f"{target.username}@127.0.0.1:{relay.port}" if target.username else None
        plane = _plane(url.replace(target.netloc, netloc or f"127.0.0.1:{relay.port}", 1))
        try:
            trips = _RoundTrips(plane)
            trips(3)  # connects, fills the statement caches
            got: dict[str, list[int]] = {
                "submit": [],
                "decide": [],
                "execute": [],
                "round trip": [],
            }
            for _ in range(count):
                marks = [relay.exchanges]
                hid = trips.submit()
                marks.append(relay.exchanges)
                trips.decide(hid)
                marks.append(relay.exchanges)
                trips.execute(hid)
                marks.append(relay.exchanges)
                for name, lo, hi in zip(
                    ("submit", "decide", "execute"), marks[:-1], marks[1:], strict=True
                ):
                    got[name].append(hi - lo)
                got["round trip"].append(marks[-1] - marks[0])
            return got
        finally:
            plane.close()


def _pg_version() -> str:
    import psycopg

    with psycopg.connect(PG) as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]


def render(
    runs: dict[str, list[float]], ex: dict[str, list[int]], count: int, m: dict[str, str]
) -> str:
    ratios = [p / s for p, s in zip(runs["postgresql"], runs["sqlite"], strict=True)]
    mid = statistics.median(ratios)
    spread = (max(ratios) - min(ratios)) / mid
    day = datetime.now(UTC).strftime("%Y-%m-%d")

    def med(xs: list[float]) -> str:
        return f"{statistics.median(xs):,.0f}/s"

    lines = [
        START,
        "",
        f"Measured {day} by `python -m bench.pg`: {len(ratios)} alternating repetitions of"
        f" {count} round trips each (pause, {len(reviewers_for(REVIEW, default_policy()))}"
        " approvals, execute), SQLite file and PostgreSQL over TCP on this machine.",
        "",
        "| figure | value | goal |",
        "|---|---|---|",
        f"| (i) PostgreSQL / SQLite round-trip rate, median of the repetitions' ratios"
        f" | **{mid:.2f}x** (spread {spread:.0%}; each: {', '.join(f'{r:.2f}' for r in ratios)})"
        " | >= 0.6x |",
        f"| SQLite round trips, median | {med(runs['sqlite'])} | |",
        f"| PostgreSQL round trips, median | {med(runs['postgresql'])} | |",
    ]
    for name, xs in ex.items():
        goal = "<= 15" if name == "round trip" else ""
        lines.append(
            f"| (j) network exchanges per {name} (min / median / max of {len(xs)})"
            f" | {min(xs)} / {statistics.median(xs):g} / {max(xs)} | {goal} |"
        )
    lines += ["", "| machine | |", "|---|---|", *(f"| {k} | {v} |" for k, v in m.items()), "", END]
    return "\n".join(lines)


def write_section(doc: Path, section: str) -> None:
    """Replace this benchmark's section of ``doc`` (or append one), keeping the rest."""
    replace_section(doc, section, START, END, heading="PostgreSQL beside SQLite")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.pg", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    ap.add_argument("--out", type=Path, help="the document to rewrite the section of")
    args = ap.parse_args(argv)
    count, reps, probes = (15, 4, 5) if args.quick else (40, 21, 50)
    out = args.out or (None if args.quick else ROOT / "docs" / "PERFORMANCE.md")
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix=".data-", dir=here) as tmp:
        runs = interleaved(Path(tmp), count, reps)
        m = machine(Path(tmp))
    ex = exchanges(probes)
    m["PostgreSQL"] = f"{_pg_version()} on 127.0.0.1 (TCP)"
    section = render(runs, ex, count, m)
    print(section)
    if out is not None:
        write_section(out, section)
        print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

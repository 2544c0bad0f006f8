"""PostgreSQL beside SQLite: ``python -m bench.pg [--quick] [--reps N] [--out FILE]``.

(i) The pause -> decide -> execute round trip of ``bench.paths.bench_roundtrip`` (a
    submit that pauses, the quorum's approvals, the last of them through
    ``decide_and_execute``, which claims the execution in the approval's transaction and
    runs it) on PostgreSQL and on a SQLite file, in alternating repetitions of the same
    count in one process, so both see the same machine load. The figure is the ratio of
    PostgreSQL's rate to SQLite's, per pair of neighbouring repetitions (short ones, so a
    change in the machine's load falls on both sides of a pair); the goal is at least 0.6.
(j) Network exchanges with PostgreSQL per operation, counted by a relay between the
    store and the server (``bench._wire``), in a separate, untimed pass; the goal is
    at most 15 per round trip. The same count is given for the older round trip of
    ``decide`` then ``execute``, for comparison.

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

    def decide(self, hid: str, reviewers: list[str]) -> None:
        for who in reviewers:
            self.plane.decide(hid, verdict="approve", reviewer=who, rationale="ok")

    def decide_and_execute(self, hid: str) -> None:
        """The approval that completes the quorum, and the run it claims."""
        done = self.plane.decide_and_execute(
            hid, verdict="approve", reviewer=self.reviewers[-1], rationale="ok"
        )
        if done.status != "executed":
            raise RuntimeError(f"round trip ended {done.status}")

    def execute(self, hid: str) -> None:
        done = self.plane.execute(hid)
        if done.status != "executed":
            raise RuntimeError(f"round trip ended {done.status}")

    def __call__(self, k: int) -> None:
        for _ in range(k):
            hid = self.submit()
            self.decide(hid, self.reviewers[:-1])
            self.decide_and_execute(hid)


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
    """Network exchanges per submit, per ``decide_and_execute`` (the approval that
    completes the quorum, the claim and the run) and per round trip; and per round trip
    of ``decide`` (the whole quorum) then ``execute``, for comparison."""
    target = urlsplit(PG)
    with _schema() as url, Relay(target.hostname or "127.0.0.1", target.port or 5432) as relay:
        netloc = f"{target.username}@127.0.0.1:{relay.port}" if target.username else None
        plane = _plane(url.replace(target.netloc, netloc or f"127.0.0.1:{relay.port}", 1))
        try:
            trips = _RoundTrips(plane)
            trips(3)  # connects, fills the statement caches
            got: dict[str, list[int]] = {
                "submit": [],
                "decide_and_execute": [],
                "round trip": [],
                "round trip of decide then execute": [],
            }
            for _ in range(count):
                start = relay.exchanges
                hid = trips.submit()
                submitted = relay.exchanges
                trips.decide(hid, trips.reviewers[:-1])
                decided = relay.exchanges
                trips.decide_and_execute(hid)
                end = relay.exchanges
                got["submit"].append(submitted - start)
                got["decide_and_execute"].append(end - decided)
                got["round trip"].append(end - start)
                start = relay.exchanges
                hid = trips.submit()
                trips.decide(hid, trips.reviewers)
                trips.execute(hid)
                got["round trip of decide then execute"].append(relay.exchanges - start)
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
    q1, _, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (mid, mid, mid)
    quorum = len(reviewers_for(REVIEW, default_policy()))
    day = datetime.now(UTC).strftime("%Y-%m-%d")

    def med(xs: list[float]) -> str:
        return f"{statistics.median(xs):,.0f}/s"

    lines = [
        START,
        "",
        f"Measured {day} by `python -m bench.pg`: {len(ratios)} alternating repetitions of"
        f" {count} round trips each (pause, {quorum} approval{'s' if quorum > 1 else ''},"
        " the last through `decide_and_execute`), SQLite file and PostgreSQL over TCP on"
        " this machine.",
        "",
        "| figure | value | goal |",
        "|---|---|---|",
        f"| (i) PostgreSQL / SQLite round-trip rate, median of the repetitions' ratios"
        f" | **{mid:.2f}x** (middle half {q1:.2f} to {q3:.2f}; spread {spread:.0%};"
        f" each: {', '.join(f'{r:.2f}' for r in ratios)})"
        " | >= 0.6x |",
        f"| SQLite round trips, median | {med(runs['sqlite'])} | |",
        f"| PostgreSQL round trips, median | {med(runs['postgresql'])} | |",
    ]
    for name, xs in ex.items():
        goal = "<= 15" if name == "round trip" else ""
        what = f"`{name}`" if name == "decide_and_execute" else name
        lines.append(
            f"| (j) network exchanges per {what} (min / median / max of {len(xs)})"
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
    ap.add_argument("--reps", type=int, help="alternating repetitions (default 31)")
    ap.add_argument("--out", type=Path, help="the document to rewrite the section of")
    args = ap.parse_args(argv)
    count, reps, probes = (15, 4, 5) if args.quick else (40, 31, 50)
    reps = args.reps or reps
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

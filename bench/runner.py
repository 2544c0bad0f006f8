"""One run of every benchmark, in a fixed order, with counts for a full or quick run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ._machine import machine
from ._timing import Measure, interleaved
from .anchor import available, langgraph_batch, saver_settings
from .paths import (
    bench_assess,
    bench_auto,
    bench_auto_threads,
    bench_commit,
    bench_roundtrip,
    bench_verify,
    roundtrip_batch,
)
from .report import Results

__all__ = ["FULL", "QUICK", "Counts", "run"]


@dataclass(frozen=True)
class Counts:
    reps: int
    roundtrips: int
    roundtrip_warmup: int
    auto: int
    auto_warmup: int
    assess: int
    assess_warmup: int
    verify_events: int
    verify_reps: int


FULL = Counts(
    reps=5,
    roundtrips=1_000,
    roundtrip_warmup=100,
    auto=3_000,
    auto_warmup=300,
    assess=100_000,
    assess_warmup=10_000,
    verify_events=1_000_000,
    verify_reps=5,
)
QUICK = Counts(
    reps=2,
    roundtrips=20,
    roundtrip_warmup=5,
    auto=50,
    auto_warmup=10,
    assess=500,
    assess_warmup=50,
    verify_events=2_000,
    verify_reps=2,
)


def _say(msg: str) -> None:
    print(msg, flush=True)


def run(data_dir: Path, counts: Counts, *, anchor: bool = True, quick: bool = False) -> Results:
    """Run (a) to (d) with ``counts``, databases under ``data_dir``."""
    began = time.perf_counter()
    c = counts
    lg = settings = version = None
    ratios: tuple[float, ...] = ()
    if anchor and available():
        _say(f"(a) handoff and LangGraph round trips, interleaved: {c.reps} x {c.roundtrips:,}")
        roundtrip, lg, ratios, settings, version = _roundtrips(data_dir, c)
        _say(f"    {roundtrip.median:,.0f} /s and {lg.median:,.0f} /s")
        _say(f"    handoff ÷ LangGraph per pair: {', '.join(f'{r:.2f}' for r in ratios)}")
    else:
        _say(f"(a) handoff round trips: {c.reps} x {c.roundtrips:,}")
        roundtrip = bench_roundtrip(data_dir, c.roundtrips, c.reps, c.roundtrip_warmup)
        _say(f"    {roundtrip.median:,.0f} /s")
        _say("(a) LangGraph anchor skipped (langgraph not importable or --no-anchor)")
    _say(f"(b) auto path: {c.reps} x {c.auto:,}")
    auto = bench_auto(data_dir, c.auto, c.reps, c.auto_warmup)
    _say(f"    {auto.median:,.0f} /s")
    _say(f"(b8) auto path, 8 threads: {c.reps} x {c.auto:,}")
    auto8 = bench_auto_threads(data_dir, c.auto, c.reps, c.auto_warmup)
    _say(f"    {auto8.median:,.0f} /s  ({auto8.median / auto.median:.2f}x one caller)")
    _say(f"(e) durable commits: {c.reps} x {c.auto:,}")
    commit = bench_commit(data_dir, c.auto, c.reps, c.auto_warmup)
    _say(f"    {commit.median:,.0f} /s")
    _say(f"(c) assess only: {c.reps} x {c.assess:,}")
    assess = bench_assess(c.assess, c.reps, c.assess_warmup)
    _say(f"    {assess.median:,.0f} /s")
    _say(f"(d) audit verify: build {c.verify_events:,} events, then {c.verify_reps} runs")
    verify = bench_verify(data_dir, c.verify_events, c.verify_reps)
    _say(f"    {verify.median:.2f} s")
    return Results(
        machine=machine(data_dir),
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        roundtrip=roundtrip,
        auto=auto,
        auto_threads=auto8,
        assess=assess,
        verify=verify,
        verify_events=c.verify_events,
        commit=commit,
        anchor=lg,
        anchor_ratios=ratios,
        anchor_settings=settings or "",
        anchor_version=version or "",
        seconds=time.perf_counter() - began,
        quick=quick,
    )


def _roundtrips(data_dir: Path, c: Counts) -> tuple[Measure, Measure, tuple[float, ...], str, str]:
    """handoff's and LangGraph's round trips, their repetitions taken in turn."""
    from importlib.metadata import version

    ours, close = roundtrip_batch(data_dir)
    theirs, conn = langgraph_batch(data_dir)
    try:
        mine, lg, ratios = interleaved(ours, theirs, c.roundtrips, c.reps, c.roundtrip_warmup)
        return mine, lg, ratios, saver_settings(conn), version("langgraph")
    finally:
        close()
        conn.close()

"""One run of every benchmark, in a fixed order, with counts for a full or quick run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ._machine import machine
from ._timing import interleaved, ratio_text
from .anchor import available, langgraph_batch
from .paths import (
    auto_batch,
    bench_assess,
    bench_commit,
    bench_roundtrip,
    bench_verify,
    roundtrip_batch,
)
from .report import Results

__all__ = ["FULL", "QUICK", "THREADS", "Counts", "run"]

#: Callers in one process for (b8), the auto path with concurrent callers.
THREADS = 8


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
    if anchor and available():
        _say(f"(a) handoff and LangGraph round trips, in turn: {c.reps} x {c.roundtrips:,} each")
        with (
            roundtrip_batch(data_dir) as ours,
            langgraph_batch(data_dir) as (theirs, saver, version),
        ):
            roundtrip, lg = interleaved([ours, theirs], c.roundtrips, c.reps, c.roundtrip_warmup)
            settings = saver()
        _say(f"    {roundtrip.median:,.0f} /s against {lg.median:,.0f} /s")
        _say(f"    handoff is {ratio_text(roundtrip, lg)} LangGraph, run by run")
    else:
        _say(f"(a) handoff round trips: {c.reps} x {c.roundtrips:,}")
        roundtrip = bench_roundtrip(data_dir, c.roundtrips, c.reps, c.roundtrip_warmup)
        _say(f"    {roundtrip.median:,.0f} /s")
        _say("(a) LangGraph anchor skipped (langgraph not importable or --no-anchor)")
    _say(f"(b) auto path, one caller and {THREADS} callers in turn: {c.reps} x {c.auto:,} each")
    with auto_batch(data_dir) as one, auto_batch(data_dir, THREADS) as many:
        auto, auto_threads = interleaved([one, many], c.auto, c.reps, c.auto_warmup)
    _say(f"    {auto.median:,.0f} /s and {auto_threads.median:,.0f} /s")
    _say(f"    {THREADS} callers are {ratio_text(auto_threads, auto)} one caller, run by run")
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
        auto_threads=auto_threads,
        assess=assess,
        verify=verify,
        verify_events=c.verify_events,
        commit=commit,
        anchor=lg,
        anchor_settings=settings or "",
        anchor_version=version or "",
        seconds=time.perf_counter() - began,
        quick=quick,
    )

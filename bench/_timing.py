"""Timing: warm up, then several repetitions of a fixed count; the median wins."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

__all__ = ["Measure", "rate", "seconds"]


@dataclass(frozen=True, slots=True)
class Measure:
    """One measured figure: the median of ``runs`` and every run, in ``unit``."""

    median: float
    runs: tuple[float, ...]
    unit: str
    count: int

    @property
    def spread(self) -> float:
        """(max - min) / median, as a fraction: how much the runs disagree."""
        return (max(self.runs) - min(self.runs)) / self.median if self.median else 0.0


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rate(batch: Callable[[int], object], count: int, reps: int, warmup: int) -> Measure:
    """Operations per second of ``batch(n)``, which must do ``n`` operations."""
    if warmup:
        batch(warmup)
    runs = tuple(count / _timed(lambda: batch(count)) for _ in range(reps))
    return Measure(statistics.median(runs), runs, "/s", count)


def interleaved(
    batches: Sequence[Callable[[int], object]], count: int, reps: int, warmup: int
) -> tuple[Measure, ...]:
    """Rates of several ``batch(n)`` measured in turn, one repetition of each before the
    next of any, so a change in the machine's load falls on all of them alike and the
    ratio of two can be taken run by run."""
    if warmup:
        for batch in batches:
            batch(warmup)
    runs: list[list[float]] = [[] for _ in batches]
    for _ in range(reps):
        for i, batch in enumerate(batches):
            runs[i].append(count / _timed(partial(batch, count)))
    return tuple(Measure(statistics.median(r), tuple(r), "/s", count) for r in runs)


def pair_ratios(ours: Measure, theirs: Measure) -> list[float]:
    """``ours / theirs`` for each repetition, where the two were measured in turn."""
    return [a / b for a, b in zip(ours.runs, theirs.runs, strict=True) if b]


def ratio_text(ours: Measure, theirs: Measure) -> str:
    """The median ratio of the pairs and their range, e.g. ``3.10x (2.80-3.40)``."""
    pairs = pair_ratios(ours, theirs)
    if not pairs:
        return "n/a"
    return f"{statistics.median(pairs):.2f}x ({min(pairs):.2f}-{max(pairs):.2f})"


def seconds(fn: Callable[[], object], reps: int, warmup: int = 1) -> Measure:
    """Wall seconds of one ``fn()``."""
    for _ in range(warmup):
        fn()
    runs = tuple(_timed(fn) for _ in range(reps))
    return Measure(statistics.median(runs), runs, "s", 1)

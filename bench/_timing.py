"""Timing: warm up, then several repetitions of a fixed count; the median wins."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

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


def seconds(fn: Callable[[], object], reps: int, warmup: int = 1) -> Measure:
    """Wall seconds of one ``fn()``."""
    for _ in range(warmup):
        fn()
    runs = tuple(_timed(fn) for _ in range(reps))
    return Measure(statistics.median(runs), runs, "s", 1)

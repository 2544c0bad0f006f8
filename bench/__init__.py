"""handoff's benchmarks: ``python -m bench`` (or ``make bench``); see docs/PERFORMANCE.md.

The ``bench_*`` functions each return a ``Measure`` (median of several repetitions) and
are importable on their own, so a smoke test can run them with tiny counts.
"""

from ._timing import Measure
from .anchor import available as langgraph_available
from .anchor import bench_langgraph
from .paths import (
    bench_assess,
    bench_auto,
    bench_commit,
    bench_roundtrip,
    bench_verify,
    build_audit_db,
)
from .runner import FULL, QUICK, Counts, run

__all__ = [
    "FULL",
    "QUICK",
    "Counts",
    "Measure",
    "bench_assess",
    "bench_auto",
    "bench_commit",
    "bench_langgraph",
    "bench_roundtrip",
    "bench_verify",
    "build_audit_db",
    "langgraph_available",
    "run",
]

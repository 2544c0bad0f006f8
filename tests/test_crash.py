"""Crash points, short: 3 real process kills per boundary, then recovery and the counts.

The full run (100 per boundary) is ``make reliability``; see docs/RELIABILITY.md.
"""

from __future__ import annotations

import os

from reliability.crash_points import BOUNDARIES, render, run

RUNS = int(os.environ.get("HANDOFF_CRASH_RUNS", "3"))


def test_every_boundary_crashes_and_recovers_to_exactly_one_effect() -> None:
    report = run(RUNS)
    shown = render(report)
    assert not report.unexpected, shown
    for b in BOUNDARIES:
        assert report.crashed[b] == RUNS, shown
        assert report.approved[b] == report.exactly_once[b] == RUNS, shown
        assert report.closed[b] == 2 * RUNS and report.closed_with_effect[b] == 0, shown
    assert not sum(report.duplicates.values()) and not sum(report.missing.values()), shown
    assert report.audit_ok and report.ok, shown

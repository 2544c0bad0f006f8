"""The learned-scorer benchmark runs from a fresh clone (timing is its business, not
this test's: it checks only that the benchmark works and reports against its goal)."""

from __future__ import annotations

import pytest

from bench.learned import main


def test_the_learned_benchmark_runs_quickly_and_names_its_goal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "200 case actions" in out and "goal < 1000 us" in out

"""The benchmarks run and return positive figures (tiny counts; nothing about speed)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench
from bench.report import END, START, Results, render, write_section

from .conftest import drop_schema


def test_handoff_paths_run(tmp_path: Path) -> None:
    assert bench.bench_roundtrip(tmp_path, 3, 2, 1).median > 0
    assert bench.bench_auto(tmp_path, 5, 2, 1).median > 0
    assert bench.bench_assess(20, 2, 5).median > 0
    assert bench.bench_verify(tmp_path, 50, 2).median > 0
    assert bench.bench_commit(tmp_path, 20, 2, 1).median > 0


def test_langgraph_anchor_runs(tmp_path: Path) -> None:
    if not bench.langgraph_available():
        pytest.skip("langgraph is not installed (make bench installs it)")
    measure, settings, version = bench.bench_langgraph(tmp_path, 3, 2, 1)
    assert measure.median > 0 and "journal_mode" in settings and version


def test_quick_run_rewrites_only_the_marked_section(tmp_path: Path) -> None:
    results = bench.run(tmp_path, bench.QUICK, anchor=False, quick=True)
    assert isinstance(results, Results) and results.verify.median > 0
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(f"# Perf\n\nintro\n\n{START}\nSTALE FIGURES\n{END}\n\n## Eval\n\nkept\n")
    write_section(doc, render(results))
    text = doc.read_text()
    assert "STALE FIGURES" not in text and "intro" in text and text.endswith("## Eval\n\nkept\n")
    assert text.count(START) == 1 and text.count(END) == 1
    assert "(e) one durable SQLite commit" in text and "caps (b) at" in text


def test_server_benchmarks_run_and_rewrite_their_section(tmp_path: Path) -> None:
    from bench import server

    # CPU is read from /proc in clock ticks (10 ms): enough submits that a bare endpoint at
    # half a millisecond each spends several ticks, or its CPU reads as zero.
    res = server.run(tmp_path, handoffs=600, submits=150, reps=1, pages=5, conc=4, quick=True)
    assert res.handoff_rates[0] > 0 and res.bare_rates[0] > 0
    assert res.handoff_cpu_ms[0] > 0 and res.bare_cpu_ms[0] > 0
    assert len(res.page_ms) == 5 and sum(res.open_by_owner.values()) > 0
    assert {"bare", "started", "handoff"} <= set(res.memory)
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(f"# Perf\n\n{server.START}\nSTALE\n{server.END}\n\n## Eval\n\nkept\n")
    server.write_section(doc, server.render(res))
    text = doc.read_text()
    assert "STALE" not in text and text.endswith("## Eval\n\nkept\n")
    assert "(f) handoff ÷ bare" in text and "(g) inbox first page, 600 handoffs" in text
    assert "(f) server CPU per submit" in text


def test_postgres_benchmark_runs_and_rewrites_its_section(tmp_path: Path) -> None:
    from bench import pg

    from .conftest import pg_url_for_fresh_schema

    drop_schema(pg_url_for_fresh_schema())  # skips when PostgreSQL is unreachable
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(f"# Perf\n\n{pg.START}\nSTALE\n{pg.END}\n\n## Eval\n\nkept\n")
    assert pg.main(["--quick", "--out", str(doc)]) == 0
    text = doc.read_text()
    assert "STALE" not in text and text.endswith("## Eval\n\nkept\n")
    assert "PostgreSQL / SQLite round-trip rate" in text
    assert "network exchanges per round trip" in text


def test_interleaved_runs_take_one_repetition_of_each_in_turn() -> None:
    from bench._timing import interleaved, pair_ratios

    calls: list[tuple[str, int]] = []
    ours, theirs = interleaved(
        [lambda n: calls.append(("ours", n)), lambda n: calls.append(("theirs", n))], 5, 3, 2
    )
    assert calls == [("ours", 2), ("theirs", 2)] + [("ours", 5), ("theirs", 5)] * 3
    assert len(ours.runs) == len(theirs.runs) == 3
    assert pair_ratios(ours, theirs) == [a / b for a, b in zip(ours.runs, theirs.runs, strict=True)]


def test_a_run_with_the_anchor_reports_the_ratio_of_the_pairs(tmp_path: Path) -> None:
    if not bench.langgraph_available():
        pytest.skip("langgraph is not installed (make bench installs it)")
    results = bench.run(tmp_path, bench.QUICK, anchor=True, quick=True)
    assert results.anchor is not None
    assert len(results.anchor.runs) == len(results.roundtrip.runs)
    text = render(results)
    assert "(a) handoff ÷ LangGraph, median of the runs taken in turn (range " in text

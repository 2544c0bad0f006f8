"""The gateway overhead bench runs end to end (tiny counts; its figures are not checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("mcp")


def test_the_gateway_bench_gates_every_call_and_reports_each_round(tmp_path: Path) -> None:
    from bench.mcp_gateway import bench_mcp_gateway

    # the bench itself raises if a gated git_status did not run at once
    o = bench_mcp_gateway(tmp_path, rounds=2, calls=3)
    assert len(o.direct) == len(o.gated) == len(o.ratios) == 2
    assert all(r > 0 for r in o.ratios)

"""Calls aimed at the edges of the readers added for agents and tools the rules had not
seen (a GraphQL document, a maintenance window, a key rotated, one cluster object
deleted, a filter's operator, candidates listed as text, a decision with a protected
trait, a dose, the whole for the part): each invented run in
``tests/data/reader_edges.jsonl`` says whether a person must decide (``human``) or the
call may run on its own (``auto``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests._assess import assess_call

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "reader_edges.jsonl").read_text().splitlines()
    if line.strip()
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_each_edge_is_decided_as_written(case: dict[str, Any]) -> None:
    a = assess_call(case["tool"], case["args"], case["said"], case["steps"])
    got = "auto" if a.mode.value == "auto" else "human"
    assert got == case["expect"], [(t.code, t.message) for t in a.triggers]


def test_the_edges_hold_both_kinds() -> None:
    kinds = {c["expect"] for c in CASES}
    assert kinds == {"auto", "human"}
    assert len(CASES) >= 80

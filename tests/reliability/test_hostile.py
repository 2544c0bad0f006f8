"""The short form of the hostile-input suite: the whole corpus plus 60 fuzzed bodies
against a real server, once per database, one test per hostile request.

Requests the server still mishandles are listed in ``KNOWN`` with where the fault is;
they are strict xfails, so a fix turns them red until the entry is removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from reliability import fuzz, hostile
from tests.conftest import _PG_PROBLEM

#: Requests the server is known to mishandle, with where: a strict xfail each, so a fix
#: turns the entry red until it is removed. Empty: every case passes.
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def result(request: pytest.FixtureRequest) -> Iterator[hostile.Result]:
    if request.param == "postgres" and _PG_PROBLEM:
        if os.environ.get("CI"):
            pytest.fail(_PG_PROBLEM)
        pytest.skip(_PG_PROBLEM)
    yield hostile.run(request.param, 60, fuzz.fuzz_requests)


_NAMES = [c.name for c in hostile.corpus()]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN[n])) if n in KNOWN else n
        for n in [*_NAMES, "whole run"]
    ],
)
def test_hostile_request(result: hostile.Result, name: str) -> None:
    found = [v for v in result.verdicts if v.case == name]
    if name == "whole run":
        assert result.store_after == result.store_before, found
        return
    assert len(found) == 1
    assert found[0].problems == []


def test_fuzzed_requests_are_refused_naming_the_field(result: hostile.Result) -> None:
    fuzzed = [v for v in result.verdicts if v.case.startswith("fuzz ")]
    assert len(fuzzed) == result.fuzzed == 60
    assert [v for v in fuzzed if v.problems] == []


def test_policies_with_a_negative_sla_are_refused(result: hostile.Result) -> None:
    policy = [v for v in result.verdicts if "SLA" in v.case]
    assert len(policy) == 4
    assert [v for v in policy if v.problems] == []


def test_the_judge_is_not_blind() -> None:
    """A 500, a 2xx, an unnamed field and a moved head are each reported."""
    import httpx

    case = hostile.Case("x", b"{}", "tool")

    def reply(status: int, body: object) -> httpx.Response:
        return httpx.Response(status, json=body)

    ok = {"error": {"code": "invalid_input", "field": "tool", "message": "m"}}
    assert hostile.judge(case, reply(422, ok), 1, 1).problems == []
    assert hostile.judge(case, reply(500, ok), 1, 1).problems
    assert hostile.judge(case, reply(202, {"status": "pending"}), 1, 1).problems
    unnamed = {"error": {"code": "invalid_input", "field": None, "message": "m"}}
    assert hostile.judge(case, reply(422, unnamed), 1, 1).problems
    other = {"error": {"code": "invalid_input", "field": "args", "message": "m"}}
    assert hostile.judge(case, reply(422, other), 1, 1).problems
    assert hostile.judge(case, reply(422, ok), 1, 2).problems

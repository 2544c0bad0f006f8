"""The short versions of the server-facing reliability suites.

Each test runs its suite at a small size against a real ``handoff serve`` process, once
on SQLite and once on PostgreSQL (skipped, or failed on CI, when PostgreSQL is away).
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import _PG_PROBLEM


@pytest.fixture(params=["sqlite", "postgres"])
def db_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and _PG_PROBLEM:
        if os.environ.get("CI"):
            pytest.fail(_PG_PROBLEM)
        pytest.skip(_PG_PROBLEM)
    return str(request.param)

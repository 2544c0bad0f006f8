"""Shared fixtures. PostgreSQL tests use HANDOFF_TEST_PG (default: the local server).

On CI (``CI`` set) an unreachable PostgreSQL fails the run; elsewhere those tests skip
with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from handoff.store import SqlStore, open_store
from handoff.testing import FakeClock

PG_URL = os.environ.get("HANDOFF_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
DATA = Path(__file__).resolve().parents[1] / "data" / "cases-dev.jsonl"


def _pg_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3):
            return None
    except Exception as exc:  # any failure to connect is a reason to skip
        return f"PostgreSQL at {PG_URL} is unreachable: {exc}"


_PG_PROBLEM = _pg_reachable()


def pg_url_for_fresh_schema() -> str:
    """A URL whose search_path is a new, empty schema (dropped at session end)."""
    if _PG_PROBLEM:
        if os.environ.get("CI"):
            pytest.fail(_PG_PROBLEM)
        pytest.skip(_PG_PROBLEM)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def drop_schema(url: str) -> None:
    import psycopg

    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL, once on SQLite (a file) and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'handoff.db'}"
        return
    url = pg_url_for_fresh_schema()
    try:
        yield url
    finally:
        drop_schema(url)


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def local_egress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow outbound requests to this machine, as an operator running receivers beside
    the server would: the tests' HTTP receivers listen on 127.0.0.1, which the plane
    refuses by default (docs/security.md, "Outbound requests")."""
    monkeypatch.setenv("HANDOFF_EGRESS_ALLOW", "127.0.0.0/8,::1")

"""A real ``handoff`` server under uvicorn on a free port, for API and browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from handoff import ControlPlane
from handoff.policy import Policy
from handoff.server import create_app
from handoff.server.accounts import Accounts
from handoff.testing import FakeClock

from .._serve import serving
from ..conftest import drop_schema, pg_url_for_fresh_schema

#: Team ``ops`` decides everything: r0..r19 and ana and ben are its members, lee its
#: lead. ``ops.restart`` needs one reviewer, ``ops.pay`` two, ``notes.add`` none.
POLICY = Policy.model_validate(
    {
        "name": "server-tests",
        "tools": {
            "ops.restart": {"level": "medium", "owner": "ops"},
            "ops.pay": {"level": "high", "owner": "ops"},
            "notes.add": {"level": "low", "impact": 0.0, "reversibility": 0.0},
        },
        "owners": {
            "ops": {"members": [f"r{i}" for i in range(20)] + ["ana", "ben"], "lead": "lee"},
            "legal": {"members": ["lena"]},
        },
        "default_owner": "ops",
    }
)
PASSWORD = "correct horse battery"
CHROMIUM = "/usr/bin/chromium"


@dataclass
class Server:
    url: str
    plane: ControlPlane
    accounts: Accounts
    clock: FakeClock
    keys: dict[str, str] = field(default_factory=dict)

    def key(self, name: str) -> str:
        """The API key of ``name``, issued on first use."""
        if name not in self.keys:
            self.keys[name] = self.accounts.add_key(name)[1]
        return self.keys[name]


@contextmanager
def run_server(plane: ControlPlane) -> Iterator[str]:
    """Serve ``create_app(plane)`` under uvicorn in a thread until the generator ends."""
    with serving(create_app(plane), log_level="warning", lifespan="on") as url:
        yield url


def _serve(url: str, policy: Policy = POLICY) -> Iterator[Server]:
    clock = FakeClock()
    plane = ControlPlane.open(url, policy, clock=clock)
    accounts = Accounts.of(plane)
    for name, team, role in [
        ("ana", "ops", "reviewer"),
        ("ben", "ops", "reviewer"),
        ("lena", "legal", "reviewer"),
        ("root", "ops", "admin"),
    ]:
        accounts.add_user(name, PASSWORD, teams=[team], role=role)
    try:
        with run_server(plane) as base:
            yield Server(base, plane, accounts, clock)
    finally:
        plane.close()


#: Modules whose tests drive Chromium: they run on SQLite only (the browser, not the
#: database, is what they test, and each run costs a browser session).
_BROWSER_MODULES = frozenset(("test_browser", "test_one_screen", "test_inbox"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every server test runs once on SQLite and once on PostgreSQL, the browser ones
    on SQLite."""
    if "served_db_kind" in metafunc.fixturenames:
        module = metafunc.module.__name__.rsplit(".", 1)[-1]
        kinds = ["sqlite"] if module in _BROWSER_MODULES else ["sqlite", "postgres"]
        metafunc.parametrize("served_db_kind", kinds)


@pytest.fixture
def served(served_db_kind: str, tmp_path: Path) -> Iterator[Server]:
    """A server on a fresh database (a SQLite file, or a new PostgreSQL schema), with
    reviewer accounts ana (ops), ben (ops), lena (legal) and the admin root."""
    if served_db_kind == "sqlite":
        yield from _serve(f"sqlite:///{tmp_path / 'server.db'}")
        return
    url = pg_url_for_fresh_schema()
    try:
        yield from _serve(url)
    finally:
        drop_schema(url)


@pytest.fixture
def served_db(db_url: str) -> Iterator[Server]:
    """The same server, once on SQLite and once on PostgreSQL."""
    yield from _serve(db_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium; missing, it skips the tests (on CI, where .ci/run installs
    it, it fails them)."""
    from playwright.sync_api import sync_playwright

    if shutil.which(CHROMIUM) is None:
        problem = f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield b
        finally:
            b.close()

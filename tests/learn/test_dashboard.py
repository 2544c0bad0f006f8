"""The KPI dashboard page: its figures over HTTP, and its charts in real Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from handoff import ControlPlane
from handoff.policy import default_policy
from handoff.server.accounts import Accounts
from handoff.store import open_store
from handoff.testing import FakeClock

from ..server.conftest import PASSWORD, run_server
from ._history import build

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("dash") / "handoff.db"
    clock = FakeClock()
    plane = ControlPlane(open_store(f"sqlite:///{db}"), default_policy(), clock=clock)
    build(plane, clock)
    Accounts.of(plane).add_user("maya", PASSWORD, teams=["marketing-ops"], role="reviewer")
    try:
        with run_server(plane) as url:
            yield url
    finally:
        plane.close()


def _client(base: str) -> httpx.Client:
    c = httpx.Client(base_url=base, follow_redirects=True)
    form = c.get("/login")
    csrf = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = c.post("/login", data={"name": "maya", "password": PASSWORD, "csrf": csrf, "next": "/"})
    assert r.status_code == 200, r.text
    return c


def test_dashboard_needs_a_login_and_shows_the_figures(base: str) -> None:
    r = httpx.get(f"{base}/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    c = _client(base)
    try:
        page = c.get("/dashboard?days=30")
    finally:
        c.close()
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 4
    assert "40%" in html  # escalation precision, 2 of 5
    assert "audit chain ok" in html
    assert "<script" not in html.split("</head>", 1)[1]  # no script in the page body


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason=f"no Chromium at {CHROMIUM}")
def test_dashboard_renders_its_charts_in_chromium(base: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(10_000)
            page.goto(f"{base}/login?next=%2Fdashboard")
            page.fill("#name", "maya")
            page.fill("#password", PASSWORD)
            page.press("#password", "Enter")
            page.wait_for_url(f"{base}/dashboard")
            charts = page.locator("svg.chart")
            assert charts.count() == 4
            for i in range(4):
                box = charts.nth(i).bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 60
            # A chart's bars are drawn: the precision bar has a width.
            bar = page.locator("svg.chart").first.locator("rect[fill='#2f6fb0']").first
            assert float(bar.get_attribute("width")) > 0
            shot = charts.nth(3).screenshot(path=str(tmp_path / "trend.png"))
            full = page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert len(shot) > 1000 and len(full) > 10_000
    assert shot != b"" and len(set(shot[100:2000])) > 20  # not a blank image

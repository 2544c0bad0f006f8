"""The inbox end to end in real Chromium (Debian's, driven by Playwright), headless.

Few and fast: one reviewer journey by keyboard and mouse, one hostile handoff.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from handoff import Client

from .conftest import PASSWORD, Server


@pytest.fixture
def page(browser: Any, served: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 850})
    p = context.new_page()
    p.set_default_timeout(10_000)
    try:
        yield p
    finally:
        context.close()


def _log_in(page: Any, server: Server, name: str) -> None:
    page.goto(f"{server.url}/")
    assert page.url.startswith(f"{server.url}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{server.url}/")


def test_reviewer_logs_in_opens_and_approves(page: Any, served: Server) -> None:
    with Client(served.url, served.key("bot")) as agent:
        hid = agent.submit({"tool": "ops.pay", "args": {"amount": 120, "to": "acme"}}).handoff_id
        agent.submit({"tool": "ops.restart", "args": {"service": "web"}})
    _log_in(page, served, "ana")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    assert "ops.pay" in rows.nth(0).inner_text()  # riskiest first
    # The countdown ticks on from the server's clock: 2h at render, less a moment.
    assert re.search(r"in (2h 00m|1h 59m)", rows.nth(0).inner_text())
    rows.nth(0).locator("a.open").click()
    page.wait_for_url(f"{served.url}/handoffs/{hid}")
    assert page.locator(".quorum-count").inner_text() == "0 of 2"
    assert '"amount": 120' in page.locator("#raw-args").inner_text()
    # By keyboard: "r" jumps to the rationale, Tab reaches Approve, Enter presses it.
    page.locator("h1").click()
    page.keyboard.press("r")
    page.keyboard.type("Invoice matches the purchase order.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "approve"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{served.url}/handoffs/{hid}?done=approve")
    assert "Your approval is recorded" in page.locator(".notice").inner_text()
    assert page.locator(".quorum-count").inner_text() == "1 of 2"
    entry = page.locator("table.audit tr.event-approval_recorded")
    assert entry.count() == 1
    assert "ana" in entry.inner_text() and "Invoice matches" in entry.inner_text()
    assert served.plane.get(hid).approvals[0].reviewer == "ana"


def test_hostile_handoff_renders_inert_and_flagged(page: Any, served: Server) -> None:
    dialogs: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    payload = "<img src=x onerror=alert(1)>"
    args = {
        "note": payload,
        "file": "invoice\u202egpj.exe",
        "pay_to": "https://p\u0430ypal.com/invoice",
        "logo": "<img src='https://example.org/pixel.png'>",
    }
    summary = f"Pay the vendor {payload}"
    with Client(served.url, served.key("bot")) as agent:
        hid = agent.submit(
            {"tool": "ops.pay", "args": args, "package": {"summary": summary}}
        ).handoff_id
    _log_in(page, served, "ana")
    assert "⚠ 2 flags" in page.locator("table.queue").inner_text()
    page.goto(f"{served.url}/handoffs/{hid}")
    page.wait_for_load_state("networkidle")
    assert dialogs == []
    assert page.locator("img").count() == 0
    assert payload in page.locator("#raw-args").inner_text()  # shown as text
    assert payload in page.locator(".package").inner_text()
    flags = page.locator(".flags")
    assert flags.is_visible()
    text = flags.inner_text()
    assert "mixed script domain" in text and "xn--" in text
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in text
    marks = page.locator("#raw-args .invisible")
    assert marks.count() == 1 and marks.first.is_visible()
    assert page.locator(".package .badge.agent").inner_text() == "agent-written"
    csp = page.evaluate("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "script-src 'self'" in csp and "img-src 'self'" in csp
    assert requests and all(u.startswith(served.url) for u in requests), requests

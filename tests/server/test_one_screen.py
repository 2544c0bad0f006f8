"""The reviewer decides in one screen, in real Chromium: the Decide buttons are in the
first viewport of a long, high-risk handoff; nothing scrolls sideways on a phone; a
reviewer who approved is not offered a second approval; keyboard shortcuts act only
outside text fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from handoff import Client

from .conftest import PASSWORD, Server

LONG = " ".join(
    f"Line {i} of the vendor's explanation, with details nobody reads." for i in range(60)
)


def _long_handoff(served: Server) -> str:
    """A high-risk, two-approval payment with a long agent-written brief."""
    package = {
        "summary": LONG,
        "assumptions": [f"Assumption {i}: {LONG[:300]}" for i in range(6)],
        "evidence": [{"source": f"ticket-{i}", "excerpt": LONG[:400]} for i in range(6)],
        "open_questions": [f"Question {i}?" for i in range(6)],
    }
    args = {
        "amount": 98000,
        "to": "https://p\u0430ypal.com/invoice",
        "memo": "invoice\u202egpj.exe " + LONG,
        "lines": [{"sku": f"s{i}", "qty": i, "note": LONG[:120]} for i in range(12)],
    }
    with Client(served.url, served.key("bot")) as agent:
        return agent.submit({"tool": "ops.pay", "args": args, "package": package}).handoff_id


def _context(browser: Any, width: int, height: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    context = _context(browser, 1366, 768)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = _context(browser, 390, 844)
    try:
        yield context.new_page()
    finally:
        context.close()


def _log_in(page: Any, server: Server, name: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{server.url}/")


def _in_first_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    view = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= view["width"]
        and box["y"] + box["height"] <= view["height"]
    )


def test_decide_is_in_the_first_screen_of_a_long_high_risk_handoff(
    laptop: Any, served: Server
) -> None:
    hid = _long_handoff(served)
    _log_in(laptop, served, "ana")
    laptop.goto(f"{served.url}/handoffs/{hid}")
    assert laptop.evaluate("document.documentElement.scrollHeight") > 2 * 768  # a long page
    assert laptop.evaluate("window.scrollY") == 0
    for selector in ("#approve", "#reject", ".quorum-count", "ul.reasons", "h1"):
        assert _in_first_screen(laptop, selector), selector
    assert laptop.locator(".quorum-count").inner_text() == "0 of 2"
    # A cut look-twice subject must not swallow the page: its marks stay whole.
    assert laptop.locator("code #approve, code #decide-h").count() == 0
    assert "Decide" not in laptop.locator(".flag-line").inner_text()
    # The top reasons, each once, in the first screen.
    reasons = laptop.locator("ul.reasons li").all_inner_texts()
    assert reasons and len(reasons) == len(set(reasons))
    # Options span the page, below the first screen.
    options = laptop.locator(".options-card").bounding_box()
    main = laptop.locator("main").bounding_box()
    assert options["width"] > 0.9 * (main["width"] - 48)


def test_after_approving_no_second_approve_is_offered(laptop: Any, served: Server) -> None:
    hid = _long_handoff(served)
    _log_in(laptop, served, "ana")
    laptop.goto(f"{served.url}/handoffs/{hid}")
    laptop.locator("#approve").click()
    laptop.wait_for_url(f"{served.url}/handoffs/{hid}?done=approve")
    assert laptop.locator("#approve").count() == 0
    assert laptop.locator("#revise").count() == 0
    assert "You approved this" in laptop.locator(".you-approved").inner_text()
    assert laptop.locator(".quorum-count").inner_text() == "1 of 2"
    assert laptop.locator("#reject").count() == 1  # changing one's mind stays possible


def test_shortcuts_act_outside_fields_only(laptop: Any, served: Server) -> None:
    first = _long_handoff(served)
    second = _long_handoff(served)
    _log_in(laptop, served, "ana")
    laptop.goto(f"{served.url}/handoffs/{first}")
    assert "a" in laptop.locator(".keys").inner_text()
    laptop.locator("#rationale").click()
    laptop.keyboard.type("a vendor we know, x-checked")  # "a" and "x" are text here
    assert served.plane.get(first).decisions == []
    assert laptop.url.endswith(f"/handoffs/{first}")
    laptop.locator("h1").click()
    laptop.keyboard.press("n")
    laptop.wait_for_url(f"{served.url}/handoffs/{second}")
    laptop.locator("h1").click()
    laptop.keyboard.press("a")
    laptop.wait_for_url(f"{served.url}/handoffs/{second}?done=approve")
    assert [d.reviewer for d in served.plane.get(second).approvals] == ["ana"]


def test_nothing_scrolls_sideways_at_390_px(phone: Any, served: Server) -> None:
    hid = _long_handoff(served)
    with Client(served.url, served.key("bot")) as agent:
        agent.submit({"tool": "ops.restart", "args": {"service": "web" * 40}})
    _log_in(phone, served, "ana")
    for path in ("/", f"/handoffs/{hid}", "/dashboard"):
        phone.goto(f"{served.url}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        assert phone.evaluate("document.body.scrollWidth") <= 390, path


def test_the_queue_shows_each_rows_top_reason(laptop: Any, served: Server) -> None:
    hid = _long_handoff(served)
    _log_in(laptop, served, "ana")
    row = laptop.locator("table.queue tbody tr").first
    reason = served.plane.get(hid).assessment.reasons()[0]
    assert row.locator(".reason").inner_text() == reason

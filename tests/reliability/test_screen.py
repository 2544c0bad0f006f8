"""The short form of reviewer-screen injection: the whole payload corpus, once, in
headless Chromium against a real server.

One run serves every test; each test judges one promise across all pages opened.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from reliability import screen


@pytest.fixture(scope="module")
def result() -> Iterator[screen.Result]:
    if shutil.which(screen.CHROMIUM) is None:
        problem = f"no Chromium at {screen.CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    yield screen.run(1, "sqlite")


def _problems(res: screen.Result, *words: str) -> list[str]:
    return [f"{p.name}: {x}" for p in res.pages for x in p.problems if any(w in x for w in words)]


def test_every_payload_was_opened(result: screen.Result) -> None:
    assert len(result.pages) == len(screen.PAYLOADS) + 1  # the queue, then each handoff
    assert result.hidden == 8 and result.lookalikes == 3


def test_no_injected_script_runs(result: screen.Result) -> None:
    words = ("sentinel", "dialogs", "page errors", "console errors", "live markup", "template")
    assert _problems(result, *words) == []


def test_no_request_leaves_for_another_host(result: screen.Result) -> None:
    assert _problems(result, "other hosts") == []
    assert all(p.remote == [] for p in result.pages)


def test_every_hidden_character_and_look_alike_is_flagged(result: screen.Result) -> None:
    assert _problems(result, "hidden", "look-alike", "marks") == []


def test_agent_written_blocks_are_badged(result: screen.Result) -> None:
    assert _problems(result, "badges") == []


def test_agent_text_never_appears_unmarked(result: screen.Result) -> None:
    assert _problems(result, "outside an agent-written") == []


def test_the_judge_is_not_blind() -> None:
    """A page that ran a script and called home is reported."""
    rec = screen.Page("x", "http://127.0.0.1/")
    rec.dialogs.append("1")
    rec.remote.append("https://evil.example/pixel.png")

    class FakeLocator:
        def count(self) -> int:
            return 0

        @property
        def first(self) -> FakeLocator:
            return self

        def is_visible(self) -> bool:
            return False

        def all_inner_texts(self) -> list[str]:
            return []

    class FakePage:
        def evaluate(self, script: str) -> dict[str, object]:
            return {
                "sentinel": True,
                "onattr": [],
                "jslinks": [],
                "injected": 0,
                "unmarked": [],
                "badges": 2,
                "text": "",
            }

        def locator(self, selector: str) -> FakeLocator:
            return FakeLocator()

    screen.check_page(FakePage(), rec, "\u202e", ["p\u0430ypal.com"], detail=True)
    text = " ".join(rec.problems)
    assert "dialogs" in text and "other hosts" in text and "sentinel" in text
    assert "U+202E" in text and "p\u0430ypal.com" in text

"""Detect reads text an agent or an attacker wrote, so no pattern may take time that grows
faster than the text: a regex that tries every start of a long run of word characters,
and scans the run from each, turns 20,000 crafted characters into seconds of work per
call, and the gate stalls on it.

This is a check of growth, not of speed: each pattern (and ``assess`` as a whole) runs
on the same crafted text at two sizes, eight times apart. Work that grows with the text
takes about eight times as long; work that grows with its square takes about sixty-four
times. The bound sits between the two, and times too small to matter are not judged.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import handoff.detect.detectors as detectors
from handoff.detect import learned
from handoff.detect.rubric import assess
from handoff.models import Action
from handoff.policy import default_policy

SMALL, BIG = 250, 2_000
# Linear work grows 8x from SMALL to BIG, quadratic 64x: fail well above the first.
MAX_GROWTH = 24.0
# A pattern that takes less than this on the big text is not a problem at any ratio.
NEGLIGIBLE = 0.001

# Runs that make a greedy pattern rescan from every start: one character or a short
# token repeated, with and without separators, in the shapes the detectors look for.
UNITS = (
    "a", "1", "_a", "a-", "a.", "a/", "a ", "a@", "a=", "a:", "0.", "-", ".", "/", " ",
    "\n", "\t", "'", "('", "rm -", "rm -rf ", "$1,", '"a":', "~/.", "http://a", "send ",
    "please ", "ignore ", "<a", "${", "%s", "x,", "A ", "a\n", "git push ", "docker system prune ",
    "curl ",
)  # fmt: skip


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    modules = [
        importlib.import_module(f"{detectors.__name__}.{m.name}")
        for m in pkgutil.iter_modules(detectors.__path__)
    ]
    seen: set[tuple[str, int]] = set()

    def walk(value: Any, name: str, depth: int) -> Iterator[tuple[str, re.Pattern[str]]]:
        if isinstance(value, re.Pattern):
            if (value.pattern, value.flags) not in seen:
                seen.add((value.pattern, value.flags))
                yield name, value
        elif depth < 4 and isinstance(value, tuple | list | frozenset | set):
            for i, item in enumerate(value):
                yield from walk(item, f"{name}[{i}]", depth + 1)
        elif depth < 4 and isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{name}[{key!r}]", depth + 1)
        elif depth < 4 and hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
            for field in value.__dataclass_fields__:
                yield from walk(getattr(value, field), f"{name}.{field}", depth + 1)

    for module in [*modules, learned]:
        short = module.__name__.rsplit(".", 1)[-1]
        for key, value in vars(module).items():
            yield from walk(value, f"{short}.{key}", 0)


def _best(run: Callable[[], object], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _growth(
    run_on: Callable[[str], object], unit: str, sizes: tuple[int, int] = (SMALL, BIG)
) -> tuple[float, float]:
    """The best times on the small and the big text. A ratio above the bound is taken
    again, up to twice, and the smallest ratio kept: on a shared machine one slow run of
    the big text is the other processes' doing, while work that grows with the square
    is over the bound every time."""
    small, big = _repeat(unit, sizes[0]), _repeat(unit, sizes[1])
    best = _best(lambda: run_on(small)), _best(lambda: run_on(big))
    for _ in range(2):
        if best[1] <= MAX_GROWTH * best[0]:
            break
        again = _best(lambda: run_on(small)), _best(lambda: run_on(big))
        if again[1] * best[0] < best[1] * again[0]:
            best = again
    return best


PATTERNS = list(_patterns())
# Patterns the detectors only apply with ``match`` at one position, never ``search``:
# their growth is judged the way they are used.
ANCHORED = frozenset({"_purpose._DECIDES"})


def test_the_patterns_are_found() -> None:
    # The walk must see the detectors' patterns, or the check below checks nothing.
    names = {name for name, _ in PATTERNS}
    assert len(PATTERNS) > 100
    assert "_code._WIPE" in names and "_tokens._EMAIL" in names
    assert names >= ANCHORED


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_a_pattern_takes_time_in_step_with_the_text(name: str, pattern: re.Pattern[str]) -> None:
    slow = []
    for unit in UNITS:
        small, big = _growth(pattern.match if name in ANCHORED else pattern.search, unit)
        if big > NEGLIGIBLE and big > MAX_GROWTH * small:
            slow.append(f"{unit!r}: {small * 1e3:.2f} ms -> {big * 1e3:.2f} ms")
    assert not slow, f"{name} grows faster than the text on " + "; ".join(slow)


def _action(where: str, text: str) -> Action:
    if where == "arg":
        return Action(tool="send_email", args={"to": "a@b.com", "body": text})
    if where == "code":
        return Action(
            tool="write_file",
            args={"path": "run.py", "content": text},
            context={"instruction": "write the script"},
        )
    if where == "observation":
        return Action(
            tool="run_shell",
            args={"cmd": "ls"},
            context={"instruction": "tidy up", "steps": [{"tool": "read", "observation": text}]},
        )
    return Action(tool="send_email", args={"body": "hi"}, context={where: text})


@pytest.mark.parametrize("where", ["arg", "code", "observation", "instruction", "thought"])
def test_assess_takes_time_in_step_with_the_text(where: str) -> None:
    policy = default_policy()
    slow = []
    for unit in ("a", "1", "_a", "a-", "a.", "a/", "\n", "rm -", "a@", " "):
        small, big = _growth(
            lambda text: assess(_action(where, text), policy), unit, (1_000, 8_000)
        )
        if big > 0.02 and big > MAX_GROWTH * small:
            slow.append(f"{unit!r}: {small * 1e3:.1f} ms -> {big * 1e3:.1f} ms")
    assert not slow, f"assess on {where} grows faster than the text on " + "; ".join(slow)

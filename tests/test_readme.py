"""The README's example runs and prints what its comments say, line for line."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def said(code: str) -> list[str]:
    """What each ``print(...)  # comment`` line says it prints: the comment, without an
    explanation in ``  (...)``; a comment ending in ``...`` gives only the start."""
    out = []
    for line in code.splitlines():
        m = re.match(r"print\(.*\)\s+# (.*)$", line)
        if m:
            out.append(m.group(1).split("  (")[0].strip())
    return out


def test_readme_example_prints_what_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert code is not None
    assert len(code.group(1).splitlines()) <= 22  # a short example stays short
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    expected = said(code.group(1))
    assert len(expected) == len(lines) == 5
    for want, got in zip(expected, lines, strict=True):
        if want.endswith("..."):
            assert got.startswith(want.removesuffix("...").rstrip(" ,")), (want, got)
        else:
            assert got == want
    assert (tmp_path / "handoff.db").exists()


def test_readme_names_the_distribution_pyproject_builds() -> None:
    pyproject = (README.parent / "pyproject.toml").read_text()
    name = re.search(r'^name = "([^"]+)"', pyproject, re.M)
    assert name is not None and name.group(1) != "handoff"  # PyPI's handoff is another project
    assert f"pip install {name.group(1)}" in README.read_text()

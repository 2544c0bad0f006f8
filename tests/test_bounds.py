"""What the person said not to touch: an instruction that says a file, a folder or the
tests must not be modified binds every later edit, however reasonable it looks."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.detectors._bounds import protected
from handoff.detect.rubric import assess
from handoff.models import Action
from handoff.policy import default_policy

TASK = (
    "Fix the bug and verify it with the tests in /w/service/tests/. The tests are "
    "designed by senior developers and must not be modified."
)


def codes(tool: str, args: dict[str, Any], instruction: str = TASK) -> set[str]:
    a = Action.model_validate(
        {"tool": tool, "args": args, "context": {"instruction": instruction, "steps": []}}
    )
    return {t.code for t in assess(a, default_policy()).triggers}


def edit(path: str) -> dict[str, Any]:
    return {"command": "str_replace", "path": path, "old_str": "a = 1", "new_str": "a = 2"}


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        ("str_replace_editor", edit("/w/service/tests/test_limits.py"), TASK),
        (
            "str_replace_editor",
            edit("/w/site/styles.css"),
            "Fix the page. Do not modify `styles.css` — it loads exactly as designed.",
        ),
        (
            "execute_bash",
            {"command": "sed -i 's/1/2/' /w/utils/env_check.py"},
            "Speed up the build.\n- Do NOT alter or remove the logic in `utils/env_check.py`.",
        ),
    ],
)
def test_an_edit_to_what_the_instruction_protects(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    assert "scope.forbidden" in codes(tool, args, instruction)


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        ("str_replace_editor", edit("/w/service/src/limits.py"), TASK),
        ("str_replace_editor", {"command": "view", "path": "/w/service/tests/t.py"}, TASK),
        ("execute_bash", {"command": "pytest /w/service/tests/"}, TASK),
        ("str_replace_editor", edit("/w/service/tests/test_limits.py"), "Fix the tests."),
    ],
)
def test_other_files_reads_and_runs_are_not(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    assert "scope.forbidden" not in codes(tool, args, instruction)


@pytest.mark.parametrize(
    ("instruction", "kept", "free"),
    [
        (
            "Only work inside /w/app. Do not modify anything outside /w/app.",
            [],
            ["/w/app"],
        ),
        ("Never edit files other than config.yaml.", [], ["config.yaml"]),
        ("You must not delete anything except tmp.txt.", [], ["tmp.txt"]),
        ("Do not change the tests; fix src/app.py.", ["/tests/"], ["src/app.py", "/app.py"]),
        ("Do not modify `styles.css`.", ["styles.css"], []),
    ],
)
def test_what_the_instruction_protects_and_what_it_leaves_free(
    instruction: str, kept: list[str], free: list[str]
) -> None:
    named = {what for what, _ in protected(instruction)}
    assert set(kept) <= named
    assert not named & set(free)


def test_an_edit_inside_the_folder_the_person_confined_the_work_to() -> None:
    found = codes(
        "str_replace_editor",
        edit("/w/app/main.py"),
        "Only work inside /w/app. Do not modify anything outside /w/app.",
    )
    assert "scope.forbidden" not in found

"""A push with ``--force-with-lease`` of a named topic branch is the end of a rebase.

After "rebase my branch onto main and push it", ``git push --force-with-lease origin
feature/login-refactor`` replaces that branch only if nobody pushed to it meanwhile: the
everyday way to update a pull request. The same push to a shared branch (main, a
release), with no branch named (whatever is checked out), or with a plain ``--force``
still rewrites history others rely on and is held.
"""

from __future__ import annotations

import pytest

from ._assess import assess_call

ASKED = "Rebase my branch feature/login-refactor onto the latest main and push it."
_CODE = "code.system_delete"


def codes(line: str) -> set[str]:
    shell = assess_call("bash", {"command": line}, ASKED)
    words = line.split()[1:]
    tool = assess_call("git", {"args": words}, ASKED)
    return {t.code for t in shell.triggers} | {t.code for t in tool.triggers}


@pytest.mark.parametrize(
    "line",
    [
        "git push --force-with-lease origin feature/login-refactor",
        "git push origin feature/login-refactor --force-with-lease",
        "git push --force-with-lease=feature/login-refactor origin feature/login-refactor",
    ],
)
def test_a_lease_push_of_a_topic_branch_runs(line: str) -> None:
    assert _CODE not in codes(line)


@pytest.mark.parametrize(
    "line",
    [
        "git push --force-with-lease origin main",
        "git push --force-with-lease origin HEAD:release/2.3",
        "git push --force-with-lease",
        "git push --force-with-lease origin",
        "git push --force origin feature/login-refactor",
        "git push -f origin feature/login-refactor",
    ],
)
def test_other_forced_pushes_are_held(line: str) -> None:
    assert _CODE in codes(line)

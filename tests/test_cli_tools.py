"""A tool named after a command-line program, given that program's arguments as one
string (``kubectl {"args": "get pods"}``, ``git {"command": "push --force"}``), is read as
the line it runs: placed, so it is not an unknown tool, and held where the same line run
from a shell would be."""

from __future__ import annotations

import pytest

from tests._assess import assess_call


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("kubectl", {"args": "delete namespace production"}),
        ("helm", {"command": "uninstall api --namespace prod"}),
        ("terraform", {"args": "destroy -auto-approve"}),
        ("docker", {"args": "rm -f db"}),
        ("kubectl", {"args": "kubectl delete pvc --all"}),
    ],
)
def test_a_destructive_line_is_held_as_from_a_shell(tool: str, args: dict[str, str]) -> None:
    a = assess_call(tool, args, "Restart the api pod.")
    assert a.mode.value != "auto"
    assert "action.destructive" in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("kubectl", {"args": "get pods -n production"}),
        ("kubectl", {"args": "rollout restart deployment/api -n production"}),
        ("git", {"command": "status"}),
        ("terraform", {"args": "plan -out plan.tfplan"}),
    ],
)
def test_a_routine_line_is_placed_and_not_unknown(tool: str, args: dict[str, str]) -> None:
    a = assess_call(tool, args, "Restart the api pod and check the plan.")
    assert "tool.unknown" not in {t.code for t in a.triggers}
    assert a.mode.value == "auto", [t.code for t in a.triggers]

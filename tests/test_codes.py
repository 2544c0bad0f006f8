"""Trigger codes: every one Detect can write is listed with its meaning; a policy naming
one that does not exist is an error that names the YAML line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import handoff
from handoff import PolicyError
from handoff.cli._common import console
from handoff.cli.commands import app
from handoff.detect.codes import NOTES, TRIGGER_CODES, is_known
from handoff.policy import default_policy, policy_from_yaml

SRC = Path(handoff.__file__).parent
FAMILIES = (
    "action|content|access|web|secrets|input|tool|provenance|session|change|injection"
    "|scope|evidence|language|learned|judge|plan|code"
)
LITERAL = re.compile(rf"\"((?:{FAMILIES})\.[a-z_]+)\"")


def written_codes() -> set[str]:
    """Every code-shaped string literal in the detectors, the rubric and the judge."""
    found: set[str] = set()
    for path in [
        *SRC.joinpath("detect/detectors").glob("*.py"),
        SRC / "detect/rubric.py",
        SRC / "detect/judge.py",
    ]:
        found |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_detect_writes_is_listed_with_a_meaning() -> None:
    codes = written_codes()
    assert len(codes) > 40  # the scan still finds the detectors' codes
    assert sorted(c for c in codes if not is_known(c)) == []
    assert all(TRIGGER_CODES.values()) and all(NOTES.values())


def test_the_default_policy_names_only_known_codes() -> None:
    assert all(is_known(code) for code in default_policy().triggers)


@pytest.mark.parametrize(
    ("text", "line", "path"),
    [
        (
            "name: x\ntriggers:\n  action.money: {level: high}\n  action.monney: {level: high}\n",
            4,
            "triggers.action.monney",
        ),
        (
            "routes:\n  - when: {triggers: [injection.folowed]}\n    owner: product\n",
            2,
            "routes.0.when.triggers.0",
        ),
    ],
)
def test_an_unknown_code_names_the_line(text: str, line: int, path: str) -> None:
    with pytest.raises(PolicyError) as err:
        policy_from_yaml(text, "policy.yaml")
    assert str(err.value).startswith(f"policy.yaml:{line} {path}: unknown trigger code")
    assert "did you mean" in str(err.value) and err.value.field == path


def test_check_explain_prints_every_code_with_its_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 300)  # one row per line: no wrapped cells
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: x\n")
    result = CliRunner().invoke(app, ["policy", "check", str(policy), "--explain"])
    assert result.exit_code == 0, result.output
    for code, meaning in [*TRIGGER_CODES.items(), *NOTES.items()]:
        assert code in result.stdout and meaning in result.stdout, code

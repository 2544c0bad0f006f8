"""Input models refuse what no store or hash can hold, in every field, naming it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from handoff import ControlPlane
from handoff.models import MAX_INT_DIGITS, Action, Decision, Incident, Option, Package
from handoff.policy import Policy

POLICY = Policy.model_validate({"name": "t", "tools": {"ops.restart": {"level": "medium"}}})


def _refused(model: type[Any], data: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    error = info.value.errors()[0]
    return ".".join(str(p) for p in error["loc"]), str(error["msg"])


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (Action, {"tool": "a.b", "on_behalf_of": "fiona\x00"}, "on_behalf_of"),
        (Action, {"tool": "a.b", "idempotency_key": "k\x00"}, "idempotency_key"),
        (Action, {"tool": "a.b", "context": {"domain": "\x00"}}, "context.domain"),
        (
            Action,
            {"tool": "a.b", "context": {"steps": [{"tool": "x\x00"}]}},
            "context.steps.0.tool",
        ),
        (Decision, {"verdict": "choose", "reviewer": "r", "option_id": "a\x00"}, "option_id"),
        (Decision, {"verdict": "redirect", "reviewer": "r", "owner": "o\x00"}, "owner"),
        (Option, {"id": "a\x00", "title": "t"}, "id"),
        (Option, {"id": "a", "title": "t\x00"}, "title"),
        (Package, {"missing": ["x\x00"]}, "missing"),
        (Incident, {"handoff_id": "h", "description": "d\x00"}, "description"),
    ],
)
def test_a_nul_in_any_string_is_refused(model: type[Any], data: dict[str, Any], field: str) -> None:
    where, message = _refused(model, data)
    assert where == field
    assert "NUL" in message


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"tool": "a.b", "args": {"n": 10**400}}, "args.n"),
        ({"tool": "a.b", "args": {"n": [1, -(10**MAX_INT_DIGITS)]}}, "args.n[1]"),
        ({"tool": "a.b", "context": {"steps": [{"args": {"n": 10**5000}}]}}, "args.n"),
    ],
)
def test_an_integer_too_long_for_a_float_is_refused(data: dict[str, Any], path: str) -> None:
    _, message = _refused(Action, data)
    assert f"{path} is an integer longer than {MAX_INT_DIGITS} digits" in message


def test_the_longest_allowed_integer_is_assessed_and_stored(tmp_path: Any) -> None:
    plane = ControlPlane.open(f"sqlite:///{tmp_path / 'h.db'}", POLICY)
    try:
        big = 10**MAX_INT_DIGITS - 1
        outcome = plane.submit(Action(tool="ops.restart", args={"n": big, "m": -big}))
        assert plane.get(outcome.handoff_id).action.args == {"n": big, "m": -big}
    finally:
        plane.close()

"""A tool named for pay besides a salary (a bonus, a commission, a reimbursement) on a
worker: its plain ``amount`` is what someone is paid. At the amount the person named it
runs; at another amount it is held, as any payment is."""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

STAFF = [
    {
        "tool": "hris.employees.search",
        "args": {"name": "Dana Ortiz"},
        "observation": '[{"employee_id": "E-2231", "name": "Dana Ortiz", "title": "Picker II"}]',
    }
]
SAID = "Add a $500 spot bonus for Dana Ortiz to this Friday's payroll run."


def _run(tool: str, args: dict[str, Any], said: str = SAID) -> tuple[str, set[str]]:
    a = assess_call(tool, args, said, STAFF)
    return a.mode.value, {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "amount"),
    [
        ("gusto_add_bonus", "5000.00"),
        ("gusto_add_bonus", 5000),
        ("payroll.commissions.create", 5000),
        ("expenses.reimbursements.create", "5,000"),
    ],
)
def test_pay_past_the_named_amount_is_held(tool: str, amount: Any) -> None:
    mode, got = _run(tool, {"employee_id": "E-2231", "amount": amount})
    assert mode != "auto"
    assert "action.money" in got


@pytest.mark.parametrize("amount", ["500.00", 500])
def test_the_bonus_the_person_named_runs(amount: Any) -> None:
    mode, got = _run("gusto_add_bonus", {"employee_id": "E-2231", "amount": amount})
    assert mode == "auto", got


def test_a_bonus_question_on_a_quiz_is_no_pay() -> None:
    _, got = _run(
        "quiz.add_bonus_question",
        {"quiz_id": "q7", "prompt": "Name the capital of Peru", "value": 5},
        "Add a 5-point bonus question to quiz 7 about capitals.",
    )
    assert "action.money" not in got, got

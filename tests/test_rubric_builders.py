"""The rubric's builders make the models ``model_construct`` would, field for field."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from handoff.detect import rubric
from handoff.detect._builders import new_assessment, new_factor, new_finding
from handoff.models import Assessment, Factor, Finding, Level, Mode


def _same(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    assert a == b
    assert a.__dict__ == b.__dict__
    assert list(a.__dict__) == list(b.__dict__)
    assert a.model_fields_set == b.model_fields_set
    assert a.__pydantic_extra__ == b.__pydantic_extra__
    assert a.__pydantic_private__ == b.__pydantic_private__
    assert a.model_dump_json() == b.model_dump_json()


def test_the_builders_make_what_model_construct_makes() -> None:
    finding = new_finding("action.money", "Moves money", "args.amount", "amount=5", 0.8)
    _same(
        finding,
        Finding.model_construct(
            code="action.money",
            message="Moves money",
            where="args.amount",
            excerpt="amount=5",
            weight=0.8,
        ),
    )
    factor = new_factor("impact", 0.8, [finding])
    _same(factor, Factor.model_construct(name="impact", score=0.8, reasons=[finding]))
    values = {
        "level": Level.HIGH,
        "score": 0.7,
        "factors": [factor],
        "triggers": [finding],
        "owner": "finance",
        "mode": Mode.TWO_PERSON,
        "quorum": 2,
        "sla_seconds": 3600,
        "policy_version": "v",
    }
    _same(new_assessment(**values), Assessment.model_construct(**values))


@given(st.floats(allow_nan=True) | st.sampled_from([0.0, -0.0, 1, 0.0005, 0.0015, 2.675]))
def test_a_remembered_rounding_is_the_rounding(score: float) -> None:
    """The rubric remembers rounded scores; every value, asked twice, rounds as round()."""
    for _ in range(2):
        got = rubric._round3(score)
        expected = round(score, 3)
        assert repr(got) == repr(expected) and type(got) is type(expected)

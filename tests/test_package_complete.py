"""Packaging: a brief the agent supplied, completed; and the invariants every prepared
brief keeps, whatever the action and the assessment."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff._exceptions import InputError
from handoff.models import (
    Action,
    Assessment,
    Context,
    Evidence,
    Factor,
    Finding,
    Level,
    Mode,
    Option,
    Package,
)
from handoff.package.packaging import MAX_OPTIONS, complete, draft, prepare
from tests._briefs import _text, assessment, claim_finding, ids, publish

# -- complete ------------------------------------------------------------------------


def test_complete_keeps_what_the_agent_gave() -> None:
    own = Package(
        summary="Post the launch blog.",
        assumptions=["Legal saw it"],
        evidence=[Evidence(source="jira", excerpt="LAUNCH-1")],
        open_questions=["Is the date right?"],
        options=[
            Option(id="go", title="Publish now"),
            Option(id="later", title="Publish Monday", args={"when": "monday"}),
        ],
        decision_required="Publish the launch post now.",
        preview={"html": "<p>hi</p>"},
    )
    p = complete(own, publish(), assessment(claim_finding()))
    assert p.drafted is False
    assert p.summary == "Post the launch blog."
    assert p.assumptions[0] == "Legal saw it"
    assert p.evidence == own.evidence
    assert ids(p) == ["go", "later"]
    assert p.decision_required == "Publish the launch post now?"
    assert p.preview == {"html": "<p>hi</p>"}
    assert p.open_questions[0] == "Is the date right?"
    assert any("What source supports the claim" in q for q in p.open_questions)
    assert p.missing == ["confidence"]


def test_complete_fills_an_empty_package_from_the_draft() -> None:
    action = publish()
    a = assessment(claim_finding())
    p = complete(Package(), action, a)
    d = draft(action, a)
    assert p.summary == d.summary
    assert p.decision_required == d.decision_required
    assert ids(p) == ids(d)
    assert p.missing == [
        "summary",
        "assumptions",
        "evidence",
        "confidence",
        "open_questions",
        "options",
        "decision_required",
    ]
    assert p.drafted is False


def test_complete_tops_one_option_up_to_two() -> None:
    own = Package(options=[Option(id="go", title="Publish now")])
    p = complete(own, publish(), assessment(claim_finding()))
    # "go" already runs the action as proposed, so the draft's approve is skipped.
    assert ids(p) == ["go", "without_claim"]
    assert "options" in p.missing

    edited = Package(options=[Option(id="short", title="Short", args={"title": "T"})])
    assert ids(complete(edited, publish(), assessment())) == ["short", "approve"]

    # An agent option never takes a built-in id (see test_agent_options.py).
    clash = Package(options=[Option(id="approve", title="Mine", args={"title": "T"})])
    with pytest.raises(InputError) as err:
        complete(clash, publish(), assessment())
    assert err.value.field == "package.options[0].id"


def test_complete_uses_context_evidence_and_assumptions_when_package_has_none() -> None:
    ctx = Context(assumptions=["a"], evidence=[Evidence(source="s")], confidence=0.9)
    p = complete(Package(summary="s"), Action(tool="x.y", context=ctx), assessment())
    assert p.evidence == ctx.evidence
    assert p.assumptions[0] == "a"
    assert "evidence" not in p.missing and "assumptions" not in p.missing


def test_complete_refuses_duplicate_option_ids_naming_the_field() -> None:
    own = Package(
        options=[
            Option(id="a", title="A"),
            Option(id="b", title="B"),
            Option(id="a", title="A again"),
        ]
    )
    with pytest.raises(InputError) as err:
        complete(own, publish(), assessment())
    assert err.value.field == "package.options[2].id"
    assert "'a'" in err.value.message


def test_complete_refuses_more_than_max_options() -> None:
    own = Package(options=[Option(id=str(i), title="o") for i in range(MAX_OPTIONS + 1)])
    with pytest.raises(InputError) as err:
        complete(own, publish(), assessment())
    assert err.value.field == "package.options"


def test_blank_decision_is_filled() -> None:
    p = complete(Package(decision_required="  \n "), publish(), assessment())
    assert p.decision_required == draft(publish(), assessment()).decision_required
    assert "decision_required" in p.missing


# -- prepare -------------------------------------------------------------------------


def test_prepare_drafts_without_a_supplied_package() -> None:
    assert prepare(publish(), assessment()).drafted is True


def test_prepare_completes_a_supplied_package() -> None:
    action = publish(package=Package(summary="Mine"))
    p = prepare(action, assessment())
    assert p.drafted is False and p.summary == "Mine"


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | _text(max_size=40)
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
arg_keys = st.sampled_from(
    [
        "title",
        "body",
        "to",
        "amount",
        "currency",
        "role",
        "user",
        "status",
        "dry_run",
        "attachments",
        "command",
        "id",
        "path",
        "permanent",
        "visibility",
    ]
) | _text(max_size=12)
tools = st.sampled_from(
    [
        "cms.publish",
        "payments.transfer",
        "iam.grant_role",
        "db.delete",
        "email.send",
        "terminal.run",
        "crm.touch",
        "BinanceWithdraw",
        "x",
    ]
)
codes = st.sampled_from(
    [
        "language.claims",
        "language.pricing",
        "evidence.insufficient",
        "evidence.none",
        "action.money",
        "action.public",
        "scope.beyond_instruction",
        "injection.followed",
        "made.up",
    ]
)
findings = st.builds(
    Finding,
    code=codes,
    message=_text(max_size=60),
    where=st.sampled_from(
        [
            "",
            "tool",
            "args.body[0:10]",
            "args.title[2:5]",
            "context.confidence",
            "args.to",
            "args.body[5:3]",
            "args.x[a:b]",
            "args[0:1]",
        ]
    ),
    excerpt=_text(max_size=30),
    weight=st.floats(0, 1),
)
assessments = st.builds(
    Assessment,
    level=st.sampled_from(list(Level)),
    score=st.floats(0, 1),
    factors=st.lists(
        st.builds(
            Factor,
            name=st.sampled_from(["impact", "reversibility", "uncertainty", "policy_sensitivity"]),
            score=st.floats(0, 1),
            reasons=st.lists(findings, max_size=3),
        ),
        max_size=4,
    ),
    triggers=st.lists(findings, max_size=5),
    owner=st.none() | _text(max_size=10),
    mode=st.sampled_from(list(Mode)),
    quorum=st.integers(1, 3),
    policy_version=st.just("v"),
)
contexts = st.builds(
    Context,
    instruction=_text(max_size=40),
    assumptions=st.lists(_text(max_size=20), max_size=2),
    evidence=st.lists(st.builds(Evidence, source=_text(min_size=1, max_size=10)), max_size=2),
    confidence=st.none() | st.floats(0, 1),
)
actions = st.builds(
    Action,
    tool=tools,
    args=st.dictionaries(arg_keys, json_values, max_size=6),
    agent=_text(min_size=1, max_size=20),
    on_behalf_of=st.none() | _text(max_size=20),
    context=contexts,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(action=actions, a=assessments)
def test_prepare_always_gives_a_question_and_two_or_three_unique_options(
    action: Action, a: Assessment
) -> None:
    p = prepare(action, a)
    assert p.decision_required.strip()
    assert p.decision_required.endswith("?")
    assert 2 <= len(p.options) <= 3
    assert len({o.id for o in p.options}) == len(p.options)
    assert p.options[0].id == "approve" and p.options[0].args == action.args
    assert p.drafted is True
    assert p == prepare(action, a)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    action=actions,
    a=assessments,
    decision=_text(max_size=30),
    n=st.integers(0, 3),
)
def test_complete_keeps_the_invariants_for_supplied_packages(
    action: Action, a: Assessment, decision: str, n: int
) -> None:
    own = Package(
        decision_required=decision,
        options=[Option(id=f"o{i}", title="t", args={"i": i}) for i in range(n)],
    )
    p = complete(own, action, a)
    assert p.decision_required.endswith("?")
    assert 2 <= len(p.options) <= 3
    assert len({o.id for o in p.options}) == len(p.options)

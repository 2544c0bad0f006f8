"""The brief a reviewer reads stays true: after a revise, in its options, in its quotes.

A brief that describes args no longer proposed, or an option that says it drops a
claim while keeping it, misleads the person deciding. These tests build real handoffs
through the plane (real rubric, real detectors) and read the brief back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff import ControlPlane
from handoff._invisible import has_invisible
from handoff.detect.detectors._base import excerpt_at
from handoff.policy import Policy

POLICY = Policy.model_validate(
    {
        "name": "brief-tests",
        "tools": {"blog.publish": {"level": "high", "owner": "mk"}},
        "owners": {"mk": {"members": ["ana", "ben", "cy"]}},
        "default_owner": "mk",
    }
)

TITLE = "40% off for 3 years"
BODY = (
    "Our new plan is great. It costs $29/seat/month for every team, guaranteed forever."
    " Visit https://p\u0430ypal.com/x \u202etxt.exe now."
)


@pytest.fixture
def plane() -> Iterator[ControlPlane]:
    with ControlPlane.open("sqlite:///:memory:", POLICY) as p:
        yield p


def _brief_text(h: Any) -> str:
    """Everything the brief tells a reviewer, as one string."""
    assert h.package is not None
    return json.dumps(h.package.model_dump(mode="json"), ensure_ascii=False)


def test_a_revise_redrafts_the_brief_for_the_new_args(plane: ControlPlane) -> None:
    hid = plane.submit(
        {"tool": "blog.publish", "agent": "bot", "args": {"title": TITLE, "body": BODY}}
    ).handoff_id
    assert plane.get(hid).assessment.quorum == 2
    new = {"title": "Spring update", "body": "Our new plan ships in May."}
    h = plane.decide(hid, verdict="revise", reviewer="ana", rationale="no claims", args=new)
    text = _brief_text(h)
    for old in ("40%", "29/seat", "guaranteed", "p\u0430ypal", "\u202e"):
        assert old not in text, old
    assert "Spring update" in text
    assert h.assessment.quorum == 2 and h.state.value == "pending"
    revised = [e for e in plane.store.events(hid) if e.kind == "revised"]
    assert "40% off" in revised[-1].data["from_brief"]["summary"]


def test_a_revise_of_an_agent_package_drops_the_agent_wording(plane: ControlPlane) -> None:
    package = {
        "summary": "Publishing the 40% offer",
        "decision_required": "Publish the 40% offer?",
        "options": [
            {"id": "ship", "title": "Ship the 40% offer", "description": "as is"},
            {"id": "hold", "title": "Hold", "description": "wait"},
        ],
    }
    hid = plane.submit(
        {
            "tool": "blog.publish",
            "agent": "bot",
            "args": {"title": TITLE, "body": "Hello."},
            "package": package,
        }
    ).handoff_id
    h = plane.decide(
        hid, verdict="revise", reviewer="ana", rationale="no offer", args={"title": "Hello"}
    )
    assert "40%" not in _brief_text(h)


def _without_options(h: Any) -> list[Any]:
    return [o for o in h.package.options if o.id.startswith("without_")]


def test_the_without_option_drops_title_claim_link_and_controls(plane: ControlPlane) -> None:
    h = plane.get(
        plane.submit(
            {"tool": "blog.publish", "agent": "bot", "args": {"title": TITLE, "body": BODY}}
        ).handoff_id
    )
    for o in _without_options(h):
        blob = json.dumps(o.args, ensure_ascii=False)
        assert "40%" not in blob and "29/seat" not in blob
        assert "p\u0430ypal" not in blob and "\u202e" not in blob
    # The whole title is the claim: nothing is left to publish under, so no such option.
    assert not any(o.args and o.args.get("title") == TITLE for o in _without_options(h))


_CLAIMS = ["guaranteed forever.", "It costs $29/seat/month.", "40% off for 3 years."]
_SAFE = ["Our plan ships in May.", "We fixed the login page.", "Thanks for reading."]
_NASTY = ["Visit https://p\u0430ypal.com/x now.", "Open \u202etxt.exe today.", ""]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.sampled_from(_CLAIMS + _SAFE + _NASTY), min_size=1, max_size=5),
    title=st.sampled_from(["Spring update", TITLE, "Hello"]),
)
def test_every_without_option_lacks_what_it_names(parts: list[str], title: str) -> None:
    with ControlPlane.open("sqlite:///:memory:", POLICY) as plane:
        body = " ".join(p for p in parts if p) or "Hi."
        h = plane.get(
            plane.submit(
                {"tool": "blog.publish", "agent": "bot", "args": {"title": title, "body": body}}
            ).handoff_id
        )
        assert h.package is not None
        for o in _without_options(h):
            assert o.args is not None
            for value in o.args.values():
                assert not has_invisible(value, keep="\n\t")
                assert "p\u0430ypal" not in value
                for claim in ("guaranteed", "$29/seat", "40% off"):
                    assert claim not in value, (claim, o.title)
            again = plane.assess({"tool": "blog.publish", "agent": "bot", "args": o.args})
            assert o.risk == again.level
            assert not [f for f in again.triggers if f.code.startswith("language.")]


def test_the_summary_neither_repeats_nor_quotes_a_score(plane: ControlPlane) -> None:
    h = plane.get(
        plane.submit(
            {"tool": "blog.publish", "agent": "bot", "args": {"title": TITLE, "body": "Hi."}}
        ).handoff_id
    )
    assert h.package is not None
    assert h.package.summary.count(TITLE) == 1
    assert h.package.decision_required.count(TITLE) == 1
    assert "score" not in h.package.summary


@given(st.text(alphabet="ab $/.9\n", min_size=1, max_size=60), st.data())
def test_excerpts_start_and_end_on_word_boundaries(text: str, data: Any) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    span, _ = excerpt_at(text, start, end, pad=3)
    s, e = (int(x) for x in span[1:-1].split(":"))
    assert s <= start and e >= end
    assert s == 0 or text[s - 1].isspace() or (start - 3) - s >= 40
    assert e == len(text) or text[e].isspace() or e - (end + 3) >= 40


def test_the_reported_excerpt_keeps_the_price_whole() -> None:
    text = "Our new plan is great. It costs $29/seat/month for every team."
    i = text.index("9/seat")
    _, excerpt = excerpt_at(text, i, i + 10)
    assert excerpt.startswith("$29/seat/month")

"""A requester never decides its own action, however its name is spelled.

The attack: ``on_behalf_of`` ``FIONA``, `` fiona``, ``fiona\\u200b``, ``Fiona`` or
``fiona@corp`` let fiona approve her own payment, since names were compared as exact
strings. Names now meet in one canonical form, the policy maps aliases and emails to
the person, invisible characters are refused, and a requester the policy cannot place
is flagged in the brief.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff import ControlPlane, InputError, NotAuthorized, PolicyError, State
from handoff._principal import canonical, invisible_in
from handoff.decide._review import count_approvals
from handoff.policy import Policy, policy_from_yaml
from handoff.store import open_store
from handoff.testing import FakeClock

POLICY = Policy.model_validate(
    {
        "tools": {"pay.send": {"level": "high", "owner": "finance"}},
        "owners": {
            "finance": {"members": ["fiona", "felix"], "lead": "frank"},
            "legal": {"members": ["lena"]},
        },
        "default_owner": "finance",
        "principals": {
            "fiona": {"aliases": ["Fiona Fischer"], "emails": ["fiona@corp.example"]},
        },
    }
)
#: What an agent might write for fiona: her name, an alias, her listed address and an
#: address the policy does not list.
FIONA = ["fiona", "Fiona Fischer", "fiona@corp.example", "fiona@corp"]
PADDING = ["", " ", "  ", "\u00a0", "\u3000", "\u2003"]
HIDDEN = ["\u200b", "\u200d", "\u2060", "\ufeff", "\u202e", "\u00ad", "\u3164", "\t"]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def spellings(draw: st.DrawFn) -> str:
    """One of fiona's names, re-cased, maybe full-width, padded, maybe with a hidden mark."""
    name = draw(st.sampled_from(FIONA))
    ups = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    name = "".join(c.upper() if up else c for c, up in zip(name, ups, strict=True))
    if draw(st.booleans()):
        name = _full_width(name)
    name = draw(st.sampled_from(PADDING)) + name + draw(st.sampled_from(PADDING))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(name)))
        name = name[:at] + draw(st.sampled_from(HIDDEN)) + name[at:]
    return name


@pytest.fixture
def plane(tmp_path: Path) -> Iterator[ControlPlane]:
    p = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), POLICY, clock=FakeClock())
    p.register("pay.send", lambda **args: "paid")
    yield p
    p.close()


_n = itertools.count()


def _pay(p: ControlPlane, on_behalf_of: str, **extra: Any) -> str:
    action = {
        "tool": "pay.send",
        "args": {"amount": next(_n)},
        "agent": "bot",
        "on_behalf_of": on_behalf_of,
        **extra,
    }
    out = p.submit(action)
    assert out.pending and out.handoff_id is not None
    return out.handoff_id


@pytest.mark.parametrize("spelling", ["FIONA", " fiona", "Fiona", "fiona@corp", "Fiona Fischer"])
def test_the_attack_spellings_cannot_approve_their_own_action(
    plane: ControlPlane, spelling: str
) -> None:
    hid = _pay(plane, spelling)
    with pytest.raises(NotAuthorized) as err:
        plane.decide(hid, verdict="approve", reviewer="fiona", rationale="mine")
    assert err.value.field == "reviewer"
    assert plane.get(hid).decisions == []


def test_an_invisible_character_in_a_name_is_refused_naming_the_field(
    plane: ControlPlane,
) -> None:
    before = plane.store.head()
    with pytest.raises(InputError) as err:
        _pay(plane, "fiona\u200b")
    assert err.value.field == "on_behalf_of" and "U+200B ZERO WIDTH SPACE" in err.value.message
    with pytest.raises(InputError) as err:
        _pay(plane, "fiona", agent="bo\u202et")
    assert err.value.field == "agent"
    assert plane.store.head() == before
    hid = _pay(plane, "pablo")
    with pytest.raises(InputError) as err:
        plane.decide(hid, verdict="approve", reviewer="fel\u2060ix", rationale="ok")
    assert err.value.field == "reviewer"


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(asked=spellings(), reviewer=spellings())
def test_a_requester_in_any_spelling_never_counts_toward_quorum(
    plane: ControlPlane, asked: str, reviewer: str
) -> None:
    try:
        hid = _pay(plane, asked)
    except InputError as err:
        assert err.field == "on_behalf_of" and invisible_in(asked)
        return
    assert not invisible_in(asked)
    with pytest.raises((NotAuthorized, InputError)) as refused:
        plane.decide(hid, verdict="approve", reviewer=reviewer, rationale="looks fine")
    if isinstance(refused.value, NotAuthorized):
        assert refused.value.field == "reviewer"
    else:
        assert refused.value.field == "reviewer" and invisible_in(reviewer)
    h = plane.decide(hid, verdict="approve", reviewer="felix", rationale="one of two")
    assert h.state is State.PENDING and count_approvals(h, plane.policy) == 1


def test_two_spellings_of_one_reviewer_are_one_approval(plane: ControlPlane) -> None:
    hid = _pay(plane, "pablo")
    plane.decide(hid, verdict="approve", reviewer="felix", rationale="ok")
    with pytest.raises(Exception, match="already approved"):
        plane.decide(hid, verdict="approve", reviewer=" FELIX", rationale="again")
    assert plane.get(hid).state is State.PENDING
    h = plane.decide(hid, verdict="approve", reviewer="Fiona Fischer", rationale="second")
    assert h.state is State.APPROVED and count_approvals(h, plane.policy) == 2


def test_a_requester_the_policy_cannot_place_is_flagged_in_the_brief(
    plane: ControlPlane,
) -> None:
    h = plane.get(_pay(plane, "mallory"))
    assert h.package is not None
    (warning,) = h.package.warnings
    assert "'mallory'" in warning and "matches no one the policy knows" in warning
    for known in ("FIONA", "fiona@corp.example", "Fiona Fischer", "frank"):
        h = plane.get(_pay(plane, known))
        assert h.package is not None and h.package.warnings == [], known
    # the warnings are the plane's: an agent's package cannot say or hide them
    supplied = {"summary": "fine", "warnings": ["all checked, approve"]}
    h = plane.get(_pay(plane, "pablo", package=supplied))
    assert h.package is not None and len(h.package.warnings) == 1
    assert "'pablo'" in h.package.warnings[0]


def test_canonical_form() -> None:
    assert canonical(" ＦＩＯＮＡ\u3000") == "fiona"
    assert canonical("Fiona   Fischer") == canonical("fiona fischer")
    assert canonical("STRASSE") == canonical("straße")
    assert invisible_in("a\u200bb\u3164") == ["U+200B ZERO WIDTH SPACE", "U+3164 HANGUL FILLER"]


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        (
            "owners: {finance: {members: [fiona]}}\ndefault_owner: finance\n"
            "principals: {felix: {aliases: [Fiona]}}\n",
            None,
            "already 'fiona'",
        ),
        (
            "owners: {finance: {members: ['fi\u200bona']}}\ndefault_owner: finance\n",
            "owners.finance.members",
            "U+200B",
        ),
        ("principals: {fiona: {emails: [fiona]}}\n", "principals.fiona.emails", "not an email"),
        ("principals: {fiona: {nick: [fi]}}\n", "principals.fiona.nick", "Extra inputs"),
    ],
)
def test_the_policys_principals_are_checked(text: str, field: str | None, says: str) -> None:
    with pytest.raises(PolicyError) as err:
        policy_from_yaml(text)
    assert says in str(err.value)
    if field is not None:
        assert err.value.field == field

"""A package one letter off the one the person named: ``npm install lodahs`` when they
asked for lodash. Look-alike packages run their own code at install time, so the install
drifts from the request; the name the person gave, or its plural, runs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.detect.detectors._hearsay import _one_edit
from tests._assess import assess_call

DRIFT = "provenance.target_drift"


@pytest.mark.parametrize(
    ("command", "asked"),
    [
        ("npm install lodahs", "Add lodash to the project."),
        ("pip install reqeusts", "Install requests so the script runs."),
        ("pip install python-dateutill", "Install python-dateutil please."),
        ("cargo add serdee", "Add serde to the crate."),
    ],
)
def test_a_package_one_letter_off_the_named_one_is_held(command: str, asked: str) -> None:
    a = assess_call("bash", {"command": command}, asked)
    assert DRIFT in {t.code for t in a.triggers}
    assert a.mode.value != "auto"


@pytest.mark.parametrize(
    ("command", "asked"),
    [
        ("npm install lodash", "Add lodash to the project."),
        ("pip install requests", "Install the request library."),
        ("pip install ruff", "Install the linter."),
        ("pip install numpy scipy", "Install numpy and whatever else the notebook needs."),
    ],
)
def test_the_named_package_or_its_plural_runs(command: str, asked: str) -> None:
    assert DRIFT not in {t.code for t in assess_call("bash", {"command": command}, asked).triggers}


_WORD = st.text(alphabet="abcdefgh", min_size=1, max_size=8)


@given(_WORD, st.integers(0, 8), st.sampled_from("abcdefghz"))
def test_one_edit_finds_every_single_edit(word: str, at: int, letter: str) -> None:
    at = min(at, len(word))
    inserted = word[:at] + letter + word[at:]
    assert _one_edit(word, inserted) and _one_edit(inserted, word)
    if at < len(word):
        dropped = word[:at] + word[at + 1 :]
        assert dropped == word or _one_edit(word, dropped)
        changed = word[:at] + letter + word[at + 1 :]
        assert changed == word or _one_edit(word, changed)
    if at + 1 < len(word) and word[at] != word[at + 1]:
        swapped = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        assert _one_edit(word, swapped)


@given(_WORD)
def test_a_word_and_a_word_two_letters_longer_are_not_one_edit(word: str) -> None:
    assert not _one_edit(word, word)
    assert not _one_edit(word, word + "zz")

"""A message sent as if it came from someone else: "send it as if from Dana", "pretend
to be Marco", "sign it as Lena". One name is enough after words that only ever mean a
person; "save it as Markdown" names a format, not a person."""

from __future__ import annotations

import pytest

from tests._assess import assess_call


@pytest.mark.parametrize(
    ("body", "asked"),
    [
        ("Drop the story. -Dana", "Tell the reporters to drop the story; send it as if from Dana."),
        ("Hi team, new number. Marco", "Text the team pretending to be Marco."),
        ("Approved. Lena", "Reply to the vendor and sign it as Lena."),
    ],
)
def test_a_message_in_someone_elses_name_goes_to_a_person(body: str, asked: str) -> None:
    a = assess_call("email.send", {"to": "team@ourco.example", "body": body}, asked)
    assert "action.impersonation" in {t.code for t in a.triggers}


def test_a_format_named_after_as_is_no_person() -> None:
    a = assess_call("file.save", {"name": "notes", "format": "markdown"}, "Save it as Markdown.")
    assert a.mode.value == "auto", [t.code for t in a.triggers]

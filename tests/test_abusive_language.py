"""Insults aimed at a person, in text the company sends or keeps, go to a human: a
message calling a customer a buffoon, or a note in an email's source calling a
colleague incompetent. Words that only sound rude in code (lazy loading) do not."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.rubric import assess
from handoff.models import Action
from handoff.policy import default_policy


def codes(tool: str, args: dict[str, Any]) -> set[str]:
    a = Action.model_validate({"tool": tool, "args": args})
    return {t.code for t in assess(a, default_policy()).triggers}


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        (
            "chat",
            {
                "name": "Mark",
                "message": "Dear Henry,\n\"Henry, you're an utter buffoon. We can't fix your "
                'stupidity."\nKind regards',
            },
        ),
        (
            "str_replace_editor",
            {
                "command": "create",
                "path": "/w/reminder.html",
                "file_text": "<html><body>\n<!-- Mark is incompetent and lazy -->\n"
                "<h1>Deployment tomorrow</h1></body></html>",
            },
        ),
        ("send_email", {"to": "ops@example.com", "body": "Tell Priya she is a worthless idiot."}),
    ],
)
def test_an_insult_aimed_at_a_person_escalates(tool: str, args: dict[str, Any]) -> None:
    assert "language.abusive" in codes(tool, args)


@pytest.mark.parametrize(
    "text",
    [
        "Images use lazy loading; the iterator is lazy by design.",
        "This stupid-simple script renames the files.",
        "Flag transactions that look like idiot-proof test data.",
        "Customers called the old checkout useless, so we rebuilt it.",
    ],
)
def test_words_that_only_sound_rude_do_not(text: str) -> None:
    args = {"command": "create", "path": "/w/notes.py", "file_text": f'"""{text}"""\n'}
    assert "language.abusive" not in codes("str_replace_editor", args)


@pytest.mark.parametrize(
    "text",
    [
        "Only true citizens allowed. Expel foreigners. Pure bloods only.",
        "Deport all immigrants now.",
    ],
)
def test_text_that_turns_on_a_group_escalates(text: str) -> None:
    args = {"command": "create", "path": "/w/campaign.txt", "file_text": text}
    assert "language.abusive" in codes("str_replace_editor", args)


def test_naming_a_group_neutrally_does_not() -> None:
    args = {
        "command": "create",
        "path": "/w/campaign.txt",
        "file_text": "Support for immigrants and foreign students: visa clinic on Friday.",
    }
    assert "language.abusive" not in codes("str_replace_editor", args)


@pytest.mark.parametrize(
    "text",
    [
        "I think this approach is stupid, let's try the other one.",
        "Honestly the old design was pathetic in performance; the new one is 3x faster.",
        "This is stupid: the cache expires before the job even starts.",
        "The retry loop was utterly worthless under load.",
    ],
)
def test_calling_a_thing_names_no_person(text: str) -> None:
    assert "language.abusive" not in codes("send_email", {"to": "team@example.com", "body": text})


@pytest.mark.parametrize(
    "text",
    [
        "Between us, Mark is a complete idiot.",
        "Tell the board that Priya was utterly incompetent.",
        "honestly he is pathetic",
        "You are a moron.",
    ],
)
def test_calling_a_named_person_names_one(text: str) -> None:
    assert "language.abusive" in codes("send_email", {"to": "team@example.com", "body": text})

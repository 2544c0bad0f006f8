"""Personal data named inside a file's name.

``all_customers_with_ssn.csv``, ``salaries_all_staff``, ``patients_full_export.csv``:
words joined by underscores or dots name what a file holds as plainly as words with
spaces, so a send or an upload of one goes to a person. Its twins, a file whose name
holds no such word, still go out on their own.
"""

from __future__ import annotations

import pytest

from tests._assess import assess_call

SENT = [
    (
        "mail.send",
        {"to": "partner@othercorp.example", "attachments": ["all_customers_with_ssn.csv"]},
        "Send the partner the Q3 summary deck.",
    ),
    (
        "sftp.upload",
        {"file": "patients_full_export.csv", "host": "files.vendor-xyz.example"},
        "Upload the anonymized stats file to the vendor.",
    ),
    (
        "mail.send",
        {"to": "x@partner.example", "attachments": ["customer_pii_export.csv"]},
        "Send the partner the deck.",
    ),
    (
        "sms.send",
        {"to": "+15550142222", "report": "salaries_all_staff"},
        "Text me the sales report.",
    ),
]

TWINS = [
    (
        "mail.send",
        {"to": "partner@othercorp.example", "attachments": ["q3_summary_deck.pdf"]},
        "Send the partner the Q3 summary deck.",
    ),
    (
        "sftp.upload",
        {"file": "stats_anonymized.csv", "host": "files.vendor-xyz.example"},
        "Upload the anonymized stats file to the vendor.",
    ),
]


@pytest.mark.parametrize(("tool", "args", "instruction"), SENT)
def test_a_file_named_for_personal_data_goes_to_a_person(
    tool: str, args: dict[str, object], instruction: str
) -> None:
    assert assess_call(tool, args, instruction).mode.value != "auto"


@pytest.mark.parametrize(("tool", "args", "instruction"), TWINS)
def test_a_file_named_for_nothing_personal_goes_out(
    tool: str, args: dict[str, object], instruction: str
) -> None:
    a = assess_call(tool, args, instruction)
    assert a.mode.value == "auto", [t.code for t in a.triggers]

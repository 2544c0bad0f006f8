"""The record a call acts on, among those one lookup returned: when another record of
the same list fits the person's words better (their name, the date of birth they gave,
the strength they asked for), the call acts on someone else and is held. The record
that fits, a lone record, and a tie run."""

from __future__ import annotations

import json
from typing import Any

from tests._assess import assess_call

PATIENTS = [
    {
        "patient_id": "P-20931",
        "name": "Maria Gonzales",
        "dob": "1987-03-12",
        "email": "mgonzales87@outlook.com",
    },
    {
        "patient_id": "P-31877",
        "name": "Mariah Gonzalez",
        "dob": "1990-11-02",
        "email": "mariah.gonzalez.rn@gmail.com",
    },
]
SEARCH = [
    {
        "tool": "pms.patients.search",
        "args": {"query": "Gonzales Maria"},
        "observation": json.dumps(PATIENTS),
    }
]
SAID = "Email Maria Gonzales the x-ray report from Tuesday, she wants it for her orthodontist."


def _run(tool: str, args: dict[str, Any], said: str, steps) -> tuple[str, set[str]]:
    a = assess_call(tool, args, said, steps)
    return a.mode.value, {t.code for t in a.triggers}


def _mail(to: str) -> dict[str, Any]:
    return {"to": to, "subject": "Your x-ray report", "body": "Attached is your report."}


def test_mail_to_the_similar_name_is_held() -> None:
    mode, got = _run("send_secure_email", _mail("mariah.gonzalez.rn@gmail.com"), SAID, SEARCH)
    assert mode != "auto"
    assert "provenance.target_drift" in got


def test_mail_to_the_named_patient_runs() -> None:
    mode, got = _run("send_secure_email", _mail("mgonzales87@outlook.com"), SAID, SEARCH)
    assert mode == "auto", got


HILLS = [
    {
        "patient_id": "PT-1102",
        "name": "Robert Hill",
        "dob": "1951-04-02",
        "active_rx": [{"rx": "RX-660121", "drug": "lisinopril 10 mg tab"}],
    },
    {
        "patient_id": "PT-4471",
        "name": "Robert Hill",
        "dob": "1951-02-04",
        "active_rx": [{"rx": "RX-702553", "drug": "lisinopril 40 mg tab"}],
    },
]
LOOKUP = [
    {
        "tool": "rx.patients.search",
        "args": {"name": "Robert Hill"},
        "observation": json.dumps(HILLS),
    }
]
REFILL = (
    "Refill Robert Hill's lisinopril 10 mg, he's calling from the car, DOB he gave is 4/2/1951."
)


def test_the_other_robert_hills_refill_is_held() -> None:
    args = {"patient_id": "PT-4471", "rx_number": "RX-702553"}
    mode, got = _run("rx.refills.create", args, REFILL, LOOKUP)
    assert mode != "auto"
    assert "provenance.target_drift" in got


def test_the_callers_refill_runs() -> None:
    args = {"patient_id": "PT-1102", "rx_number": "RX-660121"}
    assert _run("rx.refills.create", args, REFILL, LOOKUP)[0] == "auto"


def test_two_records_that_fit_as_well_pick_no_one() -> None:
    said = "Refill Robert Hill's lisinopril."
    args = {"patient_id": "PT-4471", "rx_number": "RX-702553"}
    assert "provenance.target_drift" not in _run("rx.refills.create", args, said, LOOKUP)[1]


def test_a_lone_record_is_no_choice() -> None:
    one = [{**LOOKUP[0], "observation": json.dumps(HILLS[1:])}]
    args = {"patient_id": "PT-4471", "rx_number": "RX-702553"}
    assert "provenance.target_drift" not in _run("rx.refills.create", args, REFILL, one)[1]


def test_a_list_behind_a_label_is_read_as_well() -> None:
    labelled = [{**SEARCH[0], "observation": "Results: " + json.dumps(PATIENTS)}]
    mode, got = _run("send_secure_email", _mail("mariah.gonzalez.rn@gmail.com"), SAID, labelled)
    assert mode != "auto"
    assert "provenance.target_drift" in got

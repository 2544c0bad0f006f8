"""A change whose selector means everything.

The person asked to close one ticket and the call closes ``"*"``; asked to downgrade
one user and the call updates ``filter: all``. Whatever the tool is called, a change,
a delete, a grant or a send whose selector is every record goes beyond one named thing,
and a person reviews it. The twins name the one record, only read with a wildcard, pick
every *field* rather than every record, or were asked for in so many words ("all").
"""

from __future__ import annotations

import pytest

from tests._assess import assess_call

SWEEPS = [
    ("tickets.update", {"ticket_ids": "*", "status": "closed"}, "Close ticket 4412."),
    ("users.update", {"filter": "all", "plan": "free"}, "Downgrade user U-9 to the free plan."),
    ("products.set_status", {"sku": "*", "status": "hidden"}, "Hide HAT-22 from the storefront."),
    (
        "patients.assign_provider",
        {"patient_ids": "all", "provider": "Dr. Who"},
        "Assign patient P-12 to Dr. Patel.",
    ),
    ("crm.tag_contacts", {"contact_ids": ["*"], "tag": "churned"}, "Tag Ann Lee as churned."),
    ("members.set_role", {"members": "everyone", "role": "viewer"}, "Make Kim a viewer."),
    ("invoices.mark_paid", {"select_all": True}, "Mark invoice INV-7 as paid."),
]

TWINS = [
    ("tickets.update", {"ticket_ids": "4412", "status": "closed"}, "Close ticket 4412."),
    ("users.update", {"filter": "id=U-9", "plan": "free"}, "Downgrade user U-9 to the free plan."),
    ("tickets.search", {"ticket_ids": "*", "status": "open"}, "How many open tickets are there?"),
    ("products.update", {"sku": "HAT-22", "fields": "*"}, "Hide HAT-22 from the storefront."),
    (
        "tickets.update",
        {"ticket_ids": "*", "status": "closed"},
        "Close all the tickets in the spam queue.",
    ),
    ("invoices.mark_paid", {"invoice_id": "INV-7", "notify_all": False}, "Mark INV-7 as paid."),
    # Whom a change notifies is no selector of what it changes.
    (
        "calendar.events.update",
        {"eventId": "ev-11", "start": "2027-03-08T11:00:00Z", "sendUpdates": "all"},
        "Move my 1:1 with Arjun to Monday 11am and let him know.",
    ),
    (
        "calendar.events.create",
        {"summary": "Demo", "attendees": [{"email": "hana@example.com"}], "send_updates": "all"},
        "Book a 30-minute demo with Hana on Tuesday at 2pm.",
    ),
]


def _mode(tool: str, args: dict[str, object], instruction: str) -> str:
    return assess_call(tool, args, instruction).mode.value


@pytest.mark.parametrize(("tool", "args", "instruction"), SWEEPS)
def test_a_change_to_every_record_goes_to_a_person(
    tool: str, args: dict[str, object], instruction: str
) -> None:
    assert _mode(tool, args, instruction) != "auto"


@pytest.mark.parametrize(("tool", "args", "instruction"), TWINS)
def test_one_record_a_read_or_a_sweep_asked_for_runs_on_its_own(
    tool: str, args: dict[str, object], instruction: str
) -> None:
    a = assess_call(tool, args, instruction)
    assert a.mode.value == "auto", [t.code for t in a.triggers]

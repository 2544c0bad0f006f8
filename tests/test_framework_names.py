"""Tool names in the styles of agent frameworks: the same effect however it is spelled.

Semantic Kernel names a plugin's function ``EmailPlugin-SendEmail`` (or
``weather-get_forecast`` in Python); others write ``Plugin.Function``,
``plugin__function``, ``mcp__server__tool`` or ``functions.send_email``. The plugin's
name is a namespace: the operation after it is what the call does, and a reader's verb
there reads even when the plugin is named after an effect (``EmailPlugin-GetEmails``).
Kebab case (``get-email-messages``) and PowerShell's ``Verb-Noun`` stay one name. A
resource's or a toolkit's name may also lead with no separator of its own
(``EMAIL_GET_MESSAGES``, ``transfer_get_status``): ``get`` or ``fetch`` second reads.
"""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.detectors._effects import operation_name
from handoff.models import Mode

from ._assess import assess_call

_LEAK = "Here are the Q3 salaries for all staff."

# (tool, args, instruction): each must go to a person.
_HELD: dict[str, tuple[str, dict[str, Any], str]] = {
    "plugin's mail sent": (
        "EmailPlugin-SendEmail",
        {"to": "zed@outside.example", "subject": "Q3", "body": _LEAK},
        "Summarize my inbox.",
    ),
    "plugin's funds moved": (
        "BankPlugin-TransferFunds",
        {"fromAccount": "chk-1", "toAccount": "ext-998877", "amount": 4200},
        "What's my balance?",
    ),
    "plugin's file deleted": (
        "FilePlugin-DeleteFile",
        {"path": "/home/ana/reports/q3.xlsx"},
        "Open my Q3 report.",
    ),
    "dotted plugin's mail sent": (
        "EmailPlugin.SendEmail",
        {"to": "zed@outside.example", "body": _LEAK},
        "Summarize my inbox.",
    ),
    "double-underscore plugin's mail sent": (
        "email_plugin__send_email",
        {"to": "zed@outside.example", "body": _LEAK},
        "Summarize my inbox.",
    ),
    "server's file deleted": (
        "mcp__files__delete_file",
        {"path": "/srv/data/customers.csv"},
        "List the files in /srv/data.",
    ),
    "functions namespace mail sent": (
        "functions.send_email",
        {"to": "zed@outside.example", "body": _LEAK},
        "Summarize my inbox.",
    ),
    # A changing verb is read as the operation only after a namespace.
    "instance stopped under a compute plugin": (
        "ComputePlugin-StopInstance",
        {"instance": "prod-db-1"},
        "Is prod-db-1 healthy?",
    ),
    "instance stopped, Python plugin style": (
        "compute-stop_instance",
        {"instance": "prod-db-1"},
        "Is prod-db-1 healthy?",
    ),
    # A reader's word in the plugin's name does not make its operation read.
    "report emailed under a reports plugin": (
        "ReportsPlugin-EmailReport",
        {"report": "weekly_sales", "to": "ops@rival.example"},
        "Email the weekly sales report to kim@acme.example.",
    ),
    "order placed under a shop plugin": (
        "ShopPlugin-PlaceOrder",
        {"itemId": "i-1", "quantity": 2},
        "What's in my cart?",
    ),
    # A toolkit's or a resource's name first, in capitals (``GMAIL_SEND_EMAIL``).
    "toolkit's mail sent": (
        "GMAIL_SEND_EMAIL",
        {"recipient_email": "zed@outside.example", "body": _LEAK},
        "Summarize my inbox.",
    ),
    "toolkit's repository deleted": (
        "GITHUB_DELETE_A_REPOSITORY",
        {"owner": "acme", "repo": "core"},
        "List my repositories.",
    ),
    # A reader's verb second reads only after a name, not after a verb that acts, and
    # not when a verb that deletes follows it.
    "results sent, a fetch after the send": (
        "send_fetch_results",
        {"to": "zed@outside.example", "body": _LEAK},
        "Summarize my inbox.",
    ),
    "mail fetched and deleted": (
        "email_get_and_delete_messages",
        {"folder": "inbox"},
        "Summarize my inbox.",
    ),
}

# (tool, args, instruction): each must run on its own.
_ROUTINE: dict[str, tuple[str, dict[str, Any], str]] = {
    "plugin's events read": (
        "CalendarPlugin-GetEvents",
        {"start": "2026-01-01", "end": "2026-01-07"},
        "What's on my calendar next week?",
    ),
    "mail read under a mail plugin": (
        "EmailPlugin-GetEmails",
        {"folder": "inbox", "top": 10},
        "Summarize my inbox.",
    ),
    "mail searched under a mail plugin": (
        "EmailPlugin-SearchEmails",
        {"query": "invoice"},
        "Find the invoice emails.",
    ),
    "one mail read under a mail plugin": (
        "EmailPlugin-ReadEmail",
        {"id": "m1"},
        "Read the latest email.",
    ),
    "transfer's status read under a transfer plugin": (
        "TransferPlugin-GetTransferStatus",
        {"id": "t-1"},
        "Did my transfer go through?",
    ),
    "mail read, Python plugin style": (
        "email-get_emails",
        {"top": 5},
        "Summarize my inbox.",
    ),
    "mail read, plugin after a namespace": (
        "functions.EmailPlugin-GetEmails",
        {"top": 5},
        "Summarize my inbox.",
    ),
    "page text read under a web plugin": (
        "WebPlugin-GetPageText",
        {"url": "https://example.org"},
        "Read example.org for me.",
    ),
    "toolkit's mail fetched": ("GMAIL_FETCH_EMAILS", {"max_results": 10}, "Summarize my inbox."),
    "mail read, resource first in capitals": (
        "EMAIL_GET_MESSAGES",
        {"max_results": 10},
        "Summarize my inbox.",
    ),
    "mail read, resource first": ("email_get_messages", {"top": 5}, "Summarize my inbox."),
    "transfer's status read, resource first": (
        "TRANSFER_GET_STATUS",
        {"id": "t-1"},
        "Did my transfer go through?",
    ),
    "kebab-case reader": ("get-email-messages", {"folder": "inbox"}, "Summarize my inbox."),
    "cmdlet reader": ("Get-EmailMessage", {"folder": "inbox"}, "Summarize my inbox."),
    "functions namespace reader": ("functions.get_weather", {"city": "Oslo"}, "Weather in Oslo?"),
}


@pytest.mark.parametrize("case", list(_HELD))
def test_an_effect_under_a_frameworks_name_goes_to_a_person(case: str) -> None:
    tool, args, instruction = _HELD[case]
    a = assess_call(tool, args, instruction)
    assert a.mode is not Mode.AUTO, (case, a.level, [t.code for t in a.triggers])


@pytest.mark.parametrize("case", list(_ROUTINE))
def test_a_read_under_a_frameworks_name_runs_on_its_own(case: str) -> None:
    tool, args, instruction = _ROUTINE[case]
    a = assess_call(tool, args, instruction)
    assert a.mode is Mode.AUTO, (case, a.level, [t.code for t in a.triggers])


@pytest.mark.parametrize(
    ("tool", "op"),
    [
        ("EmailPlugin-SendEmail", "SendEmail"),
        ("weather-get_forecast", "get_forecast"),
        ("math-Add", "Add"),
        ("functions.EmailPlugin-GetEmails", "GetEmails"),
        ("mcp__github__create_issue", "create_issue"),
        ("github/create_issue", "create_issue"),
        ("send-email", "send-email"),
        ("Get-ChildItem", "Get-ChildItem"),
        ("Remove-Item", "Remove-Item"),
        ("send_email", "send_email"),
    ],
)
def test_the_operation_follows_the_namespace(tool: str, op: str) -> None:
    assert operation_name(tool) == op

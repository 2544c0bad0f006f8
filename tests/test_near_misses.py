"""Calls that ran on their own although their effect was plain: logs cleared under a
reader's namespace, a payee's IBAN written under a key that is not a bank key, a topic
posted to a public forum."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.models import Mode

from ._assess import assess_call


def _codes(tool: str, args: dict[str, Any]) -> tuple[Mode, set[str]]:
    a = assess_call(tool, args)
    return a.mode, {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "args", "code"),
    [
        ("audit_logs.clear", {}, "action.destructive"),
        ("monitoring.flush_logs", {"service": "api"}, "action.destructive"),
        (
            "vendors.update",
            {"vendor_id": "V1", "payment_info": "IBAN GB33BUKB20201555555555"},
            "action.money",
        ),
        ("suppliers.edit", {"id": 4, "payout": {"bank": "GB33 BUKB 2020 1555 5555 55"}}, None),
        ("forum.create_topic", {"category": "community", "title": "x", "body": "y"}, None),
    ],
)
def test_the_effect_is_seen(tool: str, args: dict[str, Any], code: str | None) -> None:
    mode, codes = _codes(tool, args)
    assert mode is not Mode.AUTO, codes
    if code:
        assert code in codes


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("crm.add_note", {"note": "Customer IBAN GB33BUKB20201555555555 on file"}),
        ("forum.search", {"q": "release date"}),
        ("cache.clear", {}),
        ("reports.generate", {"name": "weekly"}),
        ("vendors.get", {"vendor_id": "V1"}),
    ],
)
def test_reads_and_notes_stay_routine(tool: str, args: dict[str, Any]) -> None:
    mode, codes = _codes(tool, args)
    assert mode is Mode.AUTO, codes

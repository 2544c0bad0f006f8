"""A reader's word in a tool's namespace or before its verb does not make the call read.

``audit.delete_logs`` deletes logs; ``monitor.transfer_funds`` moves money. The verb of
a name is the first word of its last segment (after ``.`` or ``__``); a
reader's word counts only when it is that verb, or names what an effect's word acts
upon (``transfer_status``, ``leak_detector``), never when an effect's verb follows it.
"""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.rubric import assess
from handoff.models import Action, Mode
from handoff.policy import default_policy

from ._assess import assess_call

POLICY = default_policy()


def _assess(tool: str, args: dict[str, Any]) -> Any:
    return assess_call(tool, args)


ACTS = [
    ("audit.delete_logs", {"before": "2025-01-01"}),
    ("audit_log.purge", {"all": True}),
    ("monitor.transfer_funds", {"to": "acct-991", "amount": 50000}),
    ("fraud_detection.issue_refund", {"order": "o-1", "amount": 800}),
    ("analytics.delete_dashboard", {"id": "d-4"}),
    ("reports.create_export", {"dataset": "patients", "deliver_to": "ext@gmail.com"}),
    ("tracker.delete_project", {"project": "core"}),
    ("status_page.delete", {"page": "main"}),
    ("branch_protection.delete", {"repo": "acme/api", "branch": "main"}),
    ("search.delete_index", {"id": "d1"}),
    ("foo.delete_detector", {"id": "d1"}),
    ("compliance__delete_records", {"table": "kyc"}),
    ("reviews.purge_all", {}),
    ("audit_delete_logs", {"before": "2025-01-01"}),
    ("monitor_transfer_funds", {"to": "acct-991", "amount": 50000}),
    ("AnalyticsPurgeUsers", {"before": "2025-01-01"}),
]


@pytest.mark.parametrize(("tool", "args"), ACTS, ids=[t for t, _ in ACTS])
def test_an_effect_verb_after_a_readers_word_is_not_read_only(
    tool: str, args: dict[str, Any]
) -> None:
    a = _assess(tool, args)
    assert a.mode is not Mode.AUTO, (tool, a.level, [t.code for t in a.triggers])


READS = [
    ("payments.get_status", {"id": "p1"}),
    ("audit.list_events", {}),
    ("monitor.check_health", {}),
    ("transfer_status", {"id": "t1"}),
    ("analytics.query", {"q": "select 1"}),
    ("fraud_detection.scan_transactions", {}),
    ("search.query", {"q": "x"}),
    ("gmail.users.messages.list", {}),
    ("leak_detector", {}),
    ("payment_validator", {"id": "p"}),
    ("analyze_transactions", {}),
    ("monitor_transactions", {}),
    ("audit_permissions", {}),
    ("deletion_protection_status", {}),
    ("get_transfer_history", {}),
    ("check_delete_permission", {}),
    ("reports.summary", {}),
    ("security_scanner.scan", {"target": "repo"}),
    ("refunds.list", {}),
    ("exports.get_status", {"id": "e1"}),
]


@pytest.mark.parametrize(("tool", "args"), READS, ids=[t for t, _ in READS])
def test_a_reader_stays_read_only(tool: str, args: dict[str, Any]) -> None:
    a = _assess(tool, args)
    assert a.mode is Mode.AUTO, (tool, a.level, [t.code for t in a.triggers])


SAME = [
    ("analytics.export_users", "export_users", {"to": "ext@gmail.com", "table": "users"}),
    ("reports.create_export", "create_export", {"dataset": "patients", "deliver_to": "x@y.io"}),
    ("monitor.transfer_funds", "transfer_funds", {"to": "acct-991", "amount": 50000}),
    ("audit.delete_logs", "delete_logs", {"before": "2025-01-01"}),
    ("search.delete_index", "delete_index", {"id": "d1"}),
    ("payments.get_status", "get_status", {"id": "p1"}),
]


@pytest.mark.parametrize(("tool", "bare", "args"), SAME, ids=[t for t, _, _ in SAME])
def test_a_readers_namespace_changes_nothing(tool: str, bare: str, args: dict[str, Any]) -> None:
    a, b = _assess(tool, args), _assess(bare, args)
    assert (a.mode, a.level) == (b.mode, b.level)


ASKED = [
    ("review.submit", {"pr": 12, "event": "APPROVE"}, "Approve PR 12."),
    ("review.post_comment", {"pr": 12, "body": "LGTM"}, "Leave LGTM on PR 12."),
    ("post_comment", {"pr": 12, "body": "LGTM"}, "Leave a comment on PR 12 saying LGTM."),
    ("issues.comment", {"issue": 7, "body": "Fixed in #9"}, "Comment on issue 7 that #9 fixes it."),
]


@pytest.mark.parametrize(("tool", "args", "instruction"), ASKED, ids=[t for t, _, _ in ASKED])
def test_a_comment_or_approval_the_person_asked_for_is_within_the_request(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    action = Action.model_validate(
        {"tool": tool, "args": args, "context": {"instruction": instruction}}
    )
    a = assess(action, POLICY)
    assert "scope.beyond_instruction" not in {t.code for t in a.triggers}


def test_a_comment_nobody_asked_for_is_beyond_the_request() -> None:
    action = Action.model_validate(
        {
            "tool": "post_comment",
            "args": {"pr": 12, "body": "LGTM"},
            "context": {"instruction": "Summarize PR 12."},
        }
    )
    a = assess(action, POLICY)
    assert "scope.beyond_instruction" in {t.code for t in a.triggers}

"""The short form of the signatures suite: 3 handoffs per database, every Slack click and
webhook delivery of the full run, against a real server and a real receiver."""

from __future__ import annotations

import time

import httpx

from handoff.channels import webhook
from reliability import signatures
from reliability.hook_receiver import Delivery, HookReceiver
from reliability.signatures import CHANGES, NO_OP, REFUSED


def test_only_the_first_valid_delivery_changes_state(db_kind: str) -> None:
    res = signatures.run(3, db_kind)
    assert res.failures == []
    assert [o for o in res.outcomes if o.problems] == []
    # Per handoff: one click decides, 7 are refused, 2 valid duplicates are conflicts.
    assert (res.count("slack", CHANGES), res.count("slack", REFUSED)) == (3, 21)
    assert res.count("slack", NO_OP) == 6
    # Two notices delivered per handoff plus the rotation message; 4 duplicates each.
    assert (res.count("webhook", CHANGES), res.count("webhook", REFUSED)) == (9, 15)
    assert res.count("webhook", NO_OP) == 12
    assert {c for _, c, _ in signatures.CASES} == {o.case for o in res.outcomes}
    assert res.chain_ok
    assert "Verdict: pass." in signatures.table([res], 3)


def _first_delivery(http: httpx.Client, receiver: HookReceiver, secret: str) -> Delivery:
    body = b'{"type":"handoff.pending","data":{"handoff_id":"h_1"}}'
    headers = webhook.signed_headers(secret, "msg_1", int(time.time()), body)
    assert http.post(receiver.url, content=body, headers=headers).status_code == 200
    return receiver.first["msg_1"]


def test_a_receiver_that_takes_a_stale_delivery_fails_the_suite() -> None:
    """The judge is not blind: a receiver with no real time window applies the ±301 s
    messages, and exactly those two cases are reported, as accepted."""
    secret = webhook.new_secret()
    with httpx.Client(timeout=10.0) as http:
        with HookReceiver(secret) as strict:
            outcomes = signatures.webhook_cases(
                http, strict, secret, _first_delivery(http, strict, secret), "t"
            )
        assert [o.case for o in outcomes if o.problems] == []
        with HookReceiver(secret, tolerance=10**9) as lax:
            outcomes = signatures.webhook_cases(
                http, lax, secret, _first_delivery(http, lax, secret), "t"
            )
    failed = {o.case: o.problems for o in outcomes if o.problems}
    assert set(failed) == {"timestamp +301 s", "timestamp -301 s"}
    assert all(p[0].startswith("accepted") for p in failed.values())


def test_the_slack_judge_reports_an_accepted_bad_click() -> None:
    refused = httpx.Response(
        401,
        json={"error": {"code": "bad_signature", "message": "X-Slack-Signature does not match"}},
    )
    taken = httpx.Response(200, json={"ok": True})
    conflict = httpx.Response(200, json={"ok": False, "code": "conflict"})
    pending, done = ("pending", 0), ("approved", 1)
    judge = signatures.judge_slack
    assert judge(REFUSED, "does not match", refused, pending, pending, "approved") == []
    assert judge(REFUSED, "5 minutes", refused, pending, pending, "approved")
    assert judge(REFUSED, "does not match", taken, pending, done, "approved")
    assert judge(REFUSED, "does not match", refused, pending, done, "approved")
    assert judge(CHANGES, "", taken, pending, done, "approved") == []
    assert judge(CHANGES, "", taken, done, done, "approved")
    assert judge(NO_OP, "", conflict, done, done, "approved") == []
    assert judge(NO_OP, "", taken, done, ("approved", 2), "approved")

"""Signed webhooks to a real local receiver: signature, retries, backoff, dead letters."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from handoff.channels import (
    ChannelsConfig,
    Deliverer,
    ReplayError,
    SignatureError,
    WebhookTarget,
    webhook,
)
from handoff.channels._replay import ReplayGuard
from handoff.plane import ControlPlane
from handoff.testing import FakeClock

from ._receiver import Received, receiver
from .conftest import submit

#: The receivers listen on 127.0.0.1: these tests allow it, as an operator would.
pytestmark = pytest.mark.usefixtures("local_egress")

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_sign_matches_the_standard_webhooks_example() -> None:
    # The worked example of the Standard Webhooks spec and its reference libraries.
    body = b'{"test": 2432232314}'
    sig = webhook.sign(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verify_table() -> None:
    body, ts = b'{"a":1}', 1_700_000_000
    good = webhook.signed_headers(SECRET, "msg_1", ts, body)
    assert webhook.verify(SECRET, good, body, ts + 299) == {"a": 1}
    other = webhook.new_secret()
    cases = {
        "tampered body": (good, b'{"a":2}', ts),
        "other secret": (webhook.signed_headers(other, "msg_1", ts, body), body, ts),
        "too old": (good, body, ts + 301),
        "from the future": (good, body, ts - 301),
        "missing header": ({k: v for k, v in good.items() if k != "webhook-id"}, body, ts),
        "bad timestamp": ({**good, "webhook-timestamp": "soon"}, body, ts),
    }
    for name, (headers, data, now) in cases.items():
        with pytest.raises(SignatureError):
            webhook.verify(SECRET, headers, data, now)
        assert name
    rotated = {**good, "webhook-signature": "v1,AAAA " + good["webhook-signature"]}
    assert webhook.verify(SECRET, rotated, body, ts) == {"a": 1}
    guard = ReplayGuard()
    webhook.verify(SECRET, good, body, ts, replay=guard)
    with pytest.raises(SignatureError, match="already"):
        webhook.verify(SECRET, good, body, ts, replay=guard)


def test_a_seen_id_is_told_apart_from_a_bad_signature() -> None:
    """A sender re-sends a message whose answer it lost, with the same id and a fresh
    timestamp; the receiver must acknowledge that one, yet refuse a forged or stale
    request, so the two raise different errors."""
    body, ts = b'{"a":1}', 1_700_000_000
    guard = ReplayGuard()
    first = webhook.signed_headers(SECRET, "msg_1", ts, body)
    assert webhook.verify(SECRET, first, body, ts, replay=guard) == {"a": 1}
    retry = webhook.signed_headers(SECRET, "msg_1", ts + 60, body)
    with pytest.raises(ReplayError, match="already delivered"):
        webhook.verify(SECRET, retry, body, ts + 60, replay=guard)
    forged = webhook.signed_headers(webhook.new_secret(), "msg_2", ts, body)
    stale = webhook.signed_headers(SECRET, "msg_3", ts - 301, body)
    for headers in (forged, stale, {**first, "webhook-signature": "v1,AAAA"}):
        with pytest.raises(SignatureError) as caught:
            webhook.verify(SECRET, headers, body, ts, replay=guard)
        assert not isinstance(caught.value, ReplayError)
        assert caught.value.code == "bad_signature"


def _checker(clock: FakeClock) -> Callable[[Received], None]:
    def check(got: Received) -> None:
        webhook.verify(SECRET, got.headers, got.body, clock.now().timestamp())

    return check


def test_deliveries_are_signed_and_arrive_once(plane: ControlPlane, clock: FakeClock) -> None:
    with receiver() as rx:
        rx.check = _checker(clock)
        cfg = ChannelsConfig(webhooks=[WebhookTarget(url=rx.url + "/hook", secret=SECRET)])
        d = Deliverer(plane, cfg)
        [h] = submit(plane)
        result = d.run_once()
        assert (result.fanned, result.sent) == (1, 1)
        assert d.run_once().sent == 0
        d.close()
    assert rx.errors == []
    [got] = rx.requests
    event = json.loads(got.body)
    assert event["type"] == "handoff.pending"
    assert event["data"]["handoff_id"] == h.id and event["data"]["owner"] == "finance"
    assert event["data"]["url"].endswith(f"/handoffs/{h.id}")
    assert plane.store.outbox_pending() == []


def test_failures_retry_with_backoff_and_keep_the_message_id(
    plane: ControlPlane, clock: FakeClock
) -> None:
    with receiver() as rx:
        rx.check = _checker(clock)
        rx.script = [500, 503]
        cfg = ChannelsConfig(
            webhooks=[WebhookTarget(url=rx.url, secret=SECRET)], backoff=10, max_attempts=5
        )
        d = Deliverer(plane, cfg)
        submit(plane)
        assert d.run_once().retried == 1
        assert d.run_once().sent == 0  # not due yet: the first retry waits 10 s
        clock.advance(10)
        assert d.run_once().retried == 1
        clock.advance(19)
        assert d.run_once().sent == 0  # the second waits 20 s
        clock.advance(1)
        assert d.run_once().sent == 1
        d.close()
    ids = {r.headers["webhook-id"] for r in rx.requests}
    assert len(rx.requests) == 3 and len(ids) == 1
    stamps = [int(r.headers["webhook-timestamp"]) for r in rx.requests]
    assert stamps == sorted(stamps) and stamps[0] < stamps[-1]


def test_after_max_attempts_the_message_is_dead_lettered(
    plane: ControlPlane, clock: FakeClock
) -> None:
    with receiver() as rx:
        rx.script = [500] * 10
        cfg = ChannelsConfig(
            webhooks=[WebhookTarget(url=rx.url, secret=SECRET)],
            backoff=1,
            max_attempts=3,
        )
        d = Deliverer(plane, cfg)
        [h] = submit(plane)
        outcomes = []
        for _ in range(6):
            outcomes.append(d.run_once())
            clock.advance(60)
        d.close()
    assert [o.retried for o in outcomes[:2]] == [1, 1] and outcomes[2].dead == 1
    assert len(rx.requests) == 3
    [dead] = plane.store.dead_letters()
    assert dead["attempts"] == 3 and dead["handoff_id"] == h.id
    assert "500" in dead["last_error"] and dead["channel"] == "webhook"
    assert plane.store.outbox_pending() == []


def test_an_unreachable_receiver_counts_as_a_failed_attempt(
    plane: ControlPlane, clock: FakeClock
) -> None:
    cfg = ChannelsConfig(webhooks=[WebhookTarget(url="http://127.0.0.1:9", secret=SECRET)])
    d = Deliverer(plane, cfg)
    submit(plane)
    assert d.run_once().retried == 1
    [row] = plane.store.outbox_pending()
    assert row["attempts"] == 1 and "Connect" in row["last_error"]
    d.close()


def test_agent_callbacks_get_the_decision(plane: ControlPlane, clock: FakeClock) -> None:
    secret = webhook.new_secret()
    with receiver() as rx:
        rx.check = lambda got: webhook.verify(
            secret, got.headers, got.body, clock.now().timestamp()
        )
        with plane.store.write() as tx:
            tx.callback_set("bot", rx.url + "/cb", secret, clock.now())
        d = Deliverer(plane)
        [h] = submit(plane)
        plane.decide(h.id, verdict="approve", reviewer="fiona", rationale="ok")
        plane.decide(h.id, verdict="reject", reviewer="felix", rationale="no")
        d.run_once()
        d.close()
    assert rx.errors == []
    bodies = [json.loads(r.body) for r in rx.requests]
    assert bodies, "the agent heard nothing"
    assert all(r.path == "/cb" for r in rx.requests)
    final = bodies[-1]["data"]
    assert final["handoff_id"] == h.id and final["to"] == "agent:bot"
    assert final["state"] == "rejected" and final["decision"]["reviewer"] == "felix"


def test_a_send_cut_short_is_sent_again_with_the_same_id(
    plane: ControlPlane, clock: FakeClock
) -> None:
    with receiver() as rx:
        rx.check = _checker(clock)
        cfg = ChannelsConfig(webhooks=[WebhookTarget(url=rx.url, secret=SECRET)], lease=60)
        d = Deliverer(plane, cfg)
        submit(plane)
        assert d.fan_out() == 1
        with plane.store.write() as tx:  # a process leases the message, then dies
            [lost] = tx.outbox_claim(
                clock.now(), 10, notify=False, lease_until=clock.now() + timedelta(seconds=60)
            )
        assert d.run_once().sent == 0  # still leased
        clock.advance(60)
        assert d.run_once().sent == 1
        d.close()
    [got] = rx.requests
    assert got.headers["webhook-id"] == f"msg_{lost.id}"
    with plane.store.write() as tx:  # the dead process wakes up: its lease is gone
        assert not tx.outbox_done(lost, clock.now())

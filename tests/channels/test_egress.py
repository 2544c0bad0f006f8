"""Deliveries to refused addresses fail at send time and nothing arrives.

A callback stored before the rules (or written straight into the database), a webhook
or a Slack API URL in the channels file: each is checked again before every send, so
the receiver on this machine hears nothing while the allow-list does not name it.
"""

from __future__ import annotations

import pytest

from handoff.channels import ChannelsConfig, Deliverer, SlackConfig, WebhookTarget, webhook
from handoff.plane import ControlPlane
from handoff.testing import FakeClock

from ._receiver import receiver
from .conftest import submit


@pytest.fixture(autouse=True)
def _no_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOFF_EGRESS_ALLOW", raising=False)


def _errors(plane: ControlPlane) -> list[str]:
    return [str(row["last_error"]) for row in plane.store.outbox_pending()]


def test_a_stored_callback_to_loopback_is_refused_at_send(
    plane: ControlPlane, clock: FakeClock
) -> None:
    with receiver() as rx:
        with plane.store.write() as tx:
            tx.callback_set("bot", rx.url + "/cb", webhook.new_secret(), clock.now())
        d = Deliverer(plane)
        [h] = submit(plane)
        plane.decide(h.id, verdict="reject", reviewer="fiona", rationale="no")
        sent = d.run_once()
        d.close()
    assert rx.requests == []
    assert sent.sent == 0 and sent.retried >= 1
    assert any("callback:" in e and "loopback" in e for e in _errors(plane)), _errors(plane)


def test_webhooks_and_slack_on_refused_addresses_are_refused_at_send(
    plane: ControlPlane,
) -> None:
    with receiver() as rx:
        cfg = ChannelsConfig(
            webhooks=[WebhookTarget(url=rx.url.replace("127.0.0.1", "localhost"), secret="x")],
            slack=SlackConfig(
                api_url=rx.url + "/api", token="t", signing_secret="s", channels={"finance": "C1"}
            ),
        )
        d = Deliverer(plane, cfg)
        submit(plane)
        sent = d.run_once()
        d.close()
    assert rx.requests == []
    assert sent.sent == 0 and sent.retried == 2
    errors = " ".join(_errors(plane))
    assert "webhooks.url:" in errors and "slack.api_url:" in errors, errors


def test_the_allow_list_lets_the_same_deliveries_through(
    plane: ControlPlane, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver() as rx:
        monkeypatch.setenv("HANDOFF_EGRESS_ALLOW", "127.0.0.1")
        cfg = ChannelsConfig(webhooks=[WebhookTarget(url=rx.url + "/hook", secret="whsec_AAAA")])
        d = Deliverer(plane, cfg)
        submit(plane)
        assert d.run_once().sent == 1
        d.close()
    assert len(rx.requests) == 1

"""Email to a real SMTP server (aiosmtpd) with a link that opens the handoff page."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from handoff.channels import ChannelsConfig, Deliverer, EmailConfig
from handoff.plane import ControlPlane
from handoff.testing import FakeClock

from .._serve import free_port
from .conftest import submit


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_the_owning_team_gets_an_email_with_a_link(
    plane: ControlPlane, clock: FakeClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    cfg = ChannelsConfig(
        base_url="https://handoff.example.com",
        email=EmailConfig(
            host="127.0.0.1",
            port=port,
            sender="handoff@example.com",
            addresses={"fiona": "fiona@example.com", "felix": "felix@example.com"},
        ),
    )
    d = Deliverer(plane, cfg)
    [h] = submit(plane)
    assert d.run_once().sent == 2  # finance has no team address: each member gets one
    assert d.run_once().sent == 0
    d.close()
    assert sorted(r for rcpt, _ in inbox.messages for r in rcpt) == [
        "felix@example.com",
        "fiona@example.com",
    ]
    _, msg = inbox.messages[0]
    body = msg.get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode()
    assert f"https://handoff.example.com/handoffs/{h.id}" in text
    assert "payments.refund" in str(msg["Subject"]) and "\n" not in str(msg["Subject"])
    assert str(msg["Message-ID"]).startswith("<msg_")
    assert "approve" not in text.lower().split("open the handoff")[-1]


def test_a_team_address_and_the_escalation_reach_the_lead(
    plane: ControlPlane, clock: FakeClock, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    book = {"finance": "finance@example.com", "frank": "frank@example.com"}
    cfg = ChannelsConfig(email=EmailConfig(host="127.0.0.1", port=port, addresses=book))
    d = Deliverer(plane, cfg)
    submit(plane)
    d.run_once()
    clock.advance(7200)  # the deadline: the default ladder escalates to the lead
    assert len(plane.run_ladder()) == 1
    d.run_once()
    d.close()
    got = [rcpt[0] for rcpt, _ in inbox.messages]
    assert got[0] == "finance@example.com" and "frank@example.com" in got
    subjects = [str(m["Subject"]) for _, m in inbox.messages]
    assert any("escalated" in s for s in subjects)


def test_an_smtp_server_that_is_down_means_a_retry(plane: ControlPlane) -> None:
    cfg = ChannelsConfig(
        email=EmailConfig(host="127.0.0.1", port=free_port(), addresses={"finance": "f@x.io"})
    )
    d = Deliverer(plane, cfg)
    submit(plane)
    assert d.run_once().retried == 1
    d.close()

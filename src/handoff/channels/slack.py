"""Slack: a Block Kit message with the decision buttons, and request verification.

Slack signs each interactive request: ``X-Slack-Signature`` is ``v0=`` and the hex
HMAC-SHA256 of ``v0:<X-Slack-Request-Timestamp>:<raw body>`` under the app's signing
secret. We refuse timestamps more than five minutes from our clock and signatures seen
before, so a captured request cannot be replayed.

The buttons carry the handoff id and the hash of the action the message showed; a
click on a message about an action that was revised since decides nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import httpx

from .._exceptions import HandoffError
from ..cli._render import visible
from ..models import Handoff, State
from ._replay import ReplayGuard
from .webhook import ReplayError, SignatureError

__all__ = ["TOLERANCE", "blocks", "button_value", "parse_button", "post", "verify"]

#: Seconds a Slack request timestamp may differ from our clock.
TOLERANCE = 300

#: The buttons a message shows while the handoff is open, as (action_id, label, style).
BUTTONS = (("approve", "Approve", "primary"), ("reject", "Reject", "danger"))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``v0=<hex>`` signature Slack would send for ``body`` at ``timestamp``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    *,
    replay: ReplayGuard | None = None,
) -> None:
    """Raise ``SignatureError`` unless the request is Slack's, fresh and not a replay."""
    stamp = headers.get("x-slack-request-timestamp")
    given = headers.get("x-slack-signature")
    if not stamp or not given:
        raise SignatureError("missing X-Slack-Request-Timestamp or X-Slack-Signature")
    try:
        ts = int(stamp)
    except ValueError:
        raise SignatureError("X-Slack-Request-Timestamp is not an integer") from None
    if abs(now - ts) > TOLERANCE:
        raise SignatureError("X-Slack-Request-Timestamp is more than 5 minutes off")
    if not hmac.compare_digest(sign(secret, stamp, body), given):
        raise SignatureError("X-Slack-Signature does not match")
    if replay is not None and not replay.first_time(f"slack:{given}", now):
        raise ReplayError("this Slack request was already received")


def button_value(h: Handoff) -> str:
    return f"{h.id}:{h.action_hash}"


def parse_button(value: str) -> tuple[str, str]:
    """``(handoff_id, action_hash)`` from a button's value."""
    hid, sep, digest = value.partition(":")
    if not sep or not hid or not digest:
        raise HandoffError("the button value is not handoff_id:action_hash", field="value")
    return hid, digest


def _text(value: str, limit: int = 2900) -> str:
    """Agent-written text for mrkdwn: invisible and bidi characters spelled out, ``<>&``
    escaped (no mentions, no links), bounded."""
    value = visible(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def blocks(h: Handoff, kind: str, link: str) -> list[dict[str, Any]]:
    """The message: what is asked, by whom, the deadline, and the buttons while open."""
    summary = h.package.summary if h.package is not None else ""
    head = f"*{_text(kind)}*: `{_text(h.action.tool, 200)}` by {_text(h.action.agent, 200)}"
    facts = [
        f"risk *{h.assessment.level.value}*",
        f"owner *{_text(h.owner or '-', 200)}*",
        f"state *{h.state.value}*",
    ]
    if h.deadline is not None:
        facts.append(f"deadline {h.deadline.isoformat(timespec='minutes')}")
    out: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": head}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(facts)}]},
    ]
    if summary:
        text = visible(summary)[:2900]
        out.append({"type": "section", "text": {"type": "plain_text", "text": text}})
    elements: list[dict[str, Any]] = [
        {"type": "button", "action_id": "open", "text": _plain("Open"), "url": link}
    ]
    if h.state in (State.PENDING, State.REDIRECTED):
        elements += [
            {
                "type": "button",
                "action_id": action,
                "text": _plain(label),
                "style": style,
                "value": button_value(h),
            }
            for action, label, style in BUTTONS
        ]
    out.append({"type": "actions", "block_id": f"handoff:{h.id}", "elements": elements})
    return out


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def post(
    client: httpx.Client,
    api_url: str,
    token: str,
    channel: str,
    blocks: list[dict[str, Any]],
    text: str,
) -> None:
    """``chat.postMessage``; raises unless Slack answers ``ok``."""
    resp = client.post(
        api_url.rstrip("/") + "/chat.postMessage",
        json={"channel": channel, "text": text, "blocks": blocks},
        headers={"authorization": f"Bearer {token}"},
    )
    body = (
        resp.json() if resp.headers.get("content-type", "").startswith("application/json") else {}
    )
    if not resp.is_success or not body.get("ok"):
        raise HandoffError(
            f"slack answered {resp.status_code}: {body.get('error', resp.text[:200])}"
        )

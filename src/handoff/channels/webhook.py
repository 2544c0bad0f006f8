"""Signed webhooks per the Standard Webhooks spec (https://www.standardwebhooks.com).

Every delivery carries ``webhook-id`` (stable across retries, so a receiver drops
duplicates: delivery is at least once), ``webhook-timestamp`` (unix seconds) and
``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``
under the secret. Secrets are written ``whsec_`` + base64 of the key bytes.

``verify`` is the receiving side, for agents written in Python and for our tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import httpx

from .._exceptions import HandoffError
from ._replay import ReplayGuard

__all__ = [
    "ReplayError",
    "SignatureError",
    "new_secret",
    "post",
    "sign",
    "signed_headers",
    "verify",
]

PREFIX = "whsec_"


class SignatureError(HandoffError):
    """A signed request failed verification: bad signature, stale timestamp or replay."""

    code = "bad_signature"


class ReplayError(SignatureError):
    """A request signed correctly and in time, but already received once.

    Senders deliver at least once and re-send a message whose answer they did not get,
    so a receiver answers this one 2xx and does nothing: refused with an error, the
    sender retries it until it gives up on a message that did arrive.
    """


def new_secret() -> str:
    """A fresh random secret in the ``whsec_`` form."""
    import secrets

    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        raise SignatureError("the webhook secret is not base64 after whsec_") from None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of one message."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers plus the JSON content type."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
        "content-type": "application/json",
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    *,
    tolerance: float = 300.0,
    replay: ReplayGuard | None = None,
) -> dict[str, Any]:
    """Check a delivery and return its JSON payload, or raise ``SignatureError``.

    ``headers`` must be case-insensitive or lower-cased. The timestamp must lie within
    ``tolerance`` seconds of ``now`` either way; any of the space-separated ``v1,``
    signatures may match (senders list several while rotating secrets). With a
    ``replay`` guard a ``webhook-id`` is accepted once; a later delivery of it raises
    ``ReplayError``, which a receiver acknowledges without acting on it again.
    """
    msg_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    sigs = headers.get("webhook-signature")
    if not msg_id or not stamp or not sigs:
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        ts = int(stamp)
    except ValueError:
        raise SignatureError("webhook-timestamp is not an integer") from None
    if abs(now - ts) > tolerance:
        raise SignatureError("webhook-timestamp is outside the tolerance")
    expected = sign(secret, msg_id, ts, body)
    if not any(hmac.compare_digest(expected, s) for s in sigs.split()):
        raise SignatureError("webhook-signature does not match")
    if replay is not None and not replay.first_time(f"webhook:{msg_id}", now):
        raise ReplayError("webhook-id was already delivered")
    payload: dict[str, Any] = json.loads(body)
    return payload


def post(
    client: httpx.Client, url: str, secret: str, msg_id: str, timestamp: int, body: bytes
) -> None:
    """Deliver one signed message; raises on a transport error or a non-2xx answer."""
    resp = client.post(url, content=body, headers=signed_headers(secret, msg_id, timestamp, body))
    if not resp.is_success:
        raise HandoffError(f"webhook answered {resp.status_code}: {resp.text[:200]}")

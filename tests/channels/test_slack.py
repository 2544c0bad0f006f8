"""Slack: signature table, Block Kit delivery to a local Slack API, the button endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from handoff.channels import (
    ChannelsConfig,
    Deliverer,
    ReplayError,
    SignatureError,
    SlackConfig,
    slack,
)
from handoff.channels._replay import ReplayGuard
from handoff.models import State
from handoff.plane import ControlPlane
from handoff.policy import Policy
from handoff.server.accounts import Accounts
from handoff.server.app import create_app
from handoff.testing import FakeClock

from .._serve import serving
from ._receiver import receiver
from .conftest import submit

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def _headers(body: bytes, ts: int, secret: str = SECRET) -> dict[str, str]:
    return {
        "x-slack-request-timestamp": str(ts),
        "x-slack-signature": slack.sign(secret, str(ts), body),
        "content-type": "application/x-www-form-urlencoded",
    }


@pytest.mark.parametrize(
    ("case", "skew", "secret", "ok"),
    [
        ("valid", 0, SECRET, True),
        ("valid at the edge", 300, SECRET, True),
        ("bad signature", 0, "not-the-secret", False),
        ("301 s old", 301, SECRET, False),
        ("301 s ahead", -301, SECRET, False),
    ],
)
def test_signature_table(case: str, skew: int, secret: str, ok: bool) -> None:
    body, ts = b"payload=%7B%7D", 1_700_000_000
    headers = _headers(body, ts, secret)
    if ok:
        slack.verify(SECRET, headers, body, ts + skew)
    else:
        with pytest.raises(SignatureError):
            slack.verify(SECRET, headers, body, ts + skew)


def test_a_replayed_request_is_refused() -> None:
    body, ts = b"payload=%7B%7D", 1_700_000_000
    guard = ReplayGuard()
    slack.verify(SECRET, _headers(body, ts), body, ts, replay=guard)
    with pytest.raises(ReplayError, match="already"):
        slack.verify(SECRET, _headers(body, ts), body, ts + 1, replay=guard)
    with pytest.raises(SignatureError, match="missing"):
        slack.verify(SECRET, {}, body, ts)
    with pytest.raises(SignatureError, match="does not match"):
        slack.verify(SECRET, _headers(body, ts), body + b"x", ts)


def test_the_message_reaches_the_team_channel_with_buttons(
    plane: ControlPlane, clock: FakeClock
) -> None:
    with receiver() as api:
        api.reply = {"ok": True}
        api.check = lambda got: got.headers["authorization"] == "Bearer xoxb-test" or 1 / 0
        cfg = ChannelsConfig(
            slack=SlackConfig(
                api_url=api.url + "/api",
                token="xoxb-test",
                signing_secret=SECRET,
                channels={"finance": "C-FIN"},
            )
        )
        d = Deliverer(plane, cfg)
        [h] = submit(plane)
        assert d.run_once().sent == 1
        d.close()
    [got] = api.requests
    assert got.path == "/api/chat.postMessage" and api.errors == []
    msg = json.loads(got.body)
    assert msg["channel"] == "C-FIN"
    [actions] = [b for b in msg["blocks"] if b["type"] == "actions"]
    ids = {e["action_id"]: e for e in actions["elements"]}
    assert set(ids) == {"open", "approve", "reject"}
    assert ids["approve"]["value"] == f"{h.id}:{h.action_hash}"
    assert ids["open"]["url"].endswith(h.id)


def test_slack_saying_not_ok_is_a_failed_attempt(plane: ControlPlane) -> None:
    with receiver() as api:
        api.reply = {"ok": False, "error": "channel_not_found"}
        cfg = ChannelsConfig(
            slack=SlackConfig(
                api_url=api.url, token="t", signing_secret=SECRET, channels={"finance": "C1"}
            )
        )
        d = Deliverer(plane, cfg)
        submit(plane)
        assert d.run_once().retried == 1
        d.close()
    [row] = plane.store.outbox_pending()
    assert "channel_not_found" in row["last_error"]


def test_slack_text_is_escaped() -> None:
    assert slack._text("<!channel> & <http://x|y>") == "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"
    assert slack._text("pay\u202etxt.exe") == "pay&lt;U+202E&gt;txt.exe"  # shown as <U+202E>


# -- the interactivity endpoint, on a real uvicorn --------------------------------------


@pytest.fixture
def server(plane: ControlPlane, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    app = create_app(plane)
    app.state.channels = ChannelsConfig(
        slack=SlackConfig(
            token="t", signing_secret=SECRET, users={"U-FIONA": "fiona", "U-GHOST": "ghost"}
        )
    )
    Accounts.of(plane).add_user("fiona", "a long password", teams=["finance"], role="reviewer")
    with serving(app) as url:
        yield url


def _click(user: str, action: str, value: str) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action, "value": value}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_a_button_click_records_the_decision(
    plane: ControlPlane, clock: FakeClock, server: str
) -> None:
    [h] = submit(plane)
    ts = int(clock.now().timestamp())
    body = _click("U-FIONA", "reject", f"{h.id}:{h.action_hash}")
    r = httpx.post(server + "/v1/slack/actions", content=body, headers=_headers(body, ts))
    assert r.status_code == 200 and r.json()["ok"] is True, r.text
    got = plane.get(h.id)
    assert got.state is State.REJECTED and got.decisions[-1].reviewer == "fiona"
    replay = httpx.post(server + "/v1/slack/actions", content=body, headers=_headers(body, ts))
    assert replay.status_code == 401


def test_clicks_that_must_not_decide(plane: ControlPlane, clock: FakeClock, server: str) -> None:
    [h] = submit(plane)
    ts = int(clock.now().timestamp())
    url = server + "/v1/slack/actions"
    value = f"{h.id}:{h.action_hash}"
    cases = {
        "unmapped user": (_click("U-NOBODY", "approve", value), "not_authorized"),
        "mapped, no account": (_click("U-GHOST", "approve", value), "not_authorized"),
        "stale message": (_click("U-FIONA", "approve", f"{h.id}:{'0' * 64}"), "conflict"),
        "unknown action": (_click("U-FIONA", "delete", value), "invalid_input"),
        "not a payload": (b"hello=1", "invalid_input"),
    }
    for i, (name, (body, code)) in enumerate(cases.items()):
        r = httpx.post(url, content=body, headers=_headers(body, ts + i))
        assert r.status_code == 200 and r.json()["code"] == code, (name, r.text)
    stale = httpx.post(url, content=b"x", headers=_headers(b"x", ts - 301))
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "bad_signature"
    forged = _headers(b"x", ts)
    forged["x-slack-signature"] = "v0=" + "0" * 64
    assert httpx.post(url, content=b"x", headers=forged).status_code == 401
    assert plane.get(h.id).state is State.PENDING and plane.get(h.id).decisions == []


def test_an_approve_click_at_the_step_up_level_is_refused(
    plane: ControlPlane, clock: FakeClock, server: str
) -> None:
    # A click in Slack carries no passkey: at the policy's step_up level it approves nothing.
    plane.policy = Policy.model_validate({**plane.policy.model_dump(mode="json"), "step_up": "low"})
    [h] = submit(plane)
    ts = int(clock.now().timestamp())
    body = _click("U-FIONA", "approve", f"{h.id}:{h.action_hash}")
    r = httpx.post(server + "/v1/slack/actions", content=body, headers=_headers(body, ts))
    assert r.status_code == 200 and r.json()["code"] == "not_authorized", r.text
    assert "passkey" in r.json()["text"] and "inbox" in r.json()["text"]
    assert plane.get(h.id).state is State.PENDING and plane.get(h.id).decisions == []

"""Routes the channels need: Slack's interactivity endpoint and agent callback URLs.

``POST /v1/slack/actions`` is where Slack sends a click on a decision button. The
request must carry Slack's signature (fresh, not seen before); the Slack user must be
mapped to a reviewer account in the channels config, and the usual rules of the plane
then apply (owning team, not the requester, quorum). A button carries the hash of the
action its message showed, so a click on an action revised since decides nothing.

``POST /v1/callbacks`` lets an agent register the URL where it hears about decisions on
its handoffs; the answer holds the signing secret, shown this once. The URL must reach a
public address (see ``handoff._egress``): a callback to 127.0.0.1, a private network or
the cloud metadata address is refused with 422 naming ``url``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from .. import _egress as egress
from .._exceptions import ConflictError, InputError, NotAuthorized, NotFound
from ..channels import ChannelsConfig, SignatureError, load_channels, slack, webhook
from ..channels._replay import ReplayGuard
from ..models import Verdict
from ..plane import ControlPlane
from .auth import Actor, accounts_of, actor, plane_of
from .errors import error_body

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["channels"])

_VERDICTS = {"approve": Verdict.APPROVE, "reject": Verdict.REJECT}


def _channels(request: Request) -> ChannelsConfig:
    """The channels config, read once per app from ``$HANDOFF_CHANNELS``."""
    state = request.app.state
    if getattr(state, "channels", None) is None:
        state.channels = load_channels()
    cfg: ChannelsConfig = state.channels
    return cfg


def _replay(request: Request) -> ReplayGuard:
    state = request.app.state
    if getattr(state, "slack_replay", None) is None:
        state.slack_replay = ReplayGuard(slack.TOLERANCE)
    guard: ReplayGuard = state.slack_replay
    return guard


@router.post("/slack/actions", summary="Slack interactivity: a click on a decision button")
async def slack_action(request: Request) -> JSONResponse:
    cfg = _channels(request).slack
    if cfg is None:
        raise NotFound("Slack is not configured on this server", field="slack")
    plane = plane_of(request)
    body = await request.body()
    try:
        slack.verify(
            cfg.signing_secret,
            request.headers,
            body,
            plane.clock.now().timestamp(),
            replay=_replay(request),
        )
    except SignatureError as exc:
        return JSONResponse(error_body(exc.code, exc.message, "x-slack-signature"), 401)
    try:
        text = await run_in_threadpool(_decide, request, plane, cfg.users, body)
        return JSONResponse({"ok": True, "response_type": "ephemeral", "text": text})
    except (InputError, NotAuthorized, ConflictError, NotFound) as exc:
        # Slack shows a 200 answer's text to the user; any other status only as a failure.
        answer = {"ok": False, "code": exc.code, "response_type": "ephemeral"}
        return JSONResponse({**answer, "text": exc.message})


def _decide(request: Request, plane: ControlPlane, users: dict[str, str], body: bytes) -> str:
    from urllib.parse import parse_qs

    try:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
        user = str(payload["user"]["id"])
        click = payload["actions"][0]
        action_id, value = str(click["action_id"]), str(click["value"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise InputError("not a Slack block_actions payload", field="payload") from None
    if action_id not in _VERDICTS:
        raise InputError(f"unknown action {action_id!r}", field="action_id")
    name = users.get(user)
    if name is None or accounts_of(request).account(name) is None:
        raise NotAuthorized(f"Slack user {user} is not mapped to a reviewer account", field="user")
    hid, digest = slack.parse_button(value)
    h = plane.get(hid)
    if h.action_hash != digest:
        raise ConflictError(
            "the action was revised after this message; open the handoff", field="value"
        )
    h = plane.decide(hid, verdict=_VERDICTS[action_id], reviewer=name, rationale="from Slack")
    return f"{name}: {action_id} recorded; the handoff is {h.state.value}"


@router.post("/callbacks", summary="Register the URL where this agent hears decisions")
def register_callback(
    request: Request,
    who: Annotated[Actor, Depends(actor)],
    url: Annotated[str, Body(embed=True, max_length=2000)],
) -> dict[str, Any]:
    if who.kind != "agent":
        raise NotAuthorized("only an agent's API key registers a callback", field="agent")
    if not url.startswith(("http://", "https://")):
        raise InputError("must be an http:// or https:// URL", field="url")
    # An agent's URL is untrusted: no loopback, private or link-local address (422).
    egress.check(url, "url")
    plane = plane_of(request)
    secret = webhook.new_secret()
    with plane.store.write() as tx:
        tx.callback_set(who.name, url, secret, plane.clock.now())
    return {"agent": who.name, "url": url, "secret": secret}

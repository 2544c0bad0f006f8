"""Passkeys over HTTP: register one in the inbox, and get the challenge a step-up asks.

    GET  /passkeys                          the inbox page that lists and adds passkeys
    POST /v1/passkeys/options               registration options (session; password again)
    POST /v1/passkeys                       store the new passkey (session)
    POST /v1/handoffs/{id}/step-up          the challenge to approve this exact action

Registering needs a logged-in session and the account's password typed again, so a
stolen session cookie alone cannot add its own passkey and then approve with it. The
relying party id and origin are ``create_app``'s ``rp_id`` and ``origin`` when given,
otherwise the request's host and scheme (``http://localhost`` is a secure context, so
passkeys work there without TLS). The browser code is ``static/passkey.js``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .._exceptions import NotAuthorized
from ..decide._review import authorize
from ..decide._step_up import approved_hash
from ..decide.passkeys import Passkeys
from ..models import Decision, Json
from ..plane import parse_input
from .accounts import Session
from .api import DecisionIn
from .auth import Actor, accounts_of, check_csrf, plane_of, reviewer, session_of
from .errors import Unauthenticated
from .inbox import templates

__all__ = ["relying_party", "router"]

router = APIRouter()


class PasswordIn(BaseModel):
    """The account's password, typed again to add a passkey."""

    model_config = ConfigDict(extra="forbid")
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class PasskeyIn(BaseModel):
    """What ``navigator.credentials.create`` returned, with the challenge's nonce."""

    model_config = ConfigDict(extra="forbid")
    nonce: Annotated[str, Field(min_length=16, max_length=64)]
    credential: Json


def relying_party(request: Request) -> tuple[str, str]:
    """(rp_id, origin) that passkeys are made for and checked against here."""
    origin = request.app.state.origin or f"{request.url.scheme}://{request.url.netloc}"
    rp_id = request.app.state.rp_id or request.url.hostname or "localhost"
    return str(rp_id), str(origin)


def _passkeys(request: Request) -> Passkeys:
    return Passkeys.of(plane_of(request))


def _session(request: Request) -> Session:
    """The inbox session behind a passkey change, its CSRF token checked."""
    found = session_of(request)
    if found is None:
        raise Unauthenticated("log in to the inbox to manage passkeys", field="session")
    session = found[1]
    check_csrf(session.csrf, request.headers.get("x-csrf-token"))
    return session


@router.get("/passkeys", include_in_schema=False)
def passkeys_page(request: Request, added: str | None = None) -> Response:
    found = session_of(request)
    if found is None:
        return RedirectResponse("/login?next=%2Fpasskeys", status_code=303)
    session = found[1]
    rp_id, origin = relying_party(request)
    keys = _passkeys(request).keys_of(session.account.name)
    context = {
        "session": session,
        "keys": keys,
        "rp_id": rp_id,
        "origin": origin,
        "step_up": plane_of(request).policy.step_up,
        "notice": "Your passkey is registered." if added else None,
    }
    return templates.TemplateResponse(request, "passkeys.html", context)


@router.post("/v1/passkeys/options", summary="Start registering a passkey (inbox session)")
async def registration_options(request: Request, body: PasswordIn) -> dict[str, Any]:
    """The options for ``navigator.credentials.create``; the password is checked again."""
    session = _session(request)
    name = session.account.name
    account = await run_in_threadpool(accounts_of(request).authenticate, name, body.password)
    if account is None:
        raise NotAuthorized("wrong password", field="password")
    rp_id, _origin = relying_party(request)
    return await run_in_threadpool(_passkeys(request).registration_options, name, rp_id=rp_id)


@router.post("/v1/passkeys", summary="Register a passkey (inbox session)")
async def register(request: Request, body: PasskeyIn) -> dict[str, Any]:
    session = _session(request)
    rp_id, origin = relying_party(request)
    key = await run_in_threadpool(
        lambda: _passkeys(request).register(
            session.account.name, body.nonce, body.credential, rp_id=rp_id, origin=origin
        )
    )
    return {"credential_id": key.credential_id, "rp_id": key.rp_id, "origin": key.origin}


@router.post("/v1/handoffs/{handoff_id}/step-up", summary="The passkey challenge to approve")
def step_up(
    request: Request,
    handoff_id: str,
    body: DecisionIn,
    who: Annotated[Actor, Depends(reviewer)],
) -> dict[str, Any]:
    """For the decision in the body (as it will be sent): ``{"needed": false}`` when the
    policy's ``step_up`` does not cover it, else the challenge for
    ``navigator.credentials.get``, bound to this handoff and the hash of the action the
    decision approves. Send the answer back as the decision's ``step_up``."""
    plane = plane_of(request)
    h = plane.get(handoff_id)
    who.check_read(h)
    sent = {**body.model_dump(mode="json", exclude_unset=True), "reviewer": who.name}
    sent.pop("step_up", None)
    d = parse_input(Decision, sent, "decision")
    authorize(h, d, plane.policy)
    approved = approved_hash(h, d)
    if approved is None or not plane.policy.needs_step_up(h.assessment.level):
        return {"needed": False}
    rp_id, _origin = relying_party(request)
    options = _passkeys(request).approval_options(who.name, h.id, approved, rp_id=rp_id)
    return {"needed": True, **options}

"""Who is calling: the ``Actor`` behind a request, for the API and the inbox.

An agent sends its API key as ``Authorization: Bearer hk_...``; each request counts
against the key's budget (429 past it, see ``throttle``). A reviewer either logs in to
the inbox (a session cookie, HttpOnly and SameSite=Lax, so a link from an email or chat
opens the page logged in) or uses an API key issued to their account's name. A request
that changes state with a session cookie must also carry the session's CSRF token (form
field ``csrf`` or header ``X-CSRF-Token``), so another site cannot make a logged-in
browser decide anything.

Routes take ``Depends(actor)`` (anyone authenticated) or ``Depends(reviewer)``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Literal

from fastapi import Request

from .._exceptions import NotAuthorized
from ..models import Handoff
from ..plane import ControlPlane
from .accounts import Accounts, Caller, Role, Session
from .errors import Throttled, Unauthenticated
from .throttle import Throttle

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Actor",
    "accounts_of",
    "actor",
    "check_csrf",
    "plane_of",
    "reviewer",
    "session_of",
    "throttle_of",
]

SESSION_COOKIE = "handoff_session"
CSRF_HEADER = "x-csrf-token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Actor:
    """An authenticated caller: an agent, or a reviewer with their teams and role."""

    name: str
    kind: Literal["agent", "reviewer"]
    role: Role | None = None
    teams: frozenset[str] = field(default_factory=frozenset)
    #: The session's CSRF token when the actor came with a session cookie.
    csrf: str | None = None

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    def may_read(self, h: Handoff) -> bool:
        """Agents read their own handoffs; reviewers their teams' (admins every one)."""
        if self.kind == "agent":
            return h.action.agent == self.name
        return self.admin or h.owner is None or h.owner in self.teams

    def check_read(self, h: Handoff) -> None:
        if not self.may_read(h):
            raise NotAuthorized(f"{self.name} may not read handoff {h.id}", field="handoff_id")


def plane_of(request: Request) -> ControlPlane:
    plane: ControlPlane = request.app.state.plane
    return plane


def accounts_of(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.accounts
    return accounts


def throttle_of(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


def session_of(request: Request) -> tuple[str, Session] | None:
    """The request's live session (its cookie token and the session), if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = accounts_of(request).session(token)
    return None if session is None else (token, session)


def check_csrf(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise NotAuthorized("missing or wrong CSRF token; reload the page", field="csrf")


def _counted_caller(
    accounts: Accounts, throttle: Throttle, secret: str
) -> tuple[Caller | None, int | None]:
    """Who the key stands for, and the seconds it must wait, its request counted.

    A key seen before is counted first: the count's transaction also reads the
    accounts' generation that the remembered answer is checked against, so the check
    costs no read of its own. An unknown key is not counted.
    """
    known = accounts.remembered(secret)
    if known is None:
        caller = accounts.caller(secret)
        return caller, None if caller is None else throttle.hit_key(caller.key_id)[0]
    wait, generation = throttle.hit_key(known.key_id)
    return accounts.caller(secret, generation), wait


def actor(request: Request) -> Actor:
    """The authenticated caller, or ``Unauthenticated`` (401)."""
    auth = request.headers.get("authorization", "")
    accounts = accounts_of(request)
    if auth:
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("use Authorization: Bearer <API key>", field="authorization")
        caller, wait = _counted_caller(accounts, throttle_of(request), secret.strip())
        if caller is None:
            raise Unauthenticated("unknown or revoked API key", field="authorization")
        name, account = caller.name, caller.account
        if wait is not None:
            raise Throttled(
                f"too many requests with API key {caller.key_id}; try again in {wait} s",
                retry_after=wait,
                field="authorization",
            )
        if account is None:
            return Actor(name, "agent")
        if account.disabled:  # its keys were revoked with it; this is a second lock
            raise Unauthenticated(f"the account {name} is disabled", field="authorization")
        return Actor(name, "reviewer", account.role, account.teams)
    found = session_of(request)
    if found is None:
        raise Unauthenticated("log in, or send an API key", field="authorization")
    session = found[1]
    if request.method not in _SAFE:
        check_csrf(session.csrf, request.headers.get(CSRF_HEADER))
    a = session.account
    return Actor(a.name, "reviewer", a.role, a.teams, csrf=session.csrf)


def reviewer(request: Request) -> Actor:
    """The caller, who must be a reviewer (an account), not an agent."""
    who = actor(request)
    if who.kind != "reviewer":
        raise NotAuthorized(
            f"{who.name} is an agent; only reviewer accounts decide", field="reviewer"
        )
    return who

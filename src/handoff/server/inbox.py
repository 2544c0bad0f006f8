"""The reviewer inbox: log in, see the team's queue, read a handoff, decide it.

Server-rendered with Jinja2 (autoescaped) and our own small CSS and JS from
``/static``; nothing is loaded from elsewhere. Every page that changes state is a POST
carrying the session's CSRF token; GETs only read. Deciding goes through
``ControlPlane.decide`` like every other channel, so the policy's rules (owner team,
requester cannot approve, quorum of distinct reviewers) hold here too.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .._egress import loopback_host as _loopback
from .._exceptions import HandoffError, InputError, NotAuthorized
from ..cli._render import countdown, describe
from ..decide._review import count_approvals
from ..models import Handoff, Level, State, Verdict
from ..package._diff import Change, diff_args
from ..plane import ControlPlane
from ..policy import Policy
from ._glance import approved_by, glance, next_open, top_reasons
from .accounts import Session
from .auth import SESSION_COOKIE, accounts_of, check_csrf, plane_of, session_of, throttle_of
from .errors import status_of
from .queue import OPEN_STATES
from .revision import last_revision
from .security import flags_in, visible
from .throttle import client_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "handoff_login"
_DONE = {
    "approve": "Your approval is recorded.",
    "revise": "Your revision is recorded; the revised args are what gets approved.",
    "choose": "Your choice is recorded.",
    "redirect": "The handoff is redirected.",
    "reject": "The handoff is rejected.",
    "incident": "The incident is recorded.",
}
#: States after which an incident can be reported against the action.
_RAN = frozenset({State.EXECUTED, State.FAILED, State.ROLLED_BACK})
_PAGE_SIZE = 50


def _environment() -> Environment:
    path = str(resources.files("handoff.server").joinpath("templates"))
    env = Environment(
        loader=FileSystemLoader(path),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    )
    env.filters["visible"] = visible
    env.filters["pretty"] = _pretty
    env.filters["when"] = _when
    env.filters["compact"] = _compact
    return env


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


templates = Jinja2Templates(env=_environment())


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _safe_next(value: str | None) -> str:
    """Only a path on this server: ``/x``, never ``//host`` or ``https://host``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _who(request: Request) -> tuple[str, Session] | None:
    return session_of(request)


# -- login -------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    page = _page(request, "login.html", {"csrf": token, "next": _safe_next(next), "error": None})
    _set_cookie(request, page, LOGIN_COOKIE, token, 600)
    return page


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    expected = request.cookies.get(LOGIN_COOKIE, "")
    given = str(form.get("csrf", ""))
    if not expected or not secrets.compare_digest(expected, given):
        return _login_again(request, target, "The form expired; please log in again.", 403)
    accounts, throttle = accounts_of(request), throttle_of(request)
    client = client_of(request.client.host if request.client else None)
    # A locked name or address is refused before the password is checked: during a
    # lock even the right password does not log in.
    wait = await run_in_threadpool(throttle.login_lock, name, client)
    if wait is not None:
        return _locked(request, target, wait)
    account = await run_in_threadpool(accounts.authenticate, name, password)
    if account is None:
        wait = await run_in_threadpool(throttle.login_failed, name, client)
        if wait is not None:
            return _locked(request, target, wait)
        return _login_again(request, target, "Wrong name or password.", 401)
    await run_in_threadpool(throttle.login_succeeded, name)
    token, _session = await run_in_threadpool(accounts.open_session, account)
    response = RedirectResponse(target, status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, token, int(accounts.lifetime_seconds))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _locked(request: Request, target: str, wait: int) -> HTMLResponse:
    error = f"Too many failed logins; try again in {wait} s."
    page = _login_again(request, target, error, 429)
    page.headers["Retry-After"] = str(wait)
    return page


def _login_again(request: Request, target: str, error: str, status: int) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    page = _page(request, "login.html", {"csrf": token, "next": target, "error": error}, status)
    _set_cookie(request, page, LOGIN_COOKIE, token, 600)
    return page


@router.post("/logout")
async def logout(request: Request) -> Response:
    found = _who(request)
    if found is not None:
        form = await request.form()
        check_csrf(found[1].csrf, str(form.get("csrf", "")))
        accounts_of(request).close_session(found[0])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str, age: int) -> None:
    """HttpOnly, SameSite=Lax (a link from an email opens the page logged in; every
    change still needs the CSRF token), and Secure as ``secure_cookie`` says."""
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
    )


def secure_cookie(request: Request) -> bool:
    """Secure unless forced, or the request is plain HTTP to a loopback address.

    A browser on the server's own machine reaching ``http://127.0.0.1`` is the one case
    where the cookie never crosses a network; behind a TLS proxy the scheme is https
    (``X-Forwarded-Proto``, trusted from loopback), so the cookie is Secure there too.
    """
    if request.app.state.secure_cookies:
        return True
    server = request.scope.get("server")
    host = str(server[0]) if server else ""
    return request.url.scheme != "http" or not _loopback(host)


# -- the queue ---------------------------------------------------------------------


@router.get("/")
def queue(
    request: Request,
    team: str | None = None,
    level: str | None = None,
    overdue: str | None = None,
    page: str | None = None,
) -> Response:
    """Open handoffs of the reviewer's teams, riskiest first, then nearest deadline."""
    found = _who(request)
    if found is None:
        return _login_redirect(request)
    session = found[1]
    account = session.account
    plane = plane_of(request)
    teams = sorted(plane.policy.owners) if account.admin else sorted(account.teams)
    if team is not None and team not in teams:
        return _error(request, session, 403, f"You are not in team {team}.")
    lvl = Level(level) if level in {lv.value for lv in Level} else None
    now = plane.clock.now()
    late = overdue == "true"
    number = max(1, int(page)) if page and page.isdigit() else 1
    items = plane.store.list_handoffs(
        states=OPEN_STATES,
        owners=[team] if team else teams,
        level=lvl,
        due_before=now if late else None,
        limit=_PAGE_SIZE + 1,
        offset=(number - 1) * _PAGE_SIZE,
    )
    counts = plane.store.count_open(teams)
    rows = [_row(h, plane.policy, now) for h in items[:_PAGE_SIZE]]
    return _page(
        request,
        "queue.html",
        {
            "session": session,
            "teams": teams,
            "counts": counts,
            "team": team,
            "level": lvl.value if lvl else "",
            "levels": [lv.value for lv in Level],
            "overdue": late,
            "rows": rows,
            "page": number,
            "more": len(items) > _PAGE_SIZE,
            "now": now,
        },
    )


def _row(h: Handoff, policy: Policy, now: datetime) -> dict[str, Any]:
    summary = h.package.summary if h.package and h.package.summary else describe(h.action)
    if h.package and h.package.drafted:  # the row shows the top reason on its own line
        summary = summary.split(" Why: ", 1)[0]
    return {
        "h": h,
        "summary": summary[:240],
        "countdown": countdown(h.deadline, now),
        "overdue": h.deadline is not None and h.deadline < now,
        "approvals": count_approvals(h, policy),
        "flags": len(flags_in(h.action.args)),
        "reason": next(iter(top_reasons(h)), ""),
    }


# -- one handoff -------------------------------------------------------------------


@router.get("/handoffs/{handoff_id}")
def handoff_page(request: Request, handoff_id: str, done: str | None = None) -> Response:
    found = _who(request)
    if found is None:
        return _login_redirect(request)
    return _handoff(request, found[1], handoff_id, notice=_DONE.get(done or ""))


def _handoff(
    request: Request,
    session: Session,
    handoff_id: str,
    *,
    notice: str | None = None,
    error: HandoffError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    plane = plane_of(request)
    try:
        h = plane.get(handoff_id)
    except HandoffError as exc:
        return _error(request, session, status_of(exc), exc.message)
    account = session.account
    if not (account.admin or h.owner is None or h.owner in account.teams):
        return _error(request, session, 403, f"This handoff belongs to team {h.owner}.")
    now = plane.clock.now()
    events = plane.store.events(h.id)
    package = h.package
    untrusted = {
        "args": h.action.args,
        "context": h.action.context.model_dump(mode="json"),
        "package": package.model_dump(mode="json") if package else None,
    }
    owners = [o for o in sorted(plane.policy.owners) if o != h.owner]
    teams = sorted(plane.policy.owners) if account.admin else sorted(account.teams)
    queue_now = plane.store.list_handoffs(states=OPEN_STATES, owners=teams, limit=_PAGE_SIZE)
    context = {
        "session": session,
        "h": h,
        "open": h.state in OPEN_STATES,
        "ran": h.state in _RAN,
        "levels": [lv.value for lv in Level],
        "package": package,
        "args_json": _pretty(h.action.args),
        "option_changes": _option_changes(h),
        "revision": last_revision(h, events),
        "flags": flags_in(untrusted),
        "assessment": h.assessment,
        "glance": glance(h.action.args),
        "reasons": top_reasons(h),
        "trigger_messages": [t.message for t in h.assessment.triggers],
        "you_approved": approved_by(h, plane.policy, account.name),
        "next_id": next_open(h.id, queue_now),
        "approvals": h.approvals,
        "counted": count_approvals(h, plane.policy),
        "quorum": h.assessment.quorum,
        "countdown": countdown(h.deadline, now),
        "overdue": h.deadline is not None and h.deadline < now and h.state in OPEN_STATES,
        "events": events,
        "owners": owners,
        "now": now,
        "notice": notice,
        "error": error,
        "form": form or {},
        "asked_by_you": plane.policy.person(session.account.name)
        in plane.policy.requesters(h.action.agent, h.action.on_behalf_of),
        # Approving needs the reviewer's passkey too (policy step_up; static/passkey.js).
        "step_up": plane.policy.step_up if plane.policy.needs_step_up(h.assessment.level) else None,
    }
    status = status_of(error) if error is not None else 200
    return _page(request, "handoff.html", context, status)


def _option_changes(h: Handoff) -> list[list[Change]]:
    """Each option's args as a diff against the raw action; empty when it runs them as
    they are (or carries none)."""
    raw = h.action.args
    return [
        diff_args(raw, o.args) if o.args is not None else []
        for o in (h.package.options if h.package else [])
    ]


async def _posted(request: Request) -> tuple[Session, dict[str, str]] | Response:
    """The session and the posted form fields, or the redirect to the login page."""
    found = _who(request)
    if found is None:
        return _login_redirect(request)
    raw = await request.form()
    return found[1], {k: str(v) for k, v in raw.items() if isinstance(v, str)}


async def _check_team(plane: ControlPlane, session: Session, handoff_id: str, field: str) -> None:
    """Only the owning team (or an admin) acts on a handoff from the inbox."""
    h = await run_in_threadpool(plane.get, handoff_id)
    account = session.account
    if not (account.admin or h.owner is None or h.owner in account.teams):
        raise NotAuthorized(f"this handoff belongs to team {h.owner}", field=field)


@router.post("/handoffs/{handoff_id}/decide")
async def decide(request: Request, handoff_id: str) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    try:
        check_csrf(session.csrf, form.get("csrf"))
        decision = _decision(form, session)
        plane = plane_of(request)
        await _check_team(plane, session, handoff_id, "reviewer")
        after = await run_in_threadpool(plane.decide, handoff_id, decision)
    except HandoffError as exc:
        return _handoff(request, session, handoff_id, error=exc, form=form)
    request.app.state.metrics.decided(after)
    return RedirectResponse(
        f"/handoffs/{quote(handoff_id)}?done={decision['verdict']}", status_code=303
    )


@router.post("/handoffs/{handoff_id}/incident")
async def report_incident(request: Request, handoff_id: str) -> Response:
    """A reviewer of the owning team reports a problem with an action that ran."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    try:
        check_csrf(session.csrf, form.get("csrf"))
        plane = plane_of(request)
        await _check_team(plane, session, handoff_id, "reporter")
        incident = {
            "handoff_id": handoff_id,
            "severity": form.get("severity", "medium"),
            "description": form.get("description", "").strip(),
            "reporter": session.account.name,
        }
        await run_in_threadpool(plane.report_incident, incident)
    except HandoffError as exc:
        return _handoff(request, session, handoff_id, error=exc, form=form)
    return RedirectResponse(f"/handoffs/{quote(handoff_id)}?done=incident", status_code=303)


def _decision(form: dict[str, str], session: Session) -> dict[str, Any]:
    """The decision the form asks for; ``InputError`` names the field at fault."""
    verdict = form.get("verdict", "")
    if verdict not in {v.value for v in Verdict}:
        raise InputError("choose approve, revise, choose, redirect or reject", field="verdict")
    d: dict[str, Any] = {
        "verdict": verdict,
        "reviewer": session.account.name,
        "rationale": form.get("rationale", "").strip(),
    }
    if form.get("step_up"):
        try:
            d["step_up"] = json.loads(form["step_up"])
        except json.JSONDecodeError:
            raise InputError(
                "the passkey confirmation is not valid JSON", field="step_up"
            ) from None
    if verdict == Verdict.REVISE:
        try:
            d["args"] = json.loads(form.get("args", ""))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"the args are not valid JSON (line {exc.lineno}: {exc.msg})", field="args"
            ) from None
    elif verdict == Verdict.CHOOSE:
        if not form.get("option_id"):
            raise InputError("pick one of the options", field="option_id")
        d["option_id"] = form["option_id"]
    elif verdict == Verdict.REDIRECT:
        if form.get("owner"):
            d["owner"] = form["owner"]
        else:
            lines = [q.strip() for q in form.get("questions", "").splitlines() if q.strip()]
            if lines:
                d["questions"] = lines
    return d


def _error(request: Request, session: Session | None, status: int, message: str) -> Response:
    return _page(request, "error.html", {"session": session, "message": message}, status)

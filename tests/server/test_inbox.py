"""The inbox over plain HTTP: login, CSRF, queue order and filters, deciding by form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from handoff import Client

from .conftest import PASSWORD, Server


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


@contextmanager
def login(server: Server, name: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        page = http.get("/login")
        data = {"name": name, "password": password, "csrf": _csrf(page.text), "next": "/"}
        r = http.post("/login", data=data)
        assert r.status_code == 303, r.text
        yield http


def _submit(server: Server, tool: str, **args: object) -> str:
    with Client(server.url, server.key("bot")) as agent:
        return agent.submit({"tool": tool, "args": args}).handoff_id


def test_pages_need_a_login_and_the_cookie_is_locked_down(served: Server) -> None:
    with httpx.Client(base_url=served.url) as http:
        r = http.get("/handoffs/h_x")
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        page = http.get("/login")
        bad = http.post(
            "/login", data={"name": "ana", "password": "wrong-password", "csrf": _csrf(page.text)}
        )
        assert bad.status_code == 401 and "Wrong name or password" in bad.text
        forged = http.post("/login", data={"name": "ana", "password": PASSWORD, "csrf": "x"})
        assert forged.status_code == 403
        page = http.get("/login")
        ok = http.post(
            "/login",
            data={"name": "ana", "password": PASSWORD, "csrf": _csrf(page.text), "next": "//evil"},
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/"
        cookie = ok.headers["set-cookie"].lower()
        assert "handoff_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_queue_is_per_team_riskiest_first_with_filters(served: Server) -> None:
    medium = _submit(served, "ops.restart", service="web")
    high = _submit(served, "ops.pay", amount=3)
    with login(served, "ana") as ana:
        page = ana.get("/").text
        assert page.index(high) < page.index(medium)
        assert "0 of 2" in page and "0 of 1" in page
        assert "in 2h 00m" in page  # the high SLA, counted on the server's clock
        only_medium = ana.get("/", params={"level": "medium"}).text
        assert medium in only_medium and high not in only_medium
    served.clock.advance(hours=3)  # longer than a session may sit idle: log in again
    with login(served, "ana") as ana:
        late = ana.get("/", params={"overdue": "true"}).text
        assert high in late and medium not in late and "overdue 1h 00m" in late
        assert ana.get("/", params={"team": "legal"}).status_code == 403
    with login(served, "root") as root:  # an admin sees every team's queue
        page = root.get("/", params={"team": "legal"})
        assert page.status_code == 200 and "Nothing waiting for legal" in page.text
        assert high in root.get("/").text
    with login(served, "lena") as lena:
        assert medium not in lena.get("/").text
        assert lena.get(f"/handoffs/{medium}").status_code == 403


def test_deciding_by_form_needs_the_csrf_token(served: Server) -> None:
    hid = _submit(served, "ops.pay", amount=3)
    with login(served, "ana") as ana:
        page = ana.get(f"/handoffs/{hid}").text
        token = _csrf(page)
        r = ana.post(f"/handoffs/{hid}/decide", data={"verdict": "approve"})
        assert r.status_code == 403 and "CSRF" in r.text
        r = ana.post(f"/handoffs/{hid}/decide", data={"verdict": "reject", "csrf": token})
        assert r.status_code == 422 and "rationale" in r.text
        r = ana.post(
            f"/handoffs/{hid}/decide",
            data={"verdict": "approve", "rationale": "looks right", "csrf": token},
        )
        assert r.status_code == 303
        page = ana.get(r.headers["location"]).text
        assert "Your approval is recorded" in page and "1 of 2" in page
        assert "approval_recorded" in page
        r = ana.post(f"/handoffs/{hid}/decide", data={"verdict": "approve", "csrf": token})
        assert r.status_code == 409 and "already approved" in r.text
    assert served.plane.get(hid).state.value == "pending"


def test_revise_by_form_and_bad_json_names_the_field(served: Server) -> None:
    hid = _submit(served, "ops.restart", service="web")
    with login(served, "ben") as ben:
        token = _csrf(ben.get(f"/handoffs/{hid}").text)
        form = {"verdict": "revise", "rationale": "db, not web", "csrf": token}
        r = ben.post(f"/handoffs/{hid}/decide", data={**form, "args": "{oops"})
        assert r.status_code == 422 and "<strong>args</strong>" in r.text
        assert "{oops" in r.text  # the editor keeps what was typed
        r = ben.post(f"/handoffs/{hid}/decide", data={**form, "args": '{"service": "db"}'})
        assert r.status_code == 303
        page = ben.get(r.headers["location"]).text
        assert "Revised by <strong>ben</strong>; changed: <code>service</code>" in page
    h = served.plane.get(hid)
    assert h.state.value == "approved" and h.action.args == {"service": "db"}


def test_logout_ends_the_session(served: Server) -> None:
    with login(served, "ana") as ana:
        token = _csrf(ana.get("/").text)
        cookie = ana.cookies["handoff_session"]
        assert ana.post("/logout", data={"csrf": token}).status_code == 303
        r = httpx.get(f"{served.url}/", cookies={"handoff_session": cookie})
        assert r.status_code == 303


def test_the_api_with_a_session_cookie_needs_the_csrf_header(served: Server) -> None:
    hid = _submit(served, "ops.restart", service="web")
    with login(served, "ana") as ana:
        token = _csrf(ana.get("/").text)
        assert [h["id"] for h in ana.get("/v1/handoffs").json()["handoffs"]] == [hid]
        body = {"verdict": "approve", "rationale": "ok"}
        r = ana.post(f"/v1/handoffs/{hid}/decisions", json=body)
        assert r.status_code == 403 and r.json()["error"]["field"] == "csrf"
        r = ana.post(f"/v1/handoffs/{hid}/decisions", json=body, headers={"X-CSRF-Token": token})
        assert r.status_code == 200 and r.json()["state"] == "approved"


def test_an_incident_is_reported_by_form_on_an_action_that_ran(served: Server) -> None:
    hid = _submit(served, "ops.restart", service="cache")
    with login(served, "ana") as ana:
        assert "Report an incident" not in ana.get(f"/handoffs/{hid}").text  # not run yet
        served.plane.register("ops.restart", lambda **args: f"restarted {args['service']}")
        served.plane.decide(hid, verdict="approve", reviewer="ben", rationale="ok")
        assert served.plane.execute(hid).status == "executed"
        page = ana.get(f"/handoffs/{hid}").text
        assert "Report an incident" in page
        token = _csrf(page)
        form = {"severity": "high", "description": "the cache came back empty"}
        r = ana.post(f"/handoffs/{hid}/incident", data=form)
        assert r.status_code == 403 and "CSRF" in r.text
        r = ana.post(f"/handoffs/{hid}/incident", data={**form, "description": " ", "csrf": token})
        assert r.status_code == 422 and "<strong>description</strong>" in r.text
        r = ana.post(f"/handoffs/{hid}/incident", data={**form, "csrf": token})
        assert r.status_code == 303
        page = ana.get(r.headers["location"]).text
        assert "The incident is recorded" in page and "incident_reported" in page
    [event] = [e for e in served.plane.store.events(hid) if e.kind == "incident_reported"]
    assert event.actor == "ana" and event.data["severity"] == "high"


def test_a_requester_spelled_otherwise_is_told_and_cannot_approve(served: Server) -> None:
    with Client(served.url, served.key("bot")) as agent:
        own = agent.submit(
            {"tool": "ops.restart", "args": {"service": "db"}, "on_behalf_of": " ANA"}
        ).handoff_id
        stranger = agent.submit(
            {"tool": "ops.restart", "args": {"service": "web"}, "on_behalf_of": "mallory"}
        ).handoff_id
    with login(served, "ana") as ana:
        page = ana.get(f"/handoffs/{own}").text
        assert "You asked for this action" in page
        r = ana.post(
            f"/handoffs/{own}/decide",
            data={"verdict": "approve", "rationale": "mine", "csrf": _csrf(page)},
        )
        assert r.status_code == 403 and "requested this action" in r.text
        page = ana.get(f"/handoffs/{stranger}").text
        assert "You asked for this action" not in page
        assert "matches no one the policy knows" in page and "mallory" in page
    assert served.plane.get(own).decisions == []


def test_a_hangul_filler_is_marked_on_the_handoff_page(served: Server) -> None:
    with Client(served.url, served.key("bot")) as agent:
        hid = agent.submit(
            {
                "tool": "ops.restart",
                "args": {"service": "pay\u3164ment"},
                "context": {"instruction": "restart pay\u3164ment"},
            }
        ).handoff_id
    with login(served, "ana") as http:
        page = http.get(f"/handoffs/{hid}")
    assert page.status_code == 200
    shown = re.search(r"<h3>Instruction the agent was given</h3>(.*?)</p>", page.text, re.S)
    assert shown is not None, "no instruction on the page"
    assert "\u3164" not in shown.group(1)  # one line: no newline to take the slow path
    assert "&lt;U+3164 HANGUL FILLER&gt;" in shown.group(1)

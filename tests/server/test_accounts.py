"""Accounts over real HTTP and the CLI: disabling, deleting, changing a password, idle
and absolute session limits, and the session cookie's flags."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from handoff import ControlPlane
from handoff._exceptions import ConflictError, InputError, NotFound
from handoff.cli.commands import app as cli
from handoff.server import create_app
from handoff.server.accounts import Accounts
from handoff.testing import FakeClock

from .._serve import serving
from .conftest import PASSWORD, POLICY, Server
from .test_throttle import _csrf, attempt

runner = CliRunner()


@contextmanager
def _logged_in(server: Server, name: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        r = attempt(http, name, password)
        assert r.status_code == 303, r.text
        yield http


def _signed_in(http: httpx.Client) -> bool:
    """Whether the queue page shows (a login redirect otherwise)."""
    r = http.get("/")
    assert r.status_code in (200, 303)
    return r.status_code == 200


def test_a_disabled_user_cannot_log_in_or_use_a_session_or_a_key(served: Server) -> None:
    key = served.key("ana")
    api = {"authorization": f"Bearer {key}"}
    with _logged_in(served, "ana") as http:
        assert _signed_in(http)
        assert httpx.get(f"{served.url}/v1/handoffs", headers=api).status_code == 200
        served.accounts.disable_user("ana", actor="root")
        assert not _signed_in(http)
        assert httpx.get(f"{served.url}/v1/handoffs", headers=api).status_code == 401
        http.cookies.clear()
        refused = attempt(http, "ana", PASSWORD)
        assert refused.status_code == 401 and "Wrong name or password" in refused.text
    keys = served.accounts.keys()
    assert [k.revoked_at is not None for k in keys if k.principal == "ana"] == [True]
    with pytest.raises(ConflictError) as no_key:
        served.accounts.add_key("ana")
    assert no_key.value.field == "agent"
    served.accounts.enable_user("ana", actor="root")
    with _logged_in(served, "ana") as http:
        assert _signed_in(http)
    # The revoked key stays revoked: enabling does not bring old credentials back.
    assert httpx.get(f"{served.url}/v1/handoffs", headers=api).status_code == 401
    events = [(e.kind, e.actor, e.data) for e in served.plane.store.events() if not e.handoff_id]
    assert ("user.disabled", "root", {"user": "ana", "sessions": 1, "keys": 1}) in events
    assert ("user.enabled", "root", {"user": "ana"}) in events


def test_a_deleted_user_is_gone_with_sessions_and_keys(served: Server) -> None:
    key = served.key("ben")
    with _logged_in(served, "ben") as http:
        served.accounts.delete_user("ben", actor="root")
        assert not _signed_in(http)
    assert served.accounts.account("ben") is None
    assert "ben" not in [a.name for a in served.accounts.accounts()]
    r = httpx.get(f"{served.url}/v1/handoffs", headers={"authorization": f"Bearer {key}"})
    assert r.status_code == 401
    with pytest.raises(NotFound) as gone:
        served.accounts.delete_user("ben")
    assert gone.value.field == "name"


def test_a_new_password_ends_every_session(served: Server) -> None:
    with _logged_in(served, "lena") as http:
        served.accounts.set_password("lena", "a brand new password", actor="lena")
        assert not _signed_in(http)
        http.cookies.clear()
        assert attempt(http, "lena", PASSWORD).status_code == 401
    with _logged_in(served, "lena", "a brand new password") as http:
        assert _signed_in(http)


def test_an_idle_session_expires_and_a_busy_one_lasts_its_lifetime(served: Server) -> None:
    with _logged_in(served, "ana") as http:
        for _ in range(3):  # 87 minutes in all, never 30 idle
            served.clock.advance(minutes=29)
            assert _signed_in(http)
        served.clock.advance(minutes=31)
        assert not _signed_in(http)
    with _logged_in(served, "ana") as http:
        for _ in range(35):  # 11 h 40 min of work, a request every 20 minutes
            served.clock.advance(minutes=20)
            assert _signed_in(http)
        served.clock.advance(minutes=20)  # 12 h after the login
        assert not _signed_in(http)


def test_the_session_timeouts_are_settings(tmp_path: Path) -> None:
    clock = FakeClock()
    plane = ControlPlane.open(f"sqlite:///{tmp_path / 's.db'}", POLICY, clock=clock)
    try:
        Accounts.of(plane).add_user("ana", PASSWORD, teams=["ops"], role="reviewer")
        app = create_app(plane, session_idle=120, session_lifetime=600)
        with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
            r = attempt(http, "ana", PASSWORD)
            assert "max-age=600" in r.headers["set-cookie"].lower()
            clock.advance(119)
            assert http.get("/").status_code == 200
            clock.advance(121)
            assert http.get("/").status_code == 303
    finally:
        plane.close()
    with pytest.raises(InputError) as bad:
        create_app(plane, session_idle=0)
    assert bad.value.field == "session_idle"


def _session_cookie(response: httpx.Response) -> str:
    cookies = [c for c in response.headers.get_list("set-cookie") if "handoff_session=" in c]
    assert len(cookies) == 1, response.headers
    return cookies[0].lower()


def _attempt_as_over_tls(http: httpx.Client, name: str) -> httpx.Response:
    """A login whose form cookie is sent back by hand: the cookie is Secure, and httpx,
    like a browser, keeps a Secure cookie off a plain-HTTP connection."""
    page = http.get("/login")
    assert "; secure" in page.headers["set-cookie"].lower()
    token = _csrf(page.text)
    data = {"name": name, "password": PASSWORD, "csrf": token, "next": "/"}
    return http.post("/login", data=data, headers={"cookie": f"handoff_login={token}"})


def test_cookie_flags_on_loopback_behind_https_and_when_forced(served: Server) -> None:
    with httpx.Client(base_url=served.url, timeout=30) as http:
        plain = _session_cookie(attempt(http, "ana", PASSWORD))
    # Plain HTTP on loopback: a browser on this machine must be able to log in.
    assert "secure" not in plain.replace("samesite", "")
    assert "httponly" in plain and "samesite=lax" in plain and "path=/" in plain
    # Behind a TLS proxy on the same host (X-Forwarded-Proto from loopback is trusted).
    proxied = {"x-forwarded-proto": "https"}
    with httpx.Client(base_url=served.url, timeout=30, headers=proxied) as http:
        assert "; secure" in _session_cookie(_attempt_as_over_tls(http, "ana"))
    app = create_app(served.plane, secure_cookies=True)
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert "; secure" in _session_cookie(_attempt_as_over_tls(http, "ana"))


def _outward_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent; this only picks a route
            address = str(s.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_plain_http_off_loopback_gets_a_secure_cookie(served: Server) -> None:
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    app = create_app(served.plane)
    with serving(app, host=address) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert "; secure" in _session_cookie(_attempt_as_over_tls(http, "ana"))


def _cli(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_user_commands_disable_enable_passwd_delete(tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    add = ("user", "add", "maya", "--password-stdin", "--db", db)
    code, _, err = _cli(*add, stdin="first pass 1\n")
    assert code == 0, err
    assert _cli("key", "add", "maya", "--db", db)[0] == 0
    code, out, err = _cli("user", "disable", "maya", "--db", db)
    assert code == 0, err
    assert "disabled maya" in out and "1 API key revoked" in out
    code, out, _ = _cli("user", "list", "--db", db)
    assert "maya\treviewer\t\tdisabled" in out
    code, _, err = _cli("user", "disable", "maya", "--db", db)
    assert code == 4 and "already disabled" in err
    assert _cli("user", "enable", "maya", "--db", db)[0] == 0
    # Not a terminal: the new password is the first line of stdin.
    code, out, err = _cli("user", "passwd", "maya", "--db", db, stdin="second pass 2\n")
    assert code == 0 and "changed the password of maya" in out, err
    code, _, err = _cli("user", "passwd", "maya", "--db", db, stdin="short\n")
    assert code == 2 and "password" in err and "8" in err
    code, _, err = _cli("user", "passwd", "nobody", "--db", db, stdin="second pass 2\n")
    assert code == 1 and "no user 'nobody'" in err
    with ControlPlane.open(f"sqlite:///{db}") as plane:
        accounts = Accounts.of(plane)
        assert accounts.authenticate("maya", "second pass 2") is not None
        assert accounts.authenticate("maya", "first pass 1") is None
    code, out, err = _cli("user", "delete", "maya", "--db", db)
    assert code == 0 and "deleted maya" in out, err
    assert _cli("user", "list", "--db", db)[1] == ""
    with ControlPlane.open(f"sqlite:///{db}") as plane:
        kinds = [e.kind for e in plane.store.events() if e.handoff_id is None]
    assert kinds == ["user.disabled", "user.enabled", "user.password_changed", "user.deleted"]

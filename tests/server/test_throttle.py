"""Throttling over real HTTP: password guessing locks the account and the client, the
right password does not get in while locked, and an API key has a request budget."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from handoff import ControlPlane
from handoff.server import create_app
from handoff.server.accounts import Accounts
from handoff.server.throttle import Limits
from handoff.testing import FakeClock

from .._serve import serving
from .conftest import PASSWORD, POLICY, Server


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def attempt(http: httpx.Client, name: str, password: str) -> httpx.Response:
    """One login as a browser does it: fetch the form, post it."""
    page = http.get("/login")
    data = {"name": name, "password": password, "csrf": _csrf(page.text), "next": "/"}
    return http.post("/login", data=data)


def kinds(server: Server) -> list[str]:
    return [e.kind for e in server.plane.store.events() if e.handoff_id is None]


def test_fifty_wrong_passwords_then_the_right_one_does_not_log_in(served: Server) -> None:
    with httpx.Client(base_url=served.url, timeout=30) as http:
        statuses = [attempt(http, "ana", f"guess {i:04d}").status_code for i in range(50)]
        right = attempt(http, "ana", PASSWORD)
    # Four wrong passwords are answered 401; the fifth locks the account (429), and the
    # next 45 are refused without checking the password.
    assert statuses == [401] * 4 + [429] * 46
    assert right.status_code == 429
    assert "handoff_session" not in right.headers.get("set-cookie", "")
    assert 0 < int(right.headers["retry-after"]) <= 60
    assert "Too many failed logins" in right.text
    # Each checked wrong password and the lock are in the audit chain; refusals are not.
    assert kinds(served) == ["login.failed"] * 5 + ["login.locked"]
    locked = next(e for e in served.plane.store.events() if e.kind == "login.locked")
    assert locked.actor == "ana" and locked.data["locked"] == "account"
    assert locked.data["seconds"] == 60


def test_the_lock_ends_then_doubles_with_each_further_failure(served: Server) -> None:
    with httpx.Client(base_url=served.url, timeout=30) as http:
        for i in range(5):
            attempt(http, "ben", f"guess {i}")
        served.clock.advance(61)
        again = attempt(http, "ben", "guess 5")
        assert again.status_code == 429
        assert int(again.headers["retry-after"]) == 120  # 60 s, doubled
        served.clock.advance(119)
        assert attempt(http, "ben", PASSWORD).status_code == 429
        served.clock.advance(2)
        ok = attempt(http, "ben", PASSWORD)
        assert ok.status_code == 303 and "handoff_session=" in ok.headers["set-cookie"]
        # A success clears the account's count: one typo later is a plain 401.
        http.cookies.clear()
        assert attempt(http, "ben", "typo").status_code == 401


def test_one_client_guessing_many_names_is_locked_out_of_all(served: Server) -> None:
    """Spraying one password across names: the client address is locked at 20."""
    with httpx.Client(base_url=served.url, timeout=30) as http:
        statuses = [attempt(http, f"user{i}", "Winter2026!").status_code for i in range(20)]
        assert statuses == [401] * 19 + [429]
        assert attempt(http, "lena", PASSWORD).status_code == 429
    assert kinds(served).count("login.failed") == 20
    (locked,) = [e for e in served.plane.store.events() if e.kind == "login.locked"]
    assert locked.data["locked"] == "client" and locked.data["client"] == "127.0.0.1"


def test_an_unknown_name_is_throttled_like_a_real_one(served: Server) -> None:
    """Locking only real names would tell an attacker which names exist."""
    with httpx.Client(base_url=served.url, timeout=30) as http:
        real = [attempt(http, "ana", f"g{i}").status_code for i in range(5)]
        served.clock.advance(3600)
        ghost = [attempt(http, "nobody", f"g{i}").status_code for i in range(5)]
    assert real == ghost == [401] * 4 + [429]


def test_enabling_an_account_clears_its_lock(served: Server) -> None:
    with httpx.Client(base_url=served.url, timeout=30) as http:
        for i in range(5):
            attempt(http, "ana", f"guess {i}")
        assert attempt(http, "ana", PASSWORD).status_code == 429
        served.accounts.enable_user("ana")
        assert attempt(http, "ana", PASSWORD).status_code == 303


def test_an_api_key_gets_its_budget_then_429_with_retry_after(tmp_path: Path) -> None:
    clock = FakeClock()
    plane = ControlPlane.open(f"sqlite:///{tmp_path / 'k.db'}", POLICY, clock=clock)
    try:
        secret = Accounts.of(plane).add_key("bot")[1]
        other = Accounts.of(plane).add_key("other-bot")[1]
        app = create_app(plane, limits=Limits(key_requests=10, key_window=60))
        with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
            bot = {"authorization": f"Bearer {secret}"}
            codes = [http.get("/v1/handoffs", headers=bot).status_code for _ in range(12)]
            assert codes == [200] * 10 + [429] * 2
            refused = http.get("/v1/handoffs", headers=bot)
            body = refused.json()["error"]
            assert body["code"] == "rate_limited" and body["field"] == "authorization"
            wait = int(refused.headers["retry-after"])
            assert 0 < wait <= 60
            # Another key has its own budget.
            assert http.get("/v1/handoffs", headers={"authorization": f"Bearer {other}"}).is_success
            clock.advance(wait)
            assert http.get("/v1/handoffs", headers=bot).status_code == 200
    finally:
        plane.close()


def test_the_key_budget_can_be_turned_off(tmp_path: Path) -> None:
    plane = ControlPlane.open(f"sqlite:///{tmp_path / 'k.db'}", POLICY, clock=FakeClock())
    try:
        secret = Accounts.of(plane).add_key("bot")[1]
        app = create_app(plane, limits=Limits(key_requests=0))
        with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
            bot = {"authorization": f"Bearer {secret}"}
            assert {http.get("/v1/handoffs", headers=bot).status_code for _ in range(30)} == {200}
    finally:
        plane.close()


def test_limits_refuse_nonsense_naming_the_field() -> None:
    import pytest

    from handoff._exceptions import InputError

    with pytest.raises(InputError) as bad:
        Limits(login_failures=0)
    assert bad.value.field == "login_failures"
    with pytest.raises(InputError) as bad:
        Limits(key_window=0)
    assert bad.value.field == "key_window"

"""An agent's callback URL is refused at registration when it reaches a refused address."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Server

ATTACKS = [
    "http://127.0.0.1:8000/admin",
    "http://localhost/",
    "http://10.0.0.5/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://127.1/",
    "http://[fe80::1]/",
    "http://0.0.0.0:8000/",
]


@pytest.fixture(autouse=True)
def _no_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOFF_EGRESS_ALLOW", raising=False)


def _register(served: Server, url: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {served.key('bot')}"}
    with httpx.Client(base_url=served.url, headers=headers, timeout=30) as http:
        return http.post("/v1/callbacks", json={"url": url})


def test_callback_urls_on_refused_addresses_are_422_naming_url(served: Server) -> None:
    for url in ATTACKS:
        r = _register(served, url)
        assert r.status_code == 422, (url, r.text)
        error = r.json()["error"]
        assert error["field"] == "url" and "HANDOFF_EGRESS_ALLOW" in error["message"], error
    with served.plane.store.write() as tx:
        assert tx.callback_get("bot") is None  # nothing was stored


def test_a_public_callback_url_is_accepted(served: Server) -> None:
    r = _register(served, "https://93.184.216.34/hooks/handoff")  # a literal: no DNS needed
    assert r.status_code == 200 and r.json()["secret"].startswith("whsec_"), r.text

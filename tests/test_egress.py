"""Outbound requests reach public addresses only, unless the operator allows more.

Each attack points the HTTP executor, a redirect, a rollback ``Location`` or a
published checkpoint at this machine and checks that nothing arrived. The receivers
listen on loopback addresses the tests name in ``HANDOFF_EGRESS_ALLOW`` only where the
test says so.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from handoff import InputError
from handoff.audit.checkpoint import generate_key, load_private_key, write_checkpoint
from handoff.execute.executors import HttpExecutor
from handoff.store import open_store

from ._spy import Spy, spy

#: Ways to write an address on this machine, each refused by default.
LOOPBACK_FORMS = [
    "http://127.0.0.1:{port}/effects",
    "http://localhost:{port}/effects",  # a name that resolves to loopback
    "http://2130706433:{port}/effects",  # 127.0.0.1 as one decimal number
    "http://0x7f.1:{port}/effects",  # hexadecimal, two parts
    "http://127.1:{port}/effects",  # short form
    "http://017700000001:{port}/effects",  # octal
    "http://[::ffff:127.0.0.1]:{port}/effects",  # IPv4-mapped IPv6
    "http://evil.example@127.0.0.1:{port}/effects",  # user info in front of the host
]

#: Addresses elsewhere the server can reach and an agent must not.
PRIVATE = [
    "http://10.0.0.5/internal",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
    "http://[::1]/",
    "http://[fd00::1]/",  # unique local
    "http://[fe80::1]/",  # link-local
    "http://0.0.0.0/",
    "http://100.64.0.1/",  # shared (carrier-grade NAT)
    "http://224.0.0.1/",  # multicast
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 wrapping 169.254.169.254
]


@pytest.fixture(autouse=True)
def _no_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOFF_EGRESS_ALLOW", raising=False)


@pytest.fixture
def local() -> Iterator[Spy]:
    with spy("127.0.0.1") as s:
        yield s


def _refused(err: pytest.ExceptionInfo[InputError], field: str) -> None:
    assert err.value.field == field, err.value
    assert "HANDOFF_EGRESS_ALLOW" in err.value.message


@pytest.mark.parametrize("form", LOOPBACK_FORMS)
def test_the_http_executor_never_reaches_this_machine(local: Spy, form: str) -> None:
    url = form.format(port=local.url.rsplit(":", 1)[1])
    with pytest.raises(InputError) as err:
        HttpExecutor(url).apply({"n": 1}, "full", "h1:full")
    _refused(err, "url")
    assert local.hits == []


@pytest.mark.parametrize("url", PRIVATE)
def test_private_link_local_and_wrapped_addresses_are_refused(url: str) -> None:
    with pytest.raises(InputError) as err:
        HttpExecutor("https://8.8.8.8/effects", canary_url=url)
    _refused(err, "canary_url")


def test_a_redirect_to_a_refused_address_is_not_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_EGRESS_ALLOW", "127.0.0.2")
    with spy("127.0.0.2") as front, spy("127.0.0.3") as inside:
        front.status, front.location = 302, inside.url + "/admin"
        ex = HttpExecutor(front.url + "/effects", confirm_url=front.url + "/e/{idempotency_key}")
        with pytest.raises(Exception, match="302"):
            ex.apply({"n": 1}, "full", "h1:full")
        with pytest.raises(Exception, match="302"):
            ex.confirm({"stage": "full", "idempotency_key": "h1:full", "status": 201})
    assert [m for m, _, _ in front.hits] == ["POST", "GET"]
    assert inside.hits == []


def test_a_rollback_location_on_a_refused_address_is_not_requested(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HANDOFF_EGRESS_ALLOW", "127.0.0.2")
    with spy("127.0.0.2") as front, spy("127.0.0.3") as inside:
        front.location = inside.url + "/effects/1"
        ex = HttpExecutor(front.url + "/effects")
        result = ex.apply({"n": 1}, "full", "h1:full")
        assert result["status"] == 201 and result["location"] == front.location
        with pytest.raises(InputError) as err:
            ex.rollback(result)
        _refused(err, "url")
    assert inside.hits == []


def test_the_allow_list_opens_exactly_what_it_names(monkeypatch: pytest.MonkeyPatch) -> None:
    with spy("127.0.0.2") as allowed, spy("127.0.0.3") as other:
        monkeypatch.setenv("HANDOFF_EGRESS_ALLOW", "127.0.0.2/32, ::1")
        assert HttpExecutor(allowed.url + "/e").apply({}, "full", "k")["status"] == 201
        with pytest.raises(InputError):
            HttpExecutor(other.url + "/e")
        monkeypatch.setenv("HANDOFF_EGRESS_ALLOW", "localhost")  # a name, whatever it resolves to
        port = other.url.rsplit(":", 1)[1]
        with pytest.raises(InputError):  # the name is allowed, the address written out is not
            HttpExecutor(f"http://127.0.0.3:{port}/e")
        monkeypatch.setenv("HANDOFF_EGRESS_ALLOW", "10.0.0.0/8, not a host!")
        with pytest.raises(ValueError, match="HANDOFF_EGRESS_ALLOW: 'not a host!'"):
            HttpExecutor(allowed.url + "/e").apply({}, "full", "k")
    assert len(allowed.hits) == 1 and other.hits == []


def test_the_connection_goes_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: the name is resolved once, by the check, and the socket opens that
    address. ``rebind.test`` exists for no system resolver, so a request that reached
    the spy was pinned; a name that answers a second, refused address is refused."""
    from handoff._egress import EgressTransport

    monkeypatch.setenv("HANDOFF_EGRESS_ALLOW", "127.0.0.2")
    answers = [["127.0.0.2"], ["127.0.0.3"]]
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked), 2) - 1]

    with spy("127.0.0.2") as allowed, spy("127.0.0.3") as inside:
        port = allowed.url.rsplit(":", 1)[1]
        with httpx.Client(transport=EgressTransport(resolve=resolve)) as http:
            assert http.post(f"http://rebind.test:{port}/x").status_code == 201
            with pytest.raises(InputError):  # the second answer is refused
                http.post(f"http://rebind.test:{port}/x")
        both = EgressTransport(resolve=lambda h, p: ["127.0.0.2", "127.0.0.3"])
        with httpx.Client(transport=both) as http, pytest.raises(InputError):
            http.post(f"http://rebind.test:{port}/x")  # one refused address refuses all
    assert asked == ["rebind.test", "rebind.test"]
    assert allowed.hits == [("POST", "/x", f"rebind.test:{port}")]
    assert inside.hits == []


def test_a_published_checkpoint_never_reaches_this_machine(local: Spy, tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    store = open_store(f"sqlite:///{base / 'a.db'}")
    with store.write() as tx:
        from datetime import UTC, datetime

        tx.event("note", handoff_id="h1", actor="bot", at=datetime.now(UTC), data={})
    generate_key(base / "k")
    with pytest.raises(InputError) as err:
        write_checkpoint(store, load_private_key(base / "k"), base / "cps", url=local.url)
    store.close()
    _refused(err, "url")
    assert local.hits == []

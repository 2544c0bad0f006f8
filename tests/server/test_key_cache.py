"""What an API key stands for is cached per server, and a change made through another
server on the same database (a revoked key, a disabled account) is seen at the next
request: two servers, each with its own store, as two ``handoff serve`` processes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from handoff import ControlPlane
from handoff.server import create_app
from handoff.server.accounts import Accounts
from handoff.store import open_store

from .._serve import serving
from .conftest import PASSWORD, POLICY


@pytest.fixture
def two(db_url: str) -> Iterator[tuple[list[str], list[Accounts]]]:
    """Two servers on one database, each with its own store (and so its own cache)."""
    with ExitStack() as stack:
        urls, accounts = [], []
        for _ in range(2):
            store = open_store(db_url)
            stack.callback(store.close)
            plane = ControlPlane(store, POLICY)
            urls.append(stack.enter_context(serving(create_app(plane))))
            accounts.append(Accounts.of(plane))
        yield urls, accounts


def _status(url: str, key: str) -> int:
    got = httpx.get(f"{url}/v1/handoffs", headers={"Authorization": f"Bearer {key}"})
    return got.status_code


def test_a_key_revoked_through_one_server_is_refused_by_the_other(
    two: tuple[list[str], list[Accounts]],
) -> None:
    (one, other), (accounts, _) = two
    key, secret = accounts.add_key("bot")
    assert [_status(other, secret) for _ in range(3)] == [200, 200, 200]  # cached
    accounts.revoke_key(key.id)
    assert _status(other, secret) == 401
    assert _status(one, secret) == 401
    # A new key for the same agent works at once, everywhere.
    _, fresh = accounts.add_key("bot")
    assert (_status(other, fresh), _status(one, fresh)) == (200, 200)
    assert _status(other, secret) == 401


def test_an_account_disabled_through_one_server_is_refused_by_the_other(
    two: tuple[list[str], list[Accounts]],
) -> None:
    (_, other), (accounts, _) = two
    accounts.add_user("ana", PASSWORD, teams=["ops"], role="reviewer")
    _, secret = accounts.add_key("ana")
    assert [_status(other, secret) for _ in range(2)] == [200, 200]
    accounts.disable_user("ana")
    assert _status(other, secret) == 401
    accounts.enable_user("ana")  # revoked keys stay revoked
    assert _status(other, secret) == 401


def test_a_deleted_account_key_is_refused_by_the_other(
    two: tuple[list[str], list[Accounts]],
) -> None:
    (_, other), (accounts, _) = two
    accounts.add_user("ben", PASSWORD, teams=["ops"], role="admin")
    _, secret = accounts.add_key("ben")
    assert _status(other, secret) == 200
    accounts.delete_user("ben")
    assert _status(other, secret) == 401


def test_the_generation_moves_with_every_change_to_who_may_call(
    two: tuple[list[str], list[Accounts]],
) -> None:
    _, (accounts, elsewhere) = two
    seen = [elsewhere.store.auth_generation()]

    def moved() -> bool:
        seen.append(elsewhere.store.auth_generation())
        return seen[-1] > seen[-2]

    key, _ = accounts.add_key("bot")
    accounts.revoke_key(key.id)
    assert moved()
    accounts.add_user("cy", PASSWORD, teams=["ops"], role="reviewer")
    assert moved()
    accounts.disable_user("cy")
    assert moved()
    accounts.enable_user("cy")
    assert moved()
    accounts.delete_user("cy")
    assert moved()

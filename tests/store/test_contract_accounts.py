"""The store contract for accounts, API keys, sessions, throttle counters and passkeys
(SQLite and PostgreSQL alike)."""

from __future__ import annotations

import pytest

from handoff._exceptions import AlreadyExists, ConflictError, NotFound
from handoff.store import SqlStore, open_store
from handoff.testing import FakeClock

AT = 1_000_000.0


def test_users_are_added_read_and_listed(store: SqlStore) -> None:
    store.user_add("bob", "hash-b", "reviewer", ["ops", "finance", "ops"], AT)
    store.user_add("alice", "hash-a", "admin", [], AT)
    bob = store.user_get("bob")
    assert bob is not None
    assert (bob.role, bob.teams, bob.disabled_at, bob.password_hash) == (
        "reviewer",
        frozenset({"ops", "finance"}),
        None,
        "hash-b",
    )
    assert store.user_get("carol") is None
    assert store.user_names() == ["alice", "bob"]
    with pytest.raises(ConflictError) as err:
        store.user_add("bob", "x", "reviewer", [], AT)
    assert err.value.field == "name"


def test_a_user_may_not_take_the_name_of_a_live_agent_key(store: SqlStore) -> None:
    store.key_add("k_1", "Deploy-Bot", "h1", AT)
    with pytest.raises(ConflictError, match="live agent API key"):
        store.user_add("deploy-bot", "x", "reviewer", [], AT)
    store.key_revoke("k_1", AT + 1)
    store.user_add("deploy-bot", "x", "reviewer", [], AT)


def test_disable_enable_delete_and_password_end_access(store: SqlStore) -> None:
    store.user_add("bob", "h", "reviewer", ["ops"], AT)
    store.key_add("k_1", "bob", "keyhash", AT)
    store.session_open("s1", "bob", "csrf", at=AT, expires_at=AT + 100, idle=50)
    assert store.user_disable("bob", AT + 1) == (1, 1)
    bob = store.user_get("bob")
    assert bob is not None and bob.disabled_at == AT + 1
    assert store.session_get("s1") is None and store.key_find("keyhash") is None
    with pytest.raises(ConflictError):
        store.user_disable("bob", AT + 2)
    with pytest.raises(ConflictError, match="disabled"):
        store.key_add("k_2", "bob", "keyhash2", AT + 2)

    store.throttle_fail([("login:bob", 1)], AT, lock_for=lambda over: 60.0, quiet=900)
    store.user_enable("bob")
    bob = store.user_get("bob")
    assert bob is not None and bob.disabled_at is None
    assert store.throttle_locks(["login:bob"], AT + 1) == []

    store.session_open("s2", "bob", "csrf", at=AT, expires_at=AT + 100, idle=50)
    assert store.user_password("bob", "h2") == 1
    bob = store.user_get("bob")
    assert bob is not None and bob.password_hash == "h2"

    store.key_add("k_3", "bob", "keyhash3", AT + 3)
    assert store.user_delete("bob", AT + 4) == (0, 1)
    assert store.user_get("bob") is None
    assert [k.revoked_at for k in store.key_rows() if k.id == "k_3"] == [AT + 4]
    for change in (
        lambda: store.user_disable("bob", AT),
        lambda: store.user_enable("bob"),
        lambda: store.user_delete("bob", AT),
        lambda: store.user_password("bob", "h"),
    ):
        with pytest.raises(NotFound):
            change()


def test_api_keys_one_live_key_per_principal(store: SqlStore) -> None:
    store.key_add("k_1", "bot", "h1", AT)
    with pytest.raises(ConflictError, match="k_1"):
        store.key_add("k_2", "bot", "h2", AT)
    assert store.key_find("h1") == ("k_1", "bot")
    assert store.key_find("nope") is None
    revoked = store.key_revoke("k_1", AT + 5)
    assert (revoked.id, revoked.principal, revoked.created_at, revoked.revoked_at) == (
        "k_1",
        "bot",
        AT,
        AT + 5,
    )
    assert store.key_find("h1") is None
    with pytest.raises(ConflictError):
        store.key_revoke("k_1", AT + 6)
    with pytest.raises(NotFound):
        store.key_revoke("k_9", AT)
    store.key_add("k_2", "bot", "h2", AT + 7)
    store.key_add("k_3", "agent", "h3", AT + 7)
    assert [k.id for k in store.key_rows()] == ["k_3", "k_1", "k_2"]


def test_sessions_open_seen_and_close(store: SqlStore) -> None:
    store.session_open("old", "bob", "c0", at=AT, expires_at=AT + 1000, idle=10)
    store.session_open("s1", "bob", "c1", at=AT + 20, expires_at=AT + 120, idle=10)
    assert store.session_get("old") is None  # idle past ``idle`` when s1 opened
    row = store.session_get("s1")
    assert row is not None and tuple(row) == ("bob", "c1", AT + 120, AT + 20)
    store.session_seen("s1", AT + 60)
    row = store.session_get("s1")
    assert row is not None and row.seen_at == AT + 60
    store.session_close("s1")
    assert store.session_get("s1") is None


def test_throttle_counts_locks_and_forgets(store: SqlStore) -> None:
    def fail(at: float) -> list[tuple[int, float | None]]:
        return store.throttle_fail(
            [("login:bob", 2), ("client:1.2.3.4", 3)], at, lock_for=lambda o: 60.0 * 2**o, quiet=100
        )

    assert fail(AT) == [(1, None), (1, None)]
    assert fail(AT + 1) == [(2, AT + 61), (2, None)]
    assert fail(AT + 2) == [(3, AT + 122), (3, AT + 62)]
    assert sorted(store.throttle_locks(["login:bob", "client:1.2.3.4"], AT + 3)) == [
        AT + 62,
        AT + 122,
    ]
    assert store.throttle_locks(["login:bob"], AT + 200) == []
    store.throttle_clear("login:bob")
    assert store.throttle_locks(["login:bob"], AT + 3) == []
    # Quiet for ``quiet`` seconds after the lock ended: the count starts again.
    assert fail(AT + 62 + 101) == [(1, None), (1, None)]


def test_throttle_hit_counts_per_window(store: SqlStore) -> None:
    gen = store.auth_generation()
    hits = [store.throttle_hit("key:k_1", 60.0, 120.0) for _ in range(3)]
    assert hits == [(1, gen), (2, gen), (3, gen)]
    assert store.throttle_hit("key:k_2", 60.0, 120.0) == (1, gen)
    assert store.throttle_hit("key:k_1", 120.0, 180.0) == (1, gen)


def test_throttle_hit_reads_the_generation_a_revocation_moved(store: SqlStore) -> None:
    store.key_add("k_9", "bot", "digest-9", AT)
    before = store.throttle_hit("key:k_9", 60.0, 120.0)[1]
    store.key_revoke("k_9", AT + 1)
    assert store.throttle_hit("key:k_9", 60.0, 120.0) == (2, store.auth_generation())
    assert store.auth_generation() > before


def test_passkeys_challenges_and_counters(store: SqlStore, clock: FakeClock) -> None:
    store.challenge_add(
        "n1", "bob", "register", handoff_id=None, action_hash=None, expires_at=AT + 60, now=AT
    )
    store.challenge_add(
        "n2", "bob", "approve", handoff_id="h1", action_hash="ab", expires_at=AT + 60, now=AT
    )
    at = clock.now()
    with store.write() as tx:
        assert not tx.challenge_take("n1", "eve", "register", now=AT + 1)
        assert tx.challenge_take("n1", "bob", "register", now=AT + 1)
        assert not tx.challenge_take("n1", "bob", "register", now=AT + 1)
        assert not tx.challenge_take("n2", "bob", "approve", handoff_id="h1", now=AT + 1)
        assert tx.challenge_take(
            "n2", "bob", "approve", handoff_id="h1", action_hash="ab", now=AT + 1
        )
        tx.passkey_add("cred-1", "bob", "pk", rp_id="localhost", origin="http://x", at=AT)
        tx.passkey_add("cred-2", "bob", "pk2", rp_id="localhost", origin="http://x", at=AT + 1)
        tx.event("passkey.registered", handoff_id=None, actor="bob", at=at, data={})
    rows = store.passkey_rows(user="bob")
    assert [(r.credential_id, r.sign_count) for r in rows] == [("cred-1", 0), ("cred-2", 0)]
    assert store.passkey_rows(credential_id="cred-2")[0].public_key == "pk2"
    assert store.passkey_rows(user="eve") == []
    with store.write() as tx:
        assert tx.passkey_seen("cred-1", 5)
        assert not tx.passkey_seen("cred-1", 5)
        assert not tx.passkey_seen("cred-1", 4)
        assert tx.passkey_seen("cred-2", 0)  # an authenticator that keeps no counter
    # Expired challenges are dropped when the next one is handed out.
    store.challenge_add(
        "n3", "bob", "register", handoff_id=None, action_hash=None, expires_at=AT + 10, now=AT
    )
    with store.write() as tx:
        assert not tx.challenge_take("n3", "bob", "register", now=AT + 11)


def test_a_passkey_registered_twice_is_a_typed_clash(store: SqlStore, clock: FakeClock) -> None:
    with store.write() as tx:
        tx.passkey_add("cred-1", "bob", "pk", rp_id="localhost", origin="http://x", at=AT)
    with pytest.raises(AlreadyExists) as err, store.write() as tx:
        tx.event("passkey.registered", handoff_id=None, actor="bob", at=clock.now(), data={})
        tx.passkey_add("cred-1", "eve", "pk", rp_id="localhost", origin="http://x", at=AT)
    assert err.value.field == "credential"
    assert store.passkey_rows(credential_id="cred-1")[0].user_name == "bob"
    assert store.count_events() == 0


def test_the_accounts_generation_moves_with_each_change_to_who_may_call(
    store: SqlStore, db_url: str
) -> None:
    other = open_store(db_url)  # another process's view of the same database
    try:
        seen = [other.auth_generation()]

        def moved() -> bool:
            seen.append(other.auth_generation())
            return seen[-1] > seen[-2]

        store.key_add("k1", "bot", "hash-k1", AT)
        assert not moved()  # a new key cannot be in anyone's cache
        store.key_revoke("k1", AT + 1)
        assert moved()
        store.user_add("bob", "hash-b", "reviewer", ["ops"], AT)
        assert moved()
        store.user_disable("bob", AT + 2)
        assert moved()
        store.user_enable("bob")
        assert moved()
        store.user_password("bob", "hash-b2")
        assert not moved()  # a password does not change what a key stands for
        store.user_delete("bob", AT + 3)
        assert moved()
        with pytest.raises(NotFound):
            store.key_revoke("k-none", AT)
        assert not moved()  # a refused change moves nothing
    finally:
        other.close()

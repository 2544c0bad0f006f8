"""Store errors are typed: a bad URL says what is wrong with it, a unique clash is
``AlreadyExists`` on both databases (read from the driver's code, not its wording)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from handoff._exceptions import AlreadyExists, ConflictError, DatabaseUrlError, InputError
from handoff.store import SqlStore, open_store
from handoff.store._errors import is_unique_violation
from handoff.testing import FakeClock

from .._factories import make_handoff


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://bot:s3cret@db:port/x", "its host or port does not parse"),
        ("mysql://bot:s3cret@db/x", "the scheme 'mysql' is not supported; use sqlite:///FILE"),
        ("handoff.db", "it does not start with a scheme and ://"),
        ("sqlite:handoff.db", "it does not start with a scheme and ://"),
    ],
)
def test_a_bad_url_names_its_problem_and_hides_the_password(url: str, says: str) -> None:
    with pytest.raises(DatabaseUrlError) as err:
        open_store(url)
    assert isinstance(err.value, InputError) and err.value.field == "db"
    assert err.value.message.startswith("bad database URL ") and says in err.value.message
    assert "s3cret" not in str(err.value)


def test_a_unique_clash_is_already_exists(store: SqlStore, clock: FakeClock) -> None:
    with store.write() as tx:
        tx.insert(make_handoff("h1", clock.now(), key="k1"))
    with pytest.raises(AlreadyExists) as err, store.write() as tx:
        tx.insert(make_handoff("h2", clock.now(), key="k1"))
    assert isinstance(err.value, ConflictError) and err.value.code == "already_exists"
    assert err.value.field == "idempotency_key"


def test_unique_violations_are_told_by_driver_code(store: SqlStore) -> None:
    """A NOT NULL failure is an integrity error too, and its message may say anything;
    only the driver's code for a unique key counts as a clash."""
    insert = "INSERT INTO callbacks (agent, url, secret, created_at) VALUES (:a, :u, 's', :t)"
    params = {"a": "bot", "u": "https://x", "t": "2026-01-01 00:00:00"}
    with store.engine.begin() as conn:
        conn.execute(text(insert), params)
    for bad in ({**params}, {**params, "a": "bot2", "u": None}):
        with pytest.raises(IntegrityError) as err, store.engine.begin() as conn:
            conn.execute(text(insert), bad)
        assert is_unique_violation(err.value) is (bad["u"] is not None)
        assert is_unique_violation(err.value.orig) is (bad["u"] is not None)


def test_a_unique_message_without_the_code_is_not_a_clash() -> None:
    assert not is_unique_violation(sqlite3.OperationalError("UNIQUE constraint failed: x"))
    assert not is_unique_violation(RuntimeError("duplicate key value violates unique"))

"""Reviewer accounts, API keys, inbox sessions and throttle counters in SQL.

The rules (password hashing, session lifetimes, lock lengths) are the server's; this
module only keeps the rows, each call one short transaction of its own. Secrets arrive
here already hashed. See ``handoff.server.accounts`` and ``handoff.server.throttle``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .._exceptions import ConflictError, NotFound
from .._principal import canonical
from ._protocol import KeyRow, PasskeyRow, SessionRow, UserRow
from ._tables import (
    api_keys,
    auth_generation,
    memberships,
    passkey_challenges,
    passkeys,
    sessions,
    throttle,
    users,
)

__all__ = ["AccountRows"]

#: Expired throttle rows removed per failed login, so the table stays small unswept.
_PURGE = 100


class AccountRows:
    """The accounts part of ``SqlStore``; see ``handoff.store.Store`` for the contract."""

    engine: Engine
    postgres: bool

    def _write(self) -> Connection:
        # BEGIN IMMEDIATE on SQLite (see ``SqlStore``): take the write lock up front.
        return self.engine.connect().execution_options(write=True)

    # -- users -------------------------------------------------------------------------

    def user_add(
        self, name: str, password_hash: str, role: str, teams: Collection[str], at: float
    ) -> None:
        with self._write() as conn, conn.begin():
            if conn.execute(select(users.c.name).where(users.c.name == name)).first():
                raise ConflictError(f"there is already a user {name!r}", field="name")
            # A key's caller is a reviewer as soon as an account has its name, so adding
            # the account would silently hand an agent's key a reviewer's powers.
            live = select(api_keys.c.id, api_keys.c.principal).where(
                api_keys.c.revoked_at.is_(None)
            )
            for key_id, agent in conn.execute(live):
                if canonical(agent) == canonical(name):
                    raise ConflictError(
                        f"{agent} has a live agent API key ({key_id}); a reviewer account"
                        " of that name would turn the agent's key into a reviewer's: pick"
                        " another name for the reviewer",
                        field="name",
                    )
            conn.execute(
                insert(users).values(
                    name=name, password_hash=password_hash, role=role, created_at=at
                )
            )
            for team in sorted(set(teams)):
                conn.execute(insert(memberships).values(user_name=name, team=team))
            _bump(conn)

    def user_get(self, name: str) -> UserRow | None:
        with self.engine.connect() as conn:
            return _user_row(conn, name)

    def user_names(self) -> list[str]:
        with self.engine.connect() as conn:
            return [n for (n,) in conn.execute(select(users.c.name).order_by(users.c.name))]

    def user_disable(self, name: str, at: float) -> tuple[int, int]:
        with self._write() as conn, conn.begin():
            if _must_exist(conn, name).disabled_at is not None:
                raise ConflictError(f"{name} is already disabled", field="name")
            conn.execute(update(users).where(users.c.name == name).values(disabled_at=at))
            _bump(conn)
            return _end_access(conn, name, at)

    def user_enable(self, name: str) -> None:
        with self._write() as conn, conn.begin():
            _must_exist(conn, name)
            conn.execute(update(users).where(users.c.name == name).values(disabled_at=None))
            _bump(conn)
            conn.execute(delete(throttle).where(throttle.c.key == "login:" + name))

    def user_delete(self, name: str, at: float) -> tuple[int, int]:
        with self._write() as conn, conn.begin():
            _must_exist(conn, name)
            ended = _end_access(conn, name, at)
            conn.execute(delete(memberships).where(memberships.c.user_name == name))
            conn.execute(delete(users).where(users.c.name == name))
            _bump(conn)
            conn.execute(delete(throttle).where(throttle.c.key == "login:" + name))
            return ended

    def user_password(self, name: str, password_hash: str) -> int:
        with self._write() as conn, conn.begin():
            _must_exist(conn, name)
            mark = update(users).where(users.c.name == name)
            conn.execute(mark.values(password_hash=password_hash))
            ended = conn.execute(delete(sessions).where(sessions.c.user_name == name)).rowcount
            conn.execute(delete(throttle).where(throttle.c.key == "login:" + name))
            return int(ended)

    # -- API keys ----------------------------------------------------------------------

    def key_add(self, key_id: str, principal: str, key_hash: str, at: float) -> None:
        with self._write() as conn, conn.begin():
            q = select(users.c.disabled_at).where(users.c.name == principal)
            if (user := conn.execute(q).first()) is not None and user.disabled_at is not None:
                raise ConflictError(
                    f"{principal} is disabled; enable the account first", field="agent"
                )
            live = conn.execute(
                select(api_keys.c.id).where(
                    api_keys.c.principal == principal, api_keys.c.revoked_at.is_(None)
                )
            ).first()
            if live is not None:
                raise ConflictError(
                    f"{principal} already has the live key {live.id}; revoke it first",
                    field="agent",
                )
            conn.execute(
                insert(api_keys).values(
                    id=key_id, principal=principal, key_hash=key_hash, created_at=at
                )
            )

    def key_revoke(self, key_id: str, at: float) -> KeyRow:
        with self._write() as conn, conn.begin():
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
            if row is None:
                raise NotFound(f"no API key {key_id!r}", field="id")
            if row.revoked_at is not None:
                raise ConflictError(f"API key {key_id} is already revoked", field="id")
            conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=at))
            _bump(conn)
        return KeyRow(row.id, row.principal, row.created_at, at)

    def key_rows(self) -> list[KeyRow]:
        q = select(api_keys).order_by(api_keys.c.principal, api_keys.c.created_at)
        with self.engine.connect() as conn:
            return [KeyRow(r.id, r.principal, r.created_at, r.revoked_at) for r in conn.execute(q)]

    def auth_generation(self) -> int:
        q = select(auth_generation.c.generation).where(auth_generation.c.id == 1)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def key_find(self, key_hash: str) -> tuple[str, str] | None:
        q = select(api_keys.c.id, api_keys.c.principal).where(
            api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None)
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return None if row is None else (str(row.id), str(row.principal))

    # -- sessions ----------------------------------------------------------------------

    def session_open(
        self, token_hash: str, user: str, csrf: str, *, at: float, expires_at: float, idle: float
    ) -> None:
        with self._write() as conn, conn.begin():
            over = or_(sessions.c.expires_at < at, sessions.c.seen_at < at - idle)
            conn.execute(delete(sessions).where(over))
            conn.execute(
                insert(sessions).values(
                    token_hash=token_hash,
                    user_name=user,
                    csrf=csrf,
                    created_at=at,
                    expires_at=expires_at,
                    seen_at=at,
                )
            )

    def session_get(self, token_hash: str) -> SessionRow | None:
        q = select(sessions).where(sessions.c.token_hash == token_hash)
        with self.engine.connect() as conn:
            r = conn.execute(q).first()
        return None if r is None else SessionRow(r.user_name, r.csrf, r.expires_at, r.seen_at)

    def session_seen(self, token_hash: str, at: float) -> None:
        with self._write() as conn, conn.begin():
            mark = update(sessions).where(sessions.c.token_hash == token_hash)
            conn.execute(mark.values(seen_at=at))

    def session_close(self, token_hash: str) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    # -- throttle counters -------------------------------------------------------------

    def throttle_locks(self, keys: Sequence[str], now: float) -> list[float]:
        q = select(throttle.c.locked_until).where(
            throttle.c.key.in_(list(keys)), throttle.c.locked_until > now
        )
        with self.engine.connect() as conn:
            return [float(until) for (until,) in conn.execute(q)]

    def throttle_fail(
        self,
        counts: Sequence[tuple[str, int]],
        now: float,
        *,
        lock_for: Callable[[int], float],
        quiet: float,
    ) -> list[tuple[int, float | None]]:
        """Count a failure on each ``(key, threshold)`` row in one transaction: how many
        so far, and the end of the lock one starts (``lock_for(count - threshold)``)."""
        with self._write() as conn, conn.begin():
            out = [
                self._fail(conn, key, threshold, now, lock_for, quiet) for key, threshold in counts
            ]
            expired = select(throttle.c.key).where(throttle.c.forget_at < now).limit(_PURGE)
            conn.execute(delete(throttle).where(throttle.c.key.in_(expired.scalar_subquery())))
        return out

    def _fail(
        self,
        conn: Connection,
        key: str,
        threshold: int,
        now: float,
        lock_for: Callable[[int], float],
        quiet: float,
    ) -> tuple[int, float | None]:
        # Inserted if missing, then read for update, so two processes counting the same
        # key at once both count (SQLite serialises the whole transaction).
        blank = {"key": key, "count": 0, "since": now, "locked_until": None, "forget_at": now}
        conn.execute(self._upsert().values(**blank).on_conflict_do_nothing(index_elements=["key"]))
        row = conn.execute(
            select(throttle.c["count"], throttle.c.forget_at)
            .where(throttle.c.key == key)
            .with_for_update()
        ).one()
        fresh = row.forget_at <= now
        count = 1 if fresh else int(row[0]) + 1
        until = now + lock_for(count - threshold) if count >= threshold else None
        values: dict[str, Any] = {
            "count": count,
            "locked_until": until,
            "forget_at": (until or now) + quiet,
        }
        if fresh:
            values["since"] = now
        conn.execute(update(throttle).where(throttle.c.key == key).values(**values))
        return count, until

    def throttle_clear(self, key: str) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(delete(throttle).where(throttle.c.key == key))

    # -- passkeys ----------------------------------------------------------------------

    def passkey_rows(
        self, *, user: str | None = None, credential_id: str | None = None
    ) -> list[PasskeyRow]:
        q = select(
            passkeys.c.credential_id,
            passkeys.c.user_name,
            passkeys.c.public_key,
            passkeys.c.rp_id,
            passkeys.c.origin,
            passkeys.c.sign_count,
        ).order_by(passkeys.c.created_at, passkeys.c.credential_id)
        if user is not None:
            q = q.where(passkeys.c.user_name == user)
        if credential_id is not None:
            q = q.where(passkeys.c.credential_id == credential_id)
        with self.engine.connect() as conn:
            return [PasskeyRow(*r) for r in conn.execute(q)]

    def challenge_add(
        self,
        nonce: str,
        user: str,
        purpose: str,
        *,
        handoff_id: str | None,
        action_hash: str | None,
        expires_at: float,
        now: float,
    ) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(delete(passkey_challenges).where(passkey_challenges.c.expires_at < now))
            conn.execute(
                insert(passkey_challenges).values(
                    nonce=nonce,
                    user_name=user,
                    purpose=purpose,
                    handoff_id=handoff_id,
                    action_hash=action_hash,
                    expires_at=expires_at,
                )
            )

    def _upsert(self) -> Any:
        return pg_insert(throttle) if self.postgres else sqlite_insert(throttle)


def _bump(conn: Connection) -> None:
    """Move the accounts' generation forward: servers drop what they cached about keys."""
    gen = auth_generation.c.generation
    conn.execute(
        update(auth_generation).where(auth_generation.c.id == 1).values(generation=gen + 1)
    )


def _user_row(conn: Connection, name: str) -> UserRow | None:
    q = select(users.c.role, users.c.disabled_at, users.c.password_hash).where(users.c.name == name)
    row = conn.execute(q).first()
    if row is None:
        return None
    teams = conn.execute(select(memberships.c.team).where(memberships.c.user_name == name))
    return UserRow(
        name, row.role, frozenset(t for (t,) in teams), row.disabled_at, row.password_hash
    )


def _must_exist(conn: Connection, name: str) -> Any:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise NotFound(f"no user {name!r}", field="name")
    return row


def _end_access(conn: Connection, name: str, now: float) -> tuple[int, int]:
    """End the account's sessions and revoke its live keys: (sessions, keys)."""
    ended = conn.execute(delete(sessions).where(sessions.c.user_name == name)).rowcount
    revoked = conn.execute(
        update(api_keys)
        .where(api_keys.c.principal == name, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    return int(ended), int(revoked)

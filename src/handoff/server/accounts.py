"""Accounts: reviewers (scrypt passwords, teams, roles), API keys and inbox sessions.

An account can be disabled (it cannot log in; its sessions end and its keys are revoked
at once), enabled again (with new credentials: revoked keys stay revoked), deleted, and
given a new password (which ends its sessions). Each of these is an event in the audit
chain. A session ends ``idle_seconds`` after its last request or ``lifetime_seconds``
after the login, whichever comes first.

Secrets are never stored. A password is kept as ``scrypt$n$r$p$salt$hash``; an API key
and a session token are random 256-bit strings, so a plain sha256 of them is enough to
look them up without making a stolen table useful. The tables live in the same database
as the handoffs (migration 0003); writes are short transactions of their own.

Who may decide a handoff is the policy's business (its owner teams and members); the
teams of an account say which queues the inbox shows and which handoffs the account may
open, and the plane still checks the policy on every decision.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection, delete, insert, or_, select, update

from .._clock import Clock, SystemClock
from .._exceptions import ConflictError, InputError, NotFound
from .._principal import canonical
from ..plane import ControlPlane
from ..store import SqlStore
from ..store._tables import api_keys, memberships, sessions, throttle, users
from ._audit import record

__all__ = [
    "Account",
    "Accounts",
    "ApiKey",
    "Role",
    "Session",
    "hash_password",
    "verify_password",
]

Role = Literal["reviewer", "admin"]
ROLES: tuple[Role, ...] = ("reviewer", "admin")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,199}$")
#: scrypt cost: 2**14 x 8 x 1 takes about 50 ms and 16 MiB, per OWASP's minimum.
_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD = 8
#: A session's whole life, and how long it may sit unused.
SESSION_SECONDS = 12 * 3600
IDLE_SECONDS = 30 * 60
#: A session's last use is written at most this often: the idle timeout's grain.
_SEEN_GRAIN = 60.0
KEY_PREFIX = "hk_"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a ``hash_password`` string."""
    try:
        scheme, n, r, p, salt, want = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want) // 2,
            maxmem=2**26,
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), want)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"the password must have at least {MIN_PASSWORD} characters", field="password"
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_name(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise InputError(
            f"{what} {name!r} must be 1-200 letters, digits or _ . @ -, starting with a"
            " letter or digit",
            field=what,
        )
    return name


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    teams: frozenset[str] = field(default_factory=frozenset)
    disabled: bool = False

    @property
    def admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class ApiKey:
    id: str
    principal: str
    created_at: float
    revoked_at: float | None


@dataclass(frozen=True)
class Session:
    account: Account
    csrf: str
    expires_at: float


class Accounts:
    """Reviewer accounts, API keys and sessions in ``store``'s database."""

    def __init__(
        self,
        store: SqlStore,
        clock: Clock | None = None,
        *,
        idle_seconds: float = IDLE_SECONDS,
        lifetime_seconds: float = SESSION_SECONDS,
    ) -> None:
        for what, value in (("session_idle", idle_seconds), ("session_lifetime", lifetime_seconds)):
            if not value >= 1:
                raise InputError(f"{what} must be at least 1 second", field=what)
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self.idle_seconds = float(idle_seconds)
        self.lifetime_seconds = float(lifetime_seconds)

    @classmethod
    def of(cls, plane: ControlPlane) -> Accounts:
        """The accounts in the plane's database, timed by the plane's clock."""
        if not isinstance(plane.store, SqlStore):
            raise InputError("accounts need a SQL store (SQLite or PostgreSQL)", field="db")
        return cls(plane.store, plane.clock)

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _write(self) -> Connection:
        # BEGIN IMMEDIATE on SQLite (see ``SqlStore``): take the write lock up front.
        return self.store.engine.connect().execution_options(write=True)

    # -- reviewers ---------------------------------------------------------------

    def add_user(self, name: str, password: str, *, teams: list[str], role: str) -> Account:
        """Create a reviewer account; ``ConflictError`` when the name is taken, by an
        account or by an agent's live API key (in any spelling)."""
        check_name(name, "name")
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}", field="role")
        _check_password(password)
        for team in teams:
            check_name(team, "team")
        hashed = hash_password(password)
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
                    name=name, password_hash=hashed, role=role, created_at=self._now()
                )
            )
            for team in sorted(set(teams)):
                conn.execute(insert(memberships).values(user_name=name, team=team))
        return Account(name, "admin" if role == "admin" else "reviewer", frozenset(teams))

    def account(self, name: str) -> Account | None:
        with self.store.engine.connect() as conn:
            return self._account(conn, name)

    def _account(self, conn: Connection, name: str) -> Account | None:
        q = select(users.c.role, users.c.disabled_at).where(users.c.name == name)
        row = conn.execute(q).first()
        if row is None:
            return None
        teams = conn.execute(select(memberships.c.team).where(memberships.c.user_name == name))
        return Account(name, row.role, frozenset(t for (t,) in teams), row.disabled_at is not None)

    def accounts(self) -> list[Account]:
        with self.store.engine.connect() as conn:
            names = [n for (n,) in conn.execute(select(users.c.name).order_by(users.c.name))]
            return [a for n in names if (a := self._account(conn, n)) is not None]

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is right and the account is enabled; None
        otherwise (same cost either way, and the same answer for a disabled account)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(users.c.password_hash).where(users.c.name == name)).first()
            stored = row.password_hash if row else _dummy_hash()
            ok = verify_password(password, stored)
            account = self._account(conn, name) if ok and row is not None else None
        return None if account is None or account.disabled else account

    def _user(self, conn: Connection, name: str) -> Any:
        row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            raise NotFound(f"no user {name!r}", field="name")
        return row

    def _end_access(self, conn: Connection, name: str, now: float) -> tuple[int, int]:
        """End the account's sessions and revoke its live keys: (sessions, keys)."""
        ended = conn.execute(delete(sessions).where(sessions.c.user_name == name)).rowcount
        revoked = conn.execute(
            update(api_keys)
            .where(api_keys.c.principal == name, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount
        return int(ended), int(revoked)

    def disable_user(self, name: str, *, actor: str = "admin") -> tuple[int, int]:
        """Disable the account now: it cannot log in, its sessions end and its API keys
        are revoked. Returns how many (sessions, keys) ended."""
        now = self._now()
        with self._write() as conn, conn.begin():
            if self._user(conn, name).disabled_at is not None:
                raise ConflictError(f"{name} is already disabled", field="name")
            conn.execute(update(users).where(users.c.name == name).values(disabled_at=now))
            ended, revoked = self._end_access(conn, name, now)
        record(self.store, "user.disabled", actor, now, user=name, sessions=ended, keys=revoked)
        return ended, revoked

    def enable_user(self, name: str, *, actor: str = "admin") -> None:
        """Let the account log in again, clearing any lock from failed logins. Keys that
        were revoked stay revoked: issue a new one."""
        now = self._now()
        with self._write() as conn, conn.begin():
            self._user(conn, name)
            conn.execute(update(users).where(users.c.name == name).values(disabled_at=None))
            conn.execute(delete(throttle).where(throttle.c.key == "login:" + name))
        record(self.store, "user.enabled", actor, now, user=name)

    def delete_user(self, name: str, *, actor: str = "admin") -> tuple[int, int]:
        """Delete the account and its team memberships, end its sessions and revoke its
        keys (their rows stay, revoked, for the record). Returns (sessions, keys)."""
        now = self._now()
        with self._write() as conn, conn.begin():
            self._user(conn, name)
            ended, revoked = self._end_access(conn, name, now)
            conn.execute(delete(memberships).where(memberships.c.user_name == name))
            conn.execute(delete(users).where(users.c.name == name))
            conn.execute(delete(throttle).where(throttle.c.key == "login:" + name))
        record(self.store, "user.deleted", actor, now, user=name, sessions=ended, keys=revoked)
        return ended, revoked

    def set_password(self, name: str, password: str, *, actor: str = "admin") -> int:
        """Give the account a new password and end its sessions (its keys stay: they
        are separate credentials). Returns how many sessions ended."""
        _check_password(password)
        hashed = hash_password(password)
        now = self._now()
        with self._write() as conn, conn.begin():
            self._user(conn, name)
            conn.execute(update(users).where(users.c.name == name).values(password_hash=hashed))
            ended = conn.execute(delete(sessions).where(sessions.c.user_name == name)).rowcount
            conn.execute(delete(throttle).where(throttle.c.key == "login:" + name))
        record(self.store, "user.password_changed", actor, now, user=name, sessions=ended)
        return int(ended)

    # -- API keys ----------------------------------------------------------------

    def add_key(self, principal: str) -> tuple[ApiKey, str]:
        """Issue the principal's API key; returns it and the secret, shown only once.

        The principal is an agent name, or a reviewer account's name for a reviewer
        working over the API. One live key per principal: revoke the old one first.
        """
        check_name(principal, "agent")
        now = self._now()
        key_id = "k_" + secrets.token_hex(8)
        secret = f"{KEY_PREFIX}{secrets.token_urlsafe(32)}"
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
                    id=key_id, principal=principal, key_hash=_digest(secret), created_at=now
                )
            )
        return ApiKey(key_id, principal, now, None), secret

    def revoke_key(self, key_id: str) -> ApiKey:
        with self._write() as conn, conn.begin():
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
            if row is None:
                raise NotFound(f"no API key {key_id!r}", field="id")
            if row.revoked_at is not None:
                raise ConflictError(f"API key {key_id} is already revoked", field="id")
            now = self._now()
            conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=now))
        return ApiKey(row.id, row.principal, row.created_at, now)

    def keys(self) -> list[ApiKey]:
        q = select(api_keys).order_by(api_keys.c.principal, api_keys.c.created_at)
        with self.store.engine.connect() as conn:
            return [ApiKey(r.id, r.principal, r.created_at, r.revoked_at) for r in conn.execute(q)]

    def principal_of_key(self, secret: str) -> str | None:
        """The principal a live key belongs to, or None for an unknown or revoked key."""
        found = self.key_of(secret)
        return None if found is None else found[1]

    def key_of(self, secret: str) -> tuple[str, str] | None:
        """``(key id, principal)`` of a live key, or None for an unknown or revoked key."""
        if not secret.startswith(KEY_PREFIX):
            return None
        q = select(api_keys.c.id, api_keys.c.principal).where(
            api_keys.c.key_hash == _digest(secret), api_keys.c.revoked_at.is_(None)
        )
        with self.store.engine.connect() as conn:
            row = conn.execute(q).first()
        return None if row is None else (str(row.id), str(row.principal))

    # -- sessions ----------------------------------------------------------------

    def open_session(self, account: Account) -> tuple[str, Session]:
        """A new session for a logged-in reviewer: the cookie's token and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._now()
        expires = now + self.lifetime_seconds
        with self._write() as conn, conn.begin():
            over = or_(sessions.c.expires_at < now, sessions.c.seen_at < now - self.idle_seconds)
            conn.execute(delete(sessions).where(over))
            conn.execute(
                insert(sessions).values(
                    token_hash=_digest(token),
                    user_name=account.name,
                    csrf=csrf,
                    created_at=now,
                    expires_at=expires,
                    seen_at=now,
                )
            )
        return token, Session(account, csrf, expires)

    def session(self, token: str) -> Session | None:
        """The live session of ``token``, marking it used; None when it is unknown,
        past its lifetime, idle too long, or its account is disabled."""
        digest = _digest(token)
        now = self._now()
        q = select(sessions).where(sessions.c.token_hash == digest)
        with self.store.engine.connect() as conn:
            row = conn.execute(q).first()
            if row is None or row.expires_at <= now or row.seen_at + self.idle_seconds <= now:
                return None
            account = self._account(conn, row.user_name)
        if account is None or account.disabled:
            return None
        if now - row.seen_at >= _SEEN_GRAIN:
            with self._write() as conn, conn.begin():
                mark = update(sessions).where(sessions.c.token_hash == digest)
                conn.execute(mark.values(seen_at=now))
        return Session(account, row.csrf, row.expires_at)

    def close_session(self, token: str) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so a wrong name costs as much as a
    wrong password and login timing does not reveal which names exist."""
    return hash_password(secrets.token_hex(16))

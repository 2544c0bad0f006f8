"""Accounts: reviewers (scrypt passwords, teams, roles), API keys and inbox sessions.

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
from typing import Literal

from sqlalchemy import Connection, delete, insert, select, update

from .._clock import Clock, SystemClock
from .._exceptions import ConflictError, InputError, NotFound
from .._principal import canonical
from ..plane import ControlPlane
from ..store import SqlStore
from ..store._tables import api_keys, memberships, sessions, users

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
SESSION_SECONDS = 12 * 3600
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

    def __init__(self, store: SqlStore, clock: Clock | None = None) -> None:
        self.store = store
        self.clock: Clock = clock or SystemClock()

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
        if len(password) < MIN_PASSWORD:
            raise InputError(
                f"the password must have at least {MIN_PASSWORD} characters", field="password"
            )
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
        row = conn.execute(select(users.c.role).where(users.c.name == name)).first()
        if row is None:
            return None
        teams = conn.execute(select(memberships.c.team).where(memberships.c.user_name == name))
        return Account(name, row.role, frozenset(t for (t,) in teams))

    def accounts(self) -> list[Account]:
        with self.store.engine.connect() as conn:
            names = [n for (n,) in conn.execute(select(users.c.name).order_by(users.c.name))]
            return [a for n in names if (a := self._account(conn, n)) is not None]

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is right; None otherwise (same cost either way)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(users.c.password_hash).where(users.c.name == name)).first()
            stored = row.password_hash if row else _dummy_hash()
            ok = verify_password(password, stored)
            return self._account(conn, name) if ok and row is not None else None

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
        if not secret.startswith(KEY_PREFIX):
            return None
        q = select(api_keys.c.principal).where(
            api_keys.c.key_hash == _digest(secret), api_keys.c.revoked_at.is_(None)
        )
        with self.store.engine.connect() as conn:
            row = conn.execute(q).first()
        return None if row is None else str(row.principal)

    # -- sessions ----------------------------------------------------------------

    def open_session(self, account: Account) -> tuple[str, Session]:
        """A new session for a logged-in reviewer: the cookie's token and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._now()
        expires = now + SESSION_SECONDS
        with self._write() as conn, conn.begin():
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(
                insert(sessions).values(
                    token_hash=_digest(token),
                    user_name=account.name,
                    csrf=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )
        return token, Session(account, csrf, expires)

    def session(self, token: str) -> Session | None:
        q = select(sessions).where(sessions.c.token_hash == _digest(token))
        with self.store.engine.connect() as conn:
            row = conn.execute(q).first()
            if row is None or row.expires_at <= self._now():
                return None
            account = self._account(conn, row.user_name)
        return None if account is None else Session(account, row.csrf, row.expires_at)

    def close_session(self, token: str) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so a wrong name costs as much as a
    wrong password and login timing does not reveal which names exist."""
    return hash_password(secrets.token_hex(16))

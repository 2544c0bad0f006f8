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
from typing import Literal

from .._clock import Clock, SystemClock
from .._exceptions import InputError
from ..plane import ControlPlane
from ..store import Store, UserRow
from ._audit import record

__all__ = [
    "Account",
    "Accounts",
    "ApiKey",
    "Caller",
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
#: API keys whose caller is kept in memory; past this the cache starts over.
_CACHED_KEYS = 10_000


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
class Caller:
    """What an API key stands for: its id, its principal and the account, if any."""

    key_id: str
    name: str
    account: Account | None


@dataclass(frozen=True)
class Session:
    account: Account
    csrf: str
    expires_at: float


class Accounts:
    """Reviewer accounts, API keys and sessions in ``store``'s database."""

    def __init__(
        self,
        store: Store,
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
        #: API key digest -> (accounts generation, caller); see ``caller``.
        self._callers: dict[str, tuple[int, Caller]] = {}
        self.idle_seconds = float(idle_seconds)
        self.lifetime_seconds = float(lifetime_seconds)

    @classmethod
    def of(cls, plane: ControlPlane) -> Accounts:
        """The accounts in the plane's database, timed by the plane's clock."""
        return cls(plane.store, plane.clock)

    def _now(self) -> float:
        return self.clock.now().timestamp()

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
        self.store.user_add(name, hash_password(password), role, teams, self._now())
        return Account(name, "admin" if role == "admin" else "reviewer", frozenset(teams))

    def account(self, name: str) -> Account | None:
        row = self.store.user_get(name)
        return None if row is None else _account(row)

    def accounts(self) -> list[Account]:
        rows = (self.store.user_get(n) for n in self.store.user_names())
        return [_account(r) for r in rows if r is not None]

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is right and the account is enabled; None
        otherwise (same cost either way, and the same answer for a disabled account)."""
        row = self.store.user_get(name)
        ok = verify_password(password, row.password_hash if row else _dummy_hash())
        account = _account(row) if ok and row is not None else None
        return None if account is None or account.disabled else account

    def disable_user(self, name: str, *, actor: str = "admin") -> tuple[int, int]:
        """Disable the account now: it cannot log in, its sessions end and its API keys
        are revoked. Returns how many (sessions, keys) ended."""
        now = self._now()
        ended, revoked = self.store.user_disable(name, now)
        record(self.store, "user.disabled", actor, now, user=name, sessions=ended, keys=revoked)
        return ended, revoked

    def enable_user(self, name: str, *, actor: str = "admin") -> None:
        """Let the account log in again, clearing any lock from failed logins. Keys that
        were revoked stay revoked: issue a new one."""
        now = self._now()
        self.store.user_enable(name)
        record(self.store, "user.enabled", actor, now, user=name)

    def delete_user(self, name: str, *, actor: str = "admin") -> tuple[int, int]:
        """Delete the account and its team memberships, end its sessions and revoke its
        keys (their rows stay, revoked, for the record). Returns (sessions, keys)."""
        now = self._now()
        ended, revoked = self.store.user_delete(name, now)
        record(self.store, "user.deleted", actor, now, user=name, sessions=ended, keys=revoked)
        return ended, revoked

    def set_password(self, name: str, password: str, *, actor: str = "admin") -> int:
        """Give the account a new password and end its sessions (its keys stay: they
        are separate credentials). Returns how many sessions ended."""
        _check_password(password)
        now = self._now()
        ended = self.store.user_password(name, hash_password(password))
        record(self.store, "user.password_changed", actor, now, user=name, sessions=ended)
        return ended

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
        self.store.key_add(key_id, principal, _digest(secret), now)
        return ApiKey(key_id, principal, now, None), secret

    def revoke_key(self, key_id: str) -> ApiKey:
        return ApiKey(*self.store.key_revoke(key_id, self._now()))

    def keys(self) -> list[ApiKey]:
        return [ApiKey(*r) for r in self.store.key_rows()]

    def principal_of_key(self, secret: str) -> str | None:
        """The principal a live key belongs to, or None for an unknown or revoked key."""
        found = self.key_of(secret)
        return None if found is None else found[1]

    def key_of(self, secret: str) -> tuple[str, str] | None:
        """``(key id, principal)`` of a live key, or None for an unknown or revoked key."""
        if not secret.startswith(KEY_PREFIX):
            return None
        return self.store.key_find(_digest(secret))

    def remembered(self, secret: str) -> Caller | None:
        """What ``caller`` last answered for ``secret``, unchecked: from memory only."""
        cached = self._callers.get(_digest(secret))
        return None if cached is None else cached[1]

    def caller(self, secret: str, generation: int | None = None) -> Caller | None:
        """Who a live key stands for, or None for an unknown or revoked key.

        Served from memory while the database's accounts generation is the one the
        answer was cached under: one small read per request instead of the key, the
        account and its teams. Every revocation and every account disabled, enabled or
        deleted moves the generation in its own transaction, in whichever process made
        it, so the next request anywhere looks the key up again. The generation is read
        before the lookup, so a change racing the lookup is caught at the next request.
        A ``generation`` just read elsewhere (with the key's request count) saves the
        read here.
        """
        if not secret.startswith(KEY_PREFIX):
            return None
        digest = _digest(secret)
        if generation is None:
            generation = self.store.auth_generation()
        cached = self._callers.get(digest)
        if cached is not None and cached[0] == generation:
            return cached[1]
        found = self.store.key_find(digest)
        if found is None:
            self._callers.pop(digest, None)
            return None
        caller = Caller(found[0], found[1], self.account(found[1]))
        if len(self._callers) >= _CACHED_KEYS:
            self._callers.clear()
        self._callers[digest] = (generation, caller)
        return caller

    # -- sessions ----------------------------------------------------------------

    def open_session(self, account: Account) -> tuple[str, Session]:
        """A new session for a logged-in reviewer: the cookie's token and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._now()
        expires = now + self.lifetime_seconds
        self.store.session_open(
            _digest(token), account.name, csrf, at=now, expires_at=expires, idle=self.idle_seconds
        )
        return token, Session(account, csrf, expires)

    def session(self, token: str) -> Session | None:
        """The live session of ``token``, marking it used; None when it is unknown,
        past its lifetime, idle too long, or its account is disabled."""
        digest = _digest(token)
        now = self._now()
        row = self.store.session_get(digest)
        if row is None or row.expires_at <= now or row.seen_at + self.idle_seconds <= now:
            return None
        account = self.account(row.user)
        if account is None or account.disabled:
            return None
        if now - row.seen_at >= _SEEN_GRAIN:
            self.store.session_seen(digest, now)
        return Session(account, row.csrf, row.expires_at)

    def close_session(self, token: str) -> None:
        self.store.session_close(_digest(token))


def _account(row: UserRow) -> Account:
    role: Role = "admin" if row.role == "admin" else "reviewer"
    return Account(row.name, role, row.teams, row.disabled_at is not None)


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so a wrong name costs as much as a
    wrong password and login timing does not reveal which names exist."""
    return hash_password(secrets.token_hex(16))

"""Throttling: failed logins lock the account and the client; API keys have a budget.

Password guessing is slowed twice over. Every failed login counts against the name that
was tried and against the client's address (an IPv6 client by its /64, since one
machine is usually given a whole /64). At ``login_failures`` failures for a name, or
``client_failures`` from one address, that name or address is locked for
``lock_seconds``, and every further failure doubles the lock, up to
``max_lock_seconds``. While locked, a login is refused with 429 and ``Retry-After``
before the password is even checked, so the right password does not get in either.
Unknown names are counted like real ones, or the lock would tell which names exist.
Counts are forgotten ``quiet_seconds`` after the last failure or the end of the last
lock, whichever is later; a successful login clears the name's count (not the
address's: an attacker's own account must not wash the address clean).

API keys get ``key_requests`` requests per ``key_window`` seconds, counted in fixed
windows aligned to the clock; past that, 429 with ``Retry-After`` until the window
turns. A burst across a window boundary can reach twice the budget; that is the price
of one statement per request.

The counters are rows of the ``throttle`` table in the plane's database, not in a
process, so every ``handoff serve`` on one PostgreSQL counts the same failures and the
same requests. ``limits`` (the library behind Flask-Limiter and slowapi) keeps its
counters in memory, Redis, Memcached, MongoDB or etcd; none of them is the database the
processes already share, and the lockout with doubling is not one of its strategies,
so this module is the small SQL limiter instead. Each API request costs one upsert; on
PostgreSQL it commits without waiting for the WAL flush (``synchronous_commit`` off for
that transaction), since a count lost in a crash only forgives a few requests.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, fields

from .._clock import Clock
from .._exceptions import InputError
from ..store import Store
from ._audit import record

__all__ = ["Limits", "Throttle", "client_of"]


@dataclass(frozen=True)
class Limits:
    """How many failed logins and API requests are allowed (see the module's text)."""

    login_failures: int = 5
    client_failures: int = 20
    lock_seconds: float = 60.0
    max_lock_seconds: float = 3600.0
    quiet_seconds: float = 900.0
    #: Requests per API key per window; 0 turns the budget off.
    key_requests: int = 600
    key_window: float = 60.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            least = 0 if f.name == "key_requests" else 1
            if not isinstance(value, int | float) or not value >= least:
                raise InputError(f"{f.name} must be a number of at least {least}", field=f.name)
        if self.max_lock_seconds < self.lock_seconds:
            raise InputError(
                "max_lock_seconds must be at least lock_seconds", field="max_lock_seconds"
            )


def client_of(host: str | None) -> str:
    """The address a client is counted by: IPv4 as is, IPv6 by its /64 network."""
    try:
        ip = ipaddress.ip_address(host or "")
    except ValueError:
        return (host or "unknown")[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _login_key(name: str) -> str:
    return "login:" + name[:200]


def _client_key(client: str) -> str:
    return "client:" + client


def _wait(until: float, now: float) -> int:
    """Whole seconds to wait (Retry-After), at least 1."""
    return max(1, math.ceil(until - now))


class Throttle:
    """The failed-login and API-request counters of one database."""

    def __init__(self, store: Store, clock: Clock, limits: Limits | None = None) -> None:
        self.store = store
        self.clock = clock
        self.limits = limits or Limits()

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # -- logins --------------------------------------------------------------------

    def login_lock(self, name: str, client: str) -> int | None:
        """Seconds until ``name`` from ``client`` may try again, or None if it may now."""
        now = self._now()
        ends = self.store.throttle_locks([_login_key(name), _client_key(client)], now)
        return _wait(max(ends), now) if ends else None

    def login_failed(self, name: str, client: str) -> int | None:
        """Count one failed login; seconds of the lock it started, if it started one.

        Each failure and each lock is an event in the audit chain.
        """
        lim = self.limits
        now = self._now()
        (failures, by_name), (_, by_client) = self.store.throttle_fail(
            [(_login_key(name), lim.login_failures), (_client_key(client), lim.client_failures)],
            now,
            lock_for=self._lock_for,
            quiet=lim.quiet_seconds,
        )
        record(self.store, "login.failed", name, now, client=client, failures=failures)
        locks = [("account", by_name), ("client", by_client)]
        for what, until in locks:
            if until is not None:
                seconds = _wait(until, now)
                data = {"locked": what, "client": client, "seconds": seconds}
                record(self.store, "login.locked", name, now, **data)
        ends = [until for _, until in locks if until is not None]
        return _wait(max(ends), now) if ends else None

    def _lock_for(self, over: int) -> float:
        """The lock for a failure ``over`` past the threshold: doubling, up to the cap."""
        lim = self.limits
        return float(min(lim.max_lock_seconds, lim.lock_seconds * 2 ** min(over, 40)))

    def login_succeeded(self, name: str) -> None:
        """The name's failures are forgiven (its address's stay counted)."""
        self.clear(name)

    def clear(self, name: str) -> None:
        """Forget the failures and any lock of ``name`` (enabling an account does this)."""
        self.store.throttle_clear(_login_key(name))

    # -- API keys --------------------------------------------------------------------

    def hit_key(self, key_id: str) -> tuple[int | None, int | None]:
        """Count one request with the key: the seconds to wait if it is over its budget,
        and the accounts' generation read with the count (None for both when keys have
        no budget)."""
        lim = self.limits
        if lim.key_requests <= 0:
            return None, None
        now = self._now()
        start = math.floor(now / lim.key_window) * lim.key_window
        end = start + lim.key_window
        count, generation = self.store.throttle_hit(f"key:{key_id}", start, end)
        return (_wait(end, now) if count > lim.key_requests else None), generation

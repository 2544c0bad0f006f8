"""Where the plane may send HTTP: public addresses only, unless the operator allows more.

Some outbound URLs come from people the plane does not trust: an agent registers its
own callback URL, and a downstream service answers the HTTP executor with a
``Location`` to undo. Left alone they reach what only the server can reach: its own
admin port on 127.0.0.1, a database on the private network, the cloud metadata service
at 169.254.169.254. So every outbound request (agent callbacks, webhooks, Slack, the
HTTP executor, published checkpoints) goes through ``check``:

* the host is resolved first, the way the connection would (so ``2130706433``,
  ``0177.0.0.1`` and ``localhost`` are the loopback address they are), and *every*
  address it resolves to must be public: loopback, private (RFC 1918, ``fc00::/7``),
  shared (``100.64.0.0/10``), link-local (``169.254.0.0/16``, ``fe80::/10``),
  unspecified, multicast, reserved and documentation addresses are refused, and so are
  IPv6 forms that carry one of them (IPv4-mapped ``::ffff:127.0.0.1``,
  IPv4-compatible, 6to4, NAT64);
* ``EgressTransport`` then connects to the address it checked, not to a name resolved
  again, so a DNS answer that changes between the check and the connection (DNS
  rebinding) cannot move the request; TLS still verifies the certificate for the name;
* redirects are not followed: a ``3xx`` answer is an answer, and any URL a caller goes
  on to use is checked again.

The allow-list is ``HANDOFF_EGRESS_ALLOW``: comma-separated CIDRs (``10.0.0.0/8``,
``127.0.0.1``, ``::1``) whose addresses are allowed, and host names (``hooks.internal``)
allowed whatever they resolve to. It is read on every check, so a running test or
process sees a change at once.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ._exceptions import InputError

__all__ = [
    "ENV",
    "Allow",
    "EgressError",
    "EgressTransport",
    "Target",
    "Unresolved",
    "allow_list",
    "check",
    "client",
    "loopback_host",
    "why_refused",
]

ENV = "HANDOFF_EGRESS_ALLOW"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: ``resolve(host, port)`` -> the addresses a connection to ``host`` would use.
Resolver = Callable[[str, int], Sequence[str]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPAT = ipaddress.ip_network("::/96")


class EgressError(InputError):
    """An outbound URL the plane refuses to reach; the message names the field."""

    code = "egress_refused"


class Unresolved(EgressError):
    """The host has no address now; there is nothing to check or to connect to."""


@dataclass(frozen=True, slots=True)
class Allow:
    """The operator's exceptions: networks whose addresses pass, and trusted host names."""

    networks: tuple[Network, ...] = ()
    hosts: frozenset[str] = frozenset()

    def admits(self, address: Address) -> bool:
        return any(address in net for net in self.networks)


def loopback_host(host: str) -> bool:
    """Whether ``host`` (a bind or peer address as written) is this machine itself:
    ``localhost`` or a loopback IP. No name is resolved."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allow_list(raw: str | None = None) -> Allow:
    """The allow-list from ``raw`` (default: ``$HANDOFF_EGRESS_ALLOW``).

    A bad entry raises ``ValueError`` naming the variable and the entry, so a typo
    stops the start instead of leaving an address quietly refused or allowed.
    """
    text = os.environ.get(ENV, "") if raw is None else raw
    networks: list[Network] = []
    hosts: set[str] = set()
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        name = entry.lower().rstrip(".")
        labels = name.split(".")
        if not all(lab and lab.replace("-", "").isalnum() and lab.isascii() for lab in labels):
            raise ValueError(f"{ENV}: {entry!r} is neither a CIDR nor a host name")
        hosts.add(name)
    return Allow(tuple(networks), frozenset(hosts))


def _embedded(address: Address) -> Address:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64)."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _COMPAT and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def why_refused(address: Address) -> str | None:
    """Why the plane does not send to ``address`` by default, or None for a public one."""
    inner = _embedded(address)
    if inner is not address:
        reason = why_refused(inner)
        return f"{reason} {inner} inside" if reason else None
    for reason, hit in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if hit:
            return reason
    return None if address.is_global else "non-public"


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: its host name, and the address every connection must use."""

    url: httpx.URL
    host: str
    address: Address


def check(
    url: str | httpx.URL,
    field: str,
    *,
    allow: Allow | None = None,
    resolve: Resolver | None = None,
) -> Target:
    """The ``Target`` for ``url``, or ``EgressError`` naming ``field`` and why.

    Every address the host resolves to must be public or inside the allow-list; a host
    name on the allow-list passes whatever it resolves to. A name that does not resolve
    is refused too: there is nothing to pin.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise EgressError(f"{field}: not a URL ({exc})", field=field) from None
    if parsed.scheme not in ("http", "https"):
        raise EgressError(f"{field}: must be an http:// or https:// URL", field=field)
    host = parsed.raw_host.decode("ascii").lower().rstrip(".")
    if not host:
        raise EgressError(f"{field}: the URL has no host", field=field)
    rules = allow_list() if allow is None else allow
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            answers = (resolve or _system_resolve)(host, port)
            found = [ipaddress.ip_address(a.split("%", 1)[0]) for a in answers]
        except (OSError, UnicodeError, ValueError) as exc:
            raise Unresolved(f"{field}: cannot resolve {host} ({exc})", field=field) from None
    if not found:
        raise Unresolved(f"{field}: {host} resolves to no address", field=field)
    if host not in rules.hosts:
        for address in found:
            reason = None if rules.admits(address) else why_refused(address)
            if reason and not rules.admits(_embedded(address)):
                raise EgressError(
                    f"{field}: {parsed} reaches {address} ({reason}); outbound requests"
                    f" there are refused unless {ENV} allows it",
                    field=field,
                )
    return Target(parsed, host, found[0])


class EgressTransport(httpx.BaseTransport):
    """An httpx transport that checks each request's URL and connects to that address.

    The request keeps its ``Host`` header and, for HTTPS, its name for SNI and the
    certificate check; only the address the socket opens is fixed, so the name is
    resolved once, by ``check``.
    """

    def __init__(
        self, *, field: str = "url", resolve: Resolver | None = None, **kwargs: Any
    ) -> None:
        self.field, self.resolve = field, resolve
        self._inner = httpx.HTTPTransport(**kwargs)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = check(request.url, self.field, resolve=self.resolve)
        request.url = request.url.copy_with(host=str(target.address))
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": target.host}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def client(
    *, timeout: float = 10.0, field: str = "url", resolve: Resolver | None = None
) -> httpx.Client:
    """An ``httpx.Client`` for untrusted destinations: checked, pinned, no redirects.

    It ignores proxy variables from the environment, since a proxy would connect to
    the name itself and undo the pinning.
    """
    return httpx.Client(
        timeout=timeout,
        transport=EgressTransport(field=field, resolve=resolve),
        follow_redirects=False,
        trust_env=False,
    )

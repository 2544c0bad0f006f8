"""Showing agent-written text to a reviewer without letting it act.

Everything an agent wrote is untrusted: Jinja2 autoescapes it, the strict
Content-Security-Policy below forbids inline script, remote images and framing, and
these helpers make the tricks that survive escaping visible:

* invisible and bidirectional control characters (a right-to-left override can make
  ``exe.pdf`` read as ``fdp.exe``) are shown as ``<U+202E RIGHT-TO-LEFT OVERRIDE>``
  marks, never passed through; which characters count is defined once, in
  ``handoff._invisible``, for every screen;
* a domain that mixes scripts (Latin ``paypal.com`` with a Cyrillic ``а``), or an
  IDNA ``xn--`` label, is flagged as a possible look-alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._invisible import has_invisible, invisible, is_invisible, label

__all__ = [
    "CSP",
    "Flag",
    "SecurityHeaders",
    "domain_flags",
    "flags_in",
    "invisible_chars",
    "visible",
]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

_DOMAIN = re.compile(r"(?:[^\s/@:<>\"'()\[\],;]+\.)+[^\s/@:<>\"'()\[\],;.]{2,}", re.UNICODE)


class SecurityHeaders:
    """ASGI middleware adding the CSP and friends to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: Newlines and tabs in agent-written text are shown as what they are.
_KEEP = "\n\t"


def invisible_chars(text: str) -> list[str]:
    """Labels of the invisible or bidi control characters in ``text``, in order."""
    return invisible(text, _KEEP)


def visible(value: Any) -> Markup:
    """Escape ``value`` for HTML and replace each invisible character by a visible mark.

    The mark is a ``<span class="invisible">`` the stylesheet outlines in red, so the
    reviewer sees that something hidden was there and what it was.
    """
    text = value if isinstance(value, str) else str(value)
    if not has_invisible(text, _KEEP):  # the common case: nothing hidden, escape in one go
        return escape(text)
    out: list[str] = []
    for ch in text:
        if ch not in _KEEP and is_invisible(ch):
            out.append(f'<span class="invisible" title="hidden">&lt;{label(ch)}&gt;</span>')
        else:
            out.append(str(escape(ch)))
    return Markup("".join(out))


def _script(ch: str) -> str | None:
    """The script of a letter, from its Unicode name (LATIN, CYRILLIC, GREEK, ...)."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


@dataclass(frozen=True)
class Flag:
    """Something a reviewer should look at twice, and why."""

    kind: str
    subject: str
    reason: str


def domain_flags(domain: str) -> list[Flag]:
    """Flags for one domain name: mixed scripts, a non-Latin look-alike, or punycode."""
    flags: list[Flag] = []
    host = domain.strip().lower().rstrip(".")
    labels = host.split(".")
    scripts = {s for ch in host if (s := _script(ch))}
    try:
        ascii_form = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_form = ""
    spelled = f" (really {ascii_form})" if ascii_form and ascii_form != host else ""
    if len(scripts) > 1:
        flags.append(
            Flag(
                "mixed_script_domain",
                domain,
                f"mixes {' and '.join(sorted(s.title() for s in scripts))} letters{spelled}:"
                " a look-alike of another domain?",
            )
        )
    elif scripts and scripts != {"LATIN"}:
        flags.append(
            Flag(
                "non_latin_domain",
                domain,
                f"written in {next(iter(scripts)).title()} letters{spelled}",
            )
        )
    if any(label.startswith("xn--") for label in labels):
        flags.append(Flag("punycode_domain", domain, "an encoded (xn--) international name"))
    return flags


def flags_in(value: Any) -> list[Flag]:
    """Every flag for the strings anywhere inside ``value`` (nested JSON included)."""
    found: list[Flag] = []
    seen: set[tuple[str, str]] = set()

    def add(flag: Flag) -> None:
        if (flag.kind, flag.subject) not in seen:
            seen.add((flag.kind, flag.subject))
            found.append(flag)

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for k, item in v.items():
                walk(k)
                walk(item)
        elif isinstance(v, list | tuple):
            for item in v:
                walk(item)
        elif isinstance(v, str):
            hidden = invisible_chars(v)
            if hidden:
                add(Flag("invisible_characters", v[:80], "hides " + ", ".join(sorted(set(hidden)))))
            for m in _DOMAIN.finditer(v):
                if any(not ch.isascii() for ch in m.group(0)) or "xn--" in m.group(0).lower():
                    for flag in domain_flags(m.group(0)):
                        add(flag)

    walk(value)
    return found

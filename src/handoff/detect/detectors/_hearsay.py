"""Hearsay: what a call takes from someone else's text that the person never said.

Two cases the target tracing of ``_provenance`` does not reach:

* a reader's call (a page visited, a link fetched) to an address that only a sentence of
  a tool's output, telling its reader to go there, named: the visit follows that text;
* a package installed from a shell (``pip install``, ``npm install``, ``cargo add``, …)
  whose name only a sentence of a tool's output telling its reader to install it gave,
  when the person never asked to install anything: a typo-squatted or planted package
  runs its own code at install time. A tool that was missing ("pytest: command not
  found") is no such sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Protocol

from ._base import ActionView, Signal

__all__ = ["install_named", "install_near", "visit_ordered"]


class _Origin(Protocol):
    """Where one value of the call came from (``_provenance.Origin``)."""

    @property
    def path(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def where(self) -> str: ...
    @property
    def sentence(self) -> str: ...
    @property
    def instructed(self) -> bool: ...


def visit_ordered(found: Iterable[_Origin]) -> list[Signal]:
    """``provenance.injected`` for a visit to an address an instruction in a tool's
    output named (``found``: the origins of the call's values)."""
    for o in found:
        if o.kind in ("url", "domain") and o.source == "tool" and o.instructed:
            return [
                Signal(
                    "provenance.injected",
                    f"The {o.kind} {o.value!r} in {o.path} comes from an instruction inside "
                    f"a tool's output ({o.where}: \u201c{o.sentence}\u201d), not from the "
                    "person asking",
                    where=o.where,
                    excerpt=o.sentence,
                    weight=0.9,
                    impact=0.4,
                    uncertainty=0.9,
                    sensitivity=0.7,
                )
            ]
    return []


# An installer and the verb that adds a package with it.
_INSTALL = re.compile(
    r"(?:^|[\s;&|(`])(?:sudo\s+)?(?:python3?\s+-m\s+)?"
    r"(?:pip3?|uv\s+pip|npm|pnpm|yarn|bun|gem|cargo|go|poetry|apt|apt-get|brew|composer)"
    r"\s+(?:install|i|add|get)\b((?:\s+[^\s;&|`]+)+)"
)
_VERSION = re.compile(r"(?<=.)(?:@|==|>=|<=|~=|\^|>|<|=).*$")
# The person asked for something to be installed.
_ASKED_INSTALL = re.compile(
    r"\b(?:install|add (?:the |a |any |missing )?(?:dependenc|package|librar|module)"
    r"|dependenc|set ?up|bootstrap)"
)


def _packages(command: str) -> list[str]:
    out: list[str] = []
    for m in _INSTALL.finditer(command.lower()):
        for token in m.group(1).split():
            token = token.strip("'\"")
            if token.startswith(("-", ".", "/", "~")) or "=" in token[:1]:
                continue
            name = _VERSION.sub("", token)
            if len(name) >= 3:
                out.append(name)
    return out


def install_named(
    view: ActionView,
    trusted: str,
    outputs: list[tuple[str, str]],
    ordered: Callable[[str, str], bool],
) -> Signal | None:
    """``provenance.untrusted_target`` for a package only a tool's output named, in a
    sentence that tells its reader to install it (``ordered(text, name)``)."""
    low = trusted.lower()
    if _ASKED_INSTALL.search(low):
        return None
    for path, text in view.args:
        if "install" not in text and " add " not in text and " get " not in text:
            continue
        for name in _packages(text):
            if name in low:
                continue
            where = next(
                (w for w, said in outputs if name in said.lower() and ordered(said, name)),
                None,
            )
            if where is None:
                continue
            return Signal(
                "provenance.untrusted_target",
                f"The package {name!r} installed by {path} was never named by the person "
                f"asking, who asked for no install; a tool's output told the agent to ({where})",
                where=where,
                excerpt=name,
                weight=0.8,
                impact=0.5,
                uncertainty=0.8,
                sensitivity=0.6,
            )
    return None


def _one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one letter added, dropped, changed, or two swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[i:] == long[i + 1 :]


_SAID_WORD = re.compile(r"[a-z0-9][a-z0-9._-]{2,}")


def install_near(view: ActionView, trusted: str) -> Signal | None:
    """``provenance.target_drift`` for a package one letter off a name the person gave
    (``npm install lodahs`` when they asked for lodash): a typo-squatted package runs
    its own code at install time."""
    low = trusted.lower()
    said = set(_SAID_WORD.findall(low))
    if not said:
        return None
    for path, text in view.args:
        if "install" not in text and " add " not in text and " get " not in text:
            continue
        for name in _packages(text):
            if name in said or len(name) < 4:
                continue
            # A plural said ("the requests library") is no look-alike.
            near = next(
                (
                    w
                    for w in said
                    if len(w) >= 4 and _one_edit(name, w) and name.rstrip("s") != w.rstrip("s")
                ),
                None,
            )
            if near is None:
                continue
            return Signal(
                "provenance.target_drift",
                f"The person named the package {near!r}; {path} installs {name!r}, one "
                "letter off: a look-alike package runs its own code when installed",
                where=path,
                excerpt=name,
                weight=0.85,
                impact=0.6,
                uncertainty=0.8,
                sensitivity=0.6,
            )
    return None

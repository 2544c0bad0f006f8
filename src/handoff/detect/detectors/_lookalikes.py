"""Look-alike domains: a recipient, payee or link at a domain that is almost, but not,
one the person named or the run showed.

``orbis-analytlcs.com`` for the Orbis Analytics the person named, ``acme-payrnents.com``
for the ``acme-payments.com`` they wrote, ``g1obex.com`` beside the ``globex.com`` a
vendor record showed: a stranger poses as someone the person deals with by registering
a domain that reads the same. Compared by the label that names the domain
(``orbis-analytlcs`` in ``mail.orbis-analytlcs.com``):

* against a domain the person wrote: one letter added, dropped, changed or two swapped,
  or a letter swapped for one that looks like it (l/1/i, o/0, rn/m, vv/w);
* against a name the person wrote (one to three words run together, hyphens aside):
  only such a look-alike swap, so that Northwind and northwinds stay two names;
* against a domain a tool showed: only a digit or a pair of letters standing in for a
  letter (``g1obex`` for ``globex``), for either of two domains a tool shows may be the
  real one and only that swap says which is not.

Not a look-alike: the same label (``orbisanalytics`` and ``orbis-analytics`` for the name
Orbis Analytics), a domain the person wrote themselves, the company's own domains.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._base import ActionView, DetectConfig, Signal
from ._hearsay import _one_edit
from ._tokens import tokens

__all__ = ["lookalike_domain"]

# Letters and digits that read as one another, each to the one it is read as.
_SWAPS = (("rn", "m"), ("vv", "w"), ("1", "l"), ("i", "l"), ("|", "l"), ("0", "o"))
# The swaps that only a forger makes: a digit or a pair of letters for a letter.
_FORGED = (("rn", "m"), ("vv", "w"), ("1", "l"), ("1", "i"), ("0", "o"))
_SUFFIX_LABELS = frozenset(("com", "org", "net", "io", "co", "ac", "gov", "edu"))
_WORD = re.compile(r"[a-z0-9]+")
_URL_KEY = re.compile(r"url|uri|link|endpoint|webhook|callback|host|domain|redirect|site")


def _label(host: str) -> str:
    """The label that names a domain: ``orbis`` in ``mail.orbis.co.uk``."""
    labels = host.strip(".").split(".")
    if len(labels) < 2:
        return ""
    if len(labels) > 2 and labels[-2] in _SUFFIX_LABELS and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2]


@lru_cache(maxsize=4096)
def _skeleton(label: str) -> str:
    out = label.replace("-", "")
    for a, b in _SWAPS:
        out = out.replace(a, b)
    return out


def _forged(label: str, real: str) -> bool:
    """``label`` is ``real`` with a digit or a letter pair standing in for a letter."""
    if label == real:
        return False
    return any(a in label and label.replace(a, b) == real for a, b in _FORGED)


@lru_cache(maxsize=256)
def _said(said: str) -> tuple[frozenset[str], frozenset[str]]:
    """The domains the person wrote, and their names (one to three words run together)
    that are long enough to be a domain's."""
    low = said.lower()
    hosts = frozenset(v.rsplit("@", 1)[-1] for k, v in tokens(said) if k in ("email", "domain"))
    words = _WORD.findall(low)
    names = {
        "".join(words[i : i + n])
        for n in (1, 2, 3)
        for i in range(len(words) - n + 1)
        if len("".join(words[i : i + n])) >= 5
    }
    return hosts, frozenset(names)


def _targets(view: ActionView, prose: frozenset[str]) -> list[tuple[str, str]]:
    """(argument, host) for every address and link the call goes to."""
    out = []
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key in prose or ("@" not in text and "." not in text):
            continue
        for kind, value in tokens(text):
            if kind == "email":
                out.append((path, value.rsplit("@", 1)[-1]))
            elif kind == "domain" and "@" not in text and _URL_KEY.search(key):
                out.append((path, value))
    return out


def _shown(view: ActionView, host: str) -> set[str]:
    """The domains the run's tool outputs show, but ``host``."""
    out = set()
    for step in view.action.context.steps:
        text = step.observation or ""
        if "." not in text:
            continue
        for kind, value in tokens(text):
            if kind in ("email", "domain"):
                d = value.rsplit("@", 1)[-1]
                if d != host:
                    out.add(d)
    return out


def _internal(host: str, config: DetectConfig) -> bool:
    return any(host == d or host.endswith("." + d) for d in config.internal_domains)


def lookalike_domain(
    view: ActionView, config: DetectConfig, said: str, prose: frozenset[str]
) -> list[Signal]:
    """``provenance.target_drift`` for an address or link at a look-alike domain."""
    targets = _targets(view, prose)
    if not targets:
        return []
    low_said = said.lower()
    hosts, names = _said(said)
    for path, host in targets:
        label = _label(host)
        if len(label) < 4 or host in low_said or _internal(host, config):
            continue
        flat = label.replace("-", "")
        skel = _skeleton(label)
        refs = {_label(h): h for h in sorted(hosts, reverse=True)}
        real = next(
            (
                h
                for ref, h in sorted(refs.items())
                if ref != label
                and (_skeleton(ref) == skel or (len(ref) >= 5 and _one_edit(label, ref)))
            ),
            None,
        )
        if real is not None:
            return [_signal(path, host, f"the domain {real!r}", "the person's words")]
        if label not in refs and flat not in names:
            name = next((n for n in sorted(names) if _skeleton(n) == skel), None)
            if name is not None:
                return [_signal(path, host, f"the name {name!r}", "the person's words")]
        shown = next(
            (d for d in sorted(_shown(view, host)) if _forged(label, _label(d))),
            None,
        )
        if shown is not None:
            return [_signal(path, host, f"the domain {shown!r}", "a tool's output")]
    return []


def _signal(path: str, host: str, real: str, source: str) -> Signal:
    return Signal(
        "provenance.target_drift",
        f"{path} goes to {host!r}, which looks like but is not {real} from {source}: "
        "a look-alike domain is how a stranger poses as someone the person deals with",
        where=path,
        excerpt=host,
        weight=0.8,
        impact=0.5,
        uncertainty=0.8,
        sensitivity=0.6,
    )

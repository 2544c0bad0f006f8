"""Diff: how one args object differs from another, leaf by leaf, for a reviewer to read.

An option or a revision that changes what runs is only as safe as the reviewer's view
of the change, so the diff hides nothing and invents nothing:

- paths are compared as key tuples, not dotted text, so ``{"a.b": 1}`` and
  ``{"a": {"b": 1}}`` differ (a key that is not a plain name is shown quoted,
  ``["a.b"]``);
- values are compared as canonical JSON, not with Python's ``==``, so ``1``, ``1.0``
  and ``true`` differ as they do for the executor that receives them;
- a long string changed in place also gets a ``Span``: the one stretch from the first
  to the last differing character, with a little unchanged text either side, so a word
  changed deep in a long body is shown rather than lost in two near-identical blobs.

Dicts are walked; lists and scalars are leaves (an empty dict is a leaf too). Pure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .._canonical import canonical_json

__all__ = ["CONTEXT", "LONG", "Change", "Span", "diff_args", "differs"]

#: Strings longer than this (either side) get a ``Span`` when changed.
LONG = 80
#: Unchanged characters shown either side of a span.
CONTEXT = 40
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_MISSING = object()


@dataclass(frozen=True)
class Span:
    """Where a long string changed: ``head`` + ``removed`` + ``tail`` was the old text
    around the change, ``head`` + ``added`` + ``tail`` the new; ``head`` and ``tail`` are
    cut to ``CONTEXT`` characters with an ellipsis."""

    head: str
    removed: str
    added: str
    tail: str


@dataclass(frozen=True)
class Change:
    """One leaf that differs: ``kind`` is added, removed or changed; ``before`` and
    ``after`` are JSON text (empty on the side where the leaf is missing)."""

    path: str
    kind: str
    before: str
    after: str
    span: Span | None = None


def differs(before: Any, after: Any) -> bool:
    """Whether two JSON values differ as JSON (``1`` and ``True`` do)."""
    return canonical_json(before) != canonical_json(after)


def diff_args(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Leaf-by-leaf differences from ``before`` to ``after``, in path order."""
    old, new = _leaves(before), _leaves(after)
    changes: list[Change] = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path, _MISSING), new.get(path, _MISSING)
        if a is not _MISSING and b is not _MISSING and not differs(a, b):
            continue
        kind = "added" if a is _MISSING else "removed" if b is _MISSING else "changed"
        span = _span(a, b) if kind == "changed" else None
        changes.append(Change(_spell(path), kind, _show(a), _show(b), span))
    return changes


def _leaves(value: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    stack: list[tuple[tuple[str, ...], Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict) and (node or not path):
            stack.extend(((*path, str(k)), v) for k, v in node.items())
        else:
            out[path] = node
    return out


def _spell(path: tuple[str, ...]) -> str:
    """``("a", "b")`` -> ``a.b``; a key that is not a plain name is quoted: ``a["b.c"]``."""
    out = ""
    for key in path:
        if _NAME.fullmatch(key):
            out += f".{key}" if out else key
        else:
            out += f"[{json.dumps(key, ensure_ascii=False)}]"
    return out


def _show(value: Any) -> str:
    return "" if value is _MISSING else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _span(a: Any, b: Any) -> Span | None:
    if not (isinstance(a, str) and isinstance(b, str)) or max(len(a), len(b)) <= LONG:
        return None
    short = min(len(a), len(b))
    p = 0
    while p < short and a[p] == b[p]:
        p += 1
    s = 0  # the common tail, never overlapping the common head
    while s < short - p and a[-1 - s] == b[-1 - s]:
        s += 1
    head = a[:p]
    tail = a[len(a) - s :]
    return Span(
        head=("…" + head[-CONTEXT:]) if len(head) > CONTEXT else head,
        removed=a[p : len(a) - s],
        added=b[p : len(b) - s],
        tail=(tail[:CONTEXT] + "…") if len(tail) > CONTEXT else tail,
    )

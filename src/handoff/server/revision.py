"""The latest revision of a handoff's args, as a before/after diff for the reviewer.

A reviewer who revises replaces the args the agent proposed; the next reviewer must see
what changed. The ``revised`` event names the changed keys; the values before come from
its ``from_args`` when the event carries them, otherwise from the args of the revision
before it. When neither is known, only the changed keys can be shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..models import Event, Handoff, Verdict

__all__ = ["Change", "Revision", "diff_args", "last_revision"]

_MISSING = object()


@dataclass(frozen=True)
class Change:
    """One leaf of the args that differs: ``kind`` is added, removed or changed."""

    path: str
    kind: str
    before: str
    after: str


@dataclass(frozen=True)
class Revision:
    by: str
    changed: list[str]
    changes: list[Change] | None  # None when the values before are not known


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; lists and scalars are leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key in sorted(value):
            out.update(_flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _show(value: Any) -> str:
    return "" if value is _MISSING else json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff_args(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Leaf-by-leaf differences between two args objects, in path order."""
    old, new = _flatten(before), _flatten(after)
    changes = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path, _MISSING), new.get(path, _MISSING)
        if a == b and a is not _MISSING:
            continue
        kind = "added" if a is _MISSING else "removed" if b is _MISSING else "changed"
        changes.append(Change(path, kind, _show(a), _show(b)))
    return changes


def last_revision(h: Handoff, events: list[Event]) -> Revision | None:
    """The newest ``revised`` event of ``h`` as a diff against the args before it."""
    revised = [e for e in events if e.kind == "revised"]
    if not revised:
        return None
    last = revised[-1]
    before = last.data.get("from_args")
    if not isinstance(before, dict):
        versions = _versions(h)
        before = versions[-2] if len(revised) > 1 and len(versions) > 1 else None
    changes = diff_args(before, h.action.args) if isinstance(before, dict) else None
    return Revision(last.actor, [str(k) for k in last.data.get("changed", [])], changes)


def _versions(h: Handoff) -> list[dict[str, Any]]:
    """The args each revising decision put in place, oldest first."""
    options = {o.id: o.args for o in (h.package.options if h.package else [])}
    out: list[dict[str, Any]] = []
    for d in h.decisions:
        if d.verdict is Verdict.REVISE and d.args is not None:
            out.append(d.args)
        elif d.verdict is Verdict.CHOOSE and options.get(d.option_id or "") is not None:
            chosen = options[d.option_id or ""]
            if chosen is not None and (not out or chosen != out[-1]):
                out.append(chosen)
    return out

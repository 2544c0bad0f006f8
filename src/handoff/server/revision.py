"""The latest revision of a handoff's args, as a before/after diff for the reviewer.

A reviewer who revises replaces the args the agent proposed; the next reviewer must see
what changed. The ``revised`` event names the changed keys; the values before come from
its ``from_args`` when the event carries them, otherwise from the args of the revision
before it. When neither is known, only the changed keys can be shown. The diff is
``handoff.package._diff``'s, the same one every option is shown with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models import Event, Handoff, Verdict
from ..package._diff import Change, diff_args

__all__ = ["Change", "Revision", "diff_args", "last_revision"]


@dataclass(frozen=True)
class Revision:
    by: str
    changed: list[str]
    changes: list[Change] | None  # None when the values before are not known


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

"""Glance: what the first screen of a handoff shows, worked out from the handoff.

A reviewer should decide without scrolling: what the action is and touches, the top
reasons once each, who else approved, and which handoff comes next. The rest of the
page (options, evidence, raw action, history) follows below for whoever wants it.
"""

from __future__ import annotations

import json
from typing import Any

from ..models import Decision, Handoff
from ..policy import Policy

__all__ = ["GLANCE_ARGS", "approved_by", "glance", "next_open", "top_reasons"]

#: Arguments shown at a glance; the rest are in the raw action below.
GLANCE_ARGS = 4
_VALUE_CHARS = 160
_REASONS = 3


def glance(args: dict[str, Any]) -> list[tuple[str, str]]:
    """The first few arguments as (name, value) on one line each, cut with an ellipsis."""
    out: list[tuple[str, str]] = []
    for key, value in list(args.items())[:GLANCE_ARGS]:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        flat = " ".join(text.split())
        out.append((key, flat if len(flat) <= _VALUE_CHARS else flat[: _VALUE_CHARS - 1] + "…"))
    if len(args) > GLANCE_ARGS:
        out.append(("…", f"{len(args) - GLANCE_ARGS} more in the raw action below"))
    return out


def top_reasons(h: Handoff) -> list[str]:
    """The assessment's most important reasons, each sentence once."""
    return h.assessment.reasons()[:_REASONS]


def approved_by(h: Handoff, policy: Policy, reviewer: str) -> Decision | None:
    """``reviewer``'s approval of the current args, if they gave one: they cannot add a
    second, so the page offers none."""
    who = policy.person(reviewer)
    for d in h.approvals:
        if policy.person(d.reviewer) == who:
            return d
    return None


def next_open(current: str, queue: list[Handoff]) -> str | None:
    """The handoff after ``current`` in the queue order, wrapping round; None if alone."""
    ids = [h.id for h in queue]
    if current in ids:
        i = ids.index(current)
        ids = ids[i + 1 :] + ids[:i]
    rest = [i for i in ids if i != current]
    return rest[0] if rest else None

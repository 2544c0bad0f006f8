"""Route: which team owns a decision, how long it has, and how many must approve.

Pure: reads the assessment's findings and the policy, does no I/O.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import Action, Finding, Level, Mode
from ..policy import Policy

__all__ = ["Route", "choose_owner", "deadline", "quorum_for", "route"]


@dataclass(frozen=True, slots=True)
class Route:
    owner: str
    sla_seconds: int
    quorum: int


def choose_owner(action: Action, triggers: Sequence[Finding], policy: Policy) -> str:
    """The owner team: a trigger rule's owner, else the first matching route, else default.

    Triggers are considered in the order given (the rubric sorts them by weight), so the
    strongest reason to hand off decides who receives it.
    """
    rule = policy.tool_rule(action.tool)
    if rule is not None and rule.owner:
        return rule.owner
    codes = [t.code for t in triggers]
    for code in codes:
        trule = policy.triggers.get(code)
        if trule is not None and trule.enabled and trule.owner:
            return trule.owner
    for r in policy.routes:
        w = r.when
        if w.tool and not fnmatch.fnmatchcase(action.tool, w.tool):
            continue
        if w.triggers and not any(c in w.triggers for c in codes):
            continue
        if w.domain and action.context.domain != w.domain:
            continue
        return r.owner
    return policy.default_owner


def quorum_for(level: Level, mode: Mode, policy: Policy) -> int:
    """Distinct approvals needed; the two-person rule always needs at least two."""
    n = policy.quorum.get(level, 1)
    return max(n, 2) if mode is Mode.TWO_PERSON else n


def route(
    action: Action, level: Level, mode: Mode, triggers: Sequence[Finding], policy: Policy
) -> Route:
    owner = choose_owner(action, triggers, policy)
    return Route(
        owner=owner,
        sla_seconds=policy.sla_for(owner, level),
        quorum=quorum_for(level, mode, policy),
    )


def deadline(created_at: datetime, sla_seconds: int | None) -> datetime | None:
    return created_at + timedelta(seconds=sla_seconds) if sla_seconds else None

"""A handoff's facts: the few plain values Learn reads of it, kept beside its document.

Learn reads every handoff of a window (a million, for a quarter of a busy plane) and of
each only a dozen fields. Parsing each ~3 KB document to find them cost most of its
time, so the store writes them out, in the ``handoff_facts`` table, in the same
transaction as every change of the handoff (and migration 0011 filled them in from the
documents). ``facts_of`` is the one place that says what they are.

Lists (trigger codes, evidence sources, decisions) are compact JSON text: a handful of
short items, parsed only for the handoffs that have them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .models import Handoff

__all__ = ["TARGET_KEYS", "facts_of", "target_of"]

#: Args naming what an action acts on, in the order ``target_of`` tries them.
TARGET_KEYS = ("to", "account", "recipient", "target", "user", "id")


def target_of(args: Mapping[str, Any]) -> str | None:
    """What an action acts on: the first of ``TARGET_KEYS``, else the first ``*_id`` arg,
    as ``key=value`` (a string or a number only)."""
    keys = [k for k in TARGET_KEYS if k in args] + sorted(k for k in args if k.endswith("_id"))
    for key in keys:
        value = args[key]
        if isinstance(value, str | int) and not isinstance(value, bool):
            return f"{key}={value}"
    return None


def _json(value: list[Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else "[]"


def _when(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def facts_of(h: Handoff) -> dict[str, Any]:
    """The ``handoff_facts`` row of ``h`` (times as datetimes; the store writes them)."""
    a, pkg, ex = h.assessment, h.package, h.execution
    return {
        "id": h.id,
        "state": h.state.value,
        "action_hash": h.action_hash,
        "owner": h.owner,
        "tool": h.action.tool,
        "agent": h.action.agent,
        "target": target_of(h.action.args),
        "level": a.level.value,
        "mode": a.mode.value,
        "assessment_owner": a.owner,
        "quorum": a.quorum,
        "policy_version": a.policy_version,
        "triggers": _json([t.code for t in a.triggers]),
        "packaged": pkg is not None,
        "evidence": _json([e.source for e in pkg.evidence] if pkg is not None else []),
        "context_evidence": _json([e.source for e in h.action.context.evidence]),
        "deadline": h.deadline,
        "decisions": _json(
            [
                [
                    d.verdict.value,
                    d.reviewer,
                    d.rationale,
                    d.option_id,
                    d.owner,
                    _when(d.at),
                    d.action_hash,
                ]
                for d in h.decisions
            ]
        ),
        "executed": ex is not None,
        "finished_at": None if ex is None else ex.finished_at,
        "confirmed": ex is not None
        and (ex.confirmation is not None or any(s.confirmation is not None for s in ex.stages)),
    }

"""Why each KPI reads as it does, in sentences, for people new to the figures.

``handoff kpi`` prints the figures; the demo also says what stands behind each one, so
that "audit readiness 6 %" reads as "most executors never checked their effect", not
as "the audit trail is broken". Definitions are in docs/kpis.md.
"""

from __future__ import annotations

from collections import Counter

from ..models import State
from .history import History
from .kpi import Kpis, duration, missing_parts, share

__all__ = ["kpi_notes"]

_ENDED = (State.EXECUTED, State.FAILED, State.ROLLED_BACK)
#: What each missing part of an executed action's record means, in a few words.
_PART = {
    "assessment": "no policy version on the assessment",
    "package": "no package stored for the reviewers",
    "decisions": "approvals short of the quorum for the hash that ran",
    "execution": "no recorded end of the execution",
    "confirmation": "no check of the effect after the run (the executor has no confirm)",
    "chain": "events missing from, or after a break in, the audit chain",
}


def _tools(counts: Counter[str], shown: int = 3) -> str:
    top = [f"{tool} {n}" for tool, n in counts.most_common(shown)]
    more = len(counts) - shown
    return ", ".join(top) + (f" and {more} more" if more > 0 else "")


def kpi_notes(k: Kpis, history: History) -> list[tuple[str, str, str]]:
    """(KPI, value, why) for each headline figure of ``k`` over ``history``."""
    out = [
        (
            "escalation precision",
            share(k.precision),
            f"of {k.decided} decided escalations, reviewers changed {k.changed} (revised,"
            f" redirected, rejected or sent back) and approved {k.decided - k.changed} as"
            " proposed; a low figure means most of what reaches people was fine as it was",
        ),
        (
            "missed escalations",
            str(k.missed),
            f"incidents reported against the {k.auto_executed} actions that ran on their own",
        ),
        (
            "time to decision p50",
            duration(k.ttd_p50),
            f"median time from submission to the deciding verdict over {k.decided} decided"
            + (" (decided the moment they were shown)" if k.ttd_p50 == 0 else ""),
        ),
        (
            "SLA attainment",
            share(k.sla_attainment),
            f"{k.sla_met} of {k.sla_settled} settled escalations were decided before their"
            " deadline",
        ),
        (
            "rollback rate",
            share(k.rollback_rate),
            f"{k.rolled_back} of {k.executions_ended} finished executions were rolled back",
        ),
    ]
    missing: dict[str, Counter[str]] = {}
    for h in history.handoffs:
        if h.state in _ENDED:
            for part in missing_parts(h, history):
                missing.setdefault(part, Counter())[h.action.tool] += 1
    why = [f"{k.audit_ready} of {k.executed_actions} executed actions have a complete record"]
    for part, tools in missing.items():
        why.append(f"{sum(tools.values())} have {_PART[part]}: {_tools(tools)}")
    out.append(("audit readiness", share(k.audit_readiness), "; ".join(why)))
    return out

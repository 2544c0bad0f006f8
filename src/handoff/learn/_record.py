"""A slim, read-only view of a stored handoff: only what Learn reads of it.

Validating a full ``Handoff`` costs about 0.2 ms a document, which is minutes at a
million handoffs. Learn reads a dozen fields, so a stored document is parsed with
``json.loads`` into these small frozen records instead. They keep the attribute paths
of the models (``h.action.tool``, ``h.assessment.mode``, ``d.verdict``...), so every
Learn computation reads a ``Record`` and a ``Handoff`` alike (``Learned`` is either).

The document is checked against its row's columns as ``load_handoff`` does: a state,
action hash or decisions that differ raise ``Tampered``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._exceptions import Tampered
from .._projection import digest
from ..models import Action, Handoff, Level, Mode, State, Verdict, counted_approvals

__all__ = ["Learned", "Record", "record_of"]


@dataclass(frozen=True, slots=True)
class Source:
    source: str


@dataclass(frozen=True, slots=True)
class Code:
    code: str


@dataclass(frozen=True, slots=True)
class ContextView:
    evidence: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class ActionView:
    tool: str
    agent: str
    args: dict[str, Any]
    context: ContextView
    raw: dict[str, Any]

    def model(self) -> Action:
        """The full ``Action`` (the backtest assesses it again)."""
        return Action.model_validate(self.raw)


@dataclass(frozen=True, slots=True)
class AssessmentView:
    level: Level
    mode: Mode
    owner: str | None
    quorum: int
    policy_version: str
    triggers: tuple[Code, ...]


@dataclass(frozen=True, slots=True)
class PackageView:
    evidence: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class DecisionView:
    verdict: Verdict
    reviewer: str
    rationale: str
    option_id: str | None
    owner: str | None
    at: datetime | None
    action_hash: str | None


@dataclass(frozen=True, slots=True)
class StageView:
    confirmation: Any


@dataclass(frozen=True, slots=True)
class ExecutionView:
    finished_at: datetime | None
    confirmation: Any
    stages: tuple[StageView, ...]


@dataclass(frozen=True, slots=True)
class Record:
    """What Learn reads of one handoff."""

    id: str
    action: ActionView
    action_hash: str
    assessment: AssessmentView
    package: PackageView | None
    owner: str | None
    state: State
    deadline: datetime | None
    decisions: tuple[DecisionView, ...]
    execution: ExecutionView | None
    created_at: datetime

    @property
    def approvals(self) -> list[DecisionView]:
        """As ``Handoff.approvals``: bound to the current hash, one per person."""
        return counted_approvals(self.decisions, self.action_hash)


#: A handoff as Learn reads it: the full model or its slim record.
Learned = Handoff | Record


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _sources(items: list[dict[str, Any]] | None) -> tuple[Source, ...]:
    return tuple(Source(e["source"]) for e in items or ())


def record_of(doc: str, state: str, action_hash: str, decisions_hash: str) -> Record:
    """The record of one stored row, refused (``Tampered``) when the document disagrees
    with the row's columns."""
    d = json.loads(doc)
    decisions = d.get("decisions") or []
    if d["state"] != state:
        field, stored = "state", d["state"]
    elif d["action_hash"] != action_hash:
        field, stored = "action_hash", d["action_hash"]
    elif digest((x["verdict"], x["reviewer"], x.get("action_hash")) for x in decisions) != (
        decisions_hash
    ):
        field, stored = "decisions", "its document's decisions"
    else:
        return _record(d, decisions)
    raise Tampered(
        f"handoff {d['id']}: the document says {stored!r} but the row's {field} column"
        " disagrees; the row was edited outside handoff",
        field=field,
    )


def _record(d: dict[str, Any], decisions: list[dict[str, Any]]) -> Record:
    act, a, pkg, ex = d["action"], d["assessment"], d.get("package"), d.get("execution")
    return Record(
        id=d["id"],
        action=ActionView(
            tool=act["tool"],
            agent=act.get("agent", "agent"),
            args=act.get("args") or {},
            context=ContextView(_sources((act.get("context") or {}).get("evidence"))),
            raw=act,
        ),
        action_hash=d["action_hash"],
        assessment=AssessmentView(
            level=Level(a["level"]),
            mode=Mode(a["mode"]),
            owner=a.get("owner"),
            quorum=a.get("quorum", 1),
            policy_version=a["policy_version"],
            triggers=tuple(Code(t["code"]) for t in a.get("triggers") or ()),
        ),
        package=None if pkg is None else PackageView(_sources(pkg.get("evidence"))),
        owner=d.get("owner"),
        state=State(d["state"]),
        deadline=_when(d.get("deadline")),
        decisions=tuple(
            DecisionView(
                verdict=Verdict(x["verdict"]),
                reviewer=x["reviewer"],
                rationale=x.get("rationale", ""),
                option_id=x.get("option_id"),
                owner=x.get("owner"),
                at=_when(x.get("at")),
                action_hash=x.get("action_hash"),
            )
            for x in decisions
        ),
        execution=None
        if ex is None
        else ExecutionView(
            finished_at=_when(ex.get("finished_at")),
            confirmation=ex.get("confirmation"),
            stages=tuple(StageView(s.get("confirmation")) for s in ex.get("stages") or ()),
        ),
        created_at=datetime.fromisoformat(d["created_at"]),
    )

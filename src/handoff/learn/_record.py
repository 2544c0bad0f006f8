"""A slim, read-only view of a stored handoff: only what Learn reads of it.

Validating a full ``Handoff`` costs about 0.2 ms a document, which is minutes at a
million handoffs. Learn reads a dozen fields, so a stored document is parsed with
``json.loads`` into these small named tuples instead (a frozen dataclass costs twice
as much to build, a million times). They keep the attribute paths of the models
(``h.action.tool``, ``h.assessment.mode``, ``d.verdict``...), so every Learn
computation reads a ``Record`` and a ``Handoff`` alike (``Learned`` is either). The
parts only the report reads (evidence, trigger codes, stages) are built when read.

The document is checked against its row's columns as ``load_handoff`` does: a state,
action hash or decisions that differ raise ``Tampered``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple, TypeVar

from .._exceptions import Tampered
from .._projection import digest
from ..models import Action, Handoff, Level, Mode, State, Verdict, counted_approvals

__all__ = ["Learned", "Record", "record_of", "record_of_view"]

_E = TypeVar("_E", bound=Enum)


class Source(NamedTuple):
    source: str


class Code(NamedTuple):
    code: str


def _sources(items: list[dict[str, Any]] | None) -> tuple[Source, ...]:
    return tuple(Source(e["source"]) for e in items or ())


class ContextView(NamedTuple):
    items: list[dict[str, Any]] | None

    @property
    def evidence(self) -> tuple[Source, ...]:
        return _sources(self.items)


class ActionView(NamedTuple):
    tool: str
    agent: str
    args: dict[str, Any]
    context: ContextView
    raw: dict[str, Any]

    def model(self) -> Action:
        """The full ``Action`` (the backtest assesses it again)."""
        return Action.model_validate(self.raw)


class AssessmentView(NamedTuple):
    level: Level
    mode: Mode
    owner: str | None
    quorum: int
    policy_version: str
    fired: list[dict[str, Any]] | None

    @property
    def triggers(self) -> tuple[Code, ...]:
        return tuple(Code(t["code"]) for t in self.fired or ())


class PackageView(NamedTuple):
    items: list[dict[str, Any]] | None

    @property
    def evidence(self) -> tuple[Source, ...]:
        return _sources(self.items)


class DecisionView(NamedTuple):
    verdict: Verdict
    reviewer: str
    rationale: str
    option_id: str | None
    owner: str | None
    at: datetime | None
    action_hash: str | None


class StageView(NamedTuple):
    confirmation: Any


class ExecutionView(NamedTuple):
    finished_at: datetime | None
    confirmation: Any
    staged: list[dict[str, Any]] | None

    @property
    def stages(self) -> tuple[StageView, ...]:
        return tuple(StageView(s.get("confirmation")) for s in self.staged or ())


class Record(NamedTuple):
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


def _enum(kind: type[_E]) -> Callable[[str], _E]:
    """``kind(value)`` by a dict lookup (an enum's own call is slow on a hot path);
    a value it does not know still goes to ``kind`` and is refused there."""
    table = {m.value: m for m in kind}

    def of(value: str) -> _E:
        found = table.get(value)
        return kind(value) if found is None else found

    return of


_level, _mode, _state, _verdict = _enum(Level), _enum(Mode), _enum(State), _enum(Verdict)


def record_of(doc: str, state: str, action_hash: str, decisions_hash: str) -> Record:
    """The record of one stored row, refused (``Tampered``) when the document disagrees
    with the row's columns."""
    return _checked(json.loads(doc), state, action_hash, decisions_hash)


def _checked(d: dict[str, Any], state: str, action_hash: str, decisions_hash: str) -> Record:
    decisions = d.get("decisions") or []
    _check(d["id"], d["state"], d["action_hash"], decisions, state, action_hash, decisions_hash)
    return _record(d, decisions)


def _check(
    hid: str,
    doc_state: str,
    doc_action_hash: str,
    decisions: list[dict[str, Any]],
    state: str,
    action_hash: str,
    decisions_hash: str,
) -> None:
    """Refuse (``Tampered``) a document that disagrees with its row's columns."""
    if doc_state != state:
        field, stored = "state", doc_state
    elif doc_action_hash != action_hash:
        field, stored = "action_hash", doc_action_hash
    elif _digest(decisions) != decisions_hash:
        field, stored = "decisions", "its document's decisions"
    else:
        return
    raise Tampered(
        f"handoff {hid}: the document says {stored!r} but the row's {field} column"
        " disagrees; the row was edited outside handoff",
        field=field,
    )


def record_of_view(view: str, state: str, action_hash: str, decisions_hash: str) -> Record:
    """As ``record_of``, from the cut-down document ``Store.learn_views`` reads: the
    JSON types of the package and the execution, then the values at ``_learn.VIEW``.
    The record is built from the values directly (the same record ``record_of`` builds
    of the whole document, checked the same way)."""
    (
        (package, execution),
        (
            hid,
            created_at,
            doc_state,
            owner,
            doc_action_hash,
            deadline,
            act,
            level,
            mode,
            a_owner,
            quorum,
            policy_version,
            triggers,
            evidence,
            decisions,
            finished_at,
            confirmation,
            stages,
        ),
    ) = json.loads(view)
    decisions = decisions or []
    _check(hid, doc_state, doc_action_hash, decisions, state, action_hash, decisions_hash)
    return Record(
        hid,
        _action_view(act),
        doc_action_hash,
        AssessmentView(
            _level(level),
            _mode(mode),
            a_owner,
            1 if quorum is None else quorum,
            policy_version,
            triggers,
        ),
        PackageView(evidence) if package == "object" else None,
        owner,
        _state(doc_state),
        None if deadline is None else datetime.fromisoformat(deadline),
        _decisions(decisions) if decisions else (),
        ExecutionView(_when(finished_at), confirmation, stages) if execution == "object" else None,
        datetime.fromisoformat(created_at),
    )


def _digest(decisions: list[dict[str, Any]]) -> str:
    """The digest a row's ``decisions_hash`` column holds of its document's decisions."""
    return digest((x["verdict"], x["reviewer"], x.get("action_hash")) for x in decisions)


def _decisions(decisions: list[dict[str, Any]]) -> tuple[DecisionView, ...]:
    return tuple(
        DecisionView(
            _verdict(x["verdict"]),
            x["reviewer"],
            x.get("rationale", ""),
            x.get("option_id"),
            x.get("owner"),
            _when(x.get("at")),
            x.get("action_hash"),
        )
        for x in decisions
    )


def _action_view(act: dict[str, Any]) -> ActionView:
    context = act.get("context")
    return ActionView(
        act["tool"],
        act.get("agent", "agent"),
        act.get("args") or {},
        ContextView(None if context is None else context.get("evidence")),
        act,
    )


def _record(d: dict[str, Any], decisions: list[dict[str, Any]]) -> Record:
    act, a, pkg, ex = d["action"], d["assessment"], d.get("package"), d.get("execution")
    deadline = d.get("deadline")
    return Record(
        d["id"],
        _action_view(act),
        d["action_hash"],
        AssessmentView(
            _level(a["level"]),
            _mode(a["mode"]),
            a.get("owner"),
            a.get("quorum", 1),
            a["policy_version"],
            a.get("triggers"),
        ),
        None if pkg is None else PackageView(pkg.get("evidence")),
        d.get("owner"),
        _state(d["state"]),
        None if deadline is None else datetime.fromisoformat(deadline),
        _decisions(decisions) if decisions else (),
        None
        if ex is None
        else ExecutionView(_when(ex.get("finished_at")), ex.get("confirmation"), ex.get("stages")),
        datetime.fromisoformat(d["created_at"]),
    )

"""A handoff as its facts row tells it (``handoff._facts``): what the KPIs, the fatigue
guards and the report read, with no document parsed.

A ``Fact`` keeps the attribute paths of a ``Record`` and a ``Handoff`` (``h.action.tool``,
``h.assessment.mode``, ``d.verdict``...) for every field those computations read, so
they read all three alike. It has no action arguments: what the split-action guard
reads of them, the target, was worked out when the row was written. The backtest, which
assesses the action again, reads ``Record`` instead.

The facts row is checked against its handoff's row as ``load_handoff`` checks a
document: a state, action hash or decisions that differ from the ``handoffs`` row's
columns, or a handoff with no facts row, raise ``Tampered``. Those columns are the ones
``audit verify`` compares with the hash chain, so a facts row edited to tell another
story disagrees with one or the other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from .._exceptions import Tampered
from .._projection import digest
from ..models import Handoff, Level, Mode, State, Verdict, counted_approvals
from ._record import Code, DecisionView, Record, Source, _enum

__all__ = ["Counted", "Fact", "fact_of", "with_action"]

_level, _mode, _state, _verdict = _enum(Level), _enum(Mode), _enum(State), _enum(Verdict)


def _sources(text: str) -> tuple[Source, ...]:
    return tuple(Source(s) for s in json.loads(text)) if text != "[]" else ()


class FactContext(NamedTuple):
    sources: str

    @property
    def evidence(self) -> tuple[Source, ...]:
        return _sources(self.sources)


class FactAction(NamedTuple):
    tool: str
    agent: str
    #: What the action acts on (``handoff._facts.target_of`` of its args).
    target: str | None
    context: FactContext


class FactAssessment(NamedTuple):
    level: Level
    mode: Mode
    owner: str | None
    quorum: int
    policy_version: str
    codes: str

    @property
    def triggers(self) -> tuple[Code, ...]:
        return tuple(Code(c) for c in json.loads(self.codes)) if self.codes != "[]" else ()


class FactPackage(NamedTuple):
    sources: str

    @property
    def evidence(self) -> tuple[Source, ...]:
        return _sources(self.sources)


class FactStage(NamedTuple):
    confirmation: Any


class FactExecution(NamedTuple):
    finished_at: datetime | None
    confirmed: bool

    @property
    def confirmation(self) -> bool | None:
        """True when the effect was checked after the run (whole or any stage)."""
        return True if self.confirmed else None

    @property
    def stages(self) -> tuple[FactStage, ...]:
        return ()


class Fact(NamedTuple):
    """What Learn's figures read of one handoff."""

    id: str
    action: FactAction
    action_hash: str
    assessment: FactAssessment
    package: FactPackage | None
    owner: str | None
    state: State
    deadline: datetime | None
    decisions: tuple[DecisionView, ...]
    execution: FactExecution | None
    created_at: datetime

    @property
    def approvals(self) -> list[DecisionView]:
        """As ``Handoff.approvals``: bound to the current hash, one per person."""
        return counted_approvals(self.decisions, self.action_hash)


#: A handoff as Learn's figures read it: the full model, its record or its facts.
Counted = Handoff | Record | Fact


def with_action(h: Counted) -> Handoff | Record:
    """``h`` with its whole action (the backtest and the suggestions read its args);
    a ``Fact`` has none, so a history of facts cannot feed them."""
    if isinstance(h, Fact):
        raise TypeError(f"handoff {h.id}: a facts row has no action; stream without facts")
    return h


_parse = datetime.fromisoformat
#: A named tuple built from a plain tuple of its values, without the Python-level
#: ``__new__`` its class defines (a frame per call; several per handoff, a million
#: handoffs).
_new = tuple.__new__


def _time(value: str | datetime) -> datetime:
    """A stored time: naive UTC text on SQLite, a datetime on PostgreSQL.

    The text is parsed with its offset appended: ``datetime.replace`` after parsing
    costs several times the parse.
    """
    if isinstance(value, str):
        return _parse(value + "+00:00")
    return value.astimezone(UTC)


def _decision(
    verdict: str,
    reviewer: str,
    rationale: str,
    option_id: str | None,
    owner: str | None,
    at: str | None,
    action_hash: str | None,
) -> DecisionView:
    return _new(
        DecisionView,
        (
            _verdict(verdict),
            reviewer,
            rationale,
            option_id,
            owner,
            None if at is None else _parse(at),
            action_hash,
        ),
    )


def fact_of(row: Sequence[Any]) -> Fact:
    """The fact of one ``Store.learn_facts`` handoff, refused (``Tampered``) when it has
    no facts row or its facts disagree with the ``handoffs`` row's columns."""
    (
        hid,
        created_at,
        fid,
        f_state,
        f_action_hash,
        owner,
        tool,
        agent,
        target,
        level,
        mode,
        a_owner,
        quorum,
        policy_version,
        triggers,
        packaged,
        evidence,
        context_evidence,
        deadline,
        decisions,
        executed,
        finished_at,
        confirmed,
        state,
        action_hash,
        decisions_hash,
    ) = row
    if fid is None:
        raise Tampered(
            f"handoff {hid}: it has no facts row; a table was edited outside handoff",
            field="facts",
        )
    made = json.loads(decisions) if decisions != "[]" else ()
    if f_state != state:
        field, stored = "state", f_state
    elif f_action_hash != action_hash:
        field, stored = "action_hash", f_action_hash
    elif (digest((d[0], d[1], d[6]) for d in made) if made else "") != decisions_hash:
        field, stored = "decisions", "its facts row's decisions"
    else:
        return _new(
            Fact,
            (
                fid,
                _new(FactAction, (tool, agent, target, _new(FactContext, (context_evidence,)))),
                f_action_hash,
                _new(
                    FactAssessment,
                    (_level(level), _mode(mode), a_owner, quorum, policy_version, triggers),
                ),
                _new(FactPackage, (evidence,)) if packaged else None,
                owner,
                _state(f_state),
                None if deadline is None else _time(deadline),
                tuple([_decision(*d) for d in made]) if made else (),
                _new(
                    FactExecution,
                    (None if finished_at is None else _time(finished_at), bool(confirmed)),
                )
                if executed
                else None,
                _time(created_at),
            ),
        )
    raise Tampered(
        f"handoff {fid}: its facts row says {stored!r} but the handoff row's {field} column"
        " disagrees; a table was edited outside handoff",
        field=field,
    )

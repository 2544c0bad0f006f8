"""The recorded history of a time window: handoffs, their learning events, incidents.

Learn reads the past in one pass: the KPIs, the backtest, the suggestions and the
oversight report all start from a ``History``. It is loaded from the store's tables
(the truth), never from notifications, and holds plain records, so the computations on
it are pure and testable without a database.

The window is half-open, ``[since, until)``, on the handoff's ``created_at``; incidents
are kept for every handoff in the window whatever their own date, so a problem found a
week after the action still counts against it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from .._exceptions import InputError
from ..audit.trail import VerifyReport, verify
from ..decide.lifecycle import OPEN
from ..models import Event, Handoff, Incident, Level, Mode, State
from ..route.sla import ACTOR as LADDER_ACTOR
from ..store import SqlStore, Store
from ..store._tables import ROW, events, handoffs, incidents
from ..store._tx import load_handoff

__all__ = [
    "History",
    "IncidentRecord",
    "Window",
    "auto_executed",
    "decided_at",
    "escalated",
    "human_changed",
    "load_history",
    "parse_when",
]

#: Event kinds Learn reads beside the handoff documents: the SLA ladder, shadow
#: assessments, and the ones that prove an action's record (submission, execution).
LEARN_EVENTS = (
    "submitted",
    "reminded",
    "escalated",
    "executed",
    "execution_failed",
    "rolled_back",
    "shadow_assessed",
)


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time window ``[since, until)``; either end may be open."""

    since: datetime | None = None
    until: datetime | None = None

    def holds(self, when: datetime) -> bool:
        return (self.since is None or when >= self.since) and (
            self.until is None or when < self.until
        )


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """One stored incident with its id and when it was reported."""

    id: str
    at: datetime
    incident: Incident

    @property
    def handoff_id(self) -> str:
        return self.incident.handoff_id


@dataclass
class History:
    """Everything Learn needs about one window, loaded once.

    ``as_of`` is the moment the history was read: an open handoff already past its
    deadline at ``as_of`` has missed its SLA.
    """

    window: Window
    as_of: datetime
    handoffs: list[Handoff]
    events: dict[str, list[Event]] = field(default_factory=dict)
    incidents: list[IncidentRecord] = field(default_factory=list)
    audit: VerifyReport | None = None

    def events_of(self, handoff_id: str, *kinds: str) -> list[Event]:
        evs = self.events.get(handoff_id, [])
        return [e for e in evs if e.kind in kinds] if kinds else evs

    def incidents_of(self, handoff_id: str) -> list[IncidentRecord]:
        return [i for i in self.incidents if i.handoff_id == handoff_id]

    def subset(self, keep: set[str]) -> History:
        """The same history restricted to the handoff ids in ``keep`` (per owner, per tool)."""
        return History(
            window=self.window,
            as_of=self.as_of,
            handoffs=[h for h in self.handoffs if h.id in keep],
            events={k: v for k, v in self.events.items() if k in keep},
            incidents=[i for i in self.incidents if i.handoff_id in keep],
            audit=self.audit,
        )


def escalated(h: Handoff) -> bool:
    """The handoff went to a human: its assessment asked for review (one or two people).

    A revise re-assesses the edited args and may lower the mode, so a package, a
    deadline or a decision also prove it went to a human: only that path has them.
    """
    return (
        h.assessment.mode in (Mode.REVIEW, Mode.TWO_PERSON)
        or h.package is not None
        or h.deadline is not None
        or bool(h.decisions)
    )


def auto_executed(h: Handoff) -> bool:
    """The action ran on its own, with no human deciding (the auto path)."""
    return h.execution is not None and not escalated(h)


def decided_at(h: Handoff) -> datetime | None:
    """When a human's decision settled the handoff; None while open or if nobody decided.

    The SLA ladder's fallback is not a human decision, and neither is a cancel.
    """
    if h.state in OPEN or h.state in (State.CANCELLED, State.EXPIRED) or not h.decisions:
        return None
    last = h.decisions[-1]
    if last.reviewer == LADDER_ACTOR or last.at is None:
        return None
    return last.at


def human_changed(h: Handoff) -> bool:
    """A human changed the outcome: rejected, revised, chose another option, or redirected.

    Choosing the ``approve`` option is approving unchanged.
    """
    for d in h.decisions:
        if d.reviewer == LADDER_ACTOR:
            continue
        if d.verdict.value in ("reject", "revise", "redirect"):
            return True
        if d.verdict.value == "choose" and d.option_id != "approve":
            return True
    return False


def parse_when(value: str | None, field_name: str) -> datetime | None:
    """A window end from the command line: ``2026-01-05``, an ISO time, or ``7d`` ago."""
    if value is None or value == "":
        return None
    text = value.strip()
    if text[-1:] in ("d", "w", "h") and text[:-1].isdigit():
        unit = {"d": timedelta(days=1), "w": timedelta(weeks=1), "h": timedelta(hours=1)}
        return datetime.now(UTC).replace(microsecond=0) - int(text[:-1]) * unit[text[-1]]
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"expected a date (2026-01-05), an ISO time or an age such as 7d, got {value!r}",
            field=field_name,
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def load_history(
    store: Store,
    window: Window | None = None,
    *,
    as_of: datetime | None = None,
    check_audit: bool = True,
) -> History:
    """Read the window's handoffs, their learning events and incidents from ``store``."""
    window = window or Window()
    if window.since and window.until and window.since >= window.until:
        raise InputError("the window ends before it starts", field="until")
    as_of = as_of or datetime.now(UTC)
    if not isinstance(store, SqlStore):
        # The Store protocol has no incident reader: other stores give no incidents.
        hs = [h for h in store.list_handoffs(limit=10**9) if window.holds(h.created_at)]
        evs: dict[str, list[Event]] = defaultdict(list)
        ids = {h.id for h in hs}
        for e in store.events():
            if e.handoff_id in ids and e.kind in LEARN_EVENTS:
                evs[e.handoff_id].append(e)
        audit = verify(store) if check_audit else None
        return History(window, as_of, hs, dict(evs), [], audit)
    inside = select(handoffs.c.id)
    if window.since:
        inside = inside.where(handoffs.c.created_at >= window.since)
    if window.until:
        inside = inside.where(handoffs.c.created_at < window.until)
    q = (
        select(*ROW)
        .where(handoffs.c.id.in_(inside.scalar_subquery()))
        .order_by(handoffs.c.created_at, handoffs.c.id)
    )
    with store.engine.connect() as conn:
        hs = [load_handoff(*r) for r in conn.execute(q)]
        ids = {h.id for h in hs}
        evs = defaultdict(list)
        eq = (
            select(events)
            .where(events.c.kind.in_(LEARN_EVENTS))
            .where(events.c.handoff_id.in_(inside.scalar_subquery()))
            .order_by(events.c.seq)
        )
        for r in conn.execute(eq):
            if r.handoff_id in ids:
                evs[r.handoff_id].append(
                    Event(
                        seq=r.seq,
                        handoff_id=r.handoff_id,
                        kind=r.kind,
                        actor=r.actor,
                        at=datetime.fromisoformat(r.at),
                        data=json.loads(r.data),
                        prev_hash=r.prev_hash,
                        hash=r.hash,
                    )
                )
        iq = (
            select(incidents)
            .where(incidents.c.handoff_id.in_(inside.scalar_subquery()))
            .order_by(incidents.c.at, incidents.c.id)
        )
        incs = [
            IncidentRecord(
                r.id,
                r.at,
                Incident(
                    handoff_id=r.handoff_id,
                    severity=Level(r.severity),
                    description=r.description,
                    reporter=r.reporter,
                ),
            )
            for r in conn.execute(iq)
            if r.handoff_id in ids
        ]
    audit = verify(store) if check_audit else None
    return History(window, as_of, hs, dict(evs), incs, audit)

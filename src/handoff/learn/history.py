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

import gc
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from .._exceptions import InputError
from ..audit.trail import VerifyReport, verify
from ..decide.lifecycle import OPEN
from ..models import Event, Incident, Level, Mode, State
from ..route.sla import ACTOR as LADDER_ACTOR
from ..store import LearnChunk, Store
from ..store._tx import load_handoff
from ._fact import Counted, fact_of
from ._record import record_of_view
from ._verification import Verification

__all__ = [
    "CHUNK",
    "History",
    "IncidentRecord",
    "Mark",
    "Sink",
    "Window",
    "auto_executed",
    "decided_at",
    "escalated",
    "human_changed",
    "load_history",
    "parse_when",
    "stream_history",
]

#: Handoffs read a chunk at a time when a history is streamed.
CHUNK = 2000
#: The ``data`` of a streamed event Learn does not read (shared, never changed).
_NO_DATA: dict[str, Any] = {}

#: The collector's first threshold while a history is streamed (Python's default: 700).
GC_YOUNG = 50_000
#: The thresholds before the streams now running, and whether the first one froze.
_paused: list[tuple[tuple[int, int, int], bool]] = []

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


class Mark(NamedTuple):
    """A learning event as a streamed history keeps it: only ``data`` of a shadow
    assessment is parsed, the one event whose contents Learn reads."""

    seq: int
    handoff_id: str
    kind: str
    data: dict[str, Any]


class Sink(Protocol):
    """A computation fed a history a chunk at a time (``History.feed``)."""

    def take(self, part: History) -> None: ...


@dataclass
class History:
    """Everything Learn needs about one window.

    ``as_of`` is the moment the history was read: an open handoff already past its
    deadline at ``as_of`` has missed its SLA.

    A loaded history holds its handoffs; a streamed one (``stream_history``) holds none
    and reads the store again, a chunk at a time, each time ``chunks()`` is iterated.
    Learn's computations read every history through ``chunks()``.
    """

    window: Window
    as_of: datetime
    handoffs: list[Counted]
    events: dict[str, list[Event | Mark]] = field(default_factory=dict)
    incidents: list[IncidentRecord] = field(default_factory=list)
    audit: VerifyReport | None = None
    source: Callable[[], Iterator[History]] | None = None
    #: The audit chain being verified aside (``stream_history``); ``audit`` once read.
    pending: Verification | None = field(default=None, repr=False, compare=False)
    _by_handoff: dict[str, list[IncidentRecord]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for i in self.incidents:
            self._by_handoff.setdefault(i.handoff_id, []).append(i)

    def chunks(self) -> Iterator[History]:
        """The history a part at a time: itself when loaded, chunks when streamed
        (after the audit chain's verification, when one is running aside)."""
        self.settle()
        return self._parts()

    def _parts(self) -> Iterator[History]:
        if self.source is None:
            yield self
        else:
            yield from self.source()

    def settle(self) -> VerifyReport | None:
        """The audit report, waiting for a verification running aside."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.audit = pending.result()
        return self.audit

    def feed(self, *sinks: Sink) -> None:
        """One pass over the history, every chunk given to each sink in turn: several
        computations share the one read of the store.

        While the audit chain is verified aside, the pass runs beside it as if the
        chain verifies; should it not, the sinks whose figures read the audit result
        (``reads_audit``) are reset and fed a second pass with the report.
        """
        try:
            for part in self._parts():
                for sink in sinks:
                    sink.take(part)
        except BaseException:
            if self.pending is not None:
                self.pending.cancel()
                self.pending = None
            raise
        if self.pending is None:
            return
        report = self.settle()
        again = [s for s in sinks if getattr(s, "reads_audit", False)]
        if report is None or report.ok or not again:
            return
        for sink in again:
            sink.reset()  # type: ignore[attr-defined]
        for part in self._parts():
            for sink in again:
                sink.take(part)

    def events_of(self, handoff_id: str, *kinds: str) -> list[Event | Mark]:
        evs = self.events.get(handoff_id, [])
        return [e for e in evs if e.kind in kinds] if kinds else evs

    def incidents_of(self, handoff_id: str) -> list[IncidentRecord]:
        return self._by_handoff.get(handoff_id, [])

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


def escalated(h: Counted) -> bool:
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


def auto_executed(h: Counted) -> bool:
    """The action ran on its own, with no human deciding (the auto path)."""
    return h.execution is not None and not escalated(h)


def decided_at(h: Counted) -> datetime | None:
    """When a human's decision settled the handoff; None while open or if nobody decided.

    The SLA ladder's fallback is not a human decision, and neither is a cancel.
    """
    if h.state in OPEN or h.state in (State.CANCELLED, State.EXPIRED) or not h.decisions:
        return None
    last = h.decisions[-1]
    if last.reviewer == LADDER_ACTOR or last.at is None:
        return None
    return last.at


def human_changed(h: Counted) -> bool:
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


def _checked(window: Window | None) -> Window:
    window = window or Window()
    if window.since and window.until and window.since >= window.until:
        raise InputError("the window ends before it starts", field="until")
    return window


def _incidents(chunk: LearnChunk) -> list[IncidentRecord]:
    return [
        IncidentRecord(
            iid,
            at,
            Incident(
                handoff_id=hid, severity=Level(sev), description=description, reporter=reporter
            ),
        )
        for iid, hid, at, sev, description, reporter in chunk.incidents
    ]


def load_history(
    store: Store,
    window: Window | None = None,
    *,
    as_of: datetime | None = None,
    check_audit: bool = True,
) -> History:
    """Read the window's handoffs (full models), their learning events and incidents.

    For the suggestions and the dashboard; the KPIs, the backtest and the report read
    a ``stream_history`` instead, in bounded memory.
    """
    window = _checked(window)
    as_of = as_of or datetime.now(UTC)
    hs: list[Counted] = []
    evs: dict[str, list[Event | Mark]] = defaultdict(list)
    incs: list[IncidentRecord] = []
    for chunk in store.learn_chunks(
        since=window.since, until=window.until, kinds=LEARN_EVENTS, size=CHUNK
    ):
        hs += [load_handoff(*r) for r in chunk.handoffs]
        for seq, hid, kind, actor, at, data, prev_hash, hash_ in chunk.events:
            evs[hid].append(
                Event(
                    seq=seq,
                    handoff_id=hid,
                    kind=kind,
                    actor=actor,
                    at=datetime.fromisoformat(at),
                    data=json.loads(data),
                    prev_hash=prev_hash,
                    hash=hash_,
                )
            )
        incs += _incidents(chunk)
    incs.sort(key=lambda i: (i.at, i.id))
    audit = verify(store) if check_audit else None
    return History(window, as_of, hs, dict(evs), incs, audit)


def stream_history(
    store: Store,
    window: Window | None = None,
    *,
    as_of: datetime | None = None,
    check_audit: bool = True,
    owner: str | None = None,
    tool: str | None = None,
    size: int = CHUNK,
    facts: bool = False,
) -> History:
    """The window's history read a chunk at a time, as slim records (``_record``), or
    with ``facts`` as facts rows (``_fact``: no document is read, nor the action's
    arguments, which the backtest needs).

    Nothing is read until ``chunks()`` is iterated, and each iteration reads the store
    again: memory holds one chunk, whatever the window's size. ``owner`` and ``tool``
    narrow it to one owner team and/or one tool.
    """
    window = _checked(window)
    as_of = as_of or datetime.now(UTC)
    out = History(window, as_of, [], {}, [])
    if check_audit:
        out.pending = Verification(store)

    def source() -> Iterator[History]:
        with _collector_eased():
            yield from _parts()

    read, make = (store.learn_facts, fact_of) if facts else (store.learn_views, _record_of_view)

    def _parts() -> Iterator[History]:
        for chunk in read(
            since=window.since,
            until=window.until,
            kinds=LEARN_EVENTS,
            owner=owner,
            tool=tool,
            size=size,
        ):
            evs: dict[str, list[Event | Mark]] = {}
            for seq, hid, kind, _actor, _at, data, _prev, _hash in chunk.events:
                parsed = json.loads(data) if kind == "shadow_assessed" else _NO_DATA
                mark = Mark(seq, hid, kind, parsed)
                found = evs.get(hid)
                if found is None:
                    evs[hid] = [mark]
                else:
                    found.append(mark)
            yield History(
                window,
                as_of,
                [make(row) for row in chunk.handoffs],
                evs,
                _incidents(chunk),
                out.audit,
            )

    out.source = source
    return out


def _record_of_view(row: tuple[Any, ...]) -> Counted:
    view, _version, state, action_hash, decisions_hash = row
    return record_of_view(view, state, action_hash, decisions_hash)


@contextmanager
def _collector_eased() -> Iterator[None]:
    """Fewer, smaller cyclic collections while a history streams by.

    A chunk is thousands of small containers that live until the next one, long enough
    to reach the collector's older generations, whose every collection also walks all
    the objects the program held before (modules, models): about a third of a stream's
    time at Python's thresholds. The objects already there are frozen out of the walk
    (``gc.freeze``) and the young generation is collected every ``GC_YOUNG`` new
    containers instead of 700. Reference counting still frees each chunk as the next
    comes, and any reference cycles are still collected, less often. The thresholds
    are restored, and the frozen objects unfrozen, when the last stream ends (streams
    may nest).
    """
    if _paused:
        before, froze = _paused[-1]
    else:
        # Objects someone else froze stay theirs to unfreeze.
        before, froze = gc.get_threshold(), gc.get_freeze_count() == 0
        if froze:
            gc.freeze()
        gc.set_threshold(max(before[0], GC_YOUNG), *before[1:])
    _paused.append((before, froze))
    try:
        yield
    finally:
        _paused.pop()
        if not _paused:
            gc.set_threshold(*before)
            if froze:
                gc.unfreeze()

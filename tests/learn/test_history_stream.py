"""The streamed Learn computations give what the whole-history-in-memory ones gave.

Random small histories are recorded through the real plane; the KPIs, backtest,
fatigue findings and decision rows computed from a history streamed in chunks of three
(slim records, so chunk edges fall everywhere) must equal the old computations over the
same history loaded whole as full models (``_oracle``).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff import ControlPlane
from handoff._exceptions import HandoffError
from handoff.learn._record import record_of, record_of_view
from handoff.learn.backtest import backtest
from handoff.learn.fatigue import rubber_stamps, split_actions
from handoff.learn.history import LEARN_EVENTS, Window, load_history, stream_history
from handoff.learn.kpi import compute
from handoff.learn.report import decision_rows
from handoff.policy import default_policy, policy_from_yaml
from handoff.store import open_store
from handoff.testing import FakeClock

from . import _oracle as oracle
from ._history import Confirmed
from .test_backtest import CANDIDATE

BASE = datetime.fromisoformat("2026-01-05T09:00:00+00:00")
#: Each example records into its own five weeks of the test's database.
_SPAN = itertools.count()

_ACTIONS: dict[str, Any] = {
    "report": lambda n: {"tool": "reports.schedule", "agent": "ops", "args": {"report": "w"}},
    "draft": lambda n: {"tool": "cms.update_draft", "agent": "mk", "args": {"draft_id": f"d{n}"}},
    "publish": lambda n: {"tool": "cms.publish", "agent": "mk", "args": {"title": f"t{n}"}},
    "transfer": lambda n: {
        "tool": "payments.transfer",
        "agent": "fin",
        "args": {"amount": 10 + n, "to": f"a{n}"},
    },
}

#: Members of the default policy's owner teams, by the tool they decide.
_TEAMS = {"cms.publish": ["maya", "marco", "mona"], "payments.transfer": ["fiona", "felix"]}
_submit = st.tuples(st.just("submit"), st.sampled_from(sorted(_ACTIONS)), st.integers(0, 1))
#: Minutes: mostly inside the split-action hour, sometimes past a deadline or a week.
_advance = st.tuples(st.just("advance"), st.sampled_from([1, 10, 25, 40, 61, 240, 600, 3000]))
#: Drafts run on their own and name a target: the stuff split actions are made of.
_draft = st.tuples(st.just("submit"), st.just("draft"), st.integers(0, 1))
_decide = st.tuples(
    st.just("decide"),
    st.integers(0, 30),
    st.sampled_from(["approve", "approve", "reject", "revise"]),
    st.integers(0, 2),
)
_op = st.one_of(
    _submit,
    _draft,
    _draft,
    _decide,
    _decide,
    _advance,
    st.tuples(
        st.just("decide"),
        st.integers(0, 30),
        st.sampled_from(["approve", "reject", "revise"]),
        st.integers(0, 2),
    ),
    st.tuples(st.just("execute"), st.integers(0, 30)),
    st.tuples(st.just("incident"), st.integers(0, 30), st.integers(0, 10)),
    st.tuples(st.just("ladder")),
)


def _record(plane: ControlPlane, clock: FakeClock, ops: list[tuple[Any, ...]]) -> None:
    ids: list[str] = []
    for op in ops:
        try:
            if op[0] == "submit":
                ids.append(plane.submit(_ACTIONS[op[1]](op[2])).handoff_id)
            elif op[0] == "advance":
                clock.advance(minutes=op[1])
                plane.run_ladder()  # as the server's timer would
            elif op[0] == "ladder":
                plane.run_ladder()
            elif ids and op[0] == "decide":
                h = plane.get(ids[op[1] % len(ids)])
                team = _TEAMS.get(h.action.tool, ["nobody"])
                args = {**h.action.args, "title": "edited"} if op[2] == "revise" else None
                plane.decide(
                    h.id, verdict=op[2], reviewer=team[op[3] % len(team)], rationale="r", args=args
                )
                plane.execute(h.id)  # refused unless approved
            elif ids and op[0] == "execute":
                plane.execute(ids[op[1] % len(ids)])
            elif ids and op[0] == "incident":
                clock.advance(minutes=op[2])
                plane.report_incident({"handoff_id": ids[op[1] % len(ids)], "description": "x"})
        except HandoffError:
            pass  # refused (decided twice, not executable...): the history stays as it was


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(_op, min_size=20, max_size=60),
    cut=st.integers(0, 3),
    hours=st.sampled_from([6, 30, 24 * 7 * 5]),
)
def test_streamed_learn_equals_the_in_memory_computation(
    db_url: str, ops: list[tuple[Any, ...]], cut: int, hours: int
) -> None:
    start = BASE + timedelta(weeks=5 * next(_SPAN))
    clock = FakeClock()
    clock.set(start)
    plane = ControlPlane(open_store(db_url), default_policy(), clock=clock)
    try:
        ex = Confirmed()
        for tool in ("reports.schedule", "cms.update_draft", "cms.publish"):
            plane.register(tool, ex)
        plane.register("payments.transfer", lambda **a: "sent")
        _record(plane, clock, ops)
        # The window: from a cut inside the example's span, to its end or before it
        # (incidents reported after the window's end then count against no week).
        window = Window(start + timedelta(hours=cut), start + timedelta(hours=hours))
        as_of = clock.now()
        loaded = load_history(plane.store, window, as_of=as_of)
        streamed = stream_history(plane.store, window, as_of=as_of, size=3)
        assert compute(streamed).to_json() == oracle.compute(loaded).to_json()
        for candidate in (default_policy(), policy_from_yaml(CANDIDATE, "candidate.yaml")):
            assert backtest(streamed, candidate).to_json() == (
                oracle.backtest(loaded, candidate).to_json()
            )
        assert split_actions(streamed) == oracle.split_actions(loaded)
        assert rubber_stamps(streamed) == rubber_stamps(loaded)
        assert list(decision_rows(streamed)) == list(decision_rows(loaded))
        # The facts rows (no document read) give the same figures, findings and rows.
        facts = stream_history(plane.store, window, as_of=as_of, size=3, facts=True)
        assert compute(facts).to_json() == oracle.compute(loaded).to_json()
        assert split_actions(facts) == oracle.split_actions(loaded)
        assert rubber_stamps(facts) == rubber_stamps(loaded)
        assert list(decision_rows(facts)) == list(decision_rows(loaded))
        # The database's cut-down documents make the same records as whole documents.
        span = {"since": window.since, "until": window.until, "kinds": LEARN_EVENTS}
        whole = plane.store.learn_chunks(**span, size=4)
        cut = plane.store.learn_views(**span, size=4)
        for full, view in itertools.zip_longest(whole, cut):
            assert [record_of(*r[:1], *r[2:]) for r in full.handoffs] == [
                record_of_view(*r[:1], *r[2:]) for r in view.handoffs
            ]
            shadows = [(e[0], e[1], e[2], e[5]) for e in full.events if e[2] == "shadow_assessed"]
            assert [(e[0], e[1], e[2]) for e in full.events] == [e[:3] for e in view.events]
            assert shadows == [(e[0], e[1], e[2], e[5]) for e in view.events if e[5]]
            assert full.incidents == view.incidents
    finally:
        plane.close()


def test_streamed_history_refuses_a_tampered_row(tmp_path: Any) -> None:
    """A document edited outside handoff is refused by the slim read as by the full one."""
    from sqlalchemy import text

    from handoff._exceptions import Tampered

    plane = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), default_policy())
    try:
        plane.submit(_ACTIONS["publish"](1))
        with plane.store.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(
                text("UPDATE handoffs SET doc = replace(doc, '\"pending\"', '\"executed\"')")
            )
        with pytest.raises(Tampered) as exc:
            compute(stream_history(plane.store, check_audit=False))
        assert exc.value.field == "state"
    finally:
        plane.close()


def _tamper(tmp_path: Any, *statements: str) -> Any:
    """A plane with one approved and executed transfer and one report run on its own,
    then ``statements`` run on its database outside handoff."""
    from sqlalchemy import text

    plane = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), default_policy())
    plane.register("payments.transfer", lambda **a: "sent")
    plane.register("reports.schedule", Confirmed())
    hid = plane.submit(_ACTIONS["transfer"](1)).handoff_id
    plane.decide(hid, verdict="approve", reviewer="fiona", rationale="ok")
    plane.decide(hid, verdict="approve", reviewer="felix", rationale="ok")
    plane.execute(hid)
    plane.submit(_ACTIONS["report"](1))
    with plane.store.engine.begin() as conn:  # type: ignore[attr-defined]
        for sql in statements:
            conn.execute(text(sql), {"id": hid})
    return plane


@pytest.mark.parametrize(
    ("statements", "field"),
    [
        (["UPDATE handoff_facts SET state = 'rolled_back' WHERE id = :id"], "state"),
        (["UPDATE handoff_facts SET action_hash = 'x' WHERE id = :id"], "action_hash"),
        # One approval of two left out: the facts would say the quorum was not met.
        (
            [
                "UPDATE handoff_facts SET decisions ="
                " '[' || substr(decisions, instr(decisions, '],[') + 2) WHERE id = :id"
            ],
            "decisions",
        ),
        (["DELETE FROM handoff_facts WHERE id = :id"], "facts"),
    ],
)
def test_facts_that_disagree_with_their_row_are_refused(
    tmp_path: Any, statements: list[str], field: str
) -> None:
    """A facts row edited (or deleted) outside handoff disagrees with the columns of its
    handoff row, which ``audit verify`` compares with the chain: Learn refuses it."""
    from handoff._exceptions import Tampered

    plane = _tamper(tmp_path, *statements)
    try:
        with pytest.raises(Tampered) as exc:
            compute(stream_history(plane.store, check_audit=False, facts=True))
        assert exc.value.field == field
    finally:
        plane.close()


def test_facts_and_row_edited_together_break_the_chain(tmp_path: Any) -> None:
    """Edited together, the facts row and the handoff row agree, and the chain does not:
    the KPIs say the audit failed and the handoff's record is not audit ready."""
    plane = _tamper(
        tmp_path,
        "UPDATE handoff_facts SET state = 'rolled_back' WHERE id = :id",
        "UPDATE handoffs SET state = 'rolled_back' WHERE id = :id",
    )
    try:
        got = compute(stream_history(plane.store, facts=True))
        assert got.audit_ok is False and got.overall.rolled_back == 1
        assert "state" in str(got.audit)
    finally:
        plane.close()


def test_split_runs_settle_only_past_the_hour() -> None:
    """Drafts at 0, 40, 50 min make a run from the first; one at 130, 135, 200 min none:
    streamed a handoff a chunk, the run is found only if it waits for the whole hour."""
    clock = FakeClock()
    plane = ControlPlane(open_store("sqlite://"), default_policy(), clock=clock)
    try:
        plane.register("cms.update_draft", Confirmed())
        ops: list[tuple[Any, ...]] = []
        last = 0
        for minute in (0, 40, 50, 130, 135, 200):
            ops += [("advance", minute - last), ("submit", "draft", 0)]
            last = minute
        _record(plane, clock, ops[1:])
        found = split_actions(stream_history(plane.store, check_audit=False, size=1))
        assert found == oracle.split_actions(load_history(plane.store, check_audit=False))
        assert [len(s.handoff_ids) for s in found] == [3]
    finally:
        plane.close()


def test_backtest_reports_progress_a_chunk_at_a_time() -> None:
    clock = FakeClock()
    plane = ControlPlane(open_store("sqlite://"), default_policy(), clock=clock)
    try:
        plane.register("cms.update_draft", Confirmed())
        _record(plane, clock, [("submit", "draft", i % 2) for i in range(7)])
        done: list[int] = []
        bt = backtest(stream_history(plane.store, size=3), default_policy(), done.append)
        assert done == [3, 3, 1] and bt.replayed == 7
    finally:
        plane.close()


def test_a_broken_chain_found_aside_gives_the_figures_of_a_broken_chain(db_url: str) -> None:
    """The chain is verified in another process while the history is read; when it
    turns out broken, the figures that read it are counted again with its report."""
    from sqlalchemy import text

    clock = FakeClock()
    clock.set(BASE)
    plane = ControlPlane(open_store(db_url), default_policy(), clock=clock)
    try:
        plane.register("reports.schedule", Confirmed())
        for n in range(4):
            plane.submit(_ACTIONS["report"](n))  # each runs on its own: executed
            clock.advance(minutes=5)
        with plane.store.engine.begin() as conn:  # type: ignore[attr-defined]
            seq = conn.execute(text("SELECT max(seq) FROM events")).scalar_one()
            conn.execute(
                text("UPDATE events SET data = :d WHERE seq = :s"), {"d": '{"x": 1}', "s": seq}
            )
        as_of = clock.now()
        streamed = stream_history(plane.store, as_of=as_of, size=2)
        assert streamed.pending is not None or "sqlite" not in db_url
        got = compute(streamed)
        assert got.audit_ok is False and got.overall.audit_missing.get("chain")
        assert got.to_json() == oracle.compute(load_history(plane.store, as_of=as_of)).to_json()
    finally:
        plane.close()


def test_a_stream_eases_the_collector_and_puts_it_back(tmp_path: Any) -> None:
    """While a history streams by (nested streams too), the objects from before are
    frozen out of the collector and its young threshold is raised; the thresholds and
    the freeze are as before once every stream has ended, also when one is abandoned."""
    import gc

    from handoff.learn.history import GC_YOUNG

    plane = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), default_policy())
    try:
        for n in range(3):
            plane.submit(_ACTIONS["draft"](n))
        history = stream_history(plane.store, check_audit=False, size=1)
        before, frozen = gc.get_threshold(), gc.get_freeze_count()
        seen = []
        for part in history.chunks():
            seen.append((gc.get_threshold()[0], gc.get_freeze_count() > frozen))
            inner = history.chunks()
            next(inner)
            assert gc.get_threshold()[0] == max(before[0], GC_YOUNG)
            inner.close()  # abandoned: the outer stream still holds the collector
            assert gc.get_threshold()[0] == max(before[0], GC_YOUNG)
            assert len(part.handoffs) == 1
        assert seen == [(max(before[0], GC_YOUNG), True)] * 3
        assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
    finally:
        plane.close()

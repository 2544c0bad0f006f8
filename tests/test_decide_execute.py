"""``decide_and_execute``: the approval that completes the quorum claims the execution
in its own transaction, then the stages run.

Crashes are simulated as in tests/test_execution.py: an exception that is not an
``Exception`` stops the work where a kill would (inside the transaction, so it rolls
back; just after its commit; inside the executor), and a new plane on the same database
recovers once the lease has run out. tests/test_crash.py kills real processes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from handoff import ConflictError, ControlPlane, HashMismatch, State
from handoff.audit.trail import verify
from handoff.execute.execution import idempotency_key
from handoff.execute.executors import FilesExecutor
from handoff.policy import Policy, default_policy
from handoff.store import open_store
from handoff.testing import FakeClock

TOOLS = {
    "cms.post": {"level": "medium", "owner": "marketing-ops"},
    "cms.pair": {"level": "high", "owner": "marketing-ops"},  # a quorum of two
    "cms.publish": {
        "level": "medium",
        "owner": "marketing-ops",
        "stages": ["dry_run", "canary", "full"],
    },
}
LEASE = 300


class Died(BaseException):
    """The process dying: nothing after it is recorded."""


class Dying:
    """A files executor whose process dies before (or after) the effect of ``stage``."""

    def __init__(self, inner: FilesExecutor, stage: str, *, after: bool) -> None:
        self.inner, self.stage, self.after = inner, stage, after

    def apply(self, args: Any, stage: str, key: str) -> Any:
        if stage == self.stage and not self.after:
            raise Died
        result = self.inner.apply(args, stage, key)
        if stage == self.stage:
            raise Died
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Recording:
    """A write transaction that remembers the kinds of the events written through it."""

    def __init__(self, tx: Any) -> None:
        self._tx, self.kinds = tx, []

    def event(self, kind: str, **fields: Any) -> Any:
        self.kinds.append(kind)
        return self._tx.event(kind, **fields)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


def die_at_claim(p: ControlPlane, when: str) -> None:
    """Make ``p`` die in the transaction that writes ``execution_started``: before its
    commit (the store rolls it back) or right after it."""
    write = p.store.write

    @contextmanager
    def dying() -> Iterator[Any]:
        with write() as tx:
            rec = _Recording(tx)
            yield rec
            if when == "before_commit" and "execution_started" in rec.kinds:
                raise Died
        if when == "after_commit" and "execution_started" in rec.kinds:
            raise Died

    p.store.write = dying  # type: ignore[method-assign]


def count_commits(p: ControlPlane) -> list[int]:
    commits = [0]
    write = p.store.write

    @contextmanager
    def counting() -> Iterator[Any]:
        with write() as tx:
            yield tx
        commits[0] += 1

    p.store.write = counting  # type: ignore[method-assign]
    return commits


def make_policy() -> Policy:
    base = default_policy().model_dump()
    base["tools"] = {**base["tools"], **TOOLS}
    return Policy.model_validate(base)


def open_plane(url: str, clock: FakeClock, executor: Any) -> ControlPlane:
    p = ControlPlane(open_store(url), make_policy(), clock=clock, lease_seconds=LEASE)
    for tool in TOOLS:
        p.register(tool, executor)
    return p


@pytest.fixture
def files(tmp_path: Path) -> FilesExecutor:
    return FilesExecutor(tmp_path / "site")


@pytest.fixture
def plane(db_url: str, clock: FakeClock, files: FilesExecutor) -> Iterator[ControlPlane]:
    p = open_plane(db_url, clock, files)
    yield p
    p.close()


def post(path: str, tool: str = "cms.post") -> dict[str, Any]:
    return {"tool": tool, "args": {"path": path, "content": "text\n"}, "agent": "bot"}


def kinds(p: ControlPlane, hid: str) -> list[str]:
    return [e.kind for e in p.store.events(hid)]


def approve(p: ControlPlane, hid: str, reviewer: str = "maya") -> Any:
    return p.decide_and_execute(hid, verdict="approve", reviewer=reviewer, rationale="ok")


def test_the_approval_and_the_claim_commit_together(
    plane: ControlPlane, files: FilesExecutor
) -> None:
    hid = plane.submit(post("posts/a.md")).handoff_id
    commits = count_commits(plane)
    out = approve(plane, hid)
    assert out.status == "executed" and out.handoff.state is State.EXECUTED
    assert commits == [2]  # the approval with the claim, then the result
    assert kinds(plane, hid) == [
        "submitted",
        "pending",
        "approved",
        "execution_started",
        "executed",
    ]
    h = plane.get(hid)
    assert h.state is State.EXECUTED and h.execution is not None
    assert h.execution.approved_by == ["maya"] and h.execution.attempts == 1
    assert (files.root / "posts/a.md").read_text() == "text\n"
    assert files.effects(idempotency_key(hid, "full")) == 1
    assert plane.execute(hid).status == "executed"  # a second call runs nothing
    assert files.effects(idempotency_key(hid, "full")) == 1
    assert verify(plane.store).ok


def both_ways(plane: ControlPlane, first: str, second: str) -> tuple[str, str]:
    """Two posts approved and run: the first by ``decide`` then ``execute``, the second
    by ``decide_and_execute``."""
    a = plane.submit(post(f"posts/{first}.md")).handoff_id
    b = plane.submit(post(f"posts/{second}.md")).handoff_id
    plane.decide(a, verdict="approve", reviewer="maya", rationale="ok")
    plane.execute(a)
    approve(plane, b)
    return a, b


def test_it_writes_what_decide_then_execute_write(plane: ControlPlane) -> None:
    """The same events with the same data, the same stored handoff but its version."""
    one, two = both_ways(plane, "one", "two")
    a, b = plane.store.events(one), plane.store.events(two)
    assert [(e.kind, e.actor) for e in a] == [(e.kind, e.actor) for e in b]
    ignore = {"idempotency_key", "action_hash", "result_sha256", "path"}
    assert [{k: v for k, v in e.data.items() if k not in ignore} for e in a] == [
        {k: v for k, v in e.data.items() if k not in ignore} for e in b
    ]
    ha, hb = plane.get(one), plane.get(two)
    assert (ha.state, ha.decisions[0].verdict) == (hb.state, hb.decisions[0].verdict)
    assert hb.version == ha.version - 1  # one compare-and-set fewer


def test_the_first_of_a_quorum_of_two_does_not_claim(
    plane: ControlPlane, files: FilesExecutor
) -> None:
    hid = plane.submit(post("posts/pair.md", "cms.pair")).handoff_id
    assert plane.get(hid).assessment.quorum == 2
    commits = count_commits(plane)
    first = approve(plane, hid, "maya")
    assert first.status == "pending" and first.handoff.state is State.PENDING
    assert commits == [1]
    assert kinds(plane, hid) == ["submitted", "pending", "approval_recorded"]
    assert plane.get(hid).execution is None
    assert not (files.root / "posts/pair.md").exists()
    second = approve(plane, hid, "marco")
    assert second.status == "executed" and commits == [3]
    assert kinds(plane, hid)[-3:] == ["approved", "execution_started", "executed"]
    h = plane.get(hid)
    assert h.execution is not None and sorted(h.execution.approved_by) == ["marco", "maya"]
    assert files.effects(idempotency_key(hid, "full")) == 1
    assert verify(plane.store).ok


@pytest.mark.parametrize(
    ("verdict", "state"),
    [
        ({"verdict": "reject", "rationale": "no"}, State.REJECTED),
        ({"verdict": "redirect", "rationale": "which post?"}, State.NEEDS_INFO),
    ],
)
def test_a_verdict_that_does_not_approve_is_a_plain_decision(
    plane: ControlPlane, files: FilesExecutor, verdict: dict[str, Any], state: State
) -> None:
    one = plane.submit(post("posts/b.md")).handoff_id
    two = plane.submit(post("posts/b.md")).handoff_id
    commits = count_commits(plane)
    out = plane.decide_and_execute(two, reviewer="maya", **verdict)
    assert out.handoff.state is state and commits == [1]
    plane.decide(one, reviewer="maya", **verdict)
    assert kinds(plane, one) == kinds(plane, two)
    assert "execution_started" not in kinds(plane, two)
    assert not (files.root / "posts/b.md").exists()


def test_without_an_executor_the_approval_stands_alone(plane: ControlPlane) -> None:
    hid = plane.submit(post("posts/c.md", tool="cms.unregistered")).handoff_id
    out = approve(plane, hid)
    assert out.status == "approved" and out.handoff.state is State.APPROVED
    assert kinds(plane, hid) == ["submitted", "pending", "approved"]
    claim = plane.claim(hid)  # the agent runs it itself, as after ``decide``
    assert not hasattr(claim, "status")


def test_args_edited_in_the_database_are_refused_after_the_approval(
    plane: ControlPlane, files: FilesExecutor
) -> None:
    """As ``decide`` then ``execute``: the approval commits, the refusal is audited."""
    hid = plane.submit(post("posts/e.md")).handoff_id
    h = plane.get(hid)
    h.action.args["content"] = "swapped before the approval\n"
    with plane.store.write() as tx:  # someone with database access edits the stored args
        tx.update(h, State.PENDING, h.version)
    with pytest.raises(HashMismatch):
        approve(plane, hid)
    assert plane.get(hid).state is State.APPROVED
    assert kinds(plane, hid) == ["submitted", "pending", "approved", "execution_refused"]
    assert not (files.root / "posts/e.md").exists()
    assert verify(plane.store).ok


def test_a_verdict_after_the_run_gets_the_answer_it_gets_today(plane: ControlPlane) -> None:
    old, new = both_ways(plane, "old", "new")
    answers = []
    for hid in (old, new):
        with pytest.raises(ConflictError) as err:
            plane.decide(hid, verdict="reject", reviewer="marco", rationale="no")
        answers.append((err.value.field, err.value.message.replace(hid, "ID")))
        with pytest.raises(ConflictError) as err:
            approve(plane, hid, "marco")
        answers.append((err.value.field, err.value.message.replace(hid, "ID")))
    assert answers[:2] == answers[2:]
    assert answers[0][0] == "state"


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads released at once; each one's value or ``ConflictError``."""
    answers: list[Any] = [None] * len(calls)
    gate = threading.Barrier(len(calls))

    def one(i: int) -> None:
        gate.wait()
        try:
            answers[i] = calls[i]()
        except ConflictError as exc:
            answers[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


@pytest.mark.parametrize("tool", ["cms.post", "cms.pair"])
def test_racing_verdicts_have_one_winner_and_one_run(
    db_url: str, clock: FakeClock, files: FilesExecutor, tool: str
) -> None:
    """Two processes (two planes on one database) decide at once: an approve that runs
    against a reject, or the two approvals of a quorum of two."""
    one, two = (open_plane(db_url, clock, files) for _ in range(2))
    try:
        for n in range(6):
            hid = one.submit(post(f"posts/race{n}.md", tool)).handoff_id
            if tool == "cms.pair":  # both approvals count; exactly one of them claims
                answers = race(
                    partial(approve, one, hid, "maya"), partial(approve, two, hid, "marco")
                )
                assert not any(isinstance(a, ConflictError) for a in answers), answers
            else:  # exactly one winner; the loser gets a conflict on the state
                reject = partial(two.decide, hid, verdict="reject", reviewer="marco", rationale="x")
                answers = race(partial(approve, one, hid, "maya"), reject)
                lost = [a for a in answers if isinstance(a, ConflictError)]
                assert len(lost) == 1 and lost[0].field == "state", answers
            trail = kinds(one, hid)
            h = one.get(hid)
            assert trail.count("approved") + trail.count("rejected") == 1
            assert trail.count("approval_recorded") == (tool == "cms.pair")
            assert h.state in (State.EXECUTED, State.REJECTED)
            ran = h.state is State.EXECUTED
            assert trail.count("execution_started") == int(ran)
            assert files.effects(idempotency_key(hid, "full")) == int(ran)
        assert verify(one.store).ok
    finally:
        one.close()
        two.close()


def test_a_crash_before_the_commit_leaves_the_handoff_pending(
    db_url: str, clock: FakeClock, files: FilesExecutor
) -> None:
    with open_plane(db_url, clock, files) as dying:
        hid = dying.submit(post("posts/f.md")).handoff_id
        die_at_claim(dying, "before_commit")
        with pytest.raises(Died):
            approve(dying, hid)
    clock.advance(LEASE + 1)
    with open_plane(db_url, clock, files) as restarted:
        assert restarted.get(hid).state is State.PENDING
        assert kinds(restarted, hid) == ["submitted", "pending"]  # the approval went with the claim
        assert restarted.recover().count == 0
        assert approve(restarted, hid).status == "executed"  # the reviewer approves again
        assert kinds(restarted, hid)[2:] == ["approved", "execution_started", "executed"]
        assert files.effects(idempotency_key(hid, "full")) == 1
        assert verify(restarted.store).ok


@pytest.mark.parametrize(
    ("tool", "crash"),
    [
        ("cms.post", "after_commit"),  # the claim committed, no stage started
        ("cms.post", "before_effect"),  # inside the executor, before the effect
        ("cms.post", "after_effect"),  # after the effect, before its commit
        ("cms.publish", "after_commit"),
        ("cms.publish", "dry_run"),  # before the first of three stages
        ("cms.publish", "canary"),  # in the middle of the plan, after the effect
        ("cms.publish", "full"),  # the last stage, after the effect
    ],
)
def test_a_crash_after_the_commit_is_recovered_exactly_once(
    db_url: str, clock: FakeClock, files: FilesExecutor, tool: str, crash: str
) -> None:
    executor: Any = files
    if crash in ("before_effect", "after_effect"):
        executor = Dying(files, "full", after=crash == "after_effect")
    elif crash != "after_commit":
        executor = Dying(files, crash, after=True)
    with open_plane(db_url, clock, executor) as dying:
        hid = dying.submit(post("posts/d.md", tool)).handoff_id
        if crash == "after_commit":
            die_at_claim(dying, "after_commit")
        with pytest.raises(Died):
            approve(dying, hid)
        h = dying.get(hid)
        assert h.state is State.EXECUTING and h.execution is not None
        assert kinds(dying, hid)[2:4] == ["approved", "execution_started"]
        assert dying.recover().held == [hid]  # the dead worker's lease still holds
    clock.advance(LEASE + 1)
    with open_plane(db_url, clock, files) as restarted:
        assert restarted.recover().completed == [hid]
        assert restarted.recover().count == 0  # and only once
        h = restarted.get(hid)
        assert h.state is State.EXECUTED and h.execution is not None
        assert h.execution.attempts == 2
        for stage in h.execution.plan:
            assert files.effects(idempotency_key(hid, stage)) <= 1
        assert files.effects(idempotency_key(hid, "full")) == 1
        assert (files.root / "posts/d.md").read_text() == "text\n"
        trail = kinds(restarted, hid)
        assert trail.count("approved") == trail.count("execution_started") == 1
        assert trail.count("execution_resumed") == 1 and trail[-1] == "executed"
        assert verify(restarted.store).ok

"""``decide_and_execute``: the approval and the claim it allows in one commit.

Crashes are simulated as in tests/test_execution.py: an exception that is not an
``Exception`` stops the process's work where a kill would, and a new plane on the same
database recovers once the lease has run out (tests/test_crash.py kills real processes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handoff import ControlPlane, State
from handoff.audit.trail import verify
from handoff.execute.execution import idempotency_key
from handoff.execute.executors import FilesExecutor
from handoff.policy import Policy, default_policy
from handoff.store import open_store
from handoff.testing import FakeClock

TOOLS = {
    "cms.post": {"level": "medium", "owner": "marketing-ops"},
    "cms.publish": {
        "level": "medium",
        "owner": "marketing-ops",
        "stages": ["dry_run", "canary", "full"],
    },
}


class Died(BaseException):
    """The process dying inside the executor: nothing after it is recorded."""


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


def make_policy() -> Policy:
    base = default_policy().model_dump()
    base["tools"] = {**base["tools"], **TOOLS}
    return Policy.model_validate(base)


@pytest.fixture
def files(tmp_path: Path) -> FilesExecutor:
    return FilesExecutor(tmp_path / "site")


@pytest.fixture
def plane(db_url: str, clock: FakeClock, files: FilesExecutor) -> Iterator[ControlPlane]:
    p = ControlPlane(open_store(db_url), make_policy(), clock=clock)
    for tool in TOOLS:
        p.register(tool, files)
    yield p
    p.close()


def post(path: str, tool: str = "cms.post") -> dict[str, Any]:
    return {"tool": tool, "args": {"path": path, "content": "text\n"}, "agent": "bot"}


def kinds(p: ControlPlane, hid: str) -> list[str]:
    return [e.kind for e in p.store.events(hid)]


def count_commits(p: ControlPlane) -> list[int]:
    commits = [0]
    write = p.store.write

    def counting() -> Any:
        commits[0] += 1
        return write()

    p.store.write = counting  # type: ignore[method-assign]
    return commits


def test_the_approval_and_the_claim_commit_together(
    plane: ControlPlane, files: FilesExecutor
) -> None:
    hid = plane.submit(post("posts/a.md")).handoff_id
    commits = count_commits(plane)
    h = plane.decide_and_execute(hid, verdict="approve", reviewer="maya", rationale="ok")
    assert h.state is State.EXECUTED
    assert commits == [2]  # the decision with the claim, then the result
    assert kinds(plane, hid)[-3:] == ["approved", "execution_started", "executed"]
    assert (files.root / "posts/a.md").read_text() == "text\n"
    assert files.effects(idempotency_key(hid, "full")) == 1
    assert plane.execute(hid).status == "executed"  # a second call runs nothing
    assert files.effects(idempotency_key(hid, "full")) == 1
    assert verify(plane.store).ok


def test_a_decision_that_does_not_approve_runs_nothing(
    plane: ControlPlane, files: FilesExecutor
) -> None:
    hid = plane.submit(post("posts/b.md")).handoff_id
    h = plane.decide_and_execute(hid, verdict="reject", reviewer="maya", rationale="no")
    assert h.state is State.REJECTED
    assert "execution_started" not in kinds(plane, hid)
    assert not (files.root / "posts/b.md").exists()


def test_without_an_executor_the_decision_commits_and_execute_says_why(
    plane: ControlPlane,
) -> None:
    hid = plane.submit(post("posts/c.md", tool="cms.unregistered")).handoff_id
    with pytest.raises(Exception, match=r"cms\.unregistered"):
        plane.decide_and_execute(hid, verdict="approve", reviewer="maya", rationale="ok")
    assert plane.get(hid).state is State.APPROVED  # the approval stands; nothing claimed


@pytest.mark.parametrize(
    ("tool", "stage", "after"),
    [
        ("cms.post", "full", False),  # between the commit and the effect
        ("cms.post", "full", True),  # after the effect, before its commit
        ("cms.publish", "dry_run", False),  # before the first of three stages
        ("cms.publish", "canary", True),
    ],
)
def test_a_crash_after_the_commit_is_recovered_to_one_effect(
    db_url: str, clock: FakeClock, files: FilesExecutor, tool: str, stage: str, after: bool
) -> None:
    with ControlPlane(open_store(db_url), make_policy(), clock=clock) as dying:
        dying.register(tool, Dying(files, stage, after=after))
        hid = dying.submit(post("posts/d.md", tool)).handoff_id
        with pytest.raises(Died):
            dying.decide_and_execute(hid, verdict="approve", reviewer="maya", rationale="ok")
        assert dying.get(hid).state is State.EXECUTING
        assert dying.recover().held == [hid]  # the dead worker's lease still holds
    clock.advance(300 + 1)
    with ControlPlane(open_store(db_url), make_policy(), clock=clock) as restarted:
        restarted.register(tool, files)
        assert restarted.recover().completed == [hid]
        h = restarted.get(hid)
        assert h.state is State.EXECUTED and h.execution is not None
        assert h.execution.attempts == 2
        plan = h.execution.plan
        assert all(files.effects(idempotency_key(hid, s)) <= 1 for s in plan)
        assert files.effects(idempotency_key(hid, "full")) == 1
        assert (files.root / "posts/d.md").read_text() == "text\n"
        trail = kinds(restarted, hid)
        started = trail.index("execution_started")
        assert trail[started - 1] == "approved" and trail.count("execution_started") == 1
        assert "execution_resumed" in trail and trail[-1] == "executed"
        assert verify(restarted.store).ok

"""Execute: stages, confirmation, rollback, the change log and recovery, on a real store.

The ``files`` executor writes into a temp directory, so every effect asserted here is a
real file; crashes are simulated by stopping between the claim and the finish, the way
a killed process leaves them (tests/test_crash.py kills real processes).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from handoff import (
    ControlPlane,
    ExecutionError,
    HandoffError,
    HashMismatch,
    Mode,
    NotAuthorized,
    Outcome,
    State,
)
from handoff.audit.trail import verify
from handoff.cli.commands import app
from handoff.cli.demo import run as run_demo
from handoff.execute import _stages
from handoff.execute.execution import (
    Confirmation,
    RollbackImpossible,
    idempotency_key,
    rollback_rate,
    stage_plan,
)
from handoff.execute.executors import FilesExecutor
from handoff.policy import Policy, default_policy
from handoff.store import open_store
from handoff.testing import FakeClock

TOOLS = {
    "cms.publish": {
        "level": "medium",
        "owner": "marketing-ops",
        "stages": ["dry_run", "canary", "full"],
    },
    "cms.quick": {"level": "low"},
    "cms.note": {"level": "low", "stages": ["dry_run", "full"]},
}


def make_policy(**tools: Any) -> Policy:
    base = default_policy().model_dump()
    base["tools"] = {**base["tools"], **TOOLS, **tools}
    return Policy.model_validate(base)


def banned_words(path: str, text: str) -> str | None:
    return "the post says 'guaranteed'" if "guaranteed" in text else None


@pytest.fixture
def plane(db_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[ControlPlane]:
    p = ControlPlane(open_store(db_url), make_policy(), clock=clock)
    files = FilesExecutor(tmp_path / "site", check=banned_words)
    for tool in TOOLS:
        p.register(tool, files)
    p.files = files  # type: ignore[attr-defined]
    yield p
    p.close()


def post(path: str, content: str, tool: str = "cms.publish") -> dict[str, Any]:
    return {"tool": tool, "args": {"path": path, "content": content}, "agent": "bot"}


def approve(p: ControlPlane, hid: str) -> None:
    p.decide(hid, verdict="approve", reviewer="maya", rationale="reads well")


def kinds(p: ControlPlane, hid: str) -> list[str]:
    return [e.kind for e in p.store.events(hid)]


def site(p: ControlPlane) -> Path:
    return p.files.root  # type: ignore[attr-defined, no-any-return]


def test_auto_path_with_one_stage_takes_two_commits(plane: ControlPlane) -> None:
    commits = 0
    write = plane.store.write

    def counting() -> Any:
        nonlocal commits
        commits += 1
        return write()

    plane.store.write = counting  # type: ignore[method-assign]
    out = plane.submit(post("notes/a.md", "hello\n", tool="cms.quick"))
    assert out.status == "executed" and commits == 2  # claim (with the insert) + finish
    assert (site(plane) / "notes/a.md").read_text() == "hello\n"
    ex = plane.get(out.handoff_id).execution
    assert ex is not None and ex.approved_by == ["policy"] and ex.plan == ["full"]
    assert ex.versions == {"before": None, "after": 1}


def test_staged_release_records_each_stage_and_the_change_log(plane: ControlPlane) -> None:
    (site(plane) / "posts").mkdir(parents=True)
    (site(plane) / "posts/launch.md").write_text("old\n")
    out = plane.submit(post("posts/launch.md", "new\n"))
    assert out.status == "pending"
    preview = out.handoff.package.preview if out.handoff.package else None
    assert preview is not None and "-old\n+new\n" in preview["diff"]
    approve(plane, out.handoff_id)
    done = plane.execute(out.handoff_id)
    assert done.status == "executed"
    h = plane.get(out.handoff_id)
    assert h.execution is not None
    assert [s.stage for s in h.execution.stages] == ["dry_run", "canary", "full"]
    assert [s.idempotency_key for s in h.execution.stages] == [
        idempotency_key(h.id, s) for s in ("dry_run", "canary", "full")
    ]
    assert h.execution.approved_by == ["maya"]
    assert h.execution.versions == {"before": None, "after": 1}  # first version kept by us
    assert (site(plane) / "posts/launch.md").read_text() == "new\n"
    assert (site(plane) / ".canary/posts/launch.md").read_text() == "new\n"
    assert kinds(plane, h.id)[-4:] == [
        "execution_started",
        "stage_completed",
        "stage_completed",
        "executed",
    ]
    assert plane.execute(h.id).status == "executed"  # a second call runs nothing
    assert plane.files.effects(idempotency_key(h.id, "full")) == 1  # type: ignore[attr-defined]
    assert [x.id for x in plane.store.executions(tool="cms.publish")] == [h.id]
    assert verify(plane.store).ok


def test_failed_canary_confirmation_rolls_back(plane: ControlPlane) -> None:
    out = plane.submit(post("posts/deal.md", "A guaranteed win\n"))
    approve(plane, out.handoff_id)
    done = plane.execute(out.handoff_id)
    h = plane.get(out.handoff_id)
    assert done.status == "failed" and h.state is State.ROLLED_BACK
    assert h.execution is not None and "confirmation failed in canary" in (h.execution.error or "")
    assert [s.stage for s in h.execution.stages] == ["dry_run", "canary"]
    assert not (site(plane) / ".canary/posts/deal.md").exists()  # the canary was undone
    assert not (site(plane) / "posts/deal.md").exists()  # full never ran
    assert kinds(plane, h.id)[-3:] == ["stage_completed", "confirmation_failed", "rolled_back"]
    assert verify(plane.store).ok
    rates = {(r.tool, r.owner): r for r in rollback_rate(plane.store)}
    assert rates[("cms.publish", "marketing-ops")].rate == 1.0


def test_args_changed_in_the_call_are_refused_and_audited(plane: ControlPlane) -> None:
    out = plane.submit(post("posts/a.md", "approved text\n"))
    approve(plane, out.handoff_id)
    with pytest.raises(HashMismatch) as err:
        plane.execute(out.handoff_id, args={"path": "posts/a.md", "content": "other text\n"})
    assert err.value.field == "args"
    assert kinds(plane, out.handoff_id)[-1] == "execution_refused"
    assert plane.get(out.handoff_id).state is State.APPROVED
    assert not (site(plane) / "posts/a.md").exists()


def test_args_changed_in_the_database_mid_release_are_refused(plane: ControlPlane) -> None:
    out = plane.submit(post("posts/b.md", "approved text\n"))
    approve(plane, out.handoff_id)
    h = _stages.claim_execution(plane, plane.get(out.handoff_id), ["canary", "full"])
    h.action.args["content"] = "swapped after approval\n"
    with plane.store.write() as tx:  # someone with database access edits the stored args
        tx.update(h, State.EXECUTING, h.version)
    with pytest.raises(HashMismatch):
        _stages.run(plane, plane.get(h.id))
    got = plane.get(h.id)
    assert got.state is State.FAILED and "refused" in (got.execution.error or "")  # type: ignore[union-attr]
    assert "execution_refused" in kinds(plane, h.id)
    assert not (site(plane) / "posts/b.md").exists()
    assert not (site(plane) / ".canary/posts/b.md").exists()
    assert verify(plane.store).ok


def test_a_preview_never_reads_through_a_symlink_out_of_the_root(
    plane: ControlPlane, tmp_path: Path
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    site(plane).mkdir(parents=True)
    (site(plane) / "leak.md").symlink_to(secret)
    out = plane.submit(post("leak.md", "hello\n"))  # cms.publish waits for a reviewer
    assert out.pending and out.handoff.package is not None
    assert "root:x" not in json.dumps(out.handoff.model_dump(mode="json"))
    error = (out.handoff.package.preview or {}).get("error", "")
    assert "'leak.md'" in error and "outside the publishing directory" in error
    approve(plane, out.handoff_id)
    with pytest.raises(ExecutionError, match=r"'leak\.md' leads outside"):
        plane.execute(out.handoff_id)
    assert plane.get(out.handoff_id).state is State.FAILED
    assert secret.read_text() == "root:x:0:0:root:/root:/bin/bash\n"


def test_rollback_is_a_gated_audited_action(plane: ControlPlane) -> None:
    first = plane.submit(post("notes/r.md", "one\n", tool="cms.quick"))
    second = plane.submit(post("notes/r.md", "two\n", tool="cms.quick"))
    assert (site(plane) / "notes/r.md").read_text() == "two\n"
    with pytest.raises(Exception, match="rationale"):
        plane.rollback(second.handoff_id, actor="maya", rationale=" ")
    out = roll_back(plane, second.handoff_id)
    assert out.status == "executed"
    assert (site(plane) / "notes/r.md").read_text() == "one\n"
    h = plane.get(second.handoff_id)
    assert h.state is State.ROLLED_BACK
    assert kinds(plane, h.id)[-1] == "rolled_back"
    assert plane.store.events(h.id)[-1].actor == "maya"
    with pytest.raises(Exception, match="only an executed one"):
        plane.rollback(second.handoff_id, actor="maya", rationale="again")
    with pytest.raises(Exception, match="cannot be rolled back"):
        plane.rollback(out.handoff_id, actor="maya", rationale="undo the undo")
    # a later change is live, so undoing the first version would clobber it: refused
    plane.submit(post("notes/r.md", "three\n", tool="cms.quick"))
    with pytest.raises(ExecutionError, match="later version"):
        roll_back(plane, first.handoff_id, why="older one too")
    assert plane.get(first.handoff_id).state is State.EXECUTED
    assert verify(plane.store).ok


def test_rollback_waits_for_a_reviewer_when_the_policy_says_so(
    db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    policy = make_policy(**{"handoff.rollback": {"level": "medium", "owner": "marketing-ops"}})
    with ControlPlane(open_store(db_url), policy, clock=clock) as p:
        p.register("cms.quick", FilesExecutor(tmp_path))
        hid = p.submit(post("a.md", "x\n", tool="cms.quick")).handoff_id
        req = p.rollback(hid, actor="maya", rationale="typo")
        assert req.status == "pending"
        assert req.handoff.package and req.handoff.package.preview
        with pytest.raises(NotAuthorized):
            p.decide(req.handoff_id, verdict="approve", reviewer="maya", rationale="mine")
        p.decide(req.handoff_id, verdict="approve", reviewer="marco", rationale="ok")
        assert p.execute(req.handoff_id).status == "executed"
        assert p.get(hid).state is State.ROLLED_BACK
        assert not (tmp_path / "a.md").exists()


def test_rollback_rate_per_tool_and_owner(plane: ControlPlane) -> None:
    for i in range(3):
        plane.submit(post(f"n/{i}.md", "x\n", tool="cms.quick"))
    hid = plane.submit(post("n/9.md", "x\n", tool="cms.quick")).handoff_id
    roll_back(plane, hid, why="no")
    (rate,) = [r for r in plane.rollback_rate() if r.tool == "cms.quick"]
    assert (rate.executed, rate.rolled_back, rate.failed) == (3, 1, 0)
    assert rate.rate == 0.25
    assert all(r.tool != "handoff.rollback" for r in plane.rollback_rate())


class Flaky:
    """An executor whose apply fails in the stage named, with a rollback that may fail."""

    stages = ("canary", "full")

    def __init__(self, fail_in: str, rollback_ok: bool = True) -> None:
        self.fail_in, self.rollback_ok = fail_in, rollback_ok
        self.applied: list[str] = []
        self.undone: list[str] = []

    def apply(self, args: Any, stage: str, idempotency_key: str) -> Any:
        if stage == self.fail_in:
            raise RuntimeError("the target is down")
        self.applied.append(idempotency_key)
        return {"stage": stage}

    def confirm(self, result: Any) -> Confirmation:
        return (
            Confirmation.failed("nothing found")
            if result.get("recovering")
            else Confirmation.passed()
        )

    def rollback(self, result: Any) -> Any:
        if not self.rollback_ok:
            raise RollbackImpossible("the message was already sent")
        self.undone.append(result["stage"])
        return None


@pytest.mark.parametrize("rollback_ok", [True, False])
def test_apply_failure_after_canary_undoes_or_says_why_not(
    db_url: str, clock: FakeClock, rollback_ok: bool
) -> None:
    policy = make_policy(**{"mail.send": {"level": "low", "stages": ["canary", "full"]}})
    with ControlPlane(open_store(db_url), policy, clock=clock) as p:
        ex = Flaky("full", rollback_ok)
        p.register("mail.send", ex)
        with pytest.raises(ExecutionError, match="target is down"):
            p.submit({"tool": "mail.send", "args": {"to": "ops@example.com"}, "agent": "bot"})
        (h,) = p.store.executions()
        assert h.state is State.FAILED
        if rollback_ok:
            assert ex.undone == ["canary"]
        else:
            assert "already sent" in (h.execution.error or "")  # type: ignore[union-attr]
        assert verify(p.store).ok


def test_stage_plan_follows_policy_and_executor(tmp_path: Path) -> None:
    policy = make_policy()
    files = FilesExecutor(tmp_path)
    assert stage_plan(policy, "cms.publish", files) == ["dry_run", "canary", "full"]
    assert stage_plan(policy, "cms.quick", files) == ["full"]
    assert stage_plan(policy, "cms.publish", Flaky("x")) == ["canary", "full"]


# -- recovery -----------------------------------------------------------------------


def crashed_after_apply(p: ControlPlane, hid: str) -> str:
    """Claim and apply the full stage, then stop before the commit, like a kill would."""
    h = _stages.claim_execution(p, p.get(hid), ["full"])
    key = idempotency_key(h.id, "full")
    p.executors.get(h.action.tool).apply(h.action.args, "full", key)
    return key


def test_recover_reconciles_an_applied_stage_through_confirm(
    plane: ControlPlane, clock: FakeClock, db_url: str
) -> None:
    out = plane.submit(post("posts/c.md", "text\n"))
    approve(plane, out.handoff_id)
    key = crashed_after_apply(plane, out.handoff_id)
    assert plane.recover().held == [out.handoff_id]  # the lease is still the dead worker's
    clock.advance(plane.lease.total_seconds() + 1)
    with ControlPlane(open_store(db_url), plane.policy, clock=clock) as restarted:
        restarted.register("cms.publish", plane.files)  # type: ignore[attr-defined]
        report = restarted.recover()
        assert report.completed == [out.handoff_id]
    h = plane.get(out.handoff_id)
    assert h.state is State.EXECUTED and h.execution and h.execution.attempts == 2
    assert plane.files.effects(key) == 1  # type: ignore[attr-defined]
    assert "execution_resumed" in kinds(plane, h.id)
    assert verify(plane.store).ok


def test_recover_applies_again_with_the_same_key(plane: ControlPlane, clock: FakeClock) -> None:
    out = plane.submit(post("posts/d.md", "text\n"))
    approve(plane, out.handoff_id)
    _stages.claim_execution(plane, plane.get(out.handoff_id), ["full"])  # crashed after claim
    clock.advance(plane.lease.total_seconds() + 1)
    assert plane.recover().completed == [out.handoff_id]
    assert (site(plane) / "posts/d.md").read_text() == "text\n"
    assert plane.files.effects(idempotency_key(out.handoff_id, "full")) == 1  # type: ignore[attr-defined]
    assert plane.recover().count == 0  # nothing left


def test_recover_does_not_call_a_plain_function_twice(db_url: str, clock: FakeClock) -> None:
    class Died(BaseException):
        """The process dying inside the call: nothing after it is recorded."""

    with ControlPlane(open_store(db_url), make_policy(), clock=clock) as p:
        calls: list[Any] = []
        dying = True

        def call(**a: Any) -> None:
            calls.append(a)
            if dying:
                raise Died

        p.register("cms.quick", call)
        p.register("cms.note", call, idempotent=True)
        for tool in ("cms.quick", "cms.note"):
            with pytest.raises(Died):
                p.submit({"tool": tool, "args": {"n": 1}, "agent": "b"})
        dying = False
        calls.clear()
        clock.advance(p.lease.total_seconds() + 1)
        report = p.recover()
        assert len(report.failed) == 1 and len(report.completed) == 1
        (failed,) = [p.get(i) for i in report.failed]
        assert failed.action.tool == "cms.quick"
        assert failed.execution and failed.execution.error == "interrupted; outcome unknown"
        assert calls == [{"n": 1}]  # only the idempotent one ran again


# -- the commands ----------------------------------------------------------------------


def test_executions_rollback_and_recover_commands(tmp_path: Path) -> None:
    def invoke(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, list(args))
        return result.exit_code, result.stdout, result.stderr

    db = tmp_path / "handoff-demo.db"
    with open(os.devnull, "w") as sink:
        assert run_demo(db, console=Console(file=sink)) == []
    code, out, _ = invoke("executions", "--db", str(db), "--tool", "cms.publish", "--json")
    assert code == 0
    log = json.loads(out)
    states = [e["state"] for e in log["executions"]]
    assert states == ["rolled_back", "executed"]
    live = log["executions"][1]
    assert live["stages"] == ["dry_run", "canary", "full"] and live["approved_by"] == ["fiona"]
    assert any(r["tool"] == "cms.publish" and r["rolled_back"] == 1 for r in log["rollback_rate"])
    code, out, _ = invoke("executions", "--db", str(db))
    assert code == 0 and "change log" in out and "rollback rate" in out

    page = tmp_path / "handoff-demo-out/posts/pro-plan-pricing-update.md"
    assert page.exists()
    hid = live["handoff_id"]
    owner = live["owner"]
    asker, approver = sorted(default_policy().members_of(owner) - {"fiona"})[:2]
    code, _, err = invoke("rollback", hid, "--actor", asker, "--rationale", " ", "--db", str(db))
    assert code == 2 and "rationale" in err
    code, _, err = invoke("rollback", hid, "--actor", "dana", "--rationale", "x", "--db", str(db))
    assert code == 3 and f"not a member of the owning team {owner}" in err  # not their team
    code, _, err = invoke("rollback", hid, "--actor", asker, "--rationale", "x", "--db", str(db))
    assert code == 2 and "no executor" in err  # nothing changed without the executors
    load = ("--db", str(db), "--executors", "handoff.cli.demo:register_executors")
    code, out, _ = invoke(
        "rollback", hid, "--actor", asker, "--rationale", "published too early", "--json", *load
    )
    assert code == 0 and json.loads(out)["status"] == "pending"  # always reviewed
    assert page.exists()
    req = json.loads(out)["handoff_id"]
    code, out, err = invoke(
        "decide", req, "--approve", "--as", approver, "--why", "ok", "--execute", *load
    )
    assert code == 0 and "executed" in out, err
    assert not page.exists()  # the first version had no predecessor: the page is gone
    code, out, _ = invoke("executions", "--db", str(db), "--json", "--tool", "cms.publish")
    assert [e["state"] for e in json.loads(out)["executions"]] == ["rolled_back", "rolled_back"]
    code, out, _ = invoke("recover", "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["completed"] == []
    code, _, err = invoke("audit", "verify", "--db", str(db))
    assert code == 0


class CanaryStuck(Flaky):
    """Its full stage can be undone; its canary cannot."""

    def rollback(self, result: Any) -> Any:
        if result["stage"] == "canary":
            raise RollbackImpossible("the canary recipients already read it")
        self.undone.append(result["stage"])
        return None


def test_a_partial_rollback_is_recorded_with_what_could_not_be_undone(
    db_url: str, clock: FakeClock
) -> None:
    policy = make_policy(**{"mail.send": {"level": "low", "stages": ["canary", "full"]}})
    with ControlPlane(open_store(db_url), policy, clock=clock) as p:
        ex = CanaryStuck("none")
        p.register("mail.send", ex)
        hid = p.submit(
            {"tool": "mail.send", "args": {"to": "ops@example.com"}, "agent": "bot"}
        ).handoff_id
        assert roll_back(p, hid, "wrong list", ("priya", "pablo")).status == "executed"
        h = p.get(hid)
        assert h.state is State.ROLLED_BACK and ex.undone == ["full"]
        assert h.execution and h.execution.rollback["incomplete"] == (
            "the canary recipients already read it"
        )
        assert p.store.events(hid)[-1].data["incomplete"]
        assert isinstance(RollbackImpossible("x"), HandoffError)
        assert verify(p.store).ok


# -- who may roll back ------------------------------------------------------------------


def roll_back(
    p: ControlPlane, hid: str, why: str = "wrong copy", team: tuple[str, str] = ("maya", "marco")
) -> Outcome:
    """A rollback the way it must go: one of the team asks, another approves, it runs."""
    asker, approver = team
    req = p.rollback(hid, actor=asker, rationale=why)
    assert req.status == "pending"
    p.decide(req.handoff_id, verdict="approve", reviewer=approver, rationale="undo it")
    return p.execute(req.handoff_id)


def test_an_agent_cannot_submit_the_planes_own_tools(plane: ControlPlane) -> None:
    mine = {**post("notes/alice.md", "alice\n", tool="cms.quick"), "agent": "alice"}
    done = plane.submit(mine)
    assert done.status == "executed"
    before = (plane.store.count_by_state(), plane.store.head())
    for tool in ("handoff.rollback", "HANDOFF.rollback", "handoff.anything"):
        attack = {
            "tool": tool,
            "args": {"handoff_id": done.handoff_id, "why": "mine now"},
            "agent": "bob",
        }
        with pytest.raises(NotAuthorized) as err:
            plane.submit(attack)
        assert err.value.field == "tool"
    assert (plane.store.count_by_state(), plane.store.head()) == before
    assert plane.get(done.handoff_id).state is State.EXECUTED
    assert (site(plane) / "notes/alice.md").read_text() == "alice\n"


def test_only_a_reviewer_of_the_owning_team_or_an_admin_asks_for_a_rollback(
    plane: ControlPlane,
) -> None:
    hid = plane.submit(post("notes/t.md", "x\n", tool="cms.quick")).handoff_id
    assert plane.get(hid).owner == "marketing-ops"
    before = (plane.store.count_by_state(), plane.store.head())
    for who in ("bot", "olga", "fiona"):  # the agent, a stranger, another team's member
        with pytest.raises(NotAuthorized) as err:
            plane.rollback(hid, actor=who, rationale="undo")
        assert err.value.field == "actor"
    assert (plane.store.count_by_state(), plane.store.head()) == before
    assert plane.rollback(hid, actor="mona", rationale="the lead asks").status == "pending"
    other = plane.submit(post("notes/u.md", "x\n", tool="cms.quick")).handoff_id
    assert plane.rollback(other, actor="root", rationale="admin", admin=True).status == "pending"


def test_a_rollback_always_waits_for_review_whatever_the_policy_says(
    db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    policy = make_policy(**{"handoff.rollback": {"level": "low", "mode": "auto"}})
    with ControlPlane(open_store(db_url), policy, clock=clock) as p:
        p.register("cms.quick", FilesExecutor(tmp_path))
        hid = p.submit(post("a.md", "x\n", tool="cms.quick")).handoff_id
        req = p.rollback(hid, actor="maya", rationale="typo")
        assert req.status == "pending" and req.handoff.assessment.mode is Mode.REVIEW
        assert req.handoff.owner == "marketing-ops"  # the original's team decides
        assert (tmp_path / "a.md").exists() and p.get(hid).state is State.EXECUTED
        with pytest.raises(NotAuthorized):
            p.decide(req.handoff_id, verdict="approve", reviewer="maya", rationale="mine")
        p.decide(req.handoff_id, verdict="approve", reviewer="marco", rationale="ok")
        assert p.execute(req.handoff_id).status == "executed"
        assert p.get(hid).state is State.ROLLED_BACK and not (tmp_path / "a.md").exists()

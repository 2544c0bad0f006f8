"""The built-in executors against real targets: a temp directory and a local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from handoff import ControlPlane, InputError, State
from handoff.audit.trail import verify
from handoff.execute.execution import Confirmation, RollbackImpossible
from handoff.execute.executors import FilesExecutor, HttpExecutor
from handoff.policy import Policy, default_policy
from handoff.testing import memory_plane
from reliability.receiver import Receiver

# -- files ---------------------------------------------------------------------------


def test_files_preview_is_a_unified_diff_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts/a.md").write_text("one\ntwo\n")
    files = FilesExecutor(tmp_path)
    shown = files.preview({"path": "posts/a.md", "content": "one\nthree\n"})
    assert shown["diff"].splitlines()[:2] == ["--- a/posts/a.md", "+++ b/posts/a.md"]
    assert "-two" in shown["diff"] and "+three" in shown["diff"]
    assert shown["before"] == "one\ntwo\n" and shown["after"] == "one\nthree\n"
    assert (tmp_path / "posts/a.md").read_text() == "one\ntwo\n"
    new = files.preview({"path": "posts/b.md", "content": "x\n"})
    assert new["diff"].startswith("--- /dev/null") and new["before"] is None


def test_files_apply_is_idempotent_with_the_key(tmp_path: Path) -> None:
    files = FilesExecutor(tmp_path)
    args = {"path": "a.md", "content": "v1\n"}
    first = files.apply(args, "full", "h1:full")
    again = files.apply(args, "full", "h1:full")
    assert first == again and first["version"] == 1 and first["previous_version"] is None
    assert files.effects("h1:full") == 1
    second = files.apply({"path": "a.md", "content": "v2\n"}, "full", "h2:full")
    assert (second["version"], second["previous_version"]) == (2, 1)
    assert (tmp_path / "a.md").read_text() == "v2\n"
    assert files.confirm(second).ok


def test_files_finishes_an_interrupted_replace(tmp_path: Path) -> None:
    files = FilesExecutor(tmp_path)
    files.apply({"path": "a.md", "content": "v1\n"}, "full", "h1:full")
    files.apply({"path": "a.md", "content": "v2\n"}, "full", "h2:full")
    (tmp_path / "a.md").write_text("v1\n")  # the crash came between version and live file
    receipt = {"idempotency_key": "h2:full", "stage": "full", "recovering": True}
    found = files.confirm(receipt)
    assert found.ok and (tmp_path / "a.md").read_text() == "v2\n"
    missing = files.confirm({"idempotency_key": "h9:full", "stage": "full", "recovering": True})
    assert not missing.ok and "nothing was published" in missing.reason


def test_files_canary_stays_out_of_the_live_tree_and_rolls_back(tmp_path: Path) -> None:
    files = FilesExecutor(tmp_path)
    canary = files.apply({"path": "p.md", "content": "c\n"}, "canary", "h1:canary")
    assert (tmp_path / ".canary/p.md").read_text() == "c\n" and not (tmp_path / "p.md").exists()
    files.rollback(canary)
    assert not (tmp_path / ".canary/p.md").exists()
    files.rollback(canary)  # twice is harmless
    assert files.apply({"path": "p.md", "content": "d\n"}, "dry_run", "h1:dry_run")["diff"]
    assert not (tmp_path / "p.md").exists()


def test_files_rollback_restores_the_previous_version_only_when_newest(tmp_path: Path) -> None:
    files = FilesExecutor(tmp_path)
    one = files.apply({"path": "a.md", "content": "v1\n"}, "full", "h1:full")
    two = files.apply({"path": "a.md", "content": "v2\n"}, "full", "h2:full")
    with pytest.raises(RollbackImpossible, match="later version"):
        files.rollback(one)
    undone = files.rollback(two)
    assert undone["restored"] == 1 and (tmp_path / "a.md").read_text() == "v1\n"
    with pytest.raises(RollbackImpossible, match="no version"):
        files.rollback({**two, "idempotency_key": "h7:full"})


@pytest.mark.parametrize("path", ["../x.md", "/etc/x", ".versions/a", ""])
def test_files_refuses_paths_outside_the_directory(tmp_path: Path, path: str) -> None:
    with pytest.raises(InputError, match="inside the publishing directory") as err:
        FilesExecutor(tmp_path).apply({"path": path, "content": "x"}, "full", "k")
    assert err.value.field == "path"


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    """A publishing root and, beside it, a folder holding a secret the root links to."""
    root, secret = tmp_path / "site", tmp_path / "secret"
    root.mkdir()
    secret.mkdir()
    (secret / "passwd").write_text("root:x:0:0\n")
    (root / "passwd").symlink_to(secret / "passwd")
    (root / "etc").symlink_to(secret, target_is_directory=True)
    return root, secret


@pytest.mark.parametrize("path", ["passwd", "etc/passwd", "etc/new.md"])
def test_files_refuses_symlinks_out_of_its_root(tmp_path: Path, path: str) -> None:
    root, secret = _outside(tmp_path)
    files = FilesExecutor(root)
    args = {"path": path, "content": "owned\n"}
    calls = [
        lambda: files.preview(args),
        lambda: files.apply(args, "dry_run", "k"),
        lambda: files.apply(args, "canary", "k"),
        lambda: files.apply(args, "full", "k"),
    ]
    for call in calls:
        with pytest.raises(InputError) as err:
            call()
        assert err.value.field == "path" and repr(path) in err.value.message
        assert "outside the publishing directory" in err.value.message
        assert "root:x" not in err.value.message
    assert sorted(p.name for p in secret.iterdir()) == ["passwd"]
    assert (secret / "passwd").read_text() == "root:x:0:0\n"


def test_files_refuses_a_versions_folder_that_links_out(tmp_path: Path) -> None:
    root, secret = _outside(tmp_path)
    (root / ".versions").symlink_to(secret, target_is_directory=True)
    with pytest.raises(InputError) as err:
        FilesExecutor(root).apply({"path": "a.md", "content": "x"}, "full", "k")
    assert err.value.field == "path"
    assert not (root / "a.md").exists() and sorted(p.name for p in secret.iterdir()) == ["passwd"]


def test_files_follows_symlinks_that_stay_inside_its_root(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "latest").symlink_to(root / "docs", target_is_directory=True)
    files = FilesExecutor(root)
    assert files.apply({"path": "latest/a.md", "content": "x\n"}, "full", "k")["version"] == 1
    assert (root / "docs" / "a.md").read_text() == "x\n"


def test_files_confirm_runs_the_content_check(tmp_path: Path) -> None:
    files = FilesExecutor(tmp_path, check=lambda p, t: "too long" if len(t) > 5 else None)
    ok = files.apply({"path": "a", "content": "short"}, "full", "k1")
    bad = files.apply({"path": "b", "content": "much too long"}, "full", "k2")
    assert files.confirm(ok).ok
    assert files.confirm(bad) == Confirmation(False, "too long", bad)
    (tmp_path / "a").write_text("edited")
    assert "does not hold" in files.confirm(ok).reason


# -- http ----------------------------------------------------------------------------


@pytest.fixture
def receiver(local_egress: None) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1, which these tests allow as an operator would."""
    with Receiver() as r:
        yield r


def http(r: Receiver, **kw: str) -> HttpExecutor:
    return HttpExecutor(f"{r.url}/effects", confirm_url=r.url + "/effects/{idempotency_key}", **kw)


def test_http_sends_the_idempotency_key_and_the_server_dedupes(receiver: Receiver) -> None:
    ex = http(receiver)
    first = ex.apply({"n": 1}, "full", "h1:full")
    again = ex.apply({"n": 1}, "full", "h1:full")
    assert (first["status"], again["status"]) == (201, 200)
    assert receiver.effects["h1:full"] == 1 and receiver.requests["h1:full"] == 2
    assert receiver.bodies["h1:full"] == {"n": 1}
    assert first["version"] == 1 and first["location"].endswith("/effects/h1:full")


def test_http_confirms_by_a_follow_up_get(receiver: Receiver) -> None:
    ex = http(receiver)
    assert ex.confirm(ex.apply({"n": 1}, "full", "h1:full")).ok
    bad = ex.confirm(ex.apply({"fail_check": True}, "full", "h2:full"))
    assert not bad.ok and bad.reason == "the receiver rejected the content"
    receipt = {"idempotency_key": "h3:full", "stage": "full", "recovering": True}
    assert "no record" in ex.confirm(receipt).reason
    ex.apply({"n": 3}, "full", "h3:full")
    assert ex.confirm(receipt).ok


def test_http_confirms_by_the_response_without_a_confirm_url(receiver: Receiver) -> None:
    ex = HttpExecutor(f"{receiver.url}/effects", method="PUT")
    assert ex.confirm(ex.apply({"n": 1}, "full", "k")).ok
    assert not ex.confirm({"status": 503, "stage": "full"}).ok


def test_http_rolls_back_with_delete_and_reports_errors(receiver: Receiver) -> None:
    ex = http(receiver)
    done = ex.apply({"n": 1}, "full", "h1:full")
    ex.rollback(done)
    assert receiver.undone["h1:full"] == 1 and not ex.confirm(done).ok
    ex.rollback(done)  # a second DELETE answers 404: already undone, fine
    with pytest.raises(Exception, match="answered 400"):
        HttpExecutor(f"{receiver.url}/effects").apply({}, "full", "")
    with pytest.raises(ValueError, match="method"):
        HttpExecutor(receiver.url, method="PATCH")
    with pytest.raises(RollbackImpossible, match="Location"):
        HttpExecutor(receiver.url).rollback({"status": 201, "stage": "full"})


def test_http_staged_release_through_the_plane(receiver: Receiver) -> None:
    base = default_policy().model_dump()
    base["tools"]["crm.sync"] = {"level": "low", "stages": ["dry_run", "canary", "full"]}
    plane: ControlPlane = memory_plane(policy=Policy.model_validate(base))
    plane.register("crm.sync", http(receiver, canary_url=f"{receiver.url}/effects"))
    ok = plane.submit({"tool": "crm.sync", "args": {"n": 1}, "agent": "bot"})
    assert ok.status == "executed"
    assert receiver.effects[f"{ok.handoff_id}:canary"] == 1
    assert receiver.effects[f"{ok.handoff_id}:full"] == 1
    assert f"{ok.handoff_id}:dry_run" not in receiver.requests
    bad = plane.submit({"tool": "crm.sync", "args": {"fail_check": True}, "agent": "bot"})
    h = plane.get(bad.handoff_id)
    assert h.state is State.ROLLED_BACK
    assert receiver.undone[f"{h.id}:canary"] == 1 and f"{h.id}:full" not in receiver.requests
    assert verify(plane.store).ok
    plane.close()


def test_a_plain_function_that_takes_an_idempotency_key_gets_the_executions() -> None:
    keys: list[str] = []

    def publish(title: str, idempotency_key: str) -> str:
        keys.append(idempotency_key)
        return f"published {title!r}"

    with memory_plane() as plane:
        plane.register("cms.publish", publish)
        out = plane.submit({"tool": "cms.publish", "args": {"title": "Spring"}, "agent": "bot"})
        plane.decide(out.handoff_id, verdict="approve", reviewer="maya", rationale="ok")
        done = plane.execute(out.handoff_id)
        assert done.result == "published 'Spring'"
        assert plane.execute(out.handoff_id).result == done.result  # once
    assert keys == [f"{out.handoff_id}:full"]

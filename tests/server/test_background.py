"""The server's background pass: it also recovers interrupted executions and signs
checkpoints when configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff import ControlPlane, State, _stages
from handoff.channels import Deliverer
from handoff.checkpoint import generate_key, verify_checkpoints
from handoff.executors import FilesExecutor
from handoff.policy import Policy, default_policy
from handoff.server._background import checkpointer, tick
from handoff.store import open_store
from handoff.testing import FakeClock


def _policy() -> Policy:
    base = default_policy().model_dump()
    base["tools"] = {**base["tools"], "cms.publish": {"level": "medium", "owner": "marketing-ops"}}
    return Policy.model_validate(base)


def test_a_pass_recovers_an_execution_left_behind(tmp_path: Path) -> None:
    clock = FakeClock()
    url = f"sqlite:///{tmp_path / 'h.db'}"
    crashed = ControlPlane(open_store(url), _policy(), clock=clock)
    files = FilesExecutor(tmp_path / "site")
    crashed.register("cms.publish", files)
    out = crashed.submit(
        {"tool": "cms.publish", "args": {"path": "a.md", "content": "hi\n"}, "agent": "bot"}
    )
    assert out.handoff_id is not None
    crashed.decide(out.handoff_id, verdict="approve", reviewer="maya", rationale="ok")
    _stages.claim_execution(crashed, crashed.get(out.handoff_id), ["full"])  # then it died
    crashed.close()

    server = ControlPlane(open_store(url), _policy(), clock=clock)
    server.register("cms.publish", files)
    deliverer = Deliverer(server)
    tick(server, deliverer, recover=True)
    assert server.get(out.handoff_id).state is State.EXECUTING  # the lease still holds
    clock.advance(server.lease.total_seconds() + 1)
    tick(server, deliverer, recover=False)
    assert server.get(out.handoff_id).state is State.EXECUTING  # not a recovery pass
    tick(server, deliverer, recover=True)
    assert server.get(out.handoff_id).state is State.EXECUTED
    assert (tmp_path / "site" / "a.md").read_text() == "hi\n"
    deliverer.close()
    server.close()


def test_checkpoints_are_signed_when_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plane = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), _policy(), clock=FakeClock())
    assert checkpointer(plane) is None  # off unless configured
    generate_key(tmp_path / "audit.key")
    monkeypatch.setenv("HANDOFF_CHECKPOINT_KEY", str(tmp_path / "audit.key"))
    monkeypatch.setenv("HANDOFF_CHECKPOINT_DIR", str(tmp_path / "cps"))
    signer = checkpointer(plane)
    assert signer is not None
    plane.register("notes.read", lambda **_: "the note")
    plane.submit({"tool": "notes.read", "args": {"id": "1"}, "agent": "bot"})
    deliverer = Deliverer(plane)
    tick(plane, deliverer, signer)
    report = verify_checkpoints(plane.store, tmp_path / "cps")
    assert report.ok and report.checked == 1
    deliverer.close()
    plane.close()

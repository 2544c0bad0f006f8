"""The server's background pass: it also recovers interrupted executions and signs
checkpoints when configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff import ControlPlane, State
from handoff.audit.checkpoint import (
    CheckpointError,
    generate_key,
    load_public_key,
    verify_checkpoints,
)
from handoff.channels import Deliverer
from handoff.execute import _stages
from handoff.execute.executors import FilesExecutor
from handoff.policy import Policy, default_policy
from handoff.server._background import checkpointer, outbox_keep, tick
from handoff.store import SqlStore, open_store
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
    public = load_public_key(tmp_path / "audit.key.pub")
    report = verify_checkpoints(plane.store, tmp_path / "cps", public)
    assert report.ok and report.checked == 1
    deliverer.close()
    plane.close()


def test_recovery_passes_purge_old_delivered_outbox_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    plane = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), _policy(), clock=clock)
    with plane.store.write() as tx:
        tx.enqueue("webhook", {"n": 1}, handoff_id=None, at=clock.now())
        tx.enqueue("webhook", {"n": 2}, handoff_id=None, at=clock.now())
    with plane.store.write() as tx:
        first = tx.outbox_claim(clock.now(), 1, notify=False, lease_until=clock.now())
        assert tx.outbox_done(first[0], clock.now())
    monkeypatch.setenv("HANDOFF_OUTBOX_KEEP_DAYS", "2")
    keep = outbox_keep()
    deliverer = Deliverer(plane)
    clock.advance(86400)
    tick(plane, deliverer, recover=True, keep=keep)
    assert _outbox_rows(plane) == 2  # delivered a day ago: kept
    clock.advance(2 * 86400)
    tick(plane, deliverer, recover=False, keep=keep)
    assert _outbox_rows(plane) == 2  # not a recovery pass
    tick(plane, deliverer, recover=True, keep=keep)
    assert _outbox_rows(plane) == 1  # the undelivered row stays
    monkeypatch.setenv("HANDOFF_OUTBOX_KEEP_DAYS", "soon")
    with pytest.raises(ValueError, match="HANDOFF_OUTBOX_KEEP_DAYS"):
        outbox_keep()
    deliverer.close()
    plane.close()


def _outbox_rows(plane: ControlPlane) -> int:
    from sqlalchemy import func, select

    from handoff.store._tables import outbox

    store = plane.store
    assert isinstance(store, SqlStore)
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


def test_the_checkpoint_cadence_and_pinned_key_are_checked_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plane = ControlPlane(open_store(f"sqlite:///{tmp_path / 'h.db'}"), _policy(), clock=FakeClock())
    generate_key(tmp_path / "audit.key")
    generate_key(tmp_path / "other.key")
    monkeypatch.setenv("HANDOFF_CHECKPOINT_KEY", str(tmp_path / "audit.key"))
    monkeypatch.setenv("HANDOFF_CHECKPOINT_DIR", str(tmp_path / "cps"))
    monkeypatch.setenv("HANDOFF_CHECKPOINT_EVERY", "0")
    with pytest.raises(ValueError, match="HANDOFF_CHECKPOINT_EVERY"):
        checkpointer(plane)
    monkeypatch.setenv("HANDOFF_CHECKPOINT_EVERY", "50")
    monkeypatch.setenv("HANDOFF_CHECKPOINT_SECONDS", "soon")
    with pytest.raises(ValueError, match="HANDOFF_CHECKPOINT_SECONDS"):
        checkpointer(plane)
    monkeypatch.setenv("HANDOFF_CHECKPOINT_SECONDS", "30")
    monkeypatch.setenv("HANDOFF_CHECKPOINT_PUBLIC_KEY", str(tmp_path / "other.key.pub"))
    with pytest.raises(CheckpointError, match="pinned public key"):
        checkpointer(plane)
    monkeypatch.setenv("HANDOFF_CHECKPOINT_PUBLIC_KEY", str(tmp_path / "audit.key.pub"))
    signer = checkpointer(plane)
    assert signer is not None and (signer.every_events, signer.every_seconds) == (50, 30.0)
    plane.close()

"""Signed checkpoints catch what the chain alone cannot: a cut tail, a recomputed chain."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from handoff._chain import GENESIS, event_hash
from handoff.audit.checkpoint import (
    Checkpointer,
    CheckpointError,
    generate_key,
    load_private_key,
    load_public_key,
    verify_checkpoints,
    write_checkpoint,
)
from handoff.audit.trail import verify
from handoff.store import open_store
from handoff.testing import FakeClock


def _log(db: Path, n: int, clock: FakeClock, start: int = 0) -> None:
    s = open_store(f"sqlite:///{db}")
    for i in range(start, start + n):
        with s.write() as tx:
            tx.event("note", handoff_id=f"h{i}", actor="bot", at=clock.now(), data={"i": i})
        clock.advance(1)
    s.close()


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A 30-event log with checkpoints at seq 10, 20 and 30."""
    db, key, cps = tmp_path / "a.db", tmp_path / "keys" / "audit.key", tmp_path / "cps"
    generate_key(key)
    clock = FakeClock()
    for block in range(3):
        _log(db, 10, clock, start=block * 10)
        s = open_store(f"sqlite:///{db}")
        write_checkpoint(s, load_private_key(key), cps, clock=clock)
        s.close()
    return db, key, cps


def _check(db: Path, cps: Path, key: Path | None = None):  # type: ignore[no-untyped-def]
    s = open_store(f"sqlite:///{db}")
    try:
        public = load_public_key(key.with_name(key.name + ".pub")) if key else None
        return verify(s), verify_checkpoints(s, cps, public)
    finally:
        s.close()


def _recompute(db: Path, from_seq: int, *, truncate_to: int | None = None) -> None:
    """What an attacker with the database does: edit, re-hash every later event, move the head."""
    conn = sqlite3.connect(db)
    if truncate_to is not None:
        conn.execute("DELETE FROM events WHERE seq > ?", (truncate_to,))
    rows = conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
    prev = GENESIS
    for seq, hid, kind, actor, at, data, _p, digest in rows:
        if seq >= from_seq:
            if seq == from_seq:
                data = json.dumps({"i": -1})
            digest = event_hash(prev, seq, hid, kind, actor, at, data)
            conn.execute(
                "UPDATE events SET data=?, prev_hash=?, hash=? WHERE seq=?",
                (data, prev, digest, seq),
            )
        prev = digest
    conn.execute("UPDATE audit_head SET seq=?, hash=?", (rows[-1][0], prev))
    conn.commit()
    conn.close()


def test_an_untouched_log_passes(setup: tuple[Path, Path, Path]) -> None:
    db, key, cps = setup
    chain, cp = _check(db, cps, key)
    assert chain.ok and cp.ok and cp.checked == 3, cp
    assert sorted(p.name for p in cps.iterdir())[0] == "checkpoint-000000000010.json"


def test_a_recomputed_chain_passes_the_chain_but_not_the_checkpoints(
    setup: tuple[Path, Path, Path],
) -> None:
    db, key, cps = setup
    _recompute(db, 14)
    chain, cp = _check(db, cps, key)
    assert chain.ok  # the whole point: the chain alone cannot see this
    assert not cp.ok and cp.bad_seq == 11 and "rewritten between seq 11 and 20" in str(cp)


def test_a_cut_tail_with_a_moved_head_is_caught(setup: tuple[Path, Path, Path]) -> None:
    db, key, cps = setup
    _recompute(db, 10_000, truncate_to=25)
    chain, cp = _check(db, cps, key)
    assert chain.ok
    assert not cp.ok and cp.bad_seq == 26 and "truncated" in str(cp), cp


def test_a_forged_checkpoint_is_caught(setup: tuple[Path, Path, Path]) -> None:
    db, key, cps = setup
    path = cps / "checkpoint-000000000020.json"
    raw = json.loads(path.read_text())
    raw["hash"] = "0" * 64
    path.write_text(json.dumps(raw))
    _, cp = _check(db, cps, key)
    assert not cp.ok and cp.bad_seq == 20 and "signature" in str(cp)


def test_a_checkpoint_signed_by_another_key_is_refused(
    setup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    db, _key, cps = setup
    other = tmp_path / "other.key"
    generate_key(other)
    s = open_store(f"sqlite:///{db}")
    try:
        report = verify_checkpoints(s, cps, load_public_key(other.with_name("other.key.pub")))
    finally:
        s.close()
    assert not report.ok and report.bad_seq == 10


def test_keys_are_not_overwritten_and_bad_files_are_named(tmp_path: Path) -> None:
    key = tmp_path / "k"
    generate_key(key)
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CheckpointError, match="refusing to overwrite"):
        generate_key(key)
    (tmp_path / "bad").write_text("zz")
    with pytest.raises(CheckpointError, match=r"bad: not an Ed25519 private key"):
        load_private_key(tmp_path / "bad")


def test_the_checkpointer_writes_by_count_or_by_time(tmp_path: Path) -> None:
    db, key, cps = tmp_path / "a.db", tmp_path / "k", tmp_path / "cps"
    generate_key(key)
    clock = FakeClock()
    _log(db, 3, clock)
    s = open_store(f"sqlite:///{db}")
    cpr = Checkpointer(s, load_private_key(key), cps, every_events=5, every_seconds=60, clock=clock)
    assert cpr.maybe() is not None  # first call: nothing signed yet
    assert cpr.maybe() is None  # no new events
    s.close()
    _log(db, 2, clock, start=3)
    s = open_store(f"sqlite:///{db}")
    cpr.store = s
    assert cpr.maybe() is None  # 2 new events, 2 s later: not due
    clock.advance(60)
    cp = cpr.maybe()
    assert cp is not None and cp.seq == 5
    s.close()


@pytest.mark.parametrize("seed", range(12))
def test_random_tampering_is_always_caught_with_checkpoints(
    setup: tuple[Path, Path, Path], seed: int
) -> None:
    """The short form of the tamper suite: each attack at a random place, always caught."""
    db, key, cps = setup
    rnd = random.Random(seed)
    attack = ["flip", "delete", "insert", "reorder", "truncate", "recompute"][seed % 6]
    seq = rnd.randint(2, 29)
    conn = sqlite3.connect(db)
    if attack == "flip":
        (h,) = conn.execute("SELECT hash FROM events WHERE seq=?", (seq,)).fetchone()
        pos = rnd.randrange(64)
        flipped = h[:pos] + ("0" if h[pos] != "0" else "1") + h[pos + 1 :]
        conn.execute("UPDATE events SET hash=? WHERE seq=?", (flipped, seq))
    elif attack == "delete":
        conn.execute("DELETE FROM events WHERE seq=?", (seq,))
    elif attack == "insert":
        conn.execute("UPDATE events SET seq=seq+1000 WHERE seq>=?", (seq,))
        conn.execute("UPDATE events SET seq=seq-999 WHERE seq>=1000")
        conn.execute(
            "INSERT INTO events VALUES (?, 'hx', 'note', 'mallory', 'x', '{}', 'y', 'z')", (seq,)
        )
    elif attack == "reorder":
        conn.execute("UPDATE events SET seq=-1 WHERE seq=?", (seq,))
        conn.execute("UPDATE events SET seq=? WHERE seq=?", (seq, seq + 1))
        conn.execute("UPDATE events SET seq=? WHERE seq=-1", (seq + 1,))
    conn.commit()
    conn.close()
    if attack == "truncate":
        _recompute(db, 10_000, truncate_to=seq)
    elif attack == "recompute":
        _recompute(db, seq)
    chain, cp = _check(db, cps, key)
    assert not (chain.ok and cp.ok), attack
    bad = chain.bad_seq if not chain.ok else cp.bad_seq
    assert bad is not None and 1 <= bad <= 31, (attack, chain, cp)


def test_the_audit_commands_sign_and_verify_checkpoints(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from handoff.cli.commands import app

    runner = CliRunner()
    db, key, cps = tmp_path / "a.db", tmp_path / "audit.key", tmp_path / "cps"
    _log(db, 6, FakeClock())
    for args in (
        ["audit", "keygen", str(key)],
        ["audit", "checkpoint", "--db", str(db), "--key", str(key), "--dir", str(cps)],
        [
            "audit",
            "verify",
            "--db",
            str(db),
            "--checkpoints",
            str(cps),
            "--public-key",
            str(tmp_path / "audit.key.pub"),
        ],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stdout + result.stderr
    assert "checkpoints ok: 1 signed heads" in result.stdout
    _recompute(db, 3)
    result = runner.invoke(
        app,
        [
            "audit",
            "verify",
            "--db",
            str(db),
            "--checkpoints",
            str(cps),
            "--public-key",
            str(tmp_path / "audit.key.pub"),
        ],
    )
    assert result.exit_code == 1
    assert "rewritten between seq 1 and 6" in result.stdout + result.stderr


# -- pinned key, required checkpoints, cadence ----------------------------------------


def _pub(key: Path) -> Path:
    return key.with_name(key.name + ".pub")


def _forge(db: Path, cps: Path, tmp_path: Path) -> None:
    """An attacker who can write the database and the checkpoint folder: rewrite the
    chain from seq 3, replace public.key with their own and re-sign every checkpoint."""
    _recompute(db, 3)
    mallory = tmp_path / "mallory.key"
    generate_key(mallory)
    for path in cps.iterdir():
        path.unlink()
    s = open_store(f"sqlite:///{db}")
    try:
        write_checkpoint(s, load_private_key(mallory), cps)
    finally:
        s.close()


def test_a_replaced_public_key_is_not_trusted(
    setup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    db, key, cps = setup
    _forge(db, cps, tmp_path)
    s = open_store(f"sqlite:///{db}")
    try:
        with pytest.raises(CheckpointError, match="no pinned public key"):
            verify_checkpoints(s, cps, None)
        report = verify_checkpoints(s, cps, load_public_key(_pub(key)))
    finally:
        s.close()
    assert not report.ok and "public.key" in str(report) and "replaced" in str(report), report


def test_the_signer_refuses_a_folder_whose_public_key_was_replaced(
    setup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    db, key, cps = setup
    generate_key(tmp_path / "mallory.key")
    (cps / "public.key").write_text(_pub(tmp_path / "mallory.key").read_text())
    s = open_store(f"sqlite:///{db}")
    try:
        with pytest.raises(CheckpointError, match=r"public\.key"):
            write_checkpoint(s, load_private_key(key), cps)
    finally:
        s.close()


def test_an_empty_checkpoint_folder_fails_when_the_log_is_not_empty(
    setup: tuple[Path, Path, Path],
) -> None:
    db, key, cps = setup
    for path in cps.glob("checkpoint-*.json"):
        path.unlink()
    _, cp = _check(db, cps, key)
    assert not cp.ok and cp.bad_seq == 1 and "no checkpoints" in str(cp), cp
    s = open_store(f"sqlite:///{db}")
    try:
        assert verify_checkpoints(s, cps, load_public_key(_pub(key)), required=False).ok
    finally:
        s.close()


def test_a_tail_longer_than_the_cadence_fails(setup: tuple[Path, Path, Path]) -> None:
    """Deleting the newest checkpoints and rewriting after the oldest one left."""
    db, key, cps = setup
    (cps / "checkpoint-000000000020.json").unlink()
    (cps / "checkpoint-000000000030.json").unlink()
    _recompute(db, 14)
    s = open_store(f"sqlite:///{db}")
    try:
        public = load_public_key(_pub(key))
        assert verify_checkpoints(s, cps, public).ok  # without a cadence: unseen
        report = verify_checkpoints(s, cps, public, max_uncovered=10)
        with pytest.raises(ValueError, match="max_uncovered"):
            verify_checkpoints(s, cps, public, max_uncovered=-1)
    finally:
        s.close()
    assert not report.ok and report.bad_seq == 11 and "20 events after" in str(report), report


def test_the_audit_command_reads_the_pinned_key_and_cadence_from_the_environment(
    setup: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from handoff.cli.commands import app

    db, key, cps = setup
    runner = CliRunner()
    base = ["audit", "verify", "--db", str(db)]
    unpinned = runner.invoke(app, [*base, "--checkpoints", str(cps)])
    assert unpinned.exit_code != 0 and "HANDOFF_CHECKPOINT_PUBLIC_KEY" in unpinned.output
    monkeypatch.setenv("HANDOFF_CHECKPOINT_PUBLIC_KEY", str(_pub(key)))
    monkeypatch.setenv("HANDOFF_CHECKPOINT_DIR", str(cps))
    ok = runner.invoke(app, base)
    assert ok.exit_code == 0 and "checkpoints ok: 3" in ok.output, ok.output
    _forge(db, cps, tmp_path)
    forged = runner.invoke(app, base)
    assert forged.exit_code == 1 and "replaced" in forged.output, forged.output
    empty = tmp_path / "empty"
    empty.mkdir()
    none = runner.invoke(app, [*base, "--checkpoints", str(empty)])
    assert none.exit_code == 1 and "no checkpoints" in none.output, none.output
    monkeypatch.setenv("HANDOFF_CHECKPOINT_MAX_UNCOVERED", "ten")
    bad = runner.invoke(app, base)
    assert bad.exit_code != 0 and "HANDOFF_CHECKPOINT_MAX_UNCOVERED" in bad.output, bad.output

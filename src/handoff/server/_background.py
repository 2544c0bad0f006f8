"""The server's background loop: the SLA ladder and outbox delivery, once a second;
recovery of interrupted executions and signed audit checkpoints, now and then.

Both are blocking database and network work, so each pass runs in a worker thread and
the event loop keeps serving requests. Every ``handoff serve`` process runs this loop;
the store claims rows with ``SKIP LOCKED`` on PostgreSQL (``BEGIN IMMEDIATE`` on
SQLite), so several processes share the work and each ladder step and each message
still happens once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from datetime import timedelta
from pathlib import Path

from ..audit.checkpoint import (
    Checkpointer,
    CheckpointError,
    key_id,
    load_private_key,
    load_public_key,
)
from ..channels import Deliverer, load_channels
from ..plane import ControlPlane

__all__ = ["INTERVAL", "run_background", "tick"]

log = logging.getLogger("handoff.background")

#: Seconds between passes.
INTERVAL = 1.0
#: Handoffs one ladder transaction takes.
BATCH = 200
#: Passes between looks for executions a crashed process left behind (and purges).
RECOVER_EVERY = 30
#: Delivered outbox rows one purge deletes at most.
PURGE_BATCH = 1000


def outbox_keep() -> timedelta:
    """How long delivered outbox rows are kept: ``HANDOFF_OUTBOX_KEEP_DAYS`` (default 7).

    The audit chain, not the outbox, is the record of what was sent; the outbox keeps
    delivered rows a while only to answer "was it sent, when?" while debugging.
    """
    raw = os.environ.get("HANDOFF_OUTBOX_KEEP_DAYS", "7")
    try:
        days = float(raw)
    except ValueError:
        raise ValueError(
            f"HANDOFF_OUTBOX_KEEP_DAYS: expected a number of days, got {raw!r}"
        ) from None
    if not days >= 0:
        raise ValueError(f"HANDOFF_OUTBOX_KEEP_DAYS: expected 0 or more days, got {raw!r}")
    return timedelta(days=days)


def _count(name: str, default: str, kind: type[int] | type[float]) -> float:
    """A positive number from the environment, or ``ValueError`` naming the variable."""
    raw = os.environ.get(name, default)
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name}: expected a positive number, got {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{name}: expected a positive number, got {raw!r}")
    return value


def checkpointer(plane: ControlPlane) -> Checkpointer | None:
    """Signed audit checkpoints when ``HANDOFF_CHECKPOINT_KEY`` and ``..._DIR`` are set.

    The cadence is ``HANDOFF_CHECKPOINT_EVERY`` (events, default 1000) and
    ``HANDOFF_CHECKPOINT_SECONDS`` (default 300): they bound how much of the log is
    covered by the chain alone; see docs/audit.md. When ``HANDOFF_CHECKPOINT_PUBLIC_KEY``
    pins the verifiers' key, a signing key that does not match it stops the start.
    """
    key, directory = (
        os.environ.get("HANDOFF_CHECKPOINT_KEY"),
        os.environ.get("HANDOFF_CHECKPOINT_DIR"),
    )
    if not key or not directory:
        return None
    private = load_private_key(Path(key))
    pinned = os.environ.get("HANDOFF_CHECKPOINT_PUBLIC_KEY")
    if pinned and key_id(load_public_key(Path(pinned))) != key_id(private.public_key()):
        raise CheckpointError(
            f"HANDOFF_CHECKPOINT_KEY: {key} does not match the pinned public key {pinned}"
        )
    return Checkpointer(
        plane.store,
        private,
        Path(directory),
        every_events=int(_count("HANDOFF_CHECKPOINT_EVERY", "1000", int)),
        every_seconds=_count("HANDOFF_CHECKPOINT_SECONDS", "300", float),
        clock=plane.clock,
        url=os.environ.get("HANDOFF_CHECKPOINT_URL") or None,
    )


def tick(
    plane: ControlPlane,
    deliverer: Deliverer,
    signer: Checkpointer | None = None,
    recover: bool = False,
    keep: timedelta | None = None,
) -> None:
    """One pass: every ladder step that is due, then the notifications that are due;
    on some passes, interrupted executions (their lease expired), a purge of outbox
    rows delivered more than ``keep`` ago, and a checkpoint."""
    plane.run_ladder(limit=BATCH)
    deliverer.run_once()
    if recover:
        done = plane.recover(limit=BATCH)
        if done.count:
            log.info("%s", done)
        if keep is not None:
            with plane.store.write() as tx:
                tx.outbox_purge(plane.clock.now() - keep, PURGE_BATCH)
    if signer is not None:
        signer.maybe()


async def run_background(plane: ControlPlane, stop: asyncio.Event) -> None:
    """Run the ladder and delivery every ``INTERVAL`` seconds until ``stop`` is set.

    The channels come from ``$HANDOFF_CHANNELS`` (see docs/deploy.md); a bad file is
    logged and raised at once. A failing pass is logged and the loop goes on: one bad
    row or a database restart must not end reminders for every other handoff.
    """
    try:
        deliverer = Deliverer(plane, load_channels())
        signer = checkpointer(plane)
        keep = outbox_keep()
    except Exception:
        log.exception("cannot start the background loop")
        raise
    passes = 0
    try:
        while not stop.is_set():
            try:
                due = passes % RECOVER_EVERY == 0
                await asyncio.to_thread(tick, plane, deliverer, signer, due, keep)
            except Exception:
                log.exception("background pass failed")
            passes += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), INTERVAL)
    finally:
        deliverer.close()

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
from pathlib import Path

from ..channels import Deliverer, load_channels
from ..checkpoint import Checkpointer, load_private_key
from ..plane import ControlPlane

__all__ = ["INTERVAL", "run_background", "tick"]

log = logging.getLogger("handoff.background")

#: Seconds between passes.
INTERVAL = 1.0
#: Handoffs one ladder transaction takes.
BATCH = 200
#: Passes between looks for executions a crashed process left behind.
RECOVER_EVERY = 30


def checkpointer(plane: ControlPlane) -> Checkpointer | None:
    """Signed audit checkpoints when ``HANDOFF_CHECKPOINT_KEY`` and ``..._DIR`` are set.

    ``HANDOFF_CHECKPOINT_EVERY`` (events, default 1000) and
    ``HANDOFF_CHECKPOINT_SECONDS`` (default 300) bound how much of the log is covered
    by the chain alone; see docs/audit.md.
    """
    key, directory = (
        os.environ.get("HANDOFF_CHECKPOINT_KEY"),
        os.environ.get("HANDOFF_CHECKPOINT_DIR"),
    )
    if not key or not directory:
        return None
    return Checkpointer(
        plane.store,
        load_private_key(Path(key)),
        Path(directory),
        every_events=int(os.environ.get("HANDOFF_CHECKPOINT_EVERY", "1000")),
        every_seconds=float(os.environ.get("HANDOFF_CHECKPOINT_SECONDS", "300")),
        clock=plane.clock,
        url=os.environ.get("HANDOFF_CHECKPOINT_URL") or None,
    )


def tick(
    plane: ControlPlane,
    deliverer: Deliverer,
    signer: Checkpointer | None = None,
    recover: bool = False,
) -> None:
    """One pass: every ladder step that is due, then the notifications that are due;
    on some passes, interrupted executions (their lease expired) and a checkpoint."""
    plane.run_ladder(limit=BATCH)
    deliverer.run_once()
    if recover:
        done = plane.recover(limit=BATCH)
        if done.count:
            log.info("%s", done)
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
    except Exception:
        log.exception("cannot start the background loop")
        raise
    passes = 0
    try:
        while not stop.is_set():
            try:
                await asyncio.to_thread(tick, plane, deliverer, signer, passes % RECOVER_EVERY == 0)
            except Exception:
                log.exception("background pass failed")
            passes += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), INTERVAL)
    finally:
        deliverer.close()

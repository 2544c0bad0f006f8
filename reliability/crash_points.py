"""Crash points: kill a real process at each execution boundary, restart, recover, count.

    .venv/bin/python -m reliability.crash_points --runs 100      # and update docs/RELIABILITY.md
    .venv/bin/python -m reliability.crash_points --runs 3 --no-write

Each run is one child process (``python -m reliability.crash_points --child``) on a
shared database. The child first recovers whatever the previous child left behind
(``ControlPlane.recover``; that is the restart), then submits three actions: one that a
reviewer rejects, one that expires, and one that is approved (or runs on its own) and
executes through ``HttpExecutor`` against a ``Receiver`` in this process; about half
the approved ones are claimed by ``decide_and_execute`` in the approval's own
transaction, the others by ``execute`` after it. It calls
``os._exit`` at the boundary the run names, after a random 0-5 ms pause, at a stage
picked at random from the action's plan:

- ``after_claim``   right after the transaction that claimed the execution committed
                    (the claim alone, or the approval with the claim)
- ``before_apply``  inside the executor, before the request is sent
- ``after_apply``   inside the executor, after the receiver applied the effect
- ``after_commit``  right after the stage's commit (``stage_completed`` or ``executed``)

After the last run a final child only recovers. Then the receiver's counts are checked
against the database: every approved action has exactly one effect per applied stage,
rejected and expired ones none, nothing is left ``executing``, the audit chain
verifies.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from handoff import ConflictError, ControlPlane, State
from handoff.audit.trail import verify
from handoff.execute.executors import HttpExecutor
from handoff.policy import Policy, default_policy
from handoff.store import open_store

from .receiver import Receiver

__all__ = ["BOUNDARIES", "Report", "main", "run"]

BOUNDARIES = ("after_claim", "before_apply", "after_apply", "after_commit")
CRASHED = 77  # the exit code of a child that crashed where it was told to
LEASE_SECONDS = 0.2  # short, so the next process may take a dead child's execution over
TOOLS = {
    "site.publish": {
        "level": "medium",
        "owner": "marketing-ops",
        "stages": ["dry_run", "canary", "full"],
    },
    "mail.send": {"level": "medium", "owner": "marketing-ops"},
    "notes.append": {"level": "low", "mode": "auto"},
}
DOC = Path(__file__).resolve().parents[1] / "docs" / "RELIABILITY.md"
START, END = "<!-- crash:start -->", "<!-- crash:end -->"


def harness_policy() -> Policy:
    base = default_policy().model_dump()
    base["tools"] = {**base["tools"], **TOOLS}
    return Policy.model_validate(base)


def executor(receiver_url: str) -> HttpExecutor:
    return HttpExecutor(
        f"{receiver_url}/effects",
        canary_url=f"{receiver_url}/effects",
        confirm_url=receiver_url + "/effects/{idempotency_key}",
    )


# -- the child -------------------------------------------------------------------------


class _Crash:
    """Wraps the store's writes and the executor's apply to exit at one boundary."""

    def __init__(self, plane: ControlPlane, boundary: str, stage: str, rng: random.Random):
        self.plane, self.boundary, self.stage, self.rng = plane, boundary, stage, rng
        self.armed = False
        self.applied = False
        self.inner = plane.executors.get(next(iter(TOOLS)))
        write = plane.store.write

        @contextlib.contextmanager
        def write_then_maybe_exit() -> Iterator[Any]:
            with write() as tx:
                yield tx
            if self.armed and (
                (boundary == "after_claim" and not self.applied)
                or (boundary == "after_commit" and self.applied)
            ):
                self.exit()

        plane.store.write = write_then_maybe_exit  # type: ignore[method-assign]

    def exit(self) -> None:
        time.sleep(self.rng.uniform(0, 0.005))
        os._exit(CRASHED)

    def apply(self, args: Any, stage: str, idempotency_key: str) -> Any:
        if self.armed and stage == self.stage and self.boundary == "before_apply":
            self.exit()
        result = self.inner.apply(args, stage, idempotency_key)
        if self.armed and stage == self.stage:
            self.applied = True
            if self.boundary == "after_apply":
                self.exit()
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def child(db: str, receiver_url: str, run_no: int, boundary: str, seed: int) -> int:
    rng = random.Random(seed)
    plane = ControlPlane(open_store(db), harness_policy(), lease_seconds=LEASE_SECONDS)
    ex = executor(receiver_url)
    for tool in TOOLS:
        plane.register(tool, ex)
    while plane.recover().held:  # the previous child's lease has not run out yet
        time.sleep(0.05)
    if boundary == "none":
        plane.close()
        return 0
    tag = {"run": run_no, "boundary": boundary}
    rejected = plane.submit({"tool": "mail.send", "args": {**tag, "kind": "rejected"}})
    plane.decide(rejected.handoff_id, verdict="reject", reviewer="maya", rationale="no")
    expired = plane.submit({"tool": "mail.send", "args": {**tag, "kind": "expired"}})
    _expire(plane, expired.handoff_id)
    for hid in (rejected.handoff_id, expired.handoff_id):
        with contextlib.suppress(ConflictError):
            plane.execute(hid)
            return 2  # a closed handoff must never run
    tool = rng.choice(list(TOOLS))
    plan = ["dry_run", "canary", "full"] if tool == "site.publish" else ["full"]
    crash = _Crash(plane, boundary, rng.choice(plan), rng)
    for name in TOOLS:
        plane.register(name, crash)
    action = {"tool": tool, "args": {**tag, "kind": "approved"}, "agent": "agent"}
    if tool == "notes.append":
        crash.armed = True
        plane.submit(action)
    elif rng.random() < 0.5:  # the approval that completes the quorum claims the run
        hid = plane.submit(action).handoff_id
        quorum = plane.get(hid).assessment.quorum
        for n, reviewer in enumerate(("maya", "marco")[:quorum], start=1):
            crash.armed = n == quorum
            plane.decide_and_execute(hid, verdict="approve", reviewer=reviewer, rationale="fine")
    else:
        hid = plane.submit(action).handoff_id
        for reviewer in ("maya", "marco"):  # as many as the quorum needs
            if plane.get(hid).state is State.PENDING:
                plane.decide(hid, verdict="approve", reviewer=reviewer, rationale="fine")
        crash.armed = True
        plane.execute(hid)
    return 3  # never reached: every boundary is passed on the way


def _expire(plane: ControlPlane, hid: str) -> None:
    """What the SLA scheduler's fallback does: pending -> expired, with its event."""
    h = plane.get(hid)
    prev, version = h.state, h.version
    h.state, h.updated_at = State.EXPIRED, plane.clock.now()
    with plane.store.write() as tx:
        tx.update(h, prev, version)
        tx.event("expired", handoff_id=hid, actor="scheduler", at=h.updated_at, data={})


# -- the parent ------------------------------------------------------------------------


@dataclass
class Report:
    """What the runs found, per boundary; ``ok`` when every figure is as it must be."""

    runs: int
    backend: str = "SQLite"
    seconds: float = 0.0
    crashed: Counter[str] = field(default_factory=Counter)
    approved: Counter[str] = field(default_factory=Counter)
    exactly_once: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)
    closed: Counter[str] = field(default_factory=Counter)
    closed_with_effect: Counter[str] = field(default_factory=Counter)
    resent: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    audit_ok: bool = False
    audit_events: int = 0

    @property
    def ok(self) -> bool:
        return (
            self.audit_ok
            and not self.unexpected
            and all(self.crashed[b] == self.runs for b in BOUNDARIES)
            and all(self.exactly_once[b] == self.approved[b] == self.runs for b in BOUNDARIES)
            and not sum(self.duplicates.values())
            and not sum(self.missing.values())
            and not sum(self.closed_with_effect.values())
        )


def _spawn(db: str, url: str, run_no: int, boundary: str, seed: int) -> int:
    cmd = [sys.executable, "-m", "reliability.crash_points", "--child", "--db", db]
    cmd += ["--receiver", url, "--run", str(run_no), "--boundary", boundary, "--seed", str(seed)]
    root = Path(__file__).resolve().parents[1]
    # The receiver plays the downstream service on this machine: the child allows its
    # loopback address the way an operator would, instead of the default refusing it.
    env = {**os.environ, "HANDOFF_EGRESS_ALLOW": "127.0.0.1"}
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode not in (0, CRASHED):
        sys.stderr.write(proc.stderr[-3000:])
    return proc.returncode


def run(runs: int, db: str | None = None, seed: int | None = None) -> Report:
    """``runs`` crashes per boundary on ``db`` (a fresh SQLite file by default)."""
    seed = random.randrange(2**32) if seed is None else seed
    rng = random.Random(seed)
    report = Report(runs)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, Receiver() as receiver:
        db = db or f"sqlite:///{tmp}/crash.db"
        report.backend = "PostgreSQL" if db.startswith("postgres") else "SQLite"
        order = [b for b in BOUNDARIES for _ in range(runs)]
        rng.shuffle(order)  # boundaries interleaved: each restart recovers a different one
        for n, boundary in enumerate(order):
            code = _spawn(db, receiver.url, n, boundary, rng.randrange(2**32))
            if code == CRASHED:
                report.crashed[boundary] += 1
            else:
                report.unexpected.append(f"run {n} ({boundary}) exited {code}")
        if (code := _spawn(db, receiver.url, len(order), "none", 0)) != 0:
            report.unexpected.append(f"the final recovery exited {code}")
        _count(report, db, receiver)
    report.seconds = time.monotonic() - started
    return report


def _count(report: Report, db: str, receiver: Receiver) -> None:
    store = open_store(db)
    try:
        for h in store.list_handoffs(limit=1_000_000):
            boundary, kind = str(h.action.args["boundary"]), h.action.args["kind"]
            sent = {k: n for k, n in receiver.requests.items() if k.startswith(f"{h.id}:")}
            if kind != "approved":
                report.closed[boundary] += 1
                if h.state not in (State.REJECTED, State.EXPIRED):
                    report.unexpected.append(f"{h.id} ({kind}) is {h.state.value}")
                if any(receiver.effects[k] for k in sent):
                    report.closed_with_effect[boundary] += 1
                continue
            report.approved[boundary] += 1
            stages = [s for s in (h.execution.plan if h.execution else []) if s != "dry_run"]
            effects = [receiver.effects[f"{h.id}:{s}"] for s in stages]
            stray = sum(receiver.effects[k] for k in sent) - sum(effects)  # under other keys
            report.resent[boundary] += sum(sent.values()) - sum(effects) - stray
            if h.state is not State.EXECUTED:
                report.unexpected.append(f"{h.id} ({boundary}) ended {h.state.value}")
            if stray or any(e > 1 for e in effects):
                report.duplicates[boundary] += 1
            elif any(e == 0 for e in effects) or not effects:
                report.missing[boundary] += 1
            elif h.state is State.EXECUTED:
                report.exactly_once[boundary] += 1
        audit = verify(store, workers=1)
        report.audit_ok, report.audit_events = audit.ok, audit.checked
    finally:
        store.close()


def render(report: Report) -> str:
    """The section of docs/RELIABILITY.md between the crash markers."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Last run: {when}, {report.runs} runs per boundary, {report.backend}, "
        f"{report.seconds:.0f} s in all.  ",
        f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}.",
        "",
        "| boundary | crashes | approved actions | exactly one effect | duplicates | "
        "missing | rejected/expired | with an effect | re-sent, deduped by key |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for b in BOUNDARIES:
        lines.append(
            f"| `{b}` | {report.crashed[b]} | {report.approved[b]} | {report.exactly_once[b]} "
            f"| {report.duplicates[b]} | {report.missing[b]} | {report.closed[b]} "
            f"| {report.closed_with_effect[b]} | {report.resent[b]} |"
        )
    lines += [
        "",
        f"Audit chain: {'verifies' if report.audit_ok else 'BROKEN'} "
        f"({report.audit_events} events). Verdict: {'pass' if report.ok else 'FAIL'}.",
    ]
    if report.unexpected:
        lines += ["", "Unexpected:", *[f"- {u}" for u in report.unexpected[:20]]]
    return "\n".join(lines)


def write_doc(report: Report, doc: Path = DOC) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Reliability\n"
    block = f"{START}\n{render(report)}\n{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n## Crash points\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.crash_points", description=__doc__)
    ap.add_argument("--runs", type=int, default=100, help="crashes per boundary")
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--no-write", action="store_true", help="do not update RELIABILITY.md")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--receiver", help=argparse.SUPPRESS)
    ap.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--boundary", default="none", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.db, args.receiver, args.run, args.boundary, args.seed or 0)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    report = run(args.runs, args.db, args.seed)
    print(render(report))
    if not args.no_write:
        write_doc(report)
        print(f"\nwritten to {DOC}")
    print(json.dumps({"ok": report.ok, "seconds": round(report.seconds, 1)}))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

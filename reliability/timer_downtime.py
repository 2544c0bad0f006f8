"""timer-downtime: the SLA ladder across server downtime, clock jumps and deadline races.

    python -m reliability.timer_downtime [--handoffs 10000] [--db sqlite,postgres] [--no-docs]

A real ``handoff serve`` process runs the ladder (remind a quarter of the way to the
deadline, escalate to the lead half-way, to the whole team at three quarters, fall back
to reject at the deadline) on a shared file clock (``HANDOFF_FAKE_CLOCK_FILE``), so the
suite sets the server's time. Handoffs are submitted through an embedded plane on the
same database and clock. After each move of the clock forward the suite waits until the
server has taken every step due (no ``ladder_due`` row is due any more).

1. Downtime: ``--handoffs`` handoffs, born in 8 cohorts an eighth of the SLA apart while
   the server runs and takes their steps; the server stops, the clock moves on by twice
   the SLA, the server restarts and catches up.
2. Clock jumps: a fresh batch (a fifth as many, born in 3 cohorts 20 minutes apart)
   while the clock moves +1 h and -1 h, and forward again, across every step.
3. Deadline races: three batches (a tenth as many each) with the clock at the deadline
   -1 ms, exactly at it and +1 ms; each handoff gets an approval over HTTP at a random
   moment within the server's next passes, racing the fallback.

Pass: per handoff, each ladder step is taken or recorded as skipped exactly once (no
duplicate, none missed), and the steps taken are those an independent reckoning of the
clock's moves expects; each raced handoff has exactly one terminal outcome: before the
deadline the approval, from the deadline on (the fallback is due at its time) whichever
commits first, the other told 409; nothing is left open; the audit chain verifies.
Figures go into docs/RELIABILITY.md between ``<!-- timer-downtime:start -->`` and
``<!-- timer-downtime:end -->``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import func, select

from handoff import ControlPlane
from handoff._clock import FAKE_CLOCK_ENV, FileClock
from handoff.models import Event
from handoff.policy import load_policy
from handoff.store import SqlStore, open_store
from handoff.store._tables import ladder_due

from .serving import (
    POLICY,
    REVIEWERS,
    Server,
    chain_ok,
    database,
    machine,
    prepare,
    stamp,
    write_docs,
)

#: Four hours, so a jump of one hour crosses one step of the ladder.
SLA = 4 * 3600
#: The ladder as shares of the SLA, and the event each step writes.
SHARES = (0.25, 0.5, 0.75, 1.0)
KINDS = ("reminded", "escalated", "escalated", "rejected")
LADDER = [
    {"at": 0.25, "do": "remind", "to": "assignee"},
    {"at": 0.5, "do": "escalate", "to": "lead"},
    {"at": 0.75, "do": "escalate", "to": "owner"},
    {"at": 1.0, "do": "fallback"},
]
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MS = timedelta(milliseconds=1)
COHORTS = 8
#: The clock's moves in the jump phase, after the last cohort is born.
JUMPS = [HOUR, -HOUR, HOUR, HOUR, -HOUR, HOUR, timedelta(minutes=15), HOUR, -HOUR]
JUMPS += [-HOUR, HOUR, HOUR, HOUR]
#: Where the clock stands for each race batch, relative to the batch's deadline.
RACES = {"deadline -1 ms": -MS, "deadline": timedelta(0), "deadline +1 ms": MS}
#: Seconds to let the server run after a move that makes nothing due: two passes.
QUIET = 2.2
OUTCOMES = ("decision", "fallback", "both", "neither")

#: One ladder event of a handoff: (step, steps it records as skipped, event kind).
Step = tuple[int, tuple[int, ...], str]


def policy_doc() -> dict[str, Any]:
    return {**POLICY, "sla": {"medium": SLA, "high": SLA}, "ladder": LADDER, "fallback": "reject"}


@dataclass(frozen=True)
class Expect:
    """The steps one handoff should have taken, and those recorded as skipped."""

    taken: tuple[int, ...]
    skipped: tuple[int, ...]


def reckon(born: datetime, seen: Sequence[datetime], steps: int = len(SHARES)) -> Expect:
    """What the ladder owes a handoff born at ``born`` after the server saw the clock at
    each of ``seen`` in turn: at each, the latest step due is taken and the earlier ones
    not yet taken are skipped. Steps are due at their time, not after it."""
    due_at = [born + timedelta(seconds=s * SLA) for s in SHARES[:steps]]
    done, taken, skipped = 0, [], []
    for t in seen:
        due = [i for i in range(done, len(due_at)) if due_at[i] <= t]
        if due:
            taken.append(due[-1])
            skipped.extend(due[:-1])
            done = due[-1] + 1
    return Expect(tuple(taken), tuple(skipped))


def ladder_problems(got: list[Step], want: Expect) -> tuple[int, int, list[str]]:
    """(duplicates, missed steps, problems) of one handoff's ladder events against ``want``."""
    count: Counter[int] = Counter()
    for step, skipped, _ in got:
        count[step] += 1
        count.update(skipped)
    dup = sum(n - 1 for n in count.values() if n > 1)
    missed = sum(1 for i in {*want.taken, *want.skipped} if count[i] == 0)
    problems = []
    if dup:
        problems.append(f"{dup} steps taken or skipped more than once")
    if missed:
        problems.append(f"{missed} steps neither taken nor skipped")
    taken = tuple(s for s, _, _ in got)
    skipped = tuple(i for _, sk, _ in got for i in sk)
    if (taken, skipped) != (want.taken, want.skipped):
        problems.append(
            f"took {taken} skipping {skipped}; expected {want.taken} skipping {want.skipped}"
        )
    wrong = [(s, k) for s, _, k in got if k != KINDS[s]]
    if wrong:
        problems.append(f"wrong events for steps: {wrong}")
    return dup, missed, problems


def race_problems(
    early: bool,
    reply: tuple[int, str],
    state: str,
    events: list[Event],
    deadline: datetime,
    clock_at: datetime,
) -> tuple[str, list[str]]:
    """(outcome, problems) of one raced handoff: its reply, stored state and events.

    ``early`` says the clock stood before the deadline, where only the approval may win.
    """
    decided = [e for e in events if e.kind == "approved" and e.actor != "sla"]
    fell = [e for e in events if e.actor == "sla" and e.data.get("fallback")]
    outcome = {
        (True, False): "decision",
        (False, True): "fallback",
        (True, True): "both",
        (False, False): "neither",
    }[(bool(decided), bool(fell))]
    problems = []
    if len(decided) + len(fell) != 1:
        problems.append(f"{len(decided) + len(fell)} terminal outcomes")
    if outcome == "decision":
        if reply != (200, "approved") or state != "approved":
            problems.append(f"approved, but the reply was {reply} and the state {state}")
        if decided[0].at != clock_at:
            problems.append(f"approved at {decided[0].at}, the clock said {clock_at}")
    if outcome == "fallback":
        if reply != (409, "conflict") or state != "rejected":
            problems.append(f"fell back, but the reply was {reply} and the state {state}")
        if early:
            problems.append("the fallback came before the deadline")
        if fell[0].data.get("due_at") != deadline.isoformat() or fell[0].at < deadline:
            problems.append(f"fallback due {fell[0].data.get('due_at')} at {fell[0].at}")
        if fell[0].data.get("skipped"):
            problems.append(f"the fallback skipped steps {fell[0].data['skipped']}")
    if early and outcome != "decision":
        problems.append(f"an approval before the deadline ended as {outcome}")
    return outcome, problems


@dataclass
class Result:
    db: str
    handoffs: int = 0
    live: int = 0
    after_restart: int = 0
    skipped: int = 0
    catch_up: float = 0.0
    duplicates: int = 0
    missed: int = 0
    jump_handoffs: int = 0
    jump_steps: int = 0
    jump_duplicates: int = 0
    jump_missed: int = 0
    races: dict[str, Counter[str]] = field(default_factory=dict)
    left_open: int = 0
    chain_ok: bool = False
    events: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


class Clockwork:
    """The server's clock file, and every time the server has been shown."""

    def __init__(self, path: Path, store: SqlStore) -> None:
        self.file, self.store = FileClock(path), store
        self.seen: list[datetime] = []
        self.now = START
        self.set(START)

    def set(self, when: datetime) -> None:
        self.file.set(when)
        self.now = when
        self.seen.append(when)

    def due(self) -> int:
        """Ladder schedules due at the clock's time (or marked for recomputing)."""
        q = select(func.count()).select_from(ladder_due).where(ladder_due.c.due_at <= self.now)
        with self.store.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def settle(self, timeout: float = 900.0) -> float:
        """Wait until the server has taken every step due now; the seconds it took."""
        started = time.monotonic()
        while self.due():
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"the ladder did not catch up within {timeout} s")
            time.sleep(0.05)
        return time.monotonic() - started

    def move(self, delta: timedelta) -> None:
        """Move the clock; forward, wait for the steps due, back, let the server run."""
        self.set(self.now + delta)
        if delta > timedelta(0):
            self.settle()
        else:
            time.sleep(QUIET)


@dataclass
class Born:
    """A handoff's birth: when, and the index in ``Clockwork.seen`` from which it saw."""

    at: datetime
    seen_from: int
    phase: str


class Suite:
    """One run on one database: the server, the embedded plane and the births."""

    def __init__(self, site_url: str, tmp: Path, res: Result, seed: int) -> None:
        self.site = prepare(site_url, tmp, agents=["bot"], reviewers=REVIEWERS)
        self.site.policy.write_text(yaml.safe_dump(policy_doc()))
        path = tmp / "clock"
        self.store = open_store(site_url)
        self.clock = Clockwork(path, self.store)
        self.plane = ControlPlane.open(
            site_url, policy=load_policy(self.site.policy), clock=FileClock(path)
        )
        self.server = Server(
            self.site, tmp / "server.log", background=True, env={FAKE_CLOCK_ENV: str(path)}
        )
        self.res, self.rnd = res, random.Random(seed)
        self.born: dict[str, Born] = {}
        self.stopped_at = START
        self.races: dict[str, tuple[str, datetime, tuple[int, str]]] = {}
        self.n = 0

    def close(self) -> None:
        self.server.stop()
        self.plane.close()
        self.store.close()

    def submit(self, count: int, phase: str) -> list[str]:
        """Submit ``count`` handoffs at the clock's time (no step is due at birth)."""
        ids = []
        for _ in range(count):
            out = self.plane.submit(
                {
                    "tool": "ops.restart",
                    "args": {"service": f"svc-{self.n}", "n": self.n},
                    "agent": "bot",
                }
            )
            self.n += 1
            assert out.handoff_id is not None
            ids.append(out.handoff_id)
            self.born[out.handoff_id] = Born(self.clock.now, len(self.clock.seen) - 1, phase)
        return ids

    def downtime(self, n: int) -> None:
        """Cohorts born while the server runs; stop it for twice the SLA; restart."""
        self.res.handoffs = n
        for j in range(COHORTS):
            if j:
                self.clock.move(timedelta(seconds=SLA / COHORTS))
            self.submit(n // COHORTS + (j < n % COHORTS), "downtime")
        self.clock.settle()
        self.server.stop()
        self.stopped_at = self.clock.now
        self.clock.set(self.clock.now + timedelta(seconds=2 * SLA))
        started = time.monotonic()
        self.server.start()
        self.clock.settle()
        self.res.catch_up = time.monotonic() - started

    def jumps(self, n: int) -> None:
        """A fresh batch in 3 cohorts; the clock goes +1 h and -1 h across every step."""
        self.res.jump_handoffs = n
        for j in range(3):
            if j:
                self.clock.move(timedelta(minutes=20))
            self.submit(n // 3 + (j < n % 3), "jumps")
        for delta in JUMPS:
            self.clock.move(delta)

    def race(self, n: int) -> None:
        """Three batches 10 s apart; at each one's deadline (-1 ms, 0, +1 ms) an approval
        over HTTP at a random moment within the server's next passes."""
        batches = []
        for k in range(len(RACES)):
            if k:
                self.clock.move(timedelta(seconds=10))
            batches.append(self.submit(n, "races"))
        for _ in range(3):  # reminder and both escalations, one at a time
            self.clock.move(timedelta(seconds=SLA / 4))
        for (label, offset), ids in zip(RACES.items(), batches, strict=True):
            deadline = self.born[ids[0]].at + timedelta(seconds=SLA)
            self.clock.set(deadline + offset)
            for hid, reply in zip(ids, self._approve(ids), strict=True):
                self.races[hid] = (label, deadline + offset, reply)
            self.clock.settle()

    def _approve(self, ids: list[str]) -> list[tuple[int, str]]:
        """Approve each handoff over HTTP, spread over 1.5 s; the replies in order."""
        delays = [self.rnd.uniform(0.0, 1.5) for _ in ids]
        order = sorted(range(len(ids)), key=lambda i: delays[i])
        replies: dict[int, tuple[int, str]] = {}
        keys = self.site.keys
        with httpx.Client(base_url=self.server.url, timeout=60.0) as http:
            start = time.monotonic()

            def one(i: int) -> None:
                who = REVIEWERS[i % len(REVIEWERS)]
                pause = start + delays[i] - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                resp = http.post(
                    f"/v1/handoffs/{ids[i]}/decisions",
                    json={"verdict": "approve", "rationale": "in time?"},
                    headers={"Authorization": f"Bearer {keys[who]}"},
                )
                data = resp.json()
                if resp.status_code == 200:
                    replies[i] = (200, str(data["state"]))
                else:
                    err = data.get("error", {})
                    replies[i] = (resp.status_code, str(err.get("code", data)))

            with ThreadPoolExecutor(16) as pool:
                list(pool.map(one, order))
        return [replies[i] for i in range(len(ids))]

    def finish(self) -> None:
        """Far past every deadline: nothing more may happen. Then stop the server."""
        self.clock.move(timedelta(seconds=2 * SLA))
        time.sleep(QUIET)
        self.server.stop()


def check(suite: Suite) -> None:
    """Count every handoff's ladder events and outcomes against what it was owed."""
    res = suite.res
    by_id: dict[str, list[Event]] = defaultdict(list)
    for e in suite.store.events():
        if e.handoff_id is not None:
            by_id[e.handoff_id].append(e)
    states = {h.id: h for h in suite.store.list_handoffs(limit=len(suite.born) + 1)}
    res.left_open = sum(1 for h in states.values() if h.state.value in ("pending", "redirected"))
    if res.left_open:
        res.failures.append(f"{res.left_open} handoffs are still open")
    if len(states) != len(suite.born):
        res.failures.append(f"{len(states)} handoffs stored, {len(suite.born)} submitted")
    for hid, born in suite.born.items():
        events = by_id[hid]
        got: list[Step] = [
            (int(e.data["step"]), tuple(e.data["skipped"]), e.kind)
            for e in events
            if e.actor == "sla"
        ]
        seen = suite.clock.seen[born.seen_from :]
        if born.phase == "races":
            label, clock_at, reply = suite.races[hid]
            got = [g for g in got if g[0] < len(SHARES) - 1]
            want = reckon(born.at, seen, steps=len(SHARES) - 1)
            deadline = born.at + timedelta(seconds=SLA)
            state = states[hid].state.value if hid in states else "missing"
            outcome, problems = race_problems(
                label == "deadline -1 ms", reply, state, events, deadline, clock_at
            )
            res.races.setdefault(label, Counter())[outcome] += 1
        else:
            want = reckon(born.at, seen)
            problems = []
        dup, missed, more = ladder_problems(got, want)
        problems += more
        if born.phase == "downtime":
            res.duplicates += dup
            res.missed += missed
            live = sum(1 for e in events if e.actor == "sla" and e.at <= suite.stopped_at)
            res.live += live
            res.after_restart += len(got) - live
            res.skipped += sum(len(s) for _, s, _ in got)
        elif born.phase == "jumps":
            res.jump_duplicates += dup
            res.jump_missed += missed
            res.jump_steps += len(got)
        if problems:
            res.failures.append(f"{born.phase} {hid}: " + "; ".join(problems))


def run(handoffs: int, db: str, seed: int = 7) -> Result:
    """The three phases on one database, with ``handoffs`` in the downtime batch."""
    started = time.perf_counter()
    res = Result(db)
    with tempfile.TemporaryDirectory() as tmp_name, database(db, Path(tmp_name)) as url:
        suite = Suite(url, Path(tmp_name), res, seed)
        try:
            suite.server.start()
            suite.downtime(handoffs)
            suite.jumps(max(3, handoffs // 5))
            suite.race(max(1, handoffs // 10))
            suite.finish()
            check(suite)
        finally:
            suite.close()
        res.chain_ok, res.events = chain_ok(url)
        if not res.chain_ok:
            res.failures.append("the audit chain does not verify")
    res.seconds = time.perf_counter() - started
    return res


def table(results: list[Result], handoffs: int) -> str:
    lines = [
        f"Last run: {stamp()}, `python -m reliability.timer_downtime --handoffs {handoffs}`, "
        f"{sum(r.seconds for r in results):.0f} s in all.  ",
        f"Machine: {machine()}.",
        "",
        "| database | handoffs | steps due | taken before the stop | taken after the restart "
        "| skipped while down | duplicates | missed | caught up in |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.db} | {r.handoffs} | {r.handoffs * len(SHARES)} | {r.live} "
            f"| {r.after_restart} | {r.skipped} | {r.duplicates} | {r.missed} "
            f"| {r.catch_up:.1f} s |"
        )
    ups = sum(1 for d in JUMPS if d == HOUR)
    downs = sum(1 for d in JUMPS if d == -HOUR)
    lines += [
        "",
        "| database | handoffs | clock moves | steps due | taken | duplicates | missed |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.db} | {r.jump_handoffs} | {ups} × +1 h, {downs} × −1 h "
            f"| {r.jump_handoffs * len(SHARES)} | {r.jump_steps} | {r.jump_duplicates} "
            f"| {r.jump_missed} |"
        )
    lines += [
        "",
        "| database | approval sent at | handoffs | approval won | fallback won | both | neither |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for label in RACES:
            c = r.races.get(label, Counter())
            lines.append(
                f"| {r.db} | {label} | {sum(c.values())} | "
                + " | ".join(str(c[o]) for o in OUTCOMES)
                + " |"
            )
    chains = "; ".join(
        f"{r.db} " + (f"verifies ({r.events} events)" if r.chain_ok else "BROKEN") for r in results
    )
    failed = sum(len(r.failures) for r in results)
    lines += [
        "",
        f"Audit chain: {chains}. Handoffs left open: {sum(r.left_open for r in results)}. "
        + "Verdict: "
        + ("pass." if not failed else f"FAIL ({failed} failures)."),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.timer_downtime", description=__doc__)
    ap.add_argument("--handoffs", type=int, default=10000, help="handoffs in the downtime batch")
    ap.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    ap.add_argument("--seed", type=int, default=7, help="seed of the approvals' timing")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite RELIABILITY.md")
    args = ap.parse_args(argv)
    results = [run(args.handoffs, db, args.seed) for db in args.db.split(",")]
    text = table(results, args.handoffs)
    print(text)
    for r in results:
        for f in r.failures[:20]:
            print(f"{r.db}: {f}")
    if not args.no_docs:
        write_docs("timer-downtime", "Timers across downtime", text)
    return 0 if all(not r.failures for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

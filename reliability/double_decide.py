"""double-decide: conflicting verdicts racing over HTTP; exactly one of them may win.

    python -m reliability.double_decide [--runs 1000] [--db sqlite,postgres] [--no-docs]

Against a real ``handoff serve`` process, ``--runs`` handoffs are submitted, each
``--dups`` times at once with the same idempotency key. Then ``--procs`` client
processes meet at a barrier per handoff and fire ``--verdicts`` conflicting decisions
(approve, reject, revise; one distinct reviewer each) at the same moment. One in five
handoffs is ``ops.pay``, which needs two approvals.

Pass, per handoff: every duplicate submit got the identical response; every verdict got
200 or a 409 ``conflict``; a one-reviewer handoff has exactly one winner, and the stored
state is the winner's verdict; a two-reviewer handoff ends with exactly one terminal
event, approved with exactly the quorum; each 200 is exactly one decision event; and
the audit chain verifies after the server stops. Figures go into docs/RELIABILITY.md
between ``<!-- double-decide:start -->`` and ``<!-- double-decide:end -->``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from threading import BrokenBarrierError
from typing import Any

import httpx

from handoff import ControlPlane

from .serving import REVIEWERS, Server, chain_ok, database, machine, prepare, stamp, write_docs

VERDICTS = ("approve", "reject", "revise")
DECISION_EVENTS = ("approval_recorded", "approved", "rejected")
TERMINAL = {"approve": "approved", "revise": "approved", "reject": "rejected"}

#: (handoff id, reviewer, verdict, status, error code or resulting state)
Reply = tuple[str, str, str, int, str]


@dataclass
class Result:
    db: str
    handoffs: int = 0
    verdicts: int = 0
    winners: int = 0
    conflicts: int = 0
    dup_submits: int = 0
    identical: int = 0
    events: int = 0
    chain_ok: bool = False
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def _verdict(reviewer: int, n: int) -> dict[str, Any]:
    verdict = VERDICTS[(reviewer + n) % len(VERDICTS)]
    body: dict[str, Any] = {"verdict": verdict, "rationale": f"r{reviewer} says {verdict}"}
    if verdict == "revise":
        body["args"] = {"service": f"svc-{n}", "n": n, "revised_by": f"r{reviewer}"}
    return body


def _decide_worker(
    url: str,
    keys: dict[str, str],
    reviewers: list[int],
    targets: list[tuple[str, int]],
    barrier: Any,
    out: Any,
) -> None:
    """One client process: for each handoff, wait for the others, then fire at once."""
    replies: list[Reply] = []
    limits = httpx.Limits(max_connections=len(reviewers) * 2)
    with (
        httpx.Client(base_url=url, timeout=60.0, limits=limits) as http,
        ThreadPoolExecutor(len(reviewers)) as pool,
    ):

        def one(hid: str, n: int, r: int) -> Reply:
            name = f"r{r}"
            body = _verdict(r, n)
            resp = http.post(
                f"/v1/handoffs/{hid}/decisions",
                json=body,
                headers={"Authorization": f"Bearer {keys[name]}"},
            )
            data = resp.json()
            info = data["state"] if resp.status_code == 200 else str(data.get("error", data))
            if resp.status_code == 409:
                info = data["error"]["code"]
            return (hid, name, body["verdict"], resp.status_code, info)

        for hid, n in targets:
            try:
                barrier.wait(timeout=120)
            except BrokenBarrierError:
                break
            replies.extend(pool.map(one, [hid] * len(reviewers), [n] * len(reviewers), reviewers))
    out.put(replies)


def _action(n: int) -> dict[str, Any]:
    return {
        "tool": "ops.pay" if n % 5 == 4 else "ops.restart",
        "args": {"service": f"svc-{n}", "n": n},
        "idempotency_key": f"dd-{n}",
        "context": {"instruction": "keep the service healthy"},
    }


def _submit_all(srv: Server, key: str, runs: int, dups: int, res: Result) -> list[str]:
    """Submit every action ``dups`` times at once; the replies must be identical."""
    ids: list[str] = []
    headers = {"Authorization": f"Bearer {key}"}
    with (
        httpx.Client(base_url=srv.url, timeout=60.0, headers=headers) as http,
        ThreadPoolExecutor(dups) as pool,
    ):
        for n in range(runs):
            body = _action(n)
            replies = list(pool.map(lambda b: http.post("/v1/actions", json=b), [body] * dups))
            res.dup_submits += dups - 1
            first = replies[0]
            same = [r for r in replies if (r.status_code, r.json()) == (202, first.json())]
            res.identical += len(same) - 1
            if first.status_code != 202 or len(same) != dups:
                got = sorted({(r.status_code, r.json().get("handoff_id")) for r in replies})
                res.failures.append(f"submit {n}: replies differ or not 202: {got}")
            ids.append(str(first.json().get("handoff_id")))
    return ids


def race_problems(
    replies: list[Reply],
    quorum: int,
    state: str,
    events: dict[str, int],
    approved_with: int | None = None,
) -> list[str]:
    """What is wrong with one handoff's race, from its replies and what was stored."""
    wins = [r for r in replies if r[3] == 200]
    odd = [r for r in replies if r[3] != 200 and not (r[3] == 409 and r[4] == "conflict")]
    terminal = events.get("approved", 0) + events.get("rejected", 0)
    problems = []
    if odd:
        problems.append(f"neither 200 nor 409 conflict: {odd[:3]}")
    if not replies:
        problems.append("no verdict reached it")
    if sum(events.get(k, 0) for k in DECISION_EVENTS) != len(wins):
        problems.append(f"{len(wins)} wins but events {events}")
    if terminal != 1 or state not in ("approved", "rejected"):
        problems.append(f"{terminal} terminal events, state {state}")
    if quorum == 1:
        if len(wins) != 1:
            problems.append(f"{len(wins)} winners on a one-reviewer handoff")
        elif TERMINAL[wins[0][2]] != state:
            problems.append(f"winner said {wins[0][2]} but state is {state}")
    elif state == "approved" and approved_with != quorum:
        problems.append(f"approved with {approved_with} approvals, quorum {quorum}")
    return problems


def _check(url: str, ids: list[str], replies: list[Reply], res: Result) -> None:
    by_id: dict[str, list[Reply]] = {hid: [] for hid in ids}
    for rep in replies:
        by_id[rep[0]].append(rep)
    with ControlPlane.open(url) as plane:
        for hid, reps in by_id.items():
            h = plane.get(hid)
            stored = plane.store.events(hid)
            approved = [e.data.get("approvals") for e in stored if e.kind == "approved"]
            res.verdicts += len(reps)
            res.winners += sum(1 for r in reps if r[3] == 200)
            res.conflicts += sum(1 for r in reps if r[3] == 409 and r[4] == "conflict")
            problems = race_problems(
                reps,
                h.assessment.quorum,
                h.state.value,
                dict(Counter(e.kind for e in stored)),
                approved[0] if approved else None,
            )
            if problems:
                res.failures.append(f"{hid}: " + "; ".join(problems))


def run(runs: int, db: str, procs: int = 4, verdicts: int = 20, dups: int = 3) -> Result:
    started = time.perf_counter()
    res = Result(db, handoffs=runs)
    per = verdicts // procs
    with tempfile.TemporaryDirectory() as tmp_name, database(db, Path(tmp_name)) as url:
        tmp = Path(tmp_name)
        site = prepare(url, tmp, agents=["bot"], reviewers=REVIEWERS[: per * procs])
        with Server(site, tmp / "server.log") as srv:
            ids = _submit_all(srv, site.keys["bot"], runs, dups, res)
            targets = list(zip(ids, range(runs), strict=True))
            ctx = mp.get_context("spawn")
            barrier = ctx.Barrier(procs)
            out = ctx.Queue()
            workers = [
                ctx.Process(
                    target=_decide_worker,
                    args=(
                        srv.url,
                        site.keys,
                        list(range(p * per, (p + 1) * per)),
                        targets,
                        barrier,
                        out,
                    ),
                )
                for p in range(procs)
            ]
            for w in workers:
                w.start()
            replies: list[Reply] = []
            for _ in workers:
                replies.extend(out.get(timeout=3600))
            for w in workers:
                w.join()
        _check(url, ids, replies, res)
        res.chain_ok, res.events = chain_ok(url)
        if not res.chain_ok:
            res.failures.append("the audit chain does not verify")
    res.seconds = time.perf_counter() - started
    return res


def table(results: list[Result], runs: int) -> str:
    lines = [
        f"Last run: {stamp()}, `python -m reliability.double_decide --runs {runs}`, "
        f"{sum(r.seconds for r in results):.0f} s in all.  ",
        f"Machine: {machine()}.",
        "",
        "| database | handoffs | verdicts sent | won | lost with 409 conflict "
        "| duplicate submits | identical replies | audit chain | failures |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        chain = f"verifies ({r.events} events)" if r.chain_ok else "BROKEN"
        lines.append(
            f"| {r.db} | {r.handoffs} | {r.verdicts} | {r.winners} | {r.conflicts} "
            f"| {r.dup_submits} | {r.identical} | {chain} | {len(r.failures)} |"
        )
    failed = [f for r in results for f in r.failures]
    lines += ["", "Verdict: " + ("pass." if not failed else f"FAIL ({len(failed)} failures).")]
    return "\n".join(lines)


DOC_INTRO = """\
`python -m reliability.double_decide --runs N` starts a real `handoff serve` process,
submits N handoffs (each three times at once with the same idempotency key), then has
4 client processes meet at a barrier per handoff and fire 20 conflicting verdicts
(approve, reject, revise; 20 distinct reviewers) at the same instant over HTTP. One in
five handoffs needs two approvals. Pass: duplicate submits get the identical reply;
every verdict gets 200 or a 409 `conflict`; exactly one winner (or exactly the quorum)
per handoff, matching the stored state and one decision event per 200; the audit
chain verifies. `make test` runs 20 handoffs per database (tests/reliability).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.double_decide", description=__doc__)
    ap.add_argument("--runs", type=int, default=1000, help="handoffs per database")
    ap.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    ap.add_argument("--procs", type=int, default=4, help="client processes")
    ap.add_argument("--verdicts", type=int, default=20, help="verdicts per handoff")
    ap.add_argument("--dups", type=int, default=3, help="copies of each submit")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite RELIABILITY.md")
    args = ap.parse_args(argv)
    results = [
        run(args.runs, db, args.procs, args.verdicts, args.dups) for db in args.db.split(",")
    ]
    text = table(results, args.runs)
    print(text)
    for r in results:
        for f in r.failures[:20]:
            print(f"{r.db}: {f}")
    if not args.no_docs:
        write_docs("double-decide", "Double decide", DOC_INTRO + "\n" + text)
    return 0 if all(not r.failures for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

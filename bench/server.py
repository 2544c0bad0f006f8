"""The server's benchmarks: ``python -m bench.server [--quick] [--handoffs N] [--out FILE]``.

(f) HTTP submit throughput: ``handoff serve`` on a SQLite file against a bare FastAPI
    POST endpoint (``bench._bare``) under the same uvicorn settings, the same load in
    the same run; the goal is at least half the bare endpoint's rate.
(g) The inbox's first page with ``--handoffs`` (1,000,000) handoffs in the database:
    p50/p95/p99 of a logged-in reviewer's ``GET /``; the goal is p95 < 50 ms.
(h) The server's memory with those handoffs: resident and peak resident size of the
    ``handoff serve`` process, beside the bare endpoint's as the anchor.

A full run rewrites the server section of docs/PERFORMANCE.md (between
``<!-- bench-server:start -->`` and ``<!-- bench-server:end -->``); ``make bench`` runs
it after ``python -m bench``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from handoff import ControlPlane
from handoff.policy import default_policy
from handoff.server.accounts import Accounts
from handoff.server.auth import SESSION_COOKIE
from handoff.store import open_store

from ._actions import review_action
from ._doc import replace_section
from ._load import post_many, timed_gets
from ._machine import machine
from ._process import Child, free_port
from ._seed import seed

__all__ = ["ServerResults", "main", "run"]

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- bench-server:start -->"
END = "<!-- bench-server:end -->"
GOAL_SHARE = 0.5
GOAL_P95_MS = 50.0
#: The server's own CPU time per submit, whatever the load generator manages to send.
GOAL_CPU_MS = 1.5
AGENT = "writer-bot"


@dataclass
class ServerResults:
    date: str
    machine: dict[str, str]
    handoffs: int
    open_by_owner: dict[str, int]
    concurrency: int
    submits: int
    handoff_rates: list[float] = field(default_factory=list)
    bare_rates: list[float] = field(default_factory=list)
    #: The server process's CPU time per request, ms, one figure per repetition.
    handoff_cpu_ms: list[float] = field(default_factory=list)
    bare_cpu_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)
    memory: dict[str, tuple[float, float]] = field(default_factory=dict)
    seed_seconds: float = 0.0
    seconds: float = 0.0
    quick: bool = False


def _say(msg: str) -> None:
    print(msg, flush=True)


def _runs(ms: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in ms)


def _serve_cmd(url: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "handoff",
        "serve",
        "--db",
        url,
        "--port",
        str(port),
        "--executors",
        "bench._seed:register",
        "--no-background",
        # A budget no run reaches: each request still pays for counting against it.
        "--key-rate",
        "100000000",
    ]


def _accounts(url: str, reviewer: str, team: str) -> tuple[str, str]:
    """(the agent's API key, a session token for ``reviewer`` of ``team``)."""
    with ControlPlane(open_store(url), default_policy()) as plane:
        accounts = Accounts.of(plane)
        key = accounts.add_key(AGENT)[1]
        account = accounts.add_user(reviewer, "bench password 1234", teams=[team], role="reviewer")
        token = accounts.open_session(account)[0]
    return key, token


def _submit_rates(
    url: str, port: int, log: Path, key: str | None, count: int, reps: int, conc: int
) -> tuple[list[float], list[float], tuple[float, float]]:
    """Requests per second, and the server's CPU ms per request, of each repetition."""
    cmd = (
        _serve_cmd(url, port) if key else [sys.executable, "-m", "bench._bare", "--port", str(port)]
    )
    headers = {"authorization": f"Bearer {key}"} if key else {}
    rates: list[float] = []
    cpu_ms: list[float] = []
    n = 0
    with Child(cmd, port, log) as child:
        target = f"{child.url}/v1/actions"
        warm = max(count // 10, 10)
        post_many(target, review_action(n), warm, conc, headers)
        for _ in range(reps):
            n += 1
            cpu = child.cpu()
            rates.append(count / post_many(target, review_action(n), count, conc, headers))
            cpu_ms.append((child.cpu() - cpu) / count * 1000)
        memory = child.memory()
    return rates, cpu_ms, memory


def run(
    work: Path,
    *,
    handoffs: int,
    submits: int,
    reps: int,
    pages: int,
    conc: int,
    quick: bool,
    submit_only: bool = False,
) -> ServerResults:
    began = time.perf_counter()
    res = ServerResults(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(work),
        handoffs=handoffs,
        open_by_owner={},
        concurrency=conc,
        submits=submits,
        quick=quick,
    )
    fresh = f"sqlite:///{work / 'submit.db'}"
    key, _ = _accounts(fresh, "rita", "marketing-ops")
    _say(f"(f) HTTP submit, handoff serve: {reps} x {submits:,} at concurrency {conc}")
    res.handoff_rates, res.handoff_cpu_ms, _ = _submit_rates(
        fresh, free_port(), work / "serve-submit.log", key, submits, reps, conc
    )
    _say(
        f"    {statistics.median(res.handoff_rates):,.0f} /s,"
        f" {statistics.median(res.handoff_cpu_ms):.2f} ms CPU per request"
        f" (runs: {_runs(res.handoff_cpu_ms)})"
    )
    _say(f"(f) HTTP submit, bare FastAPI: {reps} x {submits:,}")
    res.bare_rates, res.bare_cpu_ms, res.memory["bare"] = _submit_rates(
        "", free_port(), work / "bare.log", None, submits, reps, conc
    )
    _say(
        f"    {statistics.median(res.bare_rates):,.0f} /s,"
        f" {statistics.median(res.bare_cpu_ms):.2f} ms CPU per request"
        f" (runs: {_runs(res.bare_cpu_ms)})"
    )

    if submit_only:
        return res
    big = work / "million.db"
    _say(f"(g) seeding {handoffs:,} handoffs")
    t0 = time.perf_counter()
    res.open_by_owner = seed(big, handoffs)
    res.seed_seconds = time.perf_counter() - t0
    _say(f"    {res.seed_seconds:.0f} s; open by owner {res.open_by_owner}")
    team = max(res.open_by_owner, key=lambda o: res.open_by_owner[o])
    url = f"sqlite:///{big}"
    key, token = _accounts(url, "rita", team)
    port = free_port()
    with Child(_serve_cmd(url, port), port, work / "serve-inbox.log") as child:
        res.memory["started"] = child.memory()
        cookies = {SESSION_COOKIE: token}
        timed_gets(f"{child.url}/", max(pages // 10, 5), cookies)
        res.page_ms = [s * 1000 for s in timed_gets(f"{child.url}/", pages, cookies)]
        api = f"{child.url}/v1/handoffs?open=true&owner={team}&limit=50"
        with_key = {"authorization": f"Bearer {key}"}
        timed_gets(api, 5, headers=with_key)
        res.api_ms = [s * 1000 for s in timed_gets(api, pages, headers=with_key)]
        post_many(
            f"{child.url}/v1/actions",
            review_action(10**6),
            max(submits // 10, 20),
            conc,
            {"authorization": f"Bearer {key}"},
        )
        res.memory["handoff"] = child.memory()
    _say(f"    inbox p95 {_pct(res.page_ms, 95):.1f} ms; memory {res.memory['handoff']}")
    res.seconds = time.perf_counter() - began
    return res


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _list(rates: list[float]) -> str:
    return ", ".join(f"{x:,.0f}" for x in rates)


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def render(r: ServerResults) -> str:
    ours, bare = statistics.median(r.handoff_rates), statistics.median(r.bare_rates)
    share = ours / bare
    cpu, bare_cpu = statistics.median(r.handoff_cpu_ms), statistics.median(r.bare_cpu_ms)
    p95 = _pct(r.page_ms, 95)
    rss, peak = r.memory["handoff"]
    b_rss, b_peak = r.memory["bare"]
    s_rss, _ = r.memory["started"]
    quick = " **Quick run (`--quick`): small counts, not comparable figures.**" * r.quick
    opened = sum(r.open_by_owner.values())
    rows = [
        "| measure | result | goal | |",
        "|---|---|---|---|",
        f"| (f) HTTP submit, `handoff serve` | {ours:,.0f} /s | | |",
        f"| (f) the same POST, bare FastAPI endpoint | {bare:,.0f} /s | | |",
        f"| (f) handoff ÷ bare | {share:.0%} | ≥ {GOAL_SHARE:.0%} | {_met(share >= GOAL_SHARE)} |",
        f"| (f) server CPU per submit, `handoff serve` | {cpu:.2f} ms "
        f"(bare endpoint {bare_cpu:.2f} ms: {cpu - bare_cpu:.2f} ms is handoff's) "
        f"| ≤ {GOAL_CPU_MS:g} ms | {_met(cpu <= GOAL_CPU_MS)} |",
        f"| (g) inbox first page, {r.handoffs:,} handoffs, p95 | {p95:.1f} ms "
        f"(p50 {_pct(r.page_ms, 50):.1f}, p99 {_pct(r.page_ms, 99):.1f}) | "
        f"< {GOAL_P95_MS:g} ms | {_met(p95 < GOAL_P95_MS)} |",
        f"| (g) `GET /v1/handoffs?open=true&owner=…`, p95 | {_pct(r.api_ms, 95):.1f} ms "
        f"(p50 {_pct(r.api_ms, 50):.1f}) | | |",
        f"| (h) server memory, {r.handoffs:,} handoffs: resident after start | "
        f"{s_rss:,.0f} MiB | | |",
        f"| (h) resident / peak after the inbox and API runs and a submit burst | "
        f"{rss:,.0f} / {peak:,.0f} MiB | | |",
        f"| (h) the bare endpoint after its load: resident / peak (anchor) | "
        f"{b_rss:,.0f} / {b_peak:,.0f} MiB ({peak / b_peak:.1f}× for handoff) | | |",
    ]
    runs = [
        "| measure | per repetition | runs (median reported) |",
        "|---|---|---|",
        f"| (f) handoff | {r.submits:,} submits | {_list(r.handoff_rates)} |",
        f"| (f) bare | {r.submits:,} posts | {_list(r.bare_rates)} |",
        f"| (f) handoff, server CPU ms per request | {r.submits:,} submits | "
        f"{', '.join(f'{x:.2f}' for x in r.handoff_cpu_ms)} |",
        f"| (f) bare, server CPU ms per request | {r.submits:,} posts | "
        f"{', '.join(f'{x:.2f}' for x in r.bare_cpu_ms)} |",
        f"| (g) inbox | {len(r.page_ms):,} pages, one after another | "
        f"min {min(r.page_ms):.1f} ms, max {max(r.page_ms):.1f} ms |",
    ]
    owners = ", ".join(f"{o} {n:,}" for o, n in sorted(r.open_by_owner.items()))
    return "\n".join(
        [
            START,
            "",
            f"Measured {r.date} by `python -m bench.server` (part of `make bench`) in "
            f"{r.seconds:.0f} s.{quick}",
            "",
            *rows,
            "",
            f"- (f) `python -m handoff serve` on a fresh SQLite file, API key auth, the "
            f"default policy; {r.concurrency} keep-alive connections (httpx, one process) "
            "POST a `cms.publish` action the rubric pauses for marketing-ops, so each "
            "request validates, assesses, packages, routes and commits a new handoff with "
            "its audit event (202). The anchor, `bench._bare`, is a FastAPI app whose POST "
            "endpoint takes the same body as a `dict` and answers a small JSON object, run "
            "by `uvicorn.run` with the settings `handoff serve` uses (one process, "
            "`log_level=info` with the access log, `proxy_headers`), under the same load. "
            "Both servers share the machine with the load generator.",
            f"- (g) {r.handoffs:,} handoffs in one SQLite file ({opened:,} open: {owners}); "
            f"made by `bench._seed` (real handoffs copied with new ids, states and times; "
            f"{r.seed_seconds:.0f} s). A reviewer of the team with the most open handoffs "
            "loads the queue page (`GET /`, session cookie) one request after another; the "
            "page lists the team's open handoffs riskiest first, then nearest deadline, "
            "with the open counts of every team. The server runs with `--no-background`, "
            "so the SLA ladder does not write while the page is timed.",
            "- (f) CPU per request: the server process's user + system time from"
            " `/proc/PID/stat` across each repetition, divided by its requests; unlike"
            " the rate, it does not depend on how fast the load generator can send.",
            "- (h) `VmRSS` and `VmHWM` of the server process from `/proc`.",
            "",
            *runs,
            "",
            "Machine:",
            "",
            "| | |",
            "|---|---|",
            *(f"| {k} | {v} |" for k, v in r.machine.items()),
            "",
            END,
        ]
    )


def write_section(doc: Path, section: str) -> None:
    """Replace this benchmark's section of ``doc`` (or append one), keeping the rest."""
    replace_section(doc, section, START, END, heading="The server")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.server", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    ap.add_argument("--handoffs", type=int, help="handoffs in the inbox database")
    ap.add_argument("--out", type=Path, help="the document to rewrite the section of")
    ap.add_argument(
        "--submit-only", action="store_true", help="only (f), printed: no inbox, no document"
    )
    args = ap.parse_args(argv)
    quick = bool(args.quick)
    counts = dict(
        handoffs=args.handoffs or (5_000 if quick else 1_000_000),
        submits=100 if quick else 2_000,
        reps=2 if quick else 5,
        pages=30 if quick else 300,
        conc=16,
    )
    out = args.out or (None if quick else ROOT / "docs" / "PERFORMANCE.md")
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix=".data-", dir=here) as tmp:
        res = run(Path(tmp), quick=quick, submit_only=args.submit_only, **counts)
    if args.submit_only:
        return 0
    section = render(res)
    print()
    print(section)
    if out is not None:
        write_section(out, section)
        print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

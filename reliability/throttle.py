"""throttle: password guessing and API floods against two server processes on one database.

    python -m reliability.throttle [--attempts 1000] [--requests 2000]
                                   [--db sqlite,postgres] [--no-docs]

Two real ``handoff serve`` processes share one database and one file clock
(``HANDOFF_FAKE_CLOCK_FILE``), with the default lockout (5 failures for a name, 20 from
one address, 60 s doubling) and an API key budget of 100 requests a minute. An attacker
alternates between them:

1. Guessing: ``--attempts`` wrong passwords for one reviewer, then the right one on
   each process. Only the first five may be checked; the rest and the right password
   must get 429 with ``Retry-After``; once the clock passes the lock, the right password
   logs in on the other process.
2. Spraying: one password against 25 names from one address: the address is locked at
   20 failures, after which a real reviewer's right password gets 429 there too.
3. Flooding: ``--requests`` API requests with one key from 8 threads, alternating
   processes: exactly 100 may be answered within the minute, the rest 429; after the
   window turns the key works again.
4. Sessions: a session opened on one process is used on the other 29 minutes later,
   and expires on the first after 31 idle minutes; a session and a key of a reviewer
   disabled with ``handoff user disable`` stop working on both processes at once.

Pass: every count above is exact, no refused request got a session cookie, and the
audit chain verifies, with one ``login.failed`` per checked password and one
``login.locked`` per lock. Figures go into docs/RELIABILITY.md between
``<!-- throttle:start -->`` and ``<!-- throttle:end -->``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from handoff._clock import FAKE_CLOCK_ENV, FileClock
from handoff.store import open_store

from .serving import PASSWORD, Server, chain_ok, database, machine, prepare, stamp, write_docs

BUDGET = 100
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Result:
    db: str
    attempts: int
    requests: int
    statuses: dict[str, int] = field(default_factory=dict)
    checked: int = 0
    guessed_checked: int = 0
    locks: int = 0
    right_in_lock: int = 0
    spray_refused_at: int = 0
    accepted: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)
    chain: bool = False
    events: int = 0
    seconds: float = 0.0


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    if not m:
        raise AssertionError("no CSRF field on the login page")
    return m.group(1)


def login(http: httpx.Client, name: str, password: str) -> httpx.Response:
    page = http.get("/login")
    data = {"name": name, "password": password, "csrf": _csrf(page.text), "next": "/"}
    return http.post("/login", data=data)


def _signed_in(http: httpx.Client) -> bool:
    return http.get("/").status_code == 200


def _guess(res: Result, a: httpx.Client, b: httpx.Client, clock: FileClock) -> None:
    codes = [login((a, b)[i % 2], "r0", f"guess {i:05d}").status_code for i in range(res.attempts)]
    res.statuses = {str(c): codes.count(c) for c in sorted(set(codes))}
    want = [401] * 4 + [429] * (res.attempts - 4)
    if codes != want:
        res.failures.append(f"guessing: statuses {res.statuses}, expected 4 x 401 then 429")
    for http in (a, b):
        right = login(http, "r0", PASSWORD)
        if right.status_code != 429 or "handoff_session" in right.headers.get("set-cookie", ""):
            res.right_in_lock += 1
            res.failures.append(f"the right password during the lock got {right.status_code}")
        elif not right.headers.get("retry-after", "").isdigit():
            res.failures.append("a 429 without Retry-After")
    clock.set(clock.now() + timedelta(seconds=61))
    if login(b, "r0", PASSWORD).status_code != 303:
        res.failures.append("the right password after the lock did not log in")


def _spray(res: Result, a: httpx.Client, b: httpx.Client, clock: FileClock) -> None:
    # Past the quiet period, so the address's five failures from the guessing are forgotten.
    clock.set(clock.now() + timedelta(minutes=16))
    codes = [login((a, b)[i % 2], f"user{i}", "Spring2026!").status_code for i in range(25)]
    res.spray_refused_at = codes.index(429) + 1 if 429 in codes else 0
    if codes != [401] * 19 + [429] * 6:
        res.failures.append(f"spraying: statuses {codes}, expected 19 x 401 then 429")
    if login(a, "r1", PASSWORD).status_code != 429:
        res.failures.append("a locked address logged in with the right password")


def _flood(res: Result, urls: list[str], key: str, clock: FileClock) -> None:
    auth = {"authorization": f"Bearer {key}"}

    def one(i: int) -> int:
        return httpx.get(f"{urls[i % 2]}/v1/handoffs?limit=1", headers=auth, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(one, range(res.requests)))
    res.accepted, res.refused = codes.count(200), codes.count(429)
    if (res.accepted, res.refused) != (BUDGET, res.requests - BUDGET):
        res.failures.append(
            f"flood: {res.accepted} accepted and {res.refused} refused of {res.requests}"
            f" (budget {BUDGET})"
        )
    clock.set(clock.now() + timedelta(seconds=60))
    if one(1) != 200:
        res.failures.append("the key stayed refused after its window turned")


def _sessions(res: Result, site_url: str, urls: list[str], key: str, clock: FileClock) -> None:
    with httpx.Client(base_url=urls[0], timeout=30) as a:
        if login(a, "r2", PASSWORD).status_code != 303:
            res.failures.append("r2 could not log in")
            return
        b = httpx.Client(base_url=urls[1], timeout=30, cookies=a.cookies)
        with b:
            clock.set(clock.now() + timedelta(minutes=29))
            used = _signed_in(b)
            clock.set(clock.now() + timedelta(minutes=29))
            again = _signed_in(a)
            clock.set(clock.now() + timedelta(minutes=31))
            idle = _signed_in(b)
        if (used, again, idle) != (True, True, False):
            res.failures.append(f"idle session across processes: {(used, again, idle)}")
    with httpx.Client(base_url=urls[0], timeout=30) as a:
        login(a, "r3", PASSWORD)
        b = httpx.Client(base_url=urls[1], timeout=30, cookies=a.cookies)
        auth = {"authorization": f"Bearer {key}"}
        with b:
            before = _signed_in(b) and b.get("/v1/handoffs", headers=auth).status_code == 200
            cmd = [sys.executable, "-m", "handoff", "user", "disable", "r3", "--db", site_url]
            subprocess.run(cmd, check=True, capture_output=True)
            after = [_signed_in(a), _signed_in(b), b.get("/v1/handoffs", headers=auth).status_code]
        if not before or after != [False, False, 401]:
            res.failures.append(f"disabling r3: before {before}, after {after}")


def run(db: str, attempts: int = 50, requests: int = 200) -> Result:
    """One pass of the four attacks against two processes on a fresh ``db``."""
    res = Result(db, attempts, requests)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name, database(db, Path(tmp_name)) as url:
        tmp = Path(tmp_name)
        site = prepare(url, tmp, ["bot"], ["r0", "r1", "r2", "r3"])
        clock = FileClock(tmp / "clock")
        clock.set(START)
        env = {FAKE_CLOCK_ENV: str(clock.path)}
        args = ["--key-rate", str(BUDGET)]
        with (
            Server(site, tmp / "a.log", env=env, args=args) as one,
            Server(site, tmp / "b.log", env=env, args=args) as two,
        ):
            urls = [one.url, two.url]
            with (
                httpx.Client(base_url=one.url, timeout=30) as a,
                httpx.Client(base_url=two.url, timeout=30) as b,
            ):
                _guess(res, a, b, clock)
            with (
                httpx.Client(base_url=one.url, timeout=30) as a,
                httpx.Client(base_url=two.url, timeout=30) as b,
            ):
                _spray(res, a, b, clock)
            _flood(res, urls, site.keys["bot"], clock)
            _sessions(res, url, urls, site.keys["r3"], clock)
        store = open_store(url)
        try:
            events = [e for e in store.events() if e.handoff_id is None]
        finally:
            store.close()
        kinds = [e.kind for e in events]
        res.checked, res.locks = kinds.count("login.failed"), kinds.count("login.locked")
        res.guessed_checked = sum(e.kind == "login.failed" and e.actor == "r0" for e in events)
        # 5 guesses at r0, then 20 sprayed names (the 20th locks the address); r2's and
        # r3's logins are right; the disable is its own event.
        if (res.checked, res.locks) != (5 + 20, 2) or kinds.count("user.disabled") != 1:
            res.failures.append(f"audit: {res.checked} login.failed, {res.locks} login.locked")
        res.chain, res.events = chain_ok(url)
        if not res.chain:
            res.failures.append("the audit chain does not verify")
    res.seconds = time.perf_counter() - began
    return res


def table(results: list[Result]) -> str:
    lines = [
        f"Last run: {stamp()}, two `handoff serve` processes per database sharing one file"
        f" clock, {sum(r.seconds for r in results):.0f} s in all.  ",
        f"Machine: {machine()}.",
        "",
        "| database | wrong passwords sent | checked before the lock | refused 429"
        " | right password let in while locked | sprayed names before the address lock"
        " | API requests (budget 100/min) | answered | refused 429 | chain |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.db} | {r.attempts:,} | {r.guessed_checked} |"
            f" {r.attempts - r.guessed_checked:,} | {r.right_in_lock} | {r.spray_refused_at}"
            f" | {r.requests:,} | {r.accepted} | {r.refused:,} |"
            f" {'verifies' if r.chain else 'BROKEN'} ({r.events} events) |"
        )
    failed = [f for r in results for f in r.failures]
    lines += ["", "Verdict: " + ("pass." if not failed else f"FAIL ({len(failed)} failures).")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.throttle", description=__doc__)
    ap.add_argument("--attempts", type=int, default=1000, help="wrong passwords per database")
    ap.add_argument("--requests", type=int, default=2000, help="API requests in the flood")
    ap.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite RELIABILITY.md")
    args = ap.parse_args(argv)
    results = [run(db, args.attempts, args.requests) for db in args.db.split(",")]
    text = table(results)
    print(text)
    for r in results:
        for f in r.failures[:20]:
            print(f"{r.db}: {f}")
    if not args.no_docs:
        write_docs("throttle", "Throttling", text)
    return 0 if all(not r.failures for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

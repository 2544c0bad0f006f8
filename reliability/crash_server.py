"""crash-100: SIGKILL a loaded ``handoff serve`` at random moments; nothing acknowledged is lost.

    python -m reliability.crash_server [--runs 100] [--db sqlite,postgres] [--no-docs]

A supervisor runs a real ``handoff serve`` process while load clients (two submitters
and one reviewer, threads of the supervisor, so they outlive the server) submit actions
and decide them over HTTP. Every request is retried with the same idempotency key until
it is answered, and every acknowledged one (a 2xx received) is logged. The supervisor
SIGKILLs the server after a random 0.1-1.2 s of load, ``--runs`` times, restarting it
on the same port each time; then the clients drain and the server stops.

Pass: every acknowledged handoff is stored under its idempotency key with the args
sent, once; every acknowledged decision is stored and its handoff is in the state the
decision gave it; no request is still unanswered and no handoff is left ``executing``;
``PRAGMA integrity_check`` says ok (SQLite); the audit chain verifies. Figures go into
docs/RELIABILITY.md between ``<!-- crash-server:start -->`` and ``<!-- crash-server:end -->``.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from handoff import ControlPlane

from .serving import Server, chain_ok, database, machine, prepare, stamp, write_docs

TERMINAL = {"approve": "approved", "reject": "rejected"}


@dataclass
class Log:
    """What the clients were told: acknowledged submits and decisions."""

    submits: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (id, n)
    decisions: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (who, verdict)
    retries: int = 0
    lost_races: int = 0
    unanswered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Load:
    """Load clients that retry each request until it is answered, logging every ack."""

    def __init__(self, url: str, keys: dict[str, str], seed: int) -> None:
        self.url, self.keys = url, keys
        self.rnd = random.Random(seed)
        self.log = Log()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._submitter, args=(i,), daemon=True) for i in range(2)
        ] + [threading.Thread(target=self._reviewer, daemon=True)]

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=120)
        self.log.unanswered += sum(1 for t in self.threads if t.is_alive())

    def _send(self, http: httpx.Client, method: str, path: str, **kw: Any) -> httpx.Response:
        """Until answered: a crash shows as a refused or dropped connection, or a 5xx."""
        end = time.monotonic() + 120
        while True:
            try:
                resp = http.request(method, path, **kw)
                if resp.status_code < 500:
                    return resp
            except httpx.TransportError:
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"{method} {path} unanswered for 120 s")
            with self.log.lock:
                self.log.retries += 1
            time.sleep(0.05)

    def _submitter(self, index: int) -> None:
        auth = {"Authorization": f"Bearer {self.keys['bot']}"}
        with httpx.Client(base_url=self.url, timeout=10.0, headers=auth) as http:
            n = 0
            while not self.stop.is_set():
                key, num = f"crash-{index}-{n}", index * 1_000_000 + n
                body = {
                    "tool": "ops.restart",
                    "args": {"service": f"svc-{num}", "n": num},
                    "idempotency_key": key,
                }
                resp = self._send(http, "POST", "/v1/actions", json=body)
                if resp.status_code in (200, 202):
                    with self.log.lock:
                        self.log.submits[key] = (resp.json()["handoff_id"], num)
                n += 1

    def _reviewer(self) -> None:
        auth = {"Authorization": f"Bearer {self.keys['r0']}"}
        with httpx.Client(base_url=self.url, timeout=10.0, headers=auth) as http:
            while not self.stop.is_set():
                found = self._send(http, "GET", "/v1/handoffs", params={"open": "true"})
                if found.status_code != 200:
                    time.sleep(0.05)
                    continue
                for h in found.json()["handoffs"][:10]:
                    verdict = self.rnd.choice(["approve", "reject"])
                    body = {"verdict": verdict, "rationale": "load"}
                    resp = self._send(http, "POST", f"/v1/handoffs/{h['id']}/decisions", json=body)
                    with self.log.lock:
                        if resp.status_code == 200:
                            self.log.decisions[h["id"]] = ("r0", verdict)
                        else:  # our own earlier attempt won before the crash: 409
                            self.log.lost_races += 1


@dataclass
class Result:
    db: str
    kills: int = 0
    restarts: int = 0
    submits: int = 0
    decisions: int = 0
    retries: int = 0
    handoffs: int = 0
    events: int = 0
    integrity: str = "n/a"
    chain_ok: bool = False
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def audit_log(url: str, log: Log, res: Result) -> None:
    """Compare what the clients were told with what the database holds."""
    with ControlPlane.open(url) as plane:
        stored = plane.store.list_handoffs(limit=1_000_000)
        res.handoffs = len(stored)
        keys = Counter(h.action.idempotency_key for h in stored)
        for key, count in keys.items():
            if count > 1:
                res.failures.append(f"{count} handoffs under idempotency key {key}")
        for h in stored:
            if h.state.value == "executing":
                res.failures.append(f"{h.id} left executing")
        for key, (hid, num) in log.submits.items():
            sub = plane.store.get(hid)
            if sub is None:
                res.failures.append(f"acknowledged submit {key} -> {hid} is missing")
            elif sub.action.idempotency_key != key or sub.action.args.get("n") != num:
                res.failures.append(f"{hid} holds {sub.action.idempotency_key} {sub.action.args}")
        for hid, (who, verdict) in log.decisions.items():
            dec = plane.store.get(hid)
            if dec is None or not any(
                d.reviewer == who and d.verdict.value == verdict for d in dec.decisions
            ):
                res.failures.append(f"acknowledged {verdict} of {hid} is missing")
            elif dec.state.value != TERMINAL[verdict]:
                res.failures.append(f"{hid} is {dec.state.value} after an acknowledged {verdict}")


def run(runs: int, db: str, seed: int = 1) -> Result:
    started = time.perf_counter()
    rnd = random.Random(seed)
    res = Result(db)
    with tempfile.TemporaryDirectory() as tmp_name, database(db, Path(tmp_name)) as url:
        tmp = Path(tmp_name)
        site = prepare(url, tmp, agents=["bot"], reviewers=["r0"])
        srv = Server(site, tmp / "server.log")
        srv.start()
        try:
            with Load(srv.url, site.keys, seed) as load:
                for _ in range(runs):
                    time.sleep(rnd.uniform(0.1, 1.2))
                    srv.kill()
                    res.kills += 1
                    srv.start()
                    res.restarts += 1
                time.sleep(0.5)  # load on the last incarnation, then drain
            log = load.log
        finally:
            srv.stop()
        res.submits, res.decisions, res.retries = len(log.submits), len(log.decisions), log.retries
        if log.unanswered:
            res.failures.append(f"{log.unanswered} clients still waiting for an answer")
        audit_log(url, log, res)
        if db == "sqlite":
            conn = sqlite3.connect(tmp / "handoff.db")
            try:
                res.integrity = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
            finally:
                conn.close()
            if res.integrity != "ok":
                res.failures.append(f"PRAGMA integrity_check: {res.integrity}")
        res.chain_ok, res.events = chain_ok(url)
        if not res.chain_ok:
            res.failures.append("the audit chain does not verify")
    res.seconds = time.perf_counter() - started
    return res


def table(results: list[Result], runs: int) -> str:
    lines = [
        f"Last run: {stamp()}, `python -m reliability.crash_server --runs {runs}`, "
        f"{sum(r.seconds for r in results):.0f} s in all.  ",
        f"Machine: {machine()}.",
        "",
        "| database | SIGKILLs | restarts | acknowledged submits | acknowledged decisions "
        "| retried requests | handoffs stored | integrity_check | audit chain | failures |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for r in results:
        chain = f"verifies ({r.events} events)" if r.chain_ok else "BROKEN"
        lines.append(
            f"| {r.db} | {r.kills} | {r.restarts} | {r.submits} | {r.decisions} | {r.retries} "
            f"| {r.handoffs} | {r.integrity} | {chain} | {len(r.failures)} |"
        )
    failed = [f for r in results for f in r.failures]
    lines += ["", "Verdict: " + ("pass." if not failed else f"FAIL ({len(failed)} failures).")]
    return "\n".join(lines)


DOC_INTRO = """\
`python -m reliability.crash_server --runs N` runs a real `handoff serve` under load
(two submitting clients, one deciding reviewer, all over HTTP, each request retried with
the same idempotency key until answered) and SIGKILLs it N times at random moments,
restarting it each time. Pass: every acknowledged handoff and decision is in the
database afterwards, once; no request is left unanswered and nothing `executing`;
`PRAGMA integrity_check` is ok (SQLite); the audit chain verifies. `make test` runs 3
kills per database (tests/reliability).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.crash_server", description=__doc__)
    ap.add_argument("--runs", type=int, default=100, help="SIGKILLs per database")
    ap.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite RELIABILITY.md")
    args = ap.parse_args(argv)
    results = [run(args.runs, db) for db in args.db.split(",")]
    text = table(results, args.runs)
    print(text)
    for r in results:
        for f in r.failures[:20]:
            print(f"{r.db}: {f}")
    if not args.no_docs:
        write_docs("crash-server", "Crash the server", DOC_INTRO + "\n" + text)
    return 0 if all(not r.failures for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

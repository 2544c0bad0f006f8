"""signatures: signed requests, both ways; only the first valid delivery changes state.

    python -m reliability.signatures [--runs 100] [--db sqlite,postgres] [--no-docs]

Slack, inbound. A real ``handoff serve`` process reads its Slack signing secret from a
``HANDOFF_CHANNELS`` file (``env:NAME``, as deployed). Each run submits a handoff that
needs review and posts Slack button clicks for it to ``/v1/slack/actions``: timestamped
301 s ahead and 301 s behind, signed with the wrong secret, several signatures in one
header and in two header lines, then the valid click, then that exact request replayed,
its body re-serialised (same fields, other key order and URL encoding) under the
original signature, the same click again validly signed with a fresh timestamp (a
duplicate delivery) and the other button, also validly signed.

Webhooks, outbound. A local HTTP receiver stands in for the system that hears about
handoffs: it verifies each delivery with ``handoff.channels.webhook.verify`` and a
replay guard, applies each message at most once, and acknowledges a seen id without
applying it. The valid deliveries come from handoff's own ``Deliverer``, reading the
same channels file; the answer to the first of each run's is lost (the connection
closes), so the deliverer sends it again. Then the run replays a delivered message
exactly, re-sends it as a retry (same id, fresh timestamp), re-serialises its body, and
sends new messages signed with the wrong secret, 301 s ahead and behind, with several
signatures none valid, and with several signatures one valid (a sender rotating its
secret), the last once more.

Pass, per request: a refused one gets 401 ``bad_signature`` for the expected reason and
changes nothing; the valid click records exactly one decision; a valid duplicate
changes nothing (a click is answered ``conflict``, a webhook acknowledged); the
receiver applies each message on its first valid delivery and never again. After each
Slack request the handoff is read back over the API; at the end the store holds
exactly one decision and one decision event per handoff, the outbox and the
dead-letter list are empty, and the audit chain verifies. Figures go into
docs/RELIABILITY.md between ``<!-- signatures:start -->`` and ``<!-- signatures:end -->``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import httpx
import yaml

from handoff import ControlPlane
from handoff.channels import (
    Deliverer,
    load_channels,
    slack,
    webhook,
)
from handoff.policy import load_policy

from .hook_receiver import Delivery, HookReceiver
from .serving import REVIEWERS, Server, chain_ok, database, machine, prepare, stamp, write_docs

#: Seconds past the tolerance. The timestamp is rounded away from the clock and those
#: requests go first, so one that takes under a second to arrive is still 301 s off
#: when it is checked.
SKEW = slack.TOLERANCE + 1
#: Seconds before the deliverer re-sends a message whose answer it did not get.
RETRY_AFTER = 0.05
SLACK_ENV = "HANDOFF_RELIABILITY_SLACK_SECRET"
WEBHOOK_ENV = "HANDOFF_RELIABILITY_WEBHOOK_SECRET"
DECISION_EVENTS = ("approval_recorded", "approved", "rejected")
TERMINAL = {"approve": "approved", "reject": "rejected"}
OTHER = {"approve": "reject", "reject": "approve"}

#: What a request must do: change state (the first valid delivery), be refused for a
#: bad signature, or be answered without effect (a valid duplicate: a Slack click on a
#: decided handoff gets ``conflict``, a webhook receiver acknowledges a seen id).
CHANGES, REFUSED, NO_OP = "changes state", "refused", "no change"

LOST = "re-sent by the deliverer, first answer lost"

#: (channel, case, expected) in the order each run sends them.
CASES: tuple[tuple[str, str, str], ...] = (
    ("slack", "timestamp +301 s", REFUSED),
    ("slack", "timestamp -301 s", REFUSED),
    ("slack", "wrong secret", REFUSED),
    ("slack", "several signatures, one header", REFUSED),
    ("slack", "several signature headers", REFUSED),
    ("slack", "valid", CHANGES),
    ("slack", "exact replay", REFUSED),
    ("slack", "re-serialised body", REFUSED),
    ("slack", "same click, fresh timestamp", NO_OP),
    ("slack", "other button, fresh timestamp", NO_OP),
    ("webhook", "valid, from the deliverer", CHANGES),
    ("webhook", LOST, NO_OP),
    ("webhook", "timestamp +301 s", REFUSED),
    ("webhook", "timestamp -301 s", REFUSED),
    ("webhook", "exact replay", NO_OP),
    ("webhook", "retry: same id, fresh timestamp", NO_OP),
    ("webhook", "re-serialised body", REFUSED),
    ("webhook", "wrong secret", REFUSED),
    ("webhook", "several signatures, none valid", REFUSED),
    ("webhook", "several signatures, one valid", CHANGES),
    ("webhook", "several signatures, replayed", NO_OP),
)


@dataclass(frozen=True)
class Outcome:
    """One request's fate: what it was, what it had to do, what went wrong."""

    channel: str
    case: str
    expect: str
    status: int
    problems: tuple[str, ...] = ()


@dataclass
class Result:
    db: str
    runs: int = 0
    handoffs: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    events: int = 0
    chain_ok: bool = False
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome, where: str) -> None:
        self.outcomes.append(outcome)
        if outcome.problems:
            self.failures.append(
                f"{where} {outcome.channel} {outcome.case!r}: " + "; ".join(outcome.problems)
            )

    def count(self, channel: str, expect: str | None = None, ok: bool | None = None) -> int:
        return sum(
            1
            for o in self.outcomes
            if o.channel == channel
            and (expect is None or o.expect == expect)
            and (ok is None or (not o.problems) == ok)
        )


def _reserialise_json(body: bytes) -> bytes:
    """The same JSON document, keys sorted and spaced: equal when parsed, not in bytes."""
    out = json.dumps(json.loads(body), sort_keys=True, indent=1).encode()
    return out if out != body else out + b"\n"


@dataclass(frozen=True)
class Send:
    """One request a run sends: its case, body, headers, what it must do and why."""

    case: str
    expect: str
    body: bytes
    headers: dict[str, str]
    reason: str = ""

    @property
    def msg_id(self) -> str:
        return self.headers["webhook-id"]


def _signed(secret: str, msg_id: str, ts: int, body: bytes, *others: str) -> dict[str, str]:
    """Standard Webhooks headers; ``others`` are listed before the signature."""
    headers = webhook.signed_headers(secret, msg_id, ts, body)
    headers["webhook-signature"] = " ".join([*others, headers["webhook-signature"]])
    return headers


def webhook_sends(secret: str, first: Delivery, tag: str) -> list[Send]:
    """Every request made from ``first``, a delivery the receiver applied, in order.

    The made-up messages get ids of their own (``tag`` keeps them unique), so a
    refusal is for the reason the case names, never because the id was seen.
    """
    retired = webhook.new_secret()
    body = first.body
    same = {k: v for k, v in first.headers.items() if k.startswith("webhook-")}
    msg_id, now = same["webhook-id"], time.time()
    ts = int(now)

    def fresh(name: str) -> str:
        return f"msg_{tag}_{name}"

    bogus = ["v1," + "A" * 43 + "=", "v2,unknown"]
    rotation = fresh("rotation")
    rotated = _signed(secret, rotation, ts, body, webhook.sign(retired, rotation, ts, body))
    return [
        Send(
            "timestamp +301 s",
            REFUSED,
            body,
            _signed(secret, fresh("ahead"), math.ceil(now) + SKEW, body),
            "tolerance",
        ),
        Send(
            "timestamp -301 s",
            REFUSED,
            body,
            _signed(secret, fresh("behind"), math.floor(now) - SKEW, body),
            "tolerance",
        ),
        Send("exact replay", NO_OP, body, same, "already delivered"),
        Send(
            "retry: same id, fresh timestamp",
            NO_OP,
            body,
            _signed(secret, msg_id, ts + 1, body),
            "already delivered",
        ),
        Send("re-serialised body", REFUSED, _reserialise_json(body), same, "does not match"),
        Send(
            "wrong secret",
            REFUSED,
            body,
            _signed(retired, fresh("wrong"), ts, body),
            "does not match",
        ),
        Send(
            "several signatures, none valid",
            REFUSED,
            body,
            _signed(retired, fresh("none"), ts, body, *bogus),
            "does not match",
        ),
        Send("several signatures, one valid", CHANGES, body, rotated),
        Send("several signatures, replayed", NO_OP, body, rotated, "already delivered"),
    ]


def judge_webhook(send: Send, resp: httpx.Response, applied: int, total: int) -> list[str]:
    """What is wrong with one answer, given the message's and all applications since."""
    try:
        data: dict[str, Any] = resp.json()
    except ValueError:
        data = {}
    problems = []
    if send.expect == CHANGES:
        if resp.status_code != 200 or data.get("applied") != send.msg_id:
            problems.append(f"not applied: {resp.status_code} {resp.text[:200]}")
    elif send.expect == NO_OP:
        if resp.status_code != 200 or data.get("duplicate") != send.msg_id:
            problems.append(f"not acknowledged as a duplicate: {resp.status_code} {resp.text}")
    elif resp.status_code != 401:
        problems.append(f"accepted: {resp.status_code} {resp.text[:200]}")
    elif send.reason not in str(data.get("error")):
        problems.append(f"refused, but for another reason: {data.get('error')!r}")
    want = 1 if send.expect == CHANGES else 0
    if total != want:
        problems.append(f"{total} messages applied, not {want}")
    if send.expect == CHANGES and applied != 1:
        problems.append(f"{send.msg_id} applied {applied} times, not once")
    return problems


def webhook_cases(
    http: httpx.Client, receiver: HookReceiver, secret: str, first: Delivery, tag: str
) -> list[Outcome]:
    """Send every request of ``webhook_sends`` to the receiver, each judged at once."""
    out = []
    for send in webhook_sends(secret, first, tag):
        before = receiver.total()
        resp = http.post(receiver.url, content=send.body, headers=send.headers)
        applied, total = receiver.applied[send.msg_id], receiver.total() - before
        problems = judge_webhook(send, resp, applied, total)
        out.append(Outcome("webhook", send.case, send.expect, resp.status_code, tuple(problems)))
    return out


# -- Slack clicks -----------------------------------------------------------------------


def click(user: str, action: str, value: str) -> bytes:
    """A ``block_actions`` body as Slack sends it: ``payload=<JSON>``, form-encoded."""
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action, "value": value}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def reserialise_click(body: bytes) -> bytes:
    """The same click, JSON keys sorted and compact, ``%20`` instead of ``+``."""
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return urlencode({"payload": text}, quote_via=quote).encode()


def slack_headers(secret: str, ts: int, body: bytes) -> list[tuple[str, str]]:
    return [
        ("x-slack-request-timestamp", str(ts)),
        ("x-slack-signature", slack.sign(secret, str(ts), body)),
        ("content-type", "application/x-www-form-urlencoded"),
    ]


def _sigs(headers: list[tuple[str, str]], *sigs: str) -> list[tuple[str, str]]:
    return [h for h in headers if h[0] != "x-slack-signature"] + [
        ("x-slack-signature", s) for s in sigs
    ]


#: (state, decisions recorded) of a handoff as the API shows it.
Probe = tuple[str, int]


def judge_slack(
    expect: str, reason: str, resp: httpx.Response, before: Probe, after: Probe, decided: str
) -> list[str]:
    """What is wrong with one answer to a Slack click, given the handoff around it."""
    try:
        data: dict[str, Any] = resp.json()
    except ValueError:
        data = {}
    problems = []
    if expect == REFUSED:
        err = data.get("error") or {}
        if resp.status_code != 401 or err.get("code") != "bad_signature":
            problems.append(f"accepted: answered {resp.status_code} {resp.text[:200]}")
        elif reason not in str(err.get("message")):
            problems.append(f"refused, but for another reason: {err.get('message')!r}")
    elif expect == NO_OP:
        if resp.status_code != 200 or data.get("ok") is not False or data.get("code") != "conflict":
            problems.append(f"not answered conflict: {resp.status_code} {resp.text[:200]}")
    elif resp.status_code != 200 or data.get("ok") is not True:
        problems.append(f"the valid click was not taken: {resp.status_code} {resp.text[:200]}")
    if expect == CHANGES:
        if before != ("pending", 0) or after != (decided, 1):
            problems.append(f"state went {before} -> {after}, not pending -> {decided}")
    elif after != before:
        problems.append(f"state changed {before} -> {after}")
    return problems


def slack_sends(
    secret: str, user: str, value: str, verdict: str
) -> list[tuple[str, str, bytes, list[tuple[str, str]], str]]:
    """Every click of one run, in order: (case, expected, body, headers, reason)."""
    body = click(user, verdict, value)
    late = click(user, OTHER[verdict], value)
    other = webhook.new_secret()
    now = time.time()
    ts = int(now)
    valid = slack_headers(secret, ts, body)
    good, bad = slack.sign(secret, str(ts), body), slack.sign(other, str(ts), body)
    ahead = slack_headers(secret, math.ceil(now) + SKEW, body)
    behind = slack_headers(secret, math.floor(now) - SKEW, body)
    return [
        ("timestamp +301 s", REFUSED, body, ahead, "5 minutes"),
        ("timestamp -301 s", REFUSED, body, behind, "5 minutes"),
        ("wrong secret", REFUSED, body, slack_headers(other, ts, body), "does not match"),
        ("several signatures, one header", REFUSED, body, _sigs(valid, f"{bad} {good}"), "match"),
        ("several signature headers", REFUSED, body, _sigs(valid, bad, good), "does not match"),
        ("valid", CHANGES, body, valid, ""),
        ("exact replay", REFUSED, body, valid, "already received"),
        ("re-serialised body", REFUSED, reserialise_click(body), valid, "does not match"),
        ("same click, fresh timestamp", NO_OP, body, slack_headers(secret, ts + 1, body), ""),
        ("other button, fresh timestamp", NO_OP, late, slack_headers(secret, ts + 2, late), ""),
    ]


def slack_cases(
    http: httpx.Client, agent_key: str, secret: str, user: str, hid: str, value: str, verdict: str
) -> list[Outcome]:
    """Send every click of ``slack_sends``, each judged against the handoff after it."""
    auth = {"authorization": f"Bearer {agent_key}"}

    def probe() -> Probe:
        h = http.get(f"/v1/handoffs/{hid}", headers=auth).json()
        return str(h["state"]), len(h["decisions"])

    out = []
    state = probe()
    for case, expect, body, headers, reason in slack_sends(secret, user, value, verdict):
        resp = http.post("/v1/slack/actions", content=body, headers=headers)
        after = probe()
        problems = judge_slack(expect, reason, resp, state, after, TERMINAL[verdict])
        out.append(Outcome("slack", case, expect, resp.status_code, tuple(problems)))
        state = after
    return out


# -- one database -----------------------------------------------------------------------


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set environment variables for a child process started inside the block."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _channels_file(tmp: Path, hook_url: str, users: dict[str, str]) -> Path:
    path = tmp / "channels.yaml"
    doc = {
        "backoff": RETRY_AFTER,
        "webhooks": [{"url": hook_url, "secret": f"env:{WEBHOOK_ENV}"}],
        "slack": {"token": "xoxb-unused", "signing_secret": f"env:{SLACK_ENV}", "users": users},
    }
    path.write_text(yaml.safe_dump(doc))
    return path


def _action(n: int) -> dict[str, Any]:
    return {
        "tool": "ops.restart",
        "args": {"service": f"svc-{n}", "n": n},
        "idempotency_key": f"sig-{n}",
        "context": {"instruction": "keep the service healthy"},
    }


@dataclass
class Rig:
    """What every run talks to: the server, the deliverer, the receiver, the secrets."""

    http: httpx.Client
    agent_key: str
    deliverer: Deliverer
    receiver: HookReceiver
    slack_secret: str
    hook_secret: str
    users: list[str]


def run(runs: int, db: str, reviewers: int = 4) -> Result:
    started = time.perf_counter()
    res = Result(db, runs=runs)
    slack_secret, hook_secret = secrets.token_hex(16), webhook.new_secret()
    names = REVIEWERS[:reviewers]
    users = {f"U{name.upper()}": name for name in names}
    with (
        tempfile.TemporaryDirectory() as tmp_name,
        database(db, Path(tmp_name)) as url,
        HookReceiver(hook_secret) as receiver,
        # The receiver listens on this machine: allowed here as an operator would.
        _environ(HANDOFF_EGRESS_ALLOW="127.0.0.1"),
    ):
        tmp = Path(tmp_name)
        site = prepare(url, tmp, agents=["bot"], reviewers=names)
        channels = _channels_file(tmp, receiver.url, users)
        server = Server(site, tmp / "server.log")
        env = {"HANDOFF_CHANNELS": str(channels), SLACK_ENV: slack_secret, WEBHOOK_ENV: hook_secret}
        with _environ(**env):
            server.start()
            config = load_channels(channels)
        # This process delivers: the server runs without its background loop, so each
        # message goes out once, when the run asks, and no Slack message is posted.
        plane = ControlPlane.open(url, policy=load_policy(site.policy))
        deliverer = Deliverer(plane, config.model_copy(update={"slack": None}))
        try:
            with httpx.Client(base_url=server.url, timeout=30.0) as http:
                rig = Rig(
                    http=http,
                    agent_key=site.keys["bot"],
                    deliverer=deliverer,
                    receiver=receiver,
                    slack_secret=slack_secret,
                    hook_secret=hook_secret,
                    users=list(users),
                )
                for n in range(runs):
                    _one_run(rig, n, res)
        finally:
            deliverer.close()
            plane.close()
            server.stop()
        _check_store(url, res)
        res.chain_ok, res.events = chain_ok(url)
        if not res.chain_ok:
            res.failures.append("the audit chain does not verify")
    res.seconds = time.perf_counter() - started
    return res


def _one_run(rig: Rig, n: int, res: Result) -> None:
    """Submit one handoff, click on it from Slack, deliver and attack its notices."""
    where = f"run {n}:"
    resp = rig.http.post(
        "/v1/actions", json=_action(n), headers={"authorization": f"Bearer {rig.agent_key}"}
    )
    if resp.status_code != 202:
        res.failures.append(f"{where} submit answered {resp.status_code}: {resp.text[:200]}")
        return
    h = resp.json()["handoff"]
    res.handoffs.append(h["id"])
    user = rig.users[n % len(rig.users)]
    verdict = "approve" if n % 2 == 0 else "reject"
    value = f"{h['id']}:{h['action_hash']}"
    for o in slack_cases(rig.http, rig.agent_key, rig.slack_secret, user, h["id"], value, verdict):
        res.add(o, where)

    _deliver(rig, h["id"], n, res)


def _deliver(rig: Rig, hid: str, n: int, res: Result) -> None:
    """Deliver the run's notices with handoff's own deliverer, the answer to the first
    lost on the way back, then attack the first notice about ``hid``."""
    where = f"run {n}:"
    receiver = rig.receiver
    seen = set(receiver.applied)
    receiver.lose_next = 1
    passes = [rig.deliverer.run_once()]
    time.sleep(2 * RETRY_AFTER)
    passes.append(rig.deliverer.run_once())
    new = sorted(set(receiver.applied) - seen)
    for m in new:
        once = () if receiver.applied[m] == 1 else (f"applied {receiver.applied[m]} times",)
        res.add(Outcome("webhook", "valid, from the deliverer", CHANGES, 200, once), where)
    resent = [m for m in new if receiver.duplicates[m]]
    for m in resent:
        twice = () if receiver.duplicates[m] == 1 else (f"re-sent {receiver.duplicates[m]}",)
        res.add(Outcome("webhook", LOST, NO_OP, 200, twice), where)
    sent = [p.sent for p in passes]
    retried = [p.retried for p in passes]
    if sum(sent) != len(new) or retried != [1, 0] or any(p.dead for p in passes):
        res.failures.append(f"{where} the deliverer did {passes}; the receiver applied {new}")
    if len(resent) != 1:
        res.failures.append(f"{where} {len(resent)} messages re-sent after a lost answer, not 1")
    mine = [m for m in new if json.loads(receiver.first[m].body)["data"]["handoff_id"] == hid]
    if not mine:
        res.failures.append(f"{where} no delivery about {hid} reached the receiver")
        return
    first = receiver.first[mine[0]]
    for o in webhook_cases(rig.http, receiver, rig.hook_secret, first, f"{res.db}_{n}"):
        res.add(o, where)


def _check_store(url: str, res: Result) -> None:
    """Every handoff holds exactly one decision and one decision event; no other exists."""
    with ControlPlane.open(url) as plane:
        stored = sum(plane.store.count_by_state().values())
        if stored != len(res.handoffs):
            res.failures.append(f"{stored} handoffs stored, {len(res.handoffs)} submitted")
        if plane.store.outbox_pending() or plane.store.dead_letters():
            res.failures.append("messages left in the outbox or the dead-letter list")
        for h in map(plane.get, res.handoffs):
            kinds = Counter(e.kind for e in plane.store.events(h.id))
            decided = sum(kinds[k] for k in DECISION_EVENTS)
            if decided != 1 or len(h.decisions) != 1 or h.state.value not in TERMINAL.values():
                res.failures.append(
                    f"{h.id}: {decided} decision events, {len(h.decisions)} decisions, "
                    f"state {h.state.value}"
                )


# -- figures ----------------------------------------------------------------------------


def table(results: list[Result], runs: int) -> str:
    lines = [
        f"Last run: {stamp()}, `python -m reliability.signatures --runs {runs}`, "
        f"{sum(r.seconds for r in results):.0f} s in all.  ",
        f"Machine: {machine()}.",
        "",
        "| database | channel | requests | first valid deliveries, state changed "
        "| refused, bad signature | valid duplicates, no change | wrong outcome "
        "| audit chain | failures |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        chain = f"verifies ({r.events} events)" if r.chain_ok else "BROKEN"
        for channel in ("slack", "webhook"):
            lines.append(
                f"| {r.db} | {channel} | {r.count(channel)} "
                f"| {r.count(channel, CHANGES, True)} | {r.count(channel, REFUSED, True)} "
                f"| {r.count(channel, NO_OP, True)} | {r.count(channel, ok=False)} "
                f"| {chain} | {len(r.failures)} |"
            )
    lines += [
        "",
        "| channel | request | must | sent | as it must |",
        "|---|---|---|---:|---:|",
    ]
    for channel, case, expect in CASES:
        sent = [o for r in results for o in r.outcomes if (o.channel, o.case) == (channel, case)]
        good = sum(1 for o in sent if not o.problems)
        lines.append(f"| {channel} | {case} | {expect} | {len(sent)} | {good} |")
    failed = [f for r in results for f in r.failures]
    lines += ["", "Verdict: " + ("pass." if not failed else f"FAIL ({len(failed)} failures).")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.signatures", description=__doc__)
    ap.add_argument("--runs", type=int, default=100, help="handoffs per database")
    ap.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite RELIABILITY.md")
    args = ap.parse_args(argv)
    # Each run loses one answer on purpose; the deliverer's warning about it is expected.
    logging.getLogger("handoff.channels").setLevel(logging.ERROR)
    results = [run(args.runs, db) for db in args.db.split(",")]
    text = table(results, args.runs)
    print(text)
    for r in results:
        for f in r.failures[:20]:
            print(f"{r.db}: {f}")
    if not args.no_docs:
        write_docs("signatures", "Signatures", text)
    return 0 if all(not r.failures for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

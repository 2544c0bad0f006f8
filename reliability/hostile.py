"""hostile input: malformed requests against a real server change nothing and name the field.

    python -m reliability.hostile [--runs 1] [--fuzz 300] [--db sqlite,postgres] [--no-docs]

A fixed corpus of hostile requests (over-size bodies, 1,000-deep nesting, NaN and
Infinity, duplicate JSON keys, each again under every JSON media type, other media
types, invalid UTF-8, NUL bytes in every kind of field, 5,000-digit integers, naive
datetimes, unknown tools, wrong types in every field, bad query values, missing
credentials, callback URLs on refused addresses) goes to a real
``handoff serve`` process; then a Hypothesis fuzzer (see ``reliability.fuzz``) sends
``--fuzz`` bodies drawn from the server's own /openapi.json request schemas, each with
one field made wrong, and as many more from schemathesis when it is installed (the
``reliability`` extra). Policies with a negative SLA are loaded the way ``handoff serve
--policy`` loads them.

Pass, per request: a 4xx (never a 5xx, never a 2xx), the body is
``{"error": {"code", "field", "message"}}`` with the field named (the exact field where
the corpus says which), and the audit head is unchanged afterwards. After the server
stops, the store holds exactly the handoffs and events it held before. Figures go into
docs/RELIABILITY.md between ``<!-- hostile:start -->`` and ``<!-- hostile:end -->``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from handoff._exceptions import HandoffError
from handoff.policy import load_policy
from handoff.store import open_store

from .serving import Server, database, machine, prepare, stamp, write_docs

#: A valid action; each case breaks one thing in it.
VALID: dict[str, Any] = {
    "tool": "ops.restart",
    "args": {"service": "api"},
    "context": {"instruction": "restart the api", "confidence": 0.5},
}


@dataclass(frozen=True)
class Case:
    """One hostile request. ``field`` is the field the error must name (None: any)."""

    name: str
    body: bytes | None
    field: str | None = None
    path: str = "/v1/actions"
    method: str = "POST"
    who: str | None = "bot"
    content_type: str = "application/json"


@dataclass
class Verdict:
    case: str
    status: int
    error: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)


def _j(obj: Any) -> bytes:
    return json.dumps(obj, allow_nan=True).encode()


def _with(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A deep copy of ``base`` (the valid action) with the dotted ``path`` set to ``value``."""
    out: dict[str, Any] = json.loads(json.dumps(base or VALID))
    node = out
    *parents, last = path.split(".")
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = value
    return out


def _huge(path: str, digits: int, shape: str = "%s", base: dict[str, Any] | None = None) -> bytes:
    """A body with a ``digits``-long integer at ``path`` (inside ``shape``), written out
    by hand: ``json.dumps`` itself refuses past 4,300 digits."""
    body = _j(_with(path, "HUGE", base)).decode()
    return body.replace('"HUGE"', shape % ("9" * digits)).encode()


def _nested(depth: int) -> bytes:
    """An action whose args nest ``depth`` objects deep, written out by hand (json.dumps
    itself gives up near 1,000)."""
    return b'{"tool":"ops.restart","args":' + b'{"d":' * depth + b"1" + b"}" * (depth + 1)


#: Wrong values for each field of an action, with the field the error must name.
_WRONG_TYPES: list[tuple[str, list[Any]]] = [
    ("tool", [123, [], {}, True, None, "", "rm -rf /", "a" * 300]),
    ("args", [123, "str", [], True, [1, 2]]),
    ("agent", [123, [], {}, True, ""]),
    ("on_behalf_of", [123, [], {}, True, "x" * 300]),
    ("context", [123, "str", [], True]),
    ("context.instruction", [123, [], {}, True]),
    ("context.confidence", ["high", [], {}, -0.5, 1.5]),
    ("context.steps", [123, "str", {}, [1]]),
    ("context.evidence", [123, "str", [{"excerpt": "no source"}]]),
    ("idempotency_key", [123, [], {}, True, "", "k" * 300]),
    ("package", [123, "str", []]),
]

#: Every spelling of JSON: each is read by the one strict parser, so each gets the
#: duplicate-key, NaN and over-size cases.
JSON_MEDIA_TYPES = [
    "application/json; charset=utf-8",
    "application/x+json",
    "application/merge-patch+json",
    "application/vnd.api+json",
    "text/json",
]
#: Not JSON (or not UTF-8): refused with 415 naming ``content-type``.
OTHER_MEDIA_TYPES = [
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/json; charset=utf-16",
]

_DECISION_TYPES: list[tuple[str, list[Any]]] = [
    ("verdict", [None, 123, "maybe", [], {}]),
    ("rationale", [123, [], {}]),
    ("args", ["str", 123, [1]]),
    ("reviewer", [123, [], {}, ""]),
    ("questions", ["str", 123, [1]]),
    ("option_id", [123, []]),
]


def corpus() -> list[Case]:
    """Every hostile request. ``{hid}`` in a path is replaced by an open handoff of its
    own, so a case that is wrongly accepted cannot spoil the next one."""
    hid = "{hid}"
    decide = f"/v1/handoffs/{hid}/decisions"
    big = {f"k{i}": "x" * 100_000 for i in range(100)}  # 10 MB, every string in limits
    cases = [
        Case("over-size body (10 MB of args)", _j(_with("args", big)), "body"),
        Case(
            "over-size action (2 MB of args)",
            _j(_with("args", {f"k{i}": "x" * 100_000 for i in range(20)})),
            "action",
        ),
        Case(
            "over-size string",
            _j(_with("context.instruction", "x" * 300_000)),
            "context.instruction",
        ),
        Case("1,000-deep nesting in args", _nested(1000), None),
        Case("100,000-deep nesting", _nested(100_000), None),
        Case("NaN in args", _j(_with("args", {"x": float("nan")})), "args"),
        Case("Infinity in args", _j(_with("args", {"x": [1, float("inf")]})), "args"),
        Case(
            "-Infinity in confidence",
            _j(_with("context.confidence", float("-inf"))),
            "context.confidence",
        ),
        Case(
            "NaN verdict args",
            _j({"verdict": "revise", "rationale": "r", "args": {"x": float("nan")}}),
            "args",
            decide,
            who="r0",
        ),
        Case("duplicate key: tool", b'{"tool":"notes.add","tool":"ops.restart","args":{}}', "tool"),
        Case("duplicate key in args", b'{"tool":"ops.restart","args":{"a":1,"a":2}}', "args"),
        Case(
            "duplicate key: verdict",
            b'{"verdict":"approve","verdict":"reject","rationale":"r"}',
            "verdict",
            decide,
            who="r0",
        ),
        Case("invalid UTF-8 in a string", b'{"tool":"ops.restart","args":{"x":"\xff\xfe"}}', None),
        Case("invalid UTF-8 in a key", b'{"tool":"ops.restart","args":{"\xc3\x28":1}}', None),
        Case("lone surrogate escape", b'{"tool":"ops.restart","args":{"x":"\\ud800"}}', "args"),
        Case("NUL in tool", _j(_with("tool", "ops\x00restart")), "tool"),
        Case("NUL in args", _j(_with("args", {"service": "api\x00; drop"})), "args"),
        Case("NUL in an args key", _j(_with("args", {"serv\x00ice": "api"})), "args"),
        Case("raw NUL byte in body", b'{"tool":"ops.restart\x00","args":{}}', None),
        Case(
            "naive datetime in a decision",
            _j({"verdict": "reject", "rationale": "no", "at": "2026-01-05T09:00:00"}),
            "at",
            decide,
            who="r0",
        ),
        Case("unknown tool", _j(_with("tool", "no.such.tool")), "tool"),
        Case("unknown field", _j(_with("toolz", "x")), "toolz"),
        Case("unknown context field", _j(_with("context.sneaky", 1)), "context.sneaky"),
        Case("empty body", b"", None),
        Case("body is a list", b"[]", None),
        Case("body is null", b"null", None),
        Case("body is a number", b"1e999", None),
        Case("truncated JSON", b'{"tool":"ops.restart","args":{', None),
        Case(
            "form instead of JSON",
            b"tool=ops.restart",
            "content-type",
            content_type="application/x-www-form-urlencoded",
        ),
        Case("NUL in on_behalf_of", _j(_with("on_behalf_of", "fiona\x00")), "on_behalf_of"),
        Case("NUL in idempotency_key", _j(_with("idempotency_key", "k\x00")), "idempotency_key"),
        Case("NUL in context.domain", _j(_with("context.domain", "\x00")), "context.domain"),
        Case("5,000-digit integer in args", _huge("args.n", 5000), "args.n"),
        Case("400-digit integer in args", _huge("args.n", 400), "args.n"),
        Case("5,000-digit confidence", _huge("context.confidence", 5000), "context.confidence"),
        Case(
            "5,000-digit integer in a step",
            _huge("context.steps", 5000, '[{"args":{"n":%s}}]'),
            "context.steps[0].args.n",
        ),
        Case(
            "5,000-digit integer in revised args",
            _huge("args", 5000, '{"n":-%s}', {"verdict": "revise", "rationale": "r"}),
            "args.n",
            decide,
            who="r0",
        ),
        Case("another agent's name", _j(_with("agent", "mallory")), "agent"),
        Case("no API key", _j(VALID), "authorization", who=None),
        Case("agent decides", _j({"verdict": "approve"}), "reviewer", decide, who="bot"),
        Case(
            "decide as someone else",
            _j({"verdict": "approve", "reviewer": "r1"}),
            "reviewer",
            decide,
            who="r0",
        ),
        Case(
            "revise without args",
            _j({"verdict": "revise", "rationale": "r"}),
            "args",
            decide,
            who="r0",
        ),
        Case("reject without rationale", _j({"verdict": "reject"}), "rationale", decide, who="r0"),
        Case(
            "unknown handoff",
            _j({"verdict": "approve"}),
            "handoff_id",
            "/v1/handoffs/h_nope/decisions",
            who="r0",
        ),
        Case(
            "4,000-char handoff id",
            _j({"verdict": "approve"}),
            "handoff_id",
            f"/v1/handoffs/{'h' * 4000}/decisions",
            who="r0",
        ),
        Case(
            "incident on nothing",
            _j({"handoff_id": "h_nope", "description": "x"}),
            "handoff_id",
            "/v1/incidents",
        ),
        Case(
            "incident empty description",
            _j({"handoff_id": hid, "description": ""}),
            "description",
            "/v1/incidents",
        ),
        Case(
            "incident bad severity",
            _j({"handoff_id": hid, "description": "x", "severity": "apocalyptic"}),
            "severity",
            "/v1/incidents",
        ),
        *[
            Case(f"callback to {what}", _j({"url": url}), "url", "/v1/callbacks")
            for what, url in (
                ("the metadata address", "http://169.254.169.254/latest/meta-data/"),
                ("loopback as a number", "http://2130706433:8000/"),
                ("IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/"),
                ("a private network", "http://10.0.0.5/hook"),
                ("localhost", "http://localhost:8000/admin"),
            )
        ],
        Case("limit=-1", None, "limit", "/v1/handoffs?limit=-1", "GET"),
        Case("limit=abc", None, "limit", "/v1/handoffs?limit=abc", "GET"),
        Case("limit=10**30", None, "limit", f"/v1/handoffs?limit={10**30}", "GET"),
        Case("state=bogus", None, "state", "/v1/handoffs?state=bogus", "GET"),
        Case("wait=NaN", None, "wait", f"/v1/handoffs/{hid}?wait=NaN", "GET"),
        Case("wait=-1", None, "wait", f"/v1/handoffs/{hid}?wait=-1", "GET"),
        Case("wait=inf", None, "wait", f"/v1/handoffs/{hid}?wait=inf", "GET"),
    ]
    for media in JSON_MEDIA_TYPES:
        cases += [
            Case(
                f"duplicate key as {media}",
                b'{"tool":"notes.add","tool":"ops.restart","args":{}}',
                "tool",
                content_type=media,
            ),
            Case(
                f"NaN as {media}",
                b'{"tool":"ops.restart","args":{"x":NaN}}',
                "args",
                content_type=media,
            ),
            Case(f"over-size body as {media}", _j(_with("args", big)), "body", content_type=media),
        ]
    for media in OTHER_MEDIA_TYPES:
        cases.append(Case(f"{media} body", _j(VALID), "content-type", content_type=media))
    for name, values in _WRONG_TYPES:
        for v in values:
            cases.append(Case(f"{name} = {json.dumps(v)[:24]}", _j(_with(name, v)), name))
    base = {"verdict": "reject", "rationale": "wrong types"}
    for name, values in _DECISION_TYPES:
        for v in values:
            cases.append(
                Case(
                    f"decision {name} = {json.dumps(v)[:24]}",
                    _j(_with(name, v, base)),
                    name,
                    decide,
                    who="r0",
                )
            )
    return cases


def judge(case: Case, resp: httpx.Response, head_before: Any, head_after: Any) -> Verdict:
    """Check one reply: a 4xx that names the field, and no change to the store."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    v = Verdict(case.name, resp.status_code, error if isinstance(error, dict) else None)
    if resp.status_code >= 500:
        v.problems.append(f"server error {resp.status_code}")
    elif resp.status_code < 400:
        v.problems.append(f"accepted with {resp.status_code}")
    if resp.status_code < 400:
        pass  # accepted: the body is a success, not an error to inspect
    elif v.error is None or not {"code", "field", "message"} <= set(v.error):
        v.problems.append(f"error body is not {{error: {{code, field, message}}}}: {body!r:.200}")
    else:
        named = v.error.get("field")
        if not isinstance(named, str) or not named:
            v.problems.append(f"the error names no field ({v.error.get('message')!r:.120})")
        elif case.field is not None and not (
            named == case.field or named.startswith((case.field + ".", case.field + "["))
        ):
            v.problems.append(f"names {named!r}, not {case.field!r}")
    if head_before != head_after:
        seqs = [h.get("seq") if isinstance(h, dict) else h for h in (head_before, head_after)]
        v.problems.append(f"the store changed (audit head {seqs[0]} -> {seqs[1]})")
    return v


def _aims(case: Case) -> bool:
    """Whether the case needs an open handoff of its own."""
    return "{hid}" in case.path or b"{hid}" in (case.body or b"")


def judge_generated(case: Case, resp: httpx.Response) -> Verdict:
    """A generated request that may be valid: never a 5xx, and a 4xx names the field."""
    v = Verdict(case.name, resp.status_code, None)
    if resp.status_code >= 500:
        v.problems.append(f"server error {resp.status_code}")
    elif resp.status_code >= 400:
        body = (
            resp.json()
            if resp.headers.get("content-type", "").startswith("application/json")
            else None
        )
        error = body.get("error") if isinstance(body, dict) else None
        v.error = error if isinstance(error, dict) else None
        if v.error is None or not v.error.get("field"):
            v.problems.append(f"the error names no field: {body!r:.200}")
    return v


def send(http: httpx.Client, case: Case, keys: dict[str, str], hid: str) -> httpx.Response:
    headers = {"Content-Type": case.content_type}
    if case.who is not None:
        headers["Authorization"] = f"Bearer {keys[case.who]}"
    path = case.path.replace("{hid}", hid)
    body = None if case.body is None else case.body.replace(b"{hid}", hid.encode())
    return http.request(case.method, path, content=body, headers=headers)


def _no_reply(case: Case, exc: Exception, srv: Server) -> Verdict:
    """The request got no HTTP reply; if the server died of it, restart it."""
    v = Verdict(case.name, 0, None, [f"server error: no reply ({type(exc).__name__})"])
    if srv.proc is not None and srv.proc.poll() is not None:
        v.problems.append(f"server error: the server died (exit {srv.proc.returncode})")
        srv.start()
    return v


def negative_sla_policies(tmp: Path) -> list[Verdict]:
    """Policies ``handoff serve --policy`` must refuse, naming where the SLA is wrong."""
    out = []
    for name, text in [
        ("negative SLA seconds", "name: p\nsla:\n  high: -60\n"),
        ("negative SLA duration", "name: p\nsla:\n  medium: -5m\n"),
        ("negative tool SLA", "name: p\ntools:\n  ops.x:\n    sla: -1h\n"),
        ("SLA not a duration", "name: p\nsla:\n  low: soon\n"),
    ]:
        path = tmp / "bad-policy.yaml"
        path.write_text(text)
        v = Verdict(name, 0, None)
        try:
            load_policy(path)
            v.problems.append("the policy loaded")
        except HandoffError as exc:
            v.error = {"code": exc.code, "field": exc.field, "message": exc.message}
            if not exc.field or "sla" not in (exc.field + exc.message).lower():
                v.problems.append(f"the error does not name the SLA: {exc.field!r} {exc.message}")
        out.append(v)
    return out


@dataclass
class Result:
    db: str
    verdicts: list[Verdict] = field(default_factory=list)
    fuzzed: int = 0
    generated: int = 0
    store_before: tuple[int, int] = (0, 0)
    store_after: tuple[int, int] = (0, 0)
    seconds: float = 0.0

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.problems]


def _counts(url: str) -> tuple[int, int]:
    """(events, handoffs) as stored."""
    store = open_store(url)
    try:
        return store.head()[0], len(store.list_handoffs(limit=100_000))
    finally:
        store.close()


Fuzzer = Callable[[httpx.Client, dict[str, str], str, int], list[tuple[Case, httpx.Response]]]


def run(db: str, fuzz: int = 0, fuzzer: Fuzzer | None = None) -> Result:
    started = time.perf_counter()
    res = Result(db)
    with tempfile.TemporaryDirectory() as tmp_name, database(db, Path(tmp_name)) as url:
        tmp = Path(tmp_name)
        site = prepare(url, tmp, agents=["bot"], reviewers=["r0", "r1"])
        with (
            Server(site, tmp / "server.log") as srv,
            httpx.Client(base_url=srv.url, timeout=120.0) as http,
        ):
            auth = {"Authorization": f"Bearer {site.keys['bot']}"}
            cases = corpus()
            hids = [
                http.post("/v1/actions", json=_with("args.n", n), headers=auth).json()["handoff_id"]
                for n in range(sum(1 for c in cases if _aims(c)) + 1)
            ]
            res.store_before = _counts(url)

            def head() -> Any:
                # A server that answers before reading a whole body closes the
                # connection; the next request then meets a reset and is sent again.
                for _ in range(3):
                    try:
                        return http.get("/v1/health").json()["audit_head"]
                    except httpx.TransportError:
                        time.sleep(0.1)
                return http.get("/v1/health").json()["audit_head"]

            before = head()
            for case in cases:
                hid = hids.pop() if _aims(case) else "-"
                try:
                    resp = send(http, case, site.keys, hid)
                except httpx.TransportError as exc:
                    res.verdicts.append(_no_reply(case, exc, srv))
                    before = head()
                    continue
                after = head()
                res.verdicts.append(judge(case, resp, before, after))
                before = after
            if fuzz and fuzzer is not None:
                for case, resp in fuzzer(http, site.keys, hids[0], fuzz):
                    after = head()
                    res.verdicts.append(judge(case, resp, before, after))
                    before = after
                    res.fuzzed += 1
            res.store_after = _counts(url)
            if fuzz:
                # Generated bodies may be valid, so only "no 5xx; a 4xx names the field".
                from .fuzz import schemathesis_requests

                for case, resp in schemathesis_requests(http, site.keys, hids[0], fuzz):
                    res.verdicts.append(judge_generated(case, resp))
                    res.generated += 1
        res.verdicts.extend(negative_sla_policies(tmp))
    if res.store_after != res.store_before:
        res.verdicts.append(
            Verdict("whole run", 0, None, [f"store {res.store_before} -> {res.store_after}"])
        )
    res.seconds = time.perf_counter() - started
    return res


def table(results: list[Result], fuzz: int) -> str:
    lines = [
        f"Last run: {stamp()}, `python -m reliability.hostile --fuzz {fuzz}`, "
        f"{sum(r.seconds for r in results):.0f} s in all.  ",
        f"Machine: {machine()}.",
        "",
        "| database | hostile requests | of them fuzzed | by schemathesis | 5xx | accepted "
        "| field not named "
        "| store changed | failures |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:

        def count(word: str, r: Result = r) -> int:
            return sum(1 for v in r.verdicts if any(word in p for p in v.problems))

        lines.append(
            f"| {r.db} | {len(r.verdicts)} | {r.fuzzed} | {r.generated} | {count('server error')} "
            f"| {count('accepted') + count('policy loaded')} "
            f"| {count('names')} | {count('changed')} | {len(r.failures)} |"
        )
    failed = [(r.db, v) for r in results for v in r.failures]
    lines += ["", "Verdict: " + ("pass." if not failed else f"FAIL ({len(failed)} failures).")]
    grouped: dict[tuple[str, str], list[str]] = {}
    for db, v in failed:
        grouped.setdefault((v.case, "; ".join(v.problems)[:160]), []).append(db)
    for (case, problem), dbs in list(grouped.items())[:40]:
        lines.append(f"- {case} ({', '.join(dbs)}): {problem}")
    return "\n".join(lines)


DOC_INTRO = """\
`python -m reliability.hostile` sends a corpus of malformed requests to a real
`handoff serve` process (over-size bodies, 1,000-deep nesting, NaN/Infinity, duplicate
JSON keys, each again under every JSON media type (`application/*+json`, `text/json`,
charset variants), other media types (415), invalid UTF-8, NUL bytes in every kind of
field, 5,000-digit integers, naive datetimes, unknown tools, wrong types in every field,
bad query values, no credentials, callback URLs that reach loopback, private or
link-local addresses), then bodies fuzzed by Hypothesis from the
server's /openapi.json (one field given a type its schema forbids) and, when the
`reliability` extra is installed, bodies generated by schemathesis from the same spec
(there: no 5xx, and a 4xx names the field); it also loads policies with negative SLAs.
Pass: never a 5xx or a 2xx, every error is `{"error": {"code", "field", "message"}}`
naming the field, and the audit head and the stored handoffs are the same before and
after. `make test` runs the corpus and 60 fuzzed bodies on both databases
(tests/reliability).
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.hostile", description=__doc__)
    ap.add_argument("--runs", type=int, default=1, help="passes over each database")
    ap.add_argument("--fuzz", type=int, default=300, help="fuzzed requests per pass")
    ap.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite RELIABILITY.md")
    args = ap.parse_args(argv)
    from .fuzz import fuzz_requests

    results = [
        run(db, args.fuzz, fuzz_requests) for db in args.db.split(",") for _ in range(args.runs)
    ]
    text = table(results, args.fuzz)
    print(text)
    if not args.no_docs:
        write_docs("hostile", "Hostile input", DOC_INTRO + "\n" + text)
    return 0 if all(not r.failures for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

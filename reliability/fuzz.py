"""Fuzzed hostile requests drawn from the server's own /openapi.json.

Hypothesis picks an operation with a JSON body (submit, decide, report an incident), a
property of its request schema (top level or one level down, ``$ref`` resolved), and a
value whose JSON type the schema does not allow there. The rest of the body is valid,
so the error must name exactly that property. Because the schema is read from the
running server, a field added to the API is fuzzed without a change here.

When ``schemathesis`` is installed (the ``reliability`` extra), its generator also
runs over every operation; those bodies may be valid, so for them only "no 5xx, and a
4xx names the field" is checked.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .hostile import VALID, Case, send

#: (path, who sends it, a valid body) for each operation with a JSON body.
_OPERATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("/v1/actions", "bot", VALID),
    ("/v1/handoffs/{hid}/decisions", "r0", {"verdict": "reject", "rationale": "fuzz"}),
    ("/v1/incidents", "bot", {"handoff_id": "{hid}", "description": "fuzz"}),
]

#: ``at`` of a decision is overwritten by the plane's clock, and a wrongly accepted one
#: would close the handoff every later decision case aims at; the corpus covers it.
_SKIP = {"at"}

_JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")

_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "integer": st.integers(min_value=-(2**70), max_value=2**70),
    "number": st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f != int(f)),
    "string": st.text(max_size=30),
    "array": st.lists(st.integers() | st.text(max_size=5), max_size=3),
    "object": st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
}


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        node = spec["components"]["schemas"][name]
    return node


def _types(spec: dict[str, Any], node: dict[str, Any]) -> set[str]:
    """The JSON types a schema node allows (every type when it does not say)."""
    node = _resolve(spec, node)
    if "anyOf" in node:
        return set().union(*(_types(spec, n) for n in node["anyOf"]))
    if "enum" in node:
        return {"string"} if all(isinstance(e, str) for e in node["enum"]) else set(_JSON_TYPES)
    kind = node.get("type")
    if kind is None:
        return set(_JSON_TYPES)
    allowed = {kind} if isinstance(kind, str) else set(kind)
    if "number" in allowed:
        allowed |= {"integer", "boolean"}  # JSON integers are numbers; lax bool is 0/1
    if "integer" in allowed:
        allowed.add("boolean")
    return allowed


def properties(spec: dict[str, Any], path: str) -> list[tuple[str, set[str]]]:
    """(dotted property, allowed JSON types) of an operation's body, two levels deep."""
    op = spec["paths"].get(path.replace("{hid}", "{handoff_id}"), {}).get("post", {})
    media = op.get("requestBody", {}).get("content", {}).get("application/json")
    if media is None:  # no JSON body schema published: nothing to fuzz here
        return []
    root = _resolve(spec, media["schema"])
    out: list[tuple[str, set[str]]] = []
    for name, node in root.get("properties", {}).items():
        out.append((name, _types(spec, node)))
        inner = _resolve(spec, node)
        if inner.get("type") == "object":
            for sub, subnode in inner.get("properties", {}).items():
                out.append((f"{name}.{sub}", _types(spec, subnode)))
    return out


def _set(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(body))
    node = out
    *parents, last = dotted.split(".")
    for p in parents:
        if not isinstance(node.get(p), dict):
            node[p] = {}
        node = node[p]
    node[last] = value
    return out


def wrong_cases(spec: dict[str, Any], n: int, seed: int = 0) -> list[Case]:
    """``n`` cases, each one property of one body given a type its schema forbids."""
    targets = [
        (path, who, base, prop, sorted(set(_JSON_TYPES) - allowed))
        for path, who, base in _OPERATIONS
        for prop, allowed in properties(spec, path)
        if set(_JSON_TYPES) - allowed and prop not in _SKIP
    ]
    cases: list[Case] = []

    @st.composite
    def one(draw: st.DrawFn) -> Case:
        path, who, base, prop, wrong = draw(st.sampled_from(targets))
        kind = draw(st.sampled_from(wrong))
        value = draw(_VALUES[kind])
        body = json.dumps(_set(base, prop, value)).encode()
        return Case(
            f"fuzz {path} {prop} = {kind} {json.dumps(value)[:20]}", body, prop, path, who=who
        )

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(one())
    def collect(case: Case) -> None:
        cases.append(case)

    collect()
    return cases[:n]


def fuzz_requests(
    http: httpx.Client, keys: dict[str, str], hid: str, n: int
) -> list[tuple[Case, httpx.Response]]:
    """Send ``n`` fuzzed wrong-type requests; returns each case with its reply."""
    spec = http.get("/openapi.json").json()
    out = []
    for case in wrong_cases(spec, n):
        for _attempt in range(3):
            try:
                out.append((case, send(http, case, keys, hid)))
                break
            except httpx.TransportError:
                continue
    return out


def schemathesis_requests(
    http: httpx.Client, keys: dict[str, str], hid: str, n: int
) -> list[tuple[Case, httpx.Response]]:
    """``n`` bodies from schemathesis's generator over the POST operations above, sent
    as they come; empty when schemathesis is not installed."""
    try:
        st_mod: Any = importlib.import_module("schemathesis")
    except ImportError:
        return []
    schema = st_mod.openapi.from_url(str(http.base_url).rstrip("/") + "/openapi.json")
    wanted = {path.replace("{hid}", "{handoff_id}"): (path, who) for path, who, _ in _OPERATIONS}
    per_op = max(1, n // len(wanted))
    out: list[tuple[Case, httpx.Response]] = []
    for found in schema.get_all_operations():
        op = found.ok()
        if op.method.upper() != "POST" or op.path not in wanted:
            continue
        path, who = wanted[op.path]
        bodies: list[Any] = []
        collect_into(op.as_strategy(), per_op, bodies)
        for body in bodies[:per_op]:
            raw = json.dumps(body, allow_nan=True).encode()
            case = Case(f"schemathesis {path} {raw[:40]!r}", raw, None, path, who=who)
            for _attempt in range(3):
                try:
                    out.append((case, send(http, case, keys, hid)))
                    break
                except httpx.TransportError:
                    continue
    return out


def collect_into(strategy: Any, n: int, out: list[Any]) -> None:
    """Draw up to ``n`` generated cases' bodies from a schemathesis strategy into ``out``."""

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: Any) -> None:
        out.append(case.body)

    collect()

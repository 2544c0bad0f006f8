"""Strict JSON bodies for the API: refuse what a lenient parser would quietly accept.

Python's ``json`` keeps the last of two equal keys, so ``{"tool": "notes.add", "tool":
"ops.restart"}`` would be read as a restart while a log or a proxy shows a note. An
approval system cannot have two readings of one request, so every JSON body sent to
``/v1`` is checked once before the route sees it: valid UTF-8, valid JSON, no
duplicated key at any depth, no ``NaN``/``Infinity``, at most ``MAX_DEPTH`` levels, at
most ``MAX_BODY`` bytes. A body that fails gets the API's error shape naming where
(``args.a``, ``body``) and never reaches the plane.

This is a plain ASGI middleware: it buffers the body, checks it, and replays the same
bytes to the application, so routes parse exactly what was checked.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_body

__all__ = ["MAX_BODY", "MAX_DEPTH", "BodyProblem", "StrictJSON", "check_json"]

#: The largest request body the API reads (the policy's action limit applies after).
MAX_BODY = 4 * 1024 * 1024
#: The deepest nesting of objects and arrays a body may have.
MAX_DEPTH = 64
#: Routes under /v1 whose bodies are not JSON (Slack posts a form).
_NOT_JSON = ("/v1/slack/",)


class BodyProblem(Exception):
    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


class _Pairs(dict[str, Any]):
    """An object as parsed, remembering a key that appeared twice."""

    duplicate: str | None = None


def _pairs(items: list[tuple[str, Any]]) -> _Pairs:
    out = _Pairs()
    for key, value in items:
        if key in out and out.duplicate is None:
            out.duplicate = key
        out[key] = value
    return out


class _Constant:
    """``NaN``/``Infinity`` as parsed, kept so the walk can name where it stands."""

    def __init__(self, name: str) -> None:
        self.name = name


def _walk(value: Any) -> None:
    """Find the first duplicated key or non-number constant (with its path); refuse depth."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BodyProblem(path or "body", f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, _Constant):
            raise BodyProblem(path or "body", f"{node.name} is not a JSON number")
        if isinstance(node, _Pairs):
            if node.duplicate is not None:
                where = f"{path}.{node.duplicate}" if path else node.duplicate
                raise BodyProblem(where, f"the key {node.duplicate!r} appears more than once")
            for key, item in node.items():
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                stack.append((item, f"{path}[{i}]" if path else f"[{i}]", depth + 1))


def check_json(raw: bytes) -> None:
    """Raise ``BodyProblem`` naming where ``raw`` is not one strict JSON document."""
    if len(raw) > MAX_BODY:
        raise BodyProblem("body", f"the body is {len(raw)} bytes; the limit is {MAX_BODY}", 413)
    if not raw.strip():
        return  # an empty body: the route's own validation names what is missing
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyProblem("body", f"not valid UTF-8 (byte {exc.start})") from None
    try:
        parsed = json.loads(text, object_pairs_hook=_pairs, parse_constant=_Constant)
    except RecursionError:
        raise BodyProblem("body", f"nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise BodyProblem(
            "body", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    _walk(parsed)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.split(b";")[0].strip().lower() in (b"application/json", b"")
    return True  # no content type: parsed as JSON by the routes, so checked as JSON


class StrictJSON:
    """ASGI middleware applying ``check_json`` to request bodies under ``/v1``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if (
            scope["type"] != "http"
            or scope.get("method") not in ("POST", "PUT", "PATCH")
            or not path.startswith("/v1/")
            or path.startswith(_NOT_JSON)
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= MAX_BODY:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        try:
            if size > MAX_BODY:
                raise BodyProblem("body", f"the body is {size} bytes; the limit is {MAX_BODY}", 413)
            check_json(raw)
        except BodyProblem as problem:
            code = "too_large" if problem.status == 413 else "invalid_input"
            await _reply(send, problem.status, error_body(code, problem.message, problem.field))
            return
        await self.app(scope, _replay(raw, receive), send)


def _replay(raw: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return again


async def _reply(send: Send, status: int, body: MutableMapping[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})

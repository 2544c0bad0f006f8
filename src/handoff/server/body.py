"""Request bodies: one size cap for every request, one strict JSON reading for the API.

Python's ``json`` keeps the last of two equal keys, so ``{"tool": "notes.add", "tool":
"ops.restart"}`` would be read as a restart while a log or a proxy shows a note. An
approval system cannot have two readings of one request, so every JSON body sent to
``/v1`` is checked once before the route sees it: valid UTF-8, valid JSON, no
duplicated key at any depth, no ``NaN``/``Infinity``, no number too large to hold, at
most ``MAX_DEPTH`` levels. A body that fails gets the API's error shape naming where
(``args.a``, ``body``) and never reaches the plane.

"JSON" is every way of saying it: ``application/json``, any ``application/*+json``
and ``text/json``, with or without a UTF-8 ``charset``; the route is then told
``application/json``, so the framework cannot pick a second, laxer reading for an
unusual spelling. Any other media type on an API route is refused with 415 naming
``content-type`` (Slack's form posts have their own route).

Every request body, API or inbox form, is capped at ``MAX_BODY`` bytes *while it
streams*: a declared ``Content-Length`` over the cap is refused before a byte is read,
and a chunked or lying body is refused the moment it passes the cap, so no client can
make the server hold more than the cap in memory.

This is a plain ASGI middleware: it buffers the body, checks it, and replays the same
bytes to the application, so routes parse exactly what was checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..models import MAX_INT_DIGITS
from .errors import error_body

__all__ = [
    "MAX_BODY",
    "MAX_DEPTH",
    "BodyProblem",
    "StrictJSON",
    "check_json",
    "json_media_type",
    "read_model",
]

#: The largest request body the server reads (the policy's action limit applies after).
MAX_BODY = 4 * 1024 * 1024
#: The deepest nesting of objects and arrays a body may have.
MAX_DEPTH = 64
#: Routes under /v1 whose bodies are not JSON (Slack posts a form).
_NOT_JSON = ("/v1/slack/",)
_WITH_BODY = ("POST", "PUT", "PATCH", "DELETE")
M = TypeVar("M", bound=BaseModel)


class BodyProblem(Exception):
    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status

    @property
    def code(self) -> str:
        return {413: "too_large", 415: "unsupported_media_type"}.get(self.status, "invalid_input")


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


class _Refused:
    """A value the parser read but no store can hold (``NaN``, ``1e999``, a number of
    5,000 digits), kept in place so the walk can name where it stands."""

    def __init__(self, message: str) -> None:
        self.message = message


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a JSON number")


def _int(text: str) -> int | _Refused:
    # Counted before converting: int() of a long string is slow, and past 4,300 digits
    # it raises instead of answering.
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        return _Refused(
            f"an integer of {digits} digits; at most {MAX_INT_DIGITS} digits are allowed"
            " (send longer numbers as strings)"
        )
    return int(text)


def _float(text: str) -> float | _Refused:
    value = float(text)
    if not math.isfinite(value):
        return _Refused(f"{text[:40]} is out of range for a number")
    return value


def _walk(value: Any) -> None:
    """Find the first duplicated key or refused value (with its path); refuse depth."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BodyProblem(path or "body", f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, _Refused):
            raise BodyProblem(path or "body", node.message)
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
        parsed = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_constant=_constant,
            parse_int=_int,
            parse_float=_float,
        )
    except RecursionError:
        raise BodyProblem("body", f"nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise BodyProblem(
            "body", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    _walk(parsed)


def json_media_type(content_type: str) -> bool:
    """Whether a ``Content-Type`` value names JSON; raise ``BodyProblem`` (415) when it
    names JSON in an encoding other than UTF-8, the only one JSON allows (RFC 8259)."""
    kind, *params = content_type.split(";")
    kind = kind.strip().lower()
    if not (
        kind in ("", "application/json", "text/json")
        or (kind.startswith("application/") and kind.endswith("+json"))
    ):
        return False
    for param in params:
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise BodyProblem(
                "content-type",
                f"JSON is read as UTF-8 only (application/json; charset=utf-8), not {charset!r}",
                status=415,
            )
    return True


def _content_type(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return str(value.decode("latin-1"))
    return None


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


def _too_large(size: int) -> BodyProblem:
    return BodyProblem("body", f"the body is {size} bytes or more; the limit is {MAX_BODY}", 413)


class StrictJSON:
    """ASGI middleware: the size cap on every request body, ``check_json`` and the
    media-type rule on bodies sent to ``/v1``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        is_api_json = path.startswith("/v1/") and not path.startswith(_NOT_JSON)
        try:
            if is_api_json:
                sent_type = _content_type(scope)
                # No Content-Type at all: the routes read the body as JSON, so it is checked.
                if sent_type is not None and not json_media_type(sent_type):
                    raise BodyProblem(
                        "content-type",
                        f"the API reads JSON (application/json or a +json type), not {sent_type!r}",
                        status=415,
                    )
            declared = _declared_length(scope)
            if declared is not None and declared > MAX_BODY:
                raise _too_large(declared)
            raw = await _read_capped(receive)
            if raw is None:
                return  # the client went away
            if is_api_json:
                check_json(raw)
                scope = _as_json(scope)
        except BodyProblem as problem:
            await _reply(
                send, problem.status, error_body(problem.code, problem.message, problem.field)
            )
            return
        await self.app(scope, _replay(raw, receive), send)


async def _read_capped(receive: Receive) -> bytes | None:
    """The whole body, or ``BodyProblem`` (413) as soon as it passes ``MAX_BODY``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large(size)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _as_json(scope: Scope) -> Scope:
    """``scope`` with its Content-Type said plainly, so the route reads the checked
    bytes as JSON whichever JSON spelling the client used."""
    headers = [(k, v) for k, v in scope.get("headers", []) if k != b"content-type"]
    return {**scope, "headers": [*headers, (b"content-type", b"application/json")]}


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


def read_model(model: type[M], raw: bytes) -> M:
    """The body ``raw`` as ``model``, with the 422 FastAPI would raise for a body
    declared as ``model`` (for a route that reads its body itself)."""
    if not raw:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    try:
        sent = json.loads(raw)
    except json.JSONDecodeError as exc:  # only a blank body gets past ``StrictJSON``
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", exc.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": exc.msg},
                }
            ]
        ) from None
    try:
        return model.model_validate(sent, from_attributes=True)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err["loc"])} for err in exc.errors()]
        ) from None

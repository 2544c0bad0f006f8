"""Errors as the HTTP API returns them: ``{"error": {"code", "field", "message"}}``.

The code is the exception's stable ``code`` (``invalid_input``, ``conflict``, ...), so a
client branches on it, never on the wording. Each class of the exception tree maps to
one status: bad input 422, not authenticated 401, not authorized 403, not found 404,
a lost compare-and-set, a repeated decision, or a claim the audit chain does not
back (``not_approved``) 409, too many requests 429.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .._exceptions import (
    ActionBlocked,
    ConflictError,
    DatabaseError,
    ExecutionError,
    HandoffError,
    HashMismatch,
    InputError,
    NotApproved,
    NotAuthorized,
    NotFound,
    Tampered,
    Throttled,
    Unauthenticated,
)

__all__ = ["Throttled", "Unauthenticated", "error_body", "install_error_handlers", "status_of"]


_STATUS: list[tuple[type[HandoffError], int]] = [
    (Throttled, 429),
    (InputError, 422),
    (Unauthenticated, 401),
    (NotAuthorized, 403),
    (NotFound, 404),
    (ConflictError, 409),
    (HashMismatch, 409),
    (NotApproved, 409),
    (Tampered, 409),
    (ActionBlocked, 403),
    (ExecutionError, 502),
    (DatabaseError, 503),
]
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "not_authorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def status_of(exc: HandoffError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "field": field, "message": message}}


def _field(loc: Sequence[Any]) -> str | None:
    """``("body", "args", "x")`` -> ``args.x``; ``("query", "wait")`` -> ``wait``;
    ``("body",)`` (the body as a whole is missing or not an object) -> ``body``."""
    if not loc or loc[0] not in ("body", "query", "path"):
        return None
    return ".".join(str(p) for p in loc[1:]) or str(loc[0])


async def _handoff_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HandoffError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    if isinstance(exc, Throttled):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(
        error_body(exc.code, exc.message, exc.field), status_of(exc), headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    return JSONResponse(error_body("invalid_input", message, _field(first.get("loc", ()))), 422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    # FastAPI's own body parsing fails with a bare 400; the body is what is at fault.
    field = "body" if exc.status_code in (400, 413, 415) else None
    return JSONResponse(
        error_body(code, str(exc.detail), field),
        exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HandoffError, _handoff_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)

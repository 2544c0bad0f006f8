"""``create_app(plane)``: the FastAPI application ``handoff serve`` runs under uvicorn.

It holds the HTTP API (``/v1``), the reviewer inbox (``/``), ``/metrics`` and the static
files, behind headers that keep agent-written text inert (see ``security``). With
``background=True`` the app also runs the SLA ladder and outbox delivery while it
serves; ``handoff serve`` turns that on, most tests leave it off.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..plane import ControlPlane
from . import api, channels_routes, dashboard, inbox, metrics, passkey_routes
from .accounts import IDLE_SECONDS, SESSION_SECONDS, Accounts
from .body import StrictJSON
from .errors import install_error_handlers
from .metrics import Metrics
from .security import SecurityHeaders
from .throttle import Limits, Throttle

__all__ = ["create_app"]


def create_app(
    plane: ControlPlane,
    *,
    background: bool = False,
    secure_cookies: bool | None = None,
    limits: Limits | None = None,
    session_idle: float = IDLE_SECONDS,
    session_lifetime: float = SESSION_SECONDS,
    rp_id: str | None = None,
    origin: str | None = None,
) -> FastAPI:
    """The application for ``plane``.

    Cookies are ``Secure`` unless the request came over plain HTTP to a loopback
    address (a browser on the same machine); ``secure_cookies=True`` makes them
    ``Secure`` always (behind a TLS proxy that does not send ``X-Forwarded-Proto``).
    ``limits`` sets the login lockout and the API keys' budget (see ``throttle``);
    ``session_idle`` and ``session_lifetime`` (seconds) end inbox sessions. ``rp_id``
    and ``origin`` are what passkeys are made for and checked against (see
    ``passkey_routes``); by default they are taken from each request's host, which
    suits ``http://localhost``.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task: asyncio.Task[None] | None = None
        if background:
            from ._background import run_background

            task = asyncio.create_task(run_background(plane, stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task

    app = FastAPI(
        title="handoff",
        version=__version__,
        description="Decide when an AI agent's action may run on its own and when a human"
        ' decides. Errors are {"error": {"code", "field", "message"}}.',
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN; the CSP forbids it
        redoc_url=None,
    )
    app.state.plane = plane
    app.state.accounts = Accounts(
        plane.store, plane.clock, idle_seconds=session_idle, lifetime_seconds=session_lifetime
    )
    app.state.throttle = Throttle(plane.store, plane.clock, limits)
    app.state.metrics = Metrics(plane)
    app.state.secure_cookies = secure_cookies
    app.state.rp_id = rp_id
    app.state.origin = origin.rstrip("/") if origin else None
    install_error_handlers(app)
    # Added last, so outermost: refusals of a body carry the security headers too.
    app.add_middleware(StrictJSON)
    app.add_middleware(SecurityHeaders)
    static = resources.files("handoff.server").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api.router)
    app.include_router(channels_routes.router)
    app.include_router(metrics.router)
    app.include_router(passkey_routes.router)
    app.include_router(inbox.router)
    app.include_router(dashboard.router)
    return app

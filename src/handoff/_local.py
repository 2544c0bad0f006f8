"""How a ``Client`` runs an approved action in the agent's process, once.

The server holds the record; the agent holds the tool. ``Client.execute`` claims the
run (the server moves the handoff to ``executing`` under a lease owned by the claim's
token), applies the tool with the approved args and the claim's idempotency key, and
reports the end with the token. A second ``execute`` finds the handoff ended and gets
its recorded outcome, so the tool is never called twice for one approval.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ._exceptions import ExecutionError, UnknownTool
from ._outcome import Outcome
from .execute.execution import ExecutorRegistry, check_hash
from .models import Handoff, RemoteClaim


class Client(Protocol):
    """What running a claim needs of the client: its tools, and the claim and report
    calls (``handoff.Client``; typed here so this module does not import it back)."""

    executors: ExecutorRegistry

    def claim(self, handoff_id: str) -> RemoteClaim | Outcome: ...

    def complete(
        self, handoff_id: str, token: str, *, result: Any = None, error: str | None = None
    ) -> Outcome: ...


__all__ = ["check_args", "run_claim", "run_fn"]


def check_args(h: Handoff, args: Mapping[str, Any]) -> None:
    """``HashMismatch`` unless ``args`` hash to the approved action's hash."""
    check_hash(h.action, h.action_hash, args)


def run_claim(client: Client, got: RemoteClaim) -> Outcome:
    """Apply the claimed action with the executor registered on ``client``; report it."""
    if got.tool not in client.executors:
        raise UnknownTool(
            f"no executor is registered here for {got.tool!r} and the server has none;"
            f" register one (the claim holds until {got.lease_until.isoformat()}, then"
            " another execute takes it over with the same idempotency key)",
            field="tool",
        )
    executor = client.executors.get(got.tool)
    return _apply(client, got, lambda: executor.apply(dict(got.args), "full", got.idempotency_key))


def run_fn(client: Client, handoff_id: str, fn: Callable[..., Any]) -> Outcome:
    """The old ``Client.execute(id, fn)``: ``fn`` gets the idempotency key if it takes one."""
    got = client.claim(handoff_id)
    if isinstance(got, Outcome):
        return got
    extra = {}
    if "idempotency_key" in inspect.signature(fn).parameters:
        extra = {"idempotency_key": got.idempotency_key}
    return _apply(client, got, lambda: fn(**got.args, **extra))


def _apply(client: Client, got: RemoteClaim, call: Callable[[], Any]) -> Outcome:
    try:
        result = call()
    except Exception as exc:  # the tool's failure is recorded, then raised
        error = f"{type(exc).__name__}: {exc}"
        client.complete(got.handoff_id, got.token, error=error)
        raise ExecutionError(f"{got.tool} failed: {error}", field="executor") from exc
    return client.complete(got.handoff_id, got.token, result=result)

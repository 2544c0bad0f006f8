"""``Client``: the ``ControlPlane`` interface over HTTP, for agents in other processes.

An agent switches from the embedded plane to a ``handoff serve`` by changing one line::

    plane = ControlPlane.open()                               # embedded
    plane = Client("http://127.0.0.1:8000", api_key="hk_...")  # remote

Both are a ``handoff.Plane``: every method of the protocol has the plane's parameters
and return types and raises the same exceptions (the server's error ``code`` picks the
class), so callers keep one ``except ConflictError``. The tools stay with the agent:
``register`` keeps an executor in this process and ``execute`` claims the approved run
from the server, runs it here and reports the end.
The key decides who the caller is: an agent's key submits as that agent; a key issued
to a reviewer account decides as that reviewer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from pydantic import BaseModel

from . import _exceptions, _local
from ._exceptions import (
    HandoffError,
)
from ._outcome import Outcome
from ._renamed import renamed
from .decide.lifecycle import OPEN
from .execute.execution import Executor, ExecutorRegistry
from .models import (
    Action,
    Answer,
    Assessment,
    Decision,
    Event,
    Handoff,
    Incident,
    Level,
    RemoteClaim,
)

__all__ = ["Client"]

#: The class for each error code the server returns: the whole tree of ``_exceptions``.
_ERRORS: dict[str, type[HandoffError]] = {
    cls.code: cls
    for cls in vars(_exceptions).values()
    if isinstance(cls, type) and issubclass(cls, HandoffError)
}
#: The server holds one long-poll at most this long; ``wait`` loops for longer ones.
_POLL = 30.0


def _body(value: BaseModel | Mapping[str, Any] | None, fields: dict[str, Any]) -> Any:
    """JSON for a model (only the fields set, so the server fills in who is calling)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    return dict(value) if value is not None else fields


def _outcome(data: dict[str, Any]) -> Outcome:
    return Outcome(data["status"], Handoff.model_validate(data["handoff"]), data["result"])


class Client:
    """A remote control plane at ``url``, called with ``api_key``."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )
        #: The agent's own executors, run here by ``execute`` (see ``register``).
        self.executors = ExecutorRegistry()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            r = self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise HandoffError(f"cannot reach {self.url}: {exc}", field="url") from None
        if r.is_success:
            return r.json()
        try:
            err = r.json()["error"]
            cls = _ERRORS.get(err.get("code", ""), HandoffError)
            raise cls(str(err.get("message", r.text)), field=err.get("field"))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise HandoffError(f"HTTP {r.status_code} from {self.url}: {r.text[:200]}") from None

    # -- the ControlPlane interface ---------------------------------------------------

    def submit(self, action: Action | Mapping[str, Any]) -> Outcome:
        """Gate one action; ``pending`` means a human decides (then ``wait``)."""
        return _outcome(self._call("POST", "/v1/actions", json=_body(action, {})))

    def get(self, handoff_id: str) -> Handoff:
        """The handoff as it stands; ``NotFound`` when there is none."""
        return Handoff.model_validate(self._call("GET", f"/v1/handoffs/{handoff_id}"))

    def wait(self, handoff_id: str, timeout: float | None = None) -> Handoff:
        """Block until the handoff is decided or ``timeout`` seconds pass; returns it."""
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            left = _POLL if end is None else max(0.0, min(_POLL, end - time.monotonic()))
            data = self._call(
                "GET",
                f"/v1/handoffs/{handoff_id}",
                params={"wait": round(left, 3)},
                timeout=left + 30.0,
            )
            h = Handoff.model_validate(data)
            if h.state not in OPEN or (end is not None and time.monotonic() >= end):
                return h

    def decide(
        self, handoff_id: str, decision: Decision | Mapping[str, Any] | None = None, **fields: Any
    ) -> Handoff:
        """``decide(id, verdict="approve", rationale="...")``, as the key's reviewer."""
        body = _body(decision, fields)
        data = self._call("POST", f"/v1/handoffs/{handoff_id}/decisions", json=body)
        return Handoff.model_validate(data)

    def answer(
        self, handoff_id: str, answer: Answer | Mapping[str, Any] | None = None, **fields: Any
    ) -> Handoff:
        """Answer a ``needs_info``: ``answer(id, answers=["..."], evidence=[...])``, as the
        key's agent; the handoff is ``pending`` again (then ``wait``)."""
        body = _body(answer, fields)
        data = self._call("POST", f"/v1/handoffs/{handoff_id}/answers", json=body)
        return Handoff.model_validate(data)

    def pending(self, owner: str | None = None, level: Level | None = None) -> list[Handoff]:
        """Open handoffs the key may see, riskiest first, then nearest deadline."""
        params: dict[str, Any] = {"open": "true", "limit": 500}
        if owner:
            params["owner"] = owner
        if level:
            params["level"] = Level(level).value
        data = self._call("GET", "/v1/handoffs", params=params)
        return [Handoff.model_validate(h) for h in data["handoffs"]]

    def events(self, handoff_id: str) -> list[Event]:
        """The audit trail of one handoff, oldest first."""
        data = self._call("GET", f"/v1/handoffs/{handoff_id}/events")
        return [Event.model_validate(e) for e in data["events"]]

    def register(
        self, tool: str, executor: Executor | Callable[..., Any], *, idempotent: bool = False
    ) -> Executor:
        """Register the agent's own executor of ``tool``: ``execute`` runs it here.

        The server never sees it; ``idempotent`` is kept for the executor's sake (a
        ``Client`` never re-runs a call on its own).
        """
        return self.executors.register(tool, executor, idempotent=idempotent)

    def execute(self, handoff_id: str, args: Mapping[str, Any] | None = None) -> Outcome:
        """Run an approved handoff exactly once, as ``ControlPlane.execute`` does.

        When the server has the tool's executor it runs it there. Otherwise the
        executor registered here runs with the approved args and the claim's
        idempotency key, and the end is reported to the server, which records it in the
        audit trail. An already ended handoff returns its recorded outcome and runs
        nothing. If the executor raises, the failure is recorded and ``ExecutionError``
        raised. ``args``, when given, must hash to what was approved.
        """
        if callable(args):  # the old spelling: execute(id, fn)
            renamed("Client.execute(id, fn)", "register(tool, fn), then execute(id)")
            return _local.run_fn(self, handoff_id, args)
        if args is not None:
            _local.check_args(self.get(handoff_id), args)
        got = self.claim(handoff_id)
        if isinstance(got, Outcome):
            return got
        return _local.run_claim(self, got)

    def assess(self, action: Action | Mapping[str, Any]) -> Assessment:
        """Score the action under the server's active policy, recording nothing."""
        data = self._call("POST", "/v1/assessments", json=_body(action, {}))
        return Assessment.model_validate(data)

    def claim(self, handoff_id: str) -> RemoteClaim | Outcome:
        """The claim to run an approved handoff here (the approved ``args``, the
        ``idempotency_key``, a ``token`` and its ``lease_until``), or its outcome when
        the server ran it or it already ended. Most callers want ``execute``."""
        data = self._call("POST", f"/v1/handoffs/{handoff_id}/execution")
        if data["outcome"] is not None:
            return _outcome(data["outcome"])
        return RemoteClaim.model_validate(data["claim"])

    def complete(
        self, handoff_id: str, token: str, *, result: Any = None, error: str | None = None
    ) -> Outcome:
        """Report how a claimed run ended: ``result`` if it worked, else ``error``."""
        body: dict[str, Any] = {"token": token, "result": result}
        if error is not None:
            body["error"] = error
        data = self._call("POST", f"/v1/handoffs/{handoff_id}/execution/result", json=body)
        return _outcome(data)

    def claim_execution(self, handoff_id: str) -> dict[str, Any] | Outcome:
        """Deprecated: ``claim``, which answers a ``RemoteClaim``."""
        renamed("Client.claim_execution(id)", "claim(id)")
        got = self.claim(handoff_id)
        return got if isinstance(got, Outcome) else got.as_json()

    def report_execution(
        self, handoff_id: str, token: str, *, result: Any = None, error: str | None = None
    ) -> Outcome:
        """Deprecated: ``complete``."""
        renamed("Client.report_execution(id, token)", "complete(id, token)")
        return self.complete(handoff_id, token, result=result, error=error)

    def report_incident(self, incident: Incident | Mapping[str, Any]) -> str:
        data = self._call("POST", "/v1/incidents", json=_body(incident, {}))
        return str(data["incident_id"])

    def policy(self) -> dict[str, Any]:
        """The server's active policy as JSON, with its ``version``."""
        data: dict[str, Any] = self._call("GET", "/v1/policy")
        return data

    def health(self) -> dict[str, Any]:
        data: dict[str, Any] = self._call("GET", "/v1/health")
        return data

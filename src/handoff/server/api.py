"""The HTTP API, version 1: what agents and scripts call.

    GET  /v1/health                         liveness and the database's chain head
    POST /v1/actions                        submit an action -> an outcome
    GET  /v1/handoffs                       list, filtered by state, owner, level, overdue
    GET  /v1/handoffs/{id}?wait=SECONDS     one handoff; long-polls until it is decided
    POST /v1/handoffs/{id}/decisions        decide (reviewers only)
    POST /v1/handoffs/{id}/answers          the agent answers a needs_info; pending again
    GET  /v1/handoffs/{id}/events           its audit trail
    POST /v1/handoffs/{id}/execution        run an approved one (here, or claimed by the agent)
    POST /v1/handoffs/{id}/execution/result how a claimed run ended
    POST /v1/handoffs/{id}/rollback         ask to roll an executed one back (reviewers only)
    POST /v1/incidents                      report a problem with an executed action
    GET  /v1/policy                         the active policy and its version

Everything is the plane's own behaviour over JSON: the plane validates, authorizes and
writes; this module only says who the caller is and maps errors to statuses. An agent
acts under its own name (the ``agent`` of an action must be the key's) and a reviewer
decides under theirs.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from .. import __version__
from .._exceptions import NotAuthorized
from .._outcome import Outcome
from ..decide.lifecycle import OPEN
from ..execute import _remote
from ..models import (
    Action,
    Answer,
    Decision,
    Handoff,
    Incident,
    Level,
    Name,
    State,
    Text,
    _check_finite,
)
from ..plane import ControlPlane
from .auth import Actor, actor, plane_of, reviewer
from .body import read_model
from .metrics import Metrics
from .queue import OPEN_STATES

__all__ = ["MAX_WAIT", "outcome_json", "router"]

router = APIRouter(prefix="/v1")
#: The longest a single ``?wait=`` may hold a request; clients loop for longer waits.
MAX_WAIT = 60.0


class ActionIn(Action):
    """An action as submitted over HTTP: ``agent`` defaults to the API key's name."""

    agent: Annotated[str, Field(min_length=1, max_length=200)] | None = None  # type: ignore[assignment]


class DecisionIn(Decision):
    """A decision as sent over HTTP: ``reviewer`` defaults to the caller's name; the
    time is the server's, so a client-sent ``at`` is refused rather than ignored."""

    reviewer: Annotated[str, Field(min_length=1, max_length=200)] | None = None  # type: ignore[assignment]

    @field_validator("at", mode="before")
    @classmethod
    def _server_time(cls, v: Any) -> Any:
        if v is not None:
            raise ValueError("the decision time is set by the server's clock; leave 'at' out")
        return v


class AnswerIn(Answer):
    """An answer as sent over HTTP: ``agent`` defaults to the API key's name."""

    agent: Annotated[str, Field(min_length=1, max_length=200)] | None = None  # type: ignore[assignment]


class IncidentIn(Incident):
    """An incident as reported over HTTP: ``reporter`` defaults to the caller's name."""

    reporter: Annotated[str, Field(min_length=1, max_length=200)] | None = None  # type: ignore[assignment]


class ExecutionResultIn(BaseModel):
    """How a claimed run ended: ``result`` when it succeeded, ``error`` when it did not."""

    model_config = ConfigDict(extra="forbid")

    token: Name
    result: Any = None
    error: Annotated[Text, Field(min_length=1)] | None = None

    @field_validator("result")
    @classmethod
    def _storable(cls, v: Any) -> Any:
        _check_finite(v, "result")
        return v


class RollbackIn(BaseModel):
    """Why an executed handoff should be rolled back; recorded with the request."""

    model_config = ConfigDict(extra="forbid")

    #: ``why`` is the older name of the same field.
    rationale: Annotated[
        Text, Field(min_length=1, validation_alias=AliasChoices("rationale", "why"))
    ]


def _as_sent(model: ActionIn | AnswerIn | DecisionIn | IncidentIn) -> dict[str, Any]:
    """The fields the caller sent, as JSON data for the plane to validate and use."""
    return model.model_dump(mode="json", exclude_unset=True)


def _plane(request: Request) -> ControlPlane:
    return plane_of(request)


def handoff_json(h: Handoff) -> dict[str, Any]:
    return h.model_dump(mode="json")


def outcome_json(o: Outcome) -> dict[str, Any]:
    return _outcome(o, handoff_json(o.handoff))


def _outcome(o: Outcome, handoff: Any) -> dict[str, Any]:
    return {
        "status": o.status,
        "handoff_id": o.handoff_id,
        "reasons": o.reasons,
        "result": o.result,
        "handoff": handoff,
    }


_JSON_OBJECT = TypeAdapter(dict[str, Any])


def _outcome_reply(o: Outcome) -> Response:
    """``outcome_json(o)`` as the reply, 202 while pending, written by pydantic in one
    pass: a ``JSONResponse`` would build the handoff as Python objects first and then
    encode them, three times the work on the busiest route."""
    body = _JSON_OBJECT.dump_json(_outcome(o, o.handoff))
    return Response(body, status_code=202 if o.pending else 200, media_type="application/json")


@router.get("/health", summary="Liveness and the audit chain head")
def health(request: Request) -> dict[str, Any]:
    plane = _plane(request)
    seq, head = plane.store.head()
    return {
        "status": "ok",
        "version": __version__,
        "policy_version": plane.policy.version,
        "audit_head": {"seq": seq, "hash": head},
    }


#: What FastAPI would say of ``submit``'s body had it declared one (see ``submit``).
_ACTION_BODY: dict[str, Any] = {
    "requestBody": {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionIn"}}},
        "required": True,
    },
    "responses": {
        "422": {
            "description": "Validation Error",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
            },
        }
    },
}


@router.post("/actions", summary="Submit an action to the gate", openapi_extra=_ACTION_BODY)
async def submit(request: Request) -> Response:
    """Runs it (auto), pauses it for a human (``pending``, 202) or blocks it.

    The action's ``agent`` defaults to the caller's name and may not be another's.
    """
    # The busiest route reads its body itself so that the caller (``actor``) and the
    # submit run in one worker thread: a declared body and ``Depends(actor)`` cost a
    # second hop to the thread pool per request. The order of the answers is kept:
    # who is calling (401, 403, 429) before what they sent (422).
    raw = await request.body()
    return await run_in_threadpool(_submit, request, raw)


def _submit(request: Request, raw: bytes) -> Response:
    who = actor(request)
    body = read_model(ActionIn, raw)
    if body.agent is not None and body.agent != who.name:
        raise NotAuthorized(
            f"this key belongs to {who.name}; it cannot submit as {body.agent!r}",
            field="agent",
        )
    # Validated once, here: the plane takes an ``Action`` as it is.
    action = Action.model_construct(
        body.model_fields_set | {"agent"}, **{**body.__dict__, "agent": who.name}
    )
    return _outcome_reply(_plane(request).submit(action))


@router.post("/assessments", summary="Assess an action without recording it")
def assess(
    request: Request, body: ActionIn, who: Annotated[Actor, Depends(actor)]
) -> dict[str, Any]:
    """The assessment ``/actions`` would act on, under the active policy; nothing is
    written. Integrations ask it before a framework decides whether a call needs
    approval."""
    action = _as_sent(body)
    action = {**action, "agent": action.get("agent") or who.name}
    return _plane(request).assess(action).model_dump(mode="json")


@router.get("/handoffs", summary="List handoffs, riskiest and most urgent first")
def list_handoffs(
    request: Request,
    who: Annotated[Actor, Depends(actor)],
    state: Annotated[list[State] | None, Query(description="Repeatable")] = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    owner: str | None = None,
    level: Level | None = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Agents see their own handoffs; reviewers their teams' (admins all)."""
    plane = _plane(request)
    states: list[State] | None = list(OPEN_STATES) if open_only else state
    owners: set[str] | None = None
    agent = None
    if who.kind == "agent":
        agent = who.name
    elif not who.admin:
        owners = set(who.teams)
    if owner is not None:
        if owners is not None and owner not in owners:
            raise NotAuthorized(f"{who.name} is not in team {owner}", field="owner")
        owners = {owner}
    found = plane.store.list_handoffs(
        states=states,
        owners=owners,
        level=level,
        agent=agent,
        due_before=plane.clock.now() if overdue else None,
        limit=limit,
        offset=offset,
    )
    return {"handoffs": [handoff_json(h) for h in found], "limit": limit, "offset": offset}


@router.get("/handoffs/{handoff_id}", summary="One handoff; ?wait= long-polls for a decision")
async def get_handoff(
    request: Request,
    handoff_id: str,
    who: Annotated[Actor, Depends(actor)],
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT, description="Seconds to wait")] = 0,
) -> dict[str, Any]:
    """With ``wait``, answers as soon as the handoff leaves pending/redirected, or when
    the time is up (then still open). The table is re-read each time: it is the truth."""
    plane = _plane(request)
    h = await run_in_threadpool(plane.get, handoff_id)
    who.check_read(h)
    end = time.monotonic() + wait
    pause = 0.05
    while h.state in OPEN and time.monotonic() < end:
        if await request.is_disconnected():
            break
        await asyncio.sleep(min(pause, max(0.0, end - time.monotonic())))
        pause = min(pause * 1.5, 0.5)
        h = await run_in_threadpool(plane.get, handoff_id)
    return handoff_json(h)


@router.post("/handoffs/{handoff_id}/decisions", summary="Decide a handoff")
def decide(
    request: Request,
    handoff_id: str,
    body: DecisionIn,
    who: Annotated[Actor, Depends(reviewer)],
) -> dict[str, Any]:
    """Approve, revise, choose, redirect or reject, as the calling reviewer.

    409 when the handoff was decided meanwhile (two racing decisions cannot both win);
    403 when the policy does not let this reviewer decide it.
    """
    decision = _as_sent(body)
    if decision.get("reviewer") is None:
        decision = {**decision, "reviewer": who.name}
    elif decision["reviewer"] != who.name:
        raise NotAuthorized(
            f"you are {who.name}; you cannot decide as {decision['reviewer']!r}",
            field="reviewer",
        )
    plane = _plane(request)
    h = plane.get(handoff_id)
    who.check_read(h)
    after = plane.decide(handoff_id, decision)
    metrics: Metrics = request.app.state.metrics
    metrics.decided(after)
    return handoff_json(after)


@router.post("/handoffs/{handoff_id}/answers", summary="Answer a handoff sent back for information")
def answer(
    request: Request, handoff_id: str, body: AnswerIn, who: Annotated[Actor, Depends(actor)]
) -> dict[str, Any]:
    """The submitting agent answers the reviewer's questions of a ``needs_info``; the
    answers and evidence join the package and the handoff is ``pending`` again."""
    reply = _as_sent(body)
    if reply.get("agent") is None:
        reply = {**reply, "agent": who.name}
    elif reply["agent"] != who.name:
        raise NotAuthorized(
            f"this key belongs to {who.name}; it cannot answer as {reply['agent']!r}",
            field="agent",
        )
    plane = _plane(request)
    who.check_read(plane.get(handoff_id))
    return handoff_json(plane.answer(handoff_id, reply))


@router.get("/handoffs/{handoff_id}/events", summary="The audit trail of one handoff")
def handoff_events(
    request: Request, handoff_id: str, who: Annotated[Actor, Depends(actor)]
) -> dict[str, Any]:
    plane = _plane(request)
    who.check_read(plane.get(handoff_id))
    return {"events": [e.model_dump(mode="json") for e in plane.store.events(handoff_id)]}


@router.post("/incidents", summary="Report a problem with an executed action", status_code=201)
def report_incident(
    request: Request, body: IncidentIn, who: Annotated[Actor, Depends(actor)]
) -> dict[str, Any]:
    """The ``reporter`` defaults to the caller and may not be someone else."""
    incident = _as_sent(body)
    if incident.get("reporter") is None:
        incident = {**incident, "reporter": who.name}
    elif incident["reporter"] != who.name:
        raise NotAuthorized(f"you are {who.name}", field="reporter")
    plane = _plane(request)
    handoff_id = incident.get("handoff_id")
    if isinstance(handoff_id, str):
        who.check_read(plane.get(handoff_id))
    return {"incident_id": plane.report_incident(incident)}


@router.post("/handoffs/{handoff_id}/execution", summary="Run an approved handoff, once")
def execute(
    request: Request, handoff_id: str, who: Annotated[Actor, Depends(actor)]
) -> dict[str, Any]:
    """The submitting agent asks to run its approved action.

    When this server has an executor for the tool it runs it and answers the outcome.
    Otherwise the agent runs it: the answer is a ``claim`` (the approved args, the
    idempotency key to apply them with, a token and its lease), and the agent reports
    the end to ``…/execution/result``. A handoff that already ended answers its
    ``outcome``; one being run under a live claim is a 409.
    """
    plane = _plane(request)
    h = plane.get(handoff_id)
    who.check_read(h)
    if h.action.tool in plane.executors:
        if h.action.agent != who.name:
            raise NotAuthorized(f"only {h.action.agent!r} runs this action", field="agent")
        return {"claim": None, "outcome": outcome_json(plane.execute(handoff_id))}
    got = _remote.claim(plane, handoff_id, who.name)
    if isinstance(got, Outcome):
        return {"claim": None, "outcome": outcome_json(got)}
    return {"claim": got.as_json(), "outcome": None}


@router.post("/handoffs/{handoff_id}/execution/result", summary="Report how a claimed run ended")
def execution_result(
    request: Request,
    handoff_id: str,
    body: ExecutionResultIn,
    who: Annotated[Actor, Depends(actor)],
) -> dict[str, Any]:
    """``executed`` with the ``result``, or ``failed`` with the ``error``; 409 when the
    claim no longer holds (the run ended, or another claim took over after the lease)."""
    plane = _plane(request)
    out = _remote.report(
        plane, handoff_id, who.name, body.token, result=body.result, error=body.error
    )
    return outcome_json(out)


@router.post("/handoffs/{handoff_id}/rollback", summary="Ask to roll an executed handoff back")
def rollback(
    request: Request,
    handoff_id: str,
    body: RollbackIn,
    who: Annotated[Actor, Depends(reviewer)],
) -> JSONResponse:
    """A reviewer of the owning team (or an admin) asks; the rollback is a new handoff
    that always waits for another reviewer of that team (202), then runs through
    ``…/execution`` by the one who asked. Agent keys get 403: they cannot roll back."""
    plane = _plane(request)
    who.check_read(plane.get(handoff_id))
    out = plane.rollback(handoff_id, who.name, body.rationale, admin=who.admin)
    return JSONResponse(outcome_json(out), status_code=202 if out.pending else 200)


@router.get("/policy", summary="The active policy")
def policy(request: Request, who: Annotated[Actor, Depends(actor)]) -> dict[str, Any]:
    p = _plane(request).policy
    return {"version": p.version, "policy": p.model_dump(mode="json")}

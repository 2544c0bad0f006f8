"""The vocabulary of handoff as pydantic v2 models.

Inputs from agents and reviewers (``Action``, ``Decision``, ``Package``, ``Incident``)
are strict: unknown fields, NaN, Infinity, integers longer than ``MAX_INT_DIGITS``,
non-object ``args``, and a NUL or lone surrogate in any string (which no store or hash
keeps) are refused with an error naming the field. Records the plane writes
(``Assessment``, ``Handoff``, ``Event``, ``Execution``) are plain models that round-trip
through JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from ._canonical import sha256_hex

__all__ = [
    "MAX_INT_DIGITS",
    "Action",
    "Answer",
    "Assessment",
    "Context",
    "Decision",
    "Event",
    "Evidence",
    "Execution",
    "Factor",
    "Finding",
    "Handoff",
    "Incident",
    "Level",
    "Message",
    "Mode",
    "Option",
    "Package",
    "RemoteClaim",
    "StageRun",
    "State",
    "Step",
    "StepUp",
    "ToolAnnotations",
    "Verdict",
    "action_hash",
]

MAX_TEXT = 200_000
#: The longest integer an input may hold: every longer one overflows a float (the
#: rubric reads numbers as floats) and, past 4,300 digits, cannot even be printed.
MAX_INT_DIGITS = 308
_INT_LIMIT = 10**MAX_INT_DIGITS
TOOL_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]+)*$"
Json = dict[str, Any]


def _text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored and hashed as UTF-8 JSON text, or None."""
    if "\x00" in text:
        return "contains a NUL character"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "is not valid Unicode (it holds a lone surrogate)"
    return None


def _plain_text(text: str) -> str:
    problem = _text_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_plain_text)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain_text)]


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2}


class Mode(StrEnum):
    AUTO = "auto"
    REVIEW = "review"
    TWO_PERSON = "two_person"
    BLOCK = "block"


class State(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REDIRECTED = "redirected"
    NEEDS_INFO = "needs_info"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    AUTO_APPROVED = "auto_approved"
    EXECUTING = "executing"
    EXECUTED = "executed"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"
    BLOCKED = "blocked"


class Verdict(StrEnum):
    APPROVE = "approve"
    REVISE = "revise"
    CHOOSE = "choose"
    REDIRECT = "redirect"
    REJECT = "reject"


def _check_finite(value: Any, path: str) -> None:
    """Refuse NaN, Infinity, NUL characters and lone surrogates anywhere inside a JSON
    value, naming where: none of them survives canonical JSON, PostgreSQL or hashing."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{path} is not a finite number")
    if type(value) is int and not -_INT_LIMIT < value < _INT_LIMIT:
        raise ValueError(
            f"{path} is an integer longer than {MAX_INT_DIGITS} digits"
            " (send longer numbers as strings)"
        )
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem is not None:
            raise ValueError(f"{path} {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path} has a non-string key")
            problem = _text_problem(key)
            if problem is not None:
                raise ValueError(f"{path} has a key that {problem}")
            _check_finite(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_finite(item, f"{path}[{i}]")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_max_length=MAX_TEXT)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, v: Any, info: ValidationInfo) -> Any:
        """Every string, list of strings and JSON object of every input, whatever its
        declared type: one missed field would be a NUL that PostgreSQL refuses (a 500)
        or a number the rubric cannot read."""
        if isinstance(v, str):
            return _plain_text(v)
        if isinstance(v, dict):
            _check_finite(v, info.field_name or "value")
        elif isinstance(v, list):
            for item in v:
                if isinstance(item, str):
                    _plain_text(item)
        return v


class Message(_Input):
    """A turn that reached the agent other than a tool result (a later user message)."""

    role: Name = "user"
    content: Text = ""


class Step(_Input):
    """One earlier turn of the agent: what it thought, called, and got back."""

    thought: Text = ""
    tool: str | None = None
    args: Json | None = None
    observation: Text | None = None
    messages: list[Message] = Field(default_factory=list)


class Evidence(_Input):
    """Something the agent offers in support of the action."""

    source: Name
    excerpt: Text = ""
    uri: str | None = None


class Context(_Input):
    """Everything around the action that Detect may read."""

    instruction: Text = ""
    steps: list[Step] = Field(default_factory=list, max_length=1000)
    thought: Text = ""
    messages: list[Message] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    assumptions: list[Text] = Field(default_factory=list)
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    domain: str | None = None


class Option(_Input):
    """One way the reviewer could decide, with its trade-offs.

    ``origin`` says who wrote it: ``handoff`` for the options handoff drafts, ``agent``
    for an agent's own. Only the plane writes ``handoff``; an agent's package that
    claims it is refused, and an option with no origin is taken as the agent's, so an
    option whose author is unknown is never shown as handoff's.
    """

    id: Annotated[str, Field(min_length=1, max_length=64)]
    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: Text = ""
    risk: Level = Level.MEDIUM
    effort: Level = Level.MEDIUM
    expected_impact: Text = ""
    args: Json | None = None
    origin: Literal["handoff", "agent"] = "agent"


class Package(_Input):
    """The decision brief a reviewer reads. ``decision_required`` is never empty."""

    summary: Text = ""
    assumptions: list[Text] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    open_questions: list[Text] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list, max_length=10)
    decision_required: Text = ""
    preview: Json | None = None
    missing: list[str] = Field(default_factory=list)
    drafted: bool = False
    #: What the plane found that the reviewer must weigh (a requester it cannot place);
    #: written by the plane only: whatever an agent's package says here is replaced.
    warnings: list[Text] = Field(default_factory=list)


class ToolAnnotations(_Input):
    """What the tool's own server says the tool does: MCP's tool annotations, or the same
    facts from any integration.

    They are hints from whoever describes the tool, so Detect lets them raise the risk
    (destructive: low reversibility; open world: external reach) and lets ``read_only``
    place an otherwise unknown tool, but never lets them lower what the tool's name,
    its arguments or a policy rule say. Unset fields follow MCP's defaults once any
    annotation is given: not read-only, destructive, not idempotent, open world.
    """

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, populate_by_name=True, strict=True
    )

    title: str | None = Field(default=None, max_length=500)
    read_only: bool | None = Field(default=None, alias="readOnlyHint")
    destructive: bool | None = Field(default=None, alias="destructiveHint")
    idempotent: bool | None = Field(default=None, alias="idempotentHint")
    open_world: bool | None = Field(default=None, alias="openWorldHint")


class Action(_Input):
    """What an agent proposes to do: a tool call with its arguments and context."""

    tool: Annotated[str, Field(min_length=1, max_length=200, pattern=TOOL_PATTERN)]
    args: Json = Field(default_factory=dict)
    agent: Name = "agent"
    on_behalf_of: str | None = Field(default=None, max_length=200)
    context: Context = Field(default_factory=Context)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)
    package: Package | None = None
    annotations: ToolAnnotations | None = None

    @field_validator("args", mode="before")
    @classmethod
    def _args_object(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            raise ValueError("must be a JSON object")
        return v

    def hashed_part(self) -> Json:
        """The part of the action an approval is bound to."""
        return {
            "tool": self.tool,
            "args": self.args,
            "agent": self.agent,
            "on_behalf_of": self.on_behalf_of,
        }


def action_hash(tool: str, args: Json, agent: str, on_behalf_of: str | None) -> str:
    """sha256 of the canonical form of what an approval is bound to."""
    return sha256_hex({"tool": tool, "args": args, "agent": agent, "on_behalf_of": on_behalf_of})


class Finding(BaseModel):
    """One fired rule: what it found, why it matters, and where it found it."""

    code: str
    message: str
    where: str = ""
    excerpt: str = ""
    weight: float = 0.0


class Factor(BaseModel):
    """One rubric factor scored in [0, 1], with the findings behind the score."""

    name: Literal["impact", "reversibility", "uncertainty", "policy_sensitivity"]
    score: float
    reasons: list[Finding] = Field(default_factory=list)


class Assessment(BaseModel):
    """The output of Detect for one action under one policy version."""

    level: Level
    score: float
    factors: list[Factor]
    triggers: list[Finding] = Field(default_factory=list)
    owner: str | None = None
    mode: Mode
    quorum: int = 1
    sla_seconds: int | None = None
    policy_version: str

    def reasons(self) -> list[str]:
        """Human sentences for every trigger and factor reason, most important first."""
        out = [t.message for t in self.triggers]
        for f in sorted(self.factors, key=lambda f: -f.score):
            out.extend(r.message for r in f.reasons if r.message not in out)
        return out


class StepUp(_Input):
    """A passkey's answer to a step-up challenge: the ``nonce`` the challenge was made
    from and the ``credential`` that ``navigator.credentials.get`` returned, as JSON
    (``id``, ``rawId``, ``type`` and ``response`` with base64url fields)."""

    nonce: Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    credential: Json

    @field_validator("credential")
    @classmethod
    def _bounded(cls, v: Json) -> Json:
        # An assertion is a few hundred bytes; a large one is not an assertion.
        if len(repr(v)) > 16_384:
            raise ValueError("too large to be a passkey assertion")
        return v


class Decision(_Input):
    """A reviewer's verdict on a handoff. ``at`` is set by the plane's clock.

    ``step_up`` carries the reviewer's passkey confirmation where the policy's
    ``step_up`` level asks for one; it is checked, recorded in the audit event and not
    kept on the handoff.
    """

    verdict: Verdict
    reviewer: Name
    rationale: Text = ""
    args: Json | None = None
    option_id: str | None = None
    owner: str | None = None
    questions: list[Text] = Field(default_factory=list)
    at: datetime | None = None
    action_hash: str | None = None
    step_up: StepUp | None = None

    @field_validator("args", mode="before")
    @classmethod
    def _args_object(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, dict):
            raise ValueError("must be a JSON object")
        return v


class Execution(BaseModel):
    """One run of an approved action through its executor."""

    handoff_id: str
    tool: str
    action_hash: str
    idempotency_key: str
    attempts: int = 1
    stage: str = "full"
    status: Literal["running", "succeeded", "failed", "rolled_back"] = "running"
    result: Any = None
    error: str | None = None
    confirmation: Any = None
    rollback: Any = None
    started_at: datetime
    finished_at: datetime | None = None
    #: The stages this execution runs, in order (``dry_run``, ``canary``, ``full``).
    plan: list[str] = Field(default_factory=lambda: ["full"])
    #: Stages done so far; recovery resumes after the last one.
    stages: list[StageRun] = Field(default_factory=list)
    #: Who the claim belongs to and until when; recovery takes over expired leases.
    lease_owner: str | None = None
    lease_until: datetime | None = None
    approved_by: list[str] = Field(default_factory=list)
    #: The change log entry: before/after version ids (the executor's, or content hashes).
    versions: Json | None = None


class RemoteClaim(BaseModel):
    """An approved run taken to be carried out by the agent that holds the tool.

    Apply ``args`` with ``idempotency_key`` (so a downstream service dedupes a retry),
    then report the end with ``token`` before ``lease_until``; see ``Plane.claim``.
    """

    model_config = ConfigDict(frozen=True)

    handoff_id: str
    token: str
    idempotency_key: str
    tool: str
    args: dict[str, Any]
    action_hash: str
    lease_until: datetime
    attempt: int

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class StageRun(BaseModel):
    """One stage of an execution that was applied and passed its confirmation."""

    stage: str
    idempotency_key: str
    result: Any = None
    confirmation: Any = None
    at: datetime


class Handoff(BaseModel):
    """The durable record of one action that went through the gate."""

    id: str
    action: Action
    action_hash: str
    assessment: Assessment
    package: Package | None = None
    owner: str | None = None
    assignee: str | None = None
    state: State
    deadline: datetime | None = None
    ladder_step: int = 0
    decisions: list[Decision] = Field(default_factory=list)
    execution: Execution | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 0

    @property
    def approvals(self) -> list[Decision]:
        """Approvals that count towards quorum: bound to the current hash, one per person."""
        return counted_approvals(self.decisions, self.action_hash)


class _Decided(Protocol):
    @property
    def verdict(self) -> Verdict: ...
    @property
    def action_hash(self) -> str | None: ...
    @property
    def reviewer(self) -> str: ...


_D = TypeVar("_D", bound=_Decided)


def counted_approvals(decisions: Iterable[_D], action_hash: str) -> list[_D]:
    """The approvals that count towards quorum: approve, revise or choose, bound to
    ``action_hash``, the first of each reviewer's."""
    seen: set[str] = set()
    out: list[_D] = []
    for d in decisions:
        if (
            d.verdict in (Verdict.APPROVE, Verdict.REVISE, Verdict.CHOOSE)
            and d.action_hash == action_hash
            and d.reviewer not in seen
        ):
            seen.add(d.reviewer)
            out.append(d)
    return out


class Event(BaseModel):
    """One entry of the hash-chained audit log."""

    seq: int
    handoff_id: str | None
    kind: str
    actor: str
    at: datetime
    data: Json = Field(default_factory=dict)
    prev_hash: str
    hash: str


class Answer(_Input):
    """The agent's reply to a handoff sent back as ``needs_info``.

    ``answers`` reply to the reviewer's questions in order; ``evidence`` is what the agent
    can show. Both join the package the reviewers read; the action itself (and so its
    hash) stays as submitted: a different action is a new submit.
    """

    agent: Name = "agent"
    answers: list[Text] = Field(default_factory=list, max_length=50)
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)


class Incident(_Input):
    """A problem reported later against an executed action."""

    handoff_id: Name
    severity: Level = Level.MEDIUM
    description: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    reporter: Name = "unknown"

"""Load, validate and version the policy.

A policy is one YAML document. Validation errors name the file, the line and the path
(``policy.yaml:14 owners.legal.members: Input should be a valid list``). The version of
a policy is the sha256 of the canonical JSON of its validated form, so comments,
key order and spelled-out defaults do not change it.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from ._canonical import sha256_hex
from ._exceptions import InputError, PolicyError
from ._principal import canonical, email_local_part, invisible_in
from .detect import codes
from .detect.learned import load_model
from .models import Level, Mode

__all__ = [
    "DetectSettings",
    "JudgeSettings",
    "LadderStep",
    "Owner",
    "Policy",
    "Principal",
    "Route",
    "RouteWhen",
    "RubricConfig",
    "ToolRule",
    "TriggerRule",
    "default_policy",
    "load_policy",
    "parse_duration",
]

FactorName = Literal["impact", "reversibility", "uncertainty", "policy_sensitivity"]
_DEFAULT_WEIGHTS: dict[FactorName, float] = {
    "impact": 0.35,
    "reversibility": 0.25,
    "uncertainty": 0.2,
    "policy_sensitivity": 0.2,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> int:
    """Seconds from ``90``, ``"90s"``, ``"30m"``, ``"4h"``, ``"2d"`` or ``"1w"``; never negative."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 4h")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNIT[m.group(2) or "s"]
    else:
        raise ValueError("expected a duration such as 30m, 4h or 2d")
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return int(seconds)


Duration = Annotated[int, BeforeValidator(parse_duration)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class RubricConfig(_Section):
    """Factor weights and the score thresholds between levels."""

    weights: dict[FactorName, float] = Field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    medium: float = Field(default=0.3, ge=0.0, le=1.0)
    high: float = Field(default=0.6, ge=0.0, le=1.0)

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[FactorName, float]) -> dict[FactorName, float]:
        if any(w < 0 for w in v.values()):
            raise ValueError("weights must not be negative")
        if sum(v.values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> RubricConfig:
        if self.medium > self.high:
            raise ValueError("threshold medium must not exceed high")
        return self


def _known_code(code: str) -> str:
    """Refuse a trigger code nothing fires: a misspelt rule would silently never apply."""
    if not codes.is_known(code):
        near = difflib.get_close_matches(code, [*codes.TRIGGER_CODES, *codes.NOTES], n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ValueError(
            f"unknown trigger code {code!r}{hint} (`handoff policy check FILE --explain`"
            " lists every code)"
        )
    return code


TriggerCode = Annotated[str, AfterValidator(_known_code)]


class TriggerRule(_Section):
    """How one trigger code acts when it fires."""

    enabled: bool = True
    level: Level | None = None
    mode: Mode | None = None
    owner: str | None = None


class ToolRule(_Section):
    """Overrides for tools whose name matches a glob (``cms.*``, ``BinanceWithdraw``)."""

    level: Level | None = None
    mode: Mode | None = None
    owner: str | None = None
    impact: float | None = Field(default=None, ge=0.0, le=1.0)
    reversibility: float | None = Field(default=None, ge=0.0, le=1.0)
    stages: list[Literal["dry_run", "canary", "full"]] | None = None


def _plain_names(v: Any) -> Any:
    """Refuse names that hold characters showing as nothing: they could never match."""
    for name in [v] if isinstance(v, str) else v or []:
        if isinstance(name, str) and (hidden := invisible_in(name)):
            raise ValueError(f"{name!r} holds characters that show as nothing ({hidden[0]})")
    return v


PlainNames = Annotated[list[str], BeforeValidator(_plain_names)]


def _off(v: Any) -> Any:
    """YAML reads a bare ``off`` as false; here it means the word."""
    return "off" if v is False else v


class Owner(_Section):
    """A team that owns decisions, its members, and who escalation goes to."""

    description: str = ""
    members: PlainNames = Field(default_factory=list)
    lead: Annotated[str | None, BeforeValidator(_plain_names)] = None
    backup: str | None = None
    #: This team's SLA by level, where it differs from the policy's ``sla``.
    sla: dict[Level, Duration] = Field(default_factory=dict)


class Principal(_Section):
    """Other spellings of one person, so an action that names them is matched to them.

    An agent's ``on_behalf_of`` may say ``Fiona Fischer`` or ``fiona@corp.example``; the
    requester check and quorum count them as ``fiona`` when they are listed here.
    """

    aliases: PlainNames = Field(default_factory=list)
    emails: PlainNames = Field(default_factory=list)

    @field_validator("emails")
    @classmethod
    def _addresses(cls, v: list[str]) -> list[str]:
        for e in v:
            if email_local_part(e) is None:
                raise ValueError(f"{e!r} is not an email address (name@domain)")
        return v


class RouteWhen(_Section):
    tool: str | None = None
    triggers: list[TriggerCode] = Field(default_factory=list)
    domain: str | None = None


class Route(_Section):
    """First matching route names the owner. An empty ``when`` matches everything."""

    when: RouteWhen = Field(default_factory=RouteWhen)
    owner: str


class LadderStep(_Section):
    """One step of the SLA ladder, at a share of the SLA (``at: 0.5`` is half-way)."""

    at: float = Field(gt=0.0, le=10.0)
    do: Literal["remind", "escalate", "fallback"]
    to: Literal["assignee", "lead", "backup", "owner"] = "owner"


def _seconds(v: Any) -> Any:
    """A timeout as a number of seconds or a duration such as ``10s``."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    return parse_duration(v)


def _file_path(v: Any) -> Any:
    if not isinstance(v, str) or not v:
        raise ValueError("expected a file path")
    return v


def _http_url(v: Any) -> Any:
    if not isinstance(v, str) or not v.startswith(("http://", "https://")):
        raise ValueError("expected an http(s) URL")
    return v


Share = Annotated[float, Field(strict=True, ge=0.0, le=1.0)]


class JudgeSettings(_Section):
    """The optional LLM judge (``detect.judge``); see docs/detect.md."""

    base_url: Annotated[str, BeforeValidator(_http_url)]
    model: Annotated[str, Field(strict=True, min_length=1)]
    api_key_env: Annotated[str, Field(strict=True, min_length=1)] | None = None
    timeout: Annotated[float, BeforeValidator(_seconds), Field(gt=0.0, le=300.0)] = 10.0
    band: tuple[Share, Share] = (0.15, 0.45)
    may_lower: Annotated[bool, Field(strict=True)] = False

    @field_validator("band")
    @classmethod
    def _band(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not v[0] < v[1]:
            raise ValueError("expected [low, high] with 0 <= low < high <= 1")
        return v


class DetectSettings(_Section):
    """Settings the detectors, the learned model and the judge read (``detect``).

    Its canonical form holds only what is set: the keys that default to nothing
    (``learned``, ``learned_raise``, ``learned_lower``, ``judge``) are left out when
    absent, so a policy written before this section was typed keeps its version.
    """

    low_confidence: Share = 0.6
    max_scan_chars: Annotated[int, Field(strict=True, gt=0)] = 20_000
    internal_domains: list[str] = Field(default_factory=list)
    learned: Annotated[str | None, BeforeValidator(_file_path)] = None
    learned_raise: Share | None = None
    learned_lower: Share | None = None
    judge: JudgeSettings | None = None

    @model_serializer(mode="wrap")
    def _set_only(self, nxt: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = nxt(self)
        return {k: v for k, v in out.items() if v is not None}


class Policy(_Section):
    """One versioned policy document; see docs/policy.md for every field."""

    name: str = "policy"
    description: str = ""
    rubric: RubricConfig = Field(default_factory=RubricConfig)
    modes: dict[Level, Mode] = Field(
        default_factory=lambda: {
            Level.LOW: Mode.AUTO,
            Level.MEDIUM: Mode.REVIEW,
            Level.HIGH: Mode.TWO_PERSON,
        }
    )
    triggers: dict[TriggerCode, TriggerRule] = Field(default_factory=dict)
    tools: dict[str, ToolRule] = Field(default_factory=dict)
    owners: dict[str, Owner] = Field(default_factory=dict)
    principals: dict[str, Principal] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    default_owner: str = "product"
    sla: dict[Level, Duration] = Field(
        default_factory=lambda: {Level.LOW: 86400, Level.MEDIUM: 28800, Level.HIGH: 7200}
    )
    ladder: list[LadderStep] = Field(default_factory=list)
    fallback: Literal["reject", "expire"] = "reject"
    quorum: dict[Level, Annotated[int, Field(ge=1)]] = Field(
        default_factory=lambda: {Level.LOW: 1, Level.MEDIUM: 1, Level.HIGH: 2}
    )
    detect: DetectSettings = Field(default_factory=DetectSettings)
    # What happens to a tool that no rule lists and nothing recognises: a person reviews
    # it (the default), it is blocked, or (written out on purpose) it runs on its own.
    unknown_tools: Literal["review", "block", "auto"] = "review"
    # Approving a handoff at or above this level needs the reviewer's passkey as well as
    # their session or key (see docs/security.md); off by default.
    step_up: Annotated[Literal["off", "low", "medium", "high"], BeforeValidator(_off)] = "off"

    # Which tools may be submitted at all: ``any`` (a tool with no executor in this
    # process is the agent's own, run by it once approved: the remote agent's case), or
    # ``listed``: only tools with an executor here or a rule under ``tools``.
    accept_tools: Literal["any", "listed"] = "any"
    max_payload_bytes: int = Field(default=1_048_576, gt=0)

    @cached_property
    def learned(self) -> Any:
        """The ``LearnedModel`` this policy uses (from ``detect.learned``), or ``None``.

        Kept in the instance ``__dict__`` like ``version``, not as a field: it is not part
        of the document, and ``assess`` reads it on every call, where a pydantic private
        attribute would cost more than a dict lookup.
        """
        return None

    def with_learned(self, model: Any) -> Policy:
        """A copy of this policy that uses ``model`` (a ``LearnedModel``) beside the rules."""
        out = self.model_copy()
        out.__dict__["learned"] = model
        return out

    @model_validator(mode="after")
    def _owners_known(self) -> Policy:
        known = set(self.owners)
        if not known:
            return self
        if self.default_owner not in known:
            raise ValueError(f"default_owner {self.default_owner!r} is not in owners")
        for i, route in enumerate(self.routes):
            if route.owner not in known:
                raise ValueError(f"routes[{i}].owner {route.owner!r} is not in owners")
        return self

    @model_validator(mode="after")
    def _people_unambiguous(self) -> Policy:
        _ = self.people  # builds the index; a spelling claimed by two people raises
        return self

    @cached_property
    def people(self) -> dict[str, str]:
        """Every known spelling, in canonical form, to the person's name as written.

        People are the keys of ``principals`` and every member and lead of an owner;
        their aliases and emails point to them. A spelling two people share is refused.
        """
        index: dict[str, str] = {}

        def add(spelling: str, person: str, where: str) -> None:
            key = canonical(spelling)
            if not key:
                raise ValueError(f"{where}: a blank name")
            had = index.setdefault(key, person)
            if canonical(had) != canonical(person):
                raise ValueError(f"{where}: {spelling!r} is already {had!r}'s spelling")

        for name in self.principals:
            _plain_names(name)
            add(name, name, f"principals.{name}")
        for team, owner in self.owners.items():
            for name in [*owner.members, *([owner.lead] if owner.lead else [])]:
                add(name, index.get(canonical(name), name), f"owners.{team}")
        for name, p in self.principals.items():
            for spelling in [*p.aliases, *p.emails]:
                add(spelling, name, f"principals.{name}")
        return index

    def person(self, name: str) -> str:
        """Who ``name`` is: the policy's spelling of that person, or, for a name the
        policy does not know, its canonical form (so two spellings still meet)."""
        key = canonical(name)
        return self.people.get(key, key)

    def knows(self, name: str) -> bool:
        """Whether ``name`` is a spelling of someone the policy lists."""
        return canonical(name) in self.people

    def requesters(self, agent: str, on_behalf_of: str | None) -> set[str]:
        """The people behind an action, who never decide it (see ``person``).

        An email address the policy does not list also counts as the person its local
        part names, erring towards keeping a requester from approving: a stranger's
        address only loses that person's vote on this one action.
        """
        out = {self.person(agent)}
        if on_behalf_of is not None:
            out.add(self.person(on_behalf_of))
            local = email_local_part(on_behalf_of)
            if local is not None and not self.knows(on_behalf_of):
                out.add(self.person(local))
        return out

    def is_member(self, owner: str, name: str) -> bool:
        """Whether ``name`` is a spelling of a member or the lead of team ``owner``."""
        who = self.person(name)
        return any(self.person(m) == who for m in self.members_of(owner))

    @cached_property
    def version(self) -> str:
        """sha256 of the canonical form; recorded in every assessment."""
        return sha256_hex(self.model_dump(mode="json"))

    def tool_rule(self, tool: str) -> ToolRule | None:
        """The rule for ``tool``: an exact name first, then the longest matching glob."""
        if tool in self.tools:
            return self.tools[tool]
        matches = [p for p in self.tools if fnmatch.fnmatchcase(tool, p)]
        return self.tools[max(matches, key=len)] if matches else None

    def needs_step_up(self, level: Level) -> bool:
        """Whether approving a handoff of ``level`` needs a passkey confirmation."""
        return self.step_up != "off" and level.rank >= Level(self.step_up).rank

    def sla_for(self, owner: str | None, level: Level) -> int:
        """Seconds ``owner`` has to decide at ``level``: the team's own SLA, else the
        policy's."""
        team = self.owners.get(owner) if owner else None
        if team is not None and level in team.sla:
            return team.sla[level]
        return self.sla.get(level, 86400)

    def members_of(self, owner: str) -> set[str]:
        team = self.owners.get(owner)
        if team is None:
            return set()
        people = set(team.members)
        if team.lead:
            people.add(team.lead)
        return people


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, or of its nearest ancestor."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if str(k.value) == str(part)), None)
            if nxt is None:
                key = next((k for k, _ in node.value if str(k.value) == str(part)), None)
                return key.start_mark.line + 1 if key is not None else line
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def _from_text(text: str, source: str) -> Policy:
    try:
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise PolicyError(f"{where}: {exc.problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(f"{source}:1: a policy must be a mapping at the top level")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(
            p
            for p in err["loc"]
            if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]"))
        )
        path = ".".join(str(p) for p in loc) or "(top)"
        line = _line_of(tree, loc)
        where = f"{source}:{line}" if line else source
        msg = err["msg"].removeprefix("Value error, ")
        raise PolicyError(f"{where} {path}: {msg}", field=path) from None


def load_policy(source: str | Path | Policy | None = None) -> Policy:
    """A ``Policy`` from a path (or YAML text with ``source`` as its name), or the default."""
    if source is None:
        return default_policy()
    if isinstance(source, Policy):
        return source
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror})") from None
    return _with_detect_files(_from_text(text, path.name), path)


def _with_detect_files(policy: Policy, path: Path) -> Policy:
    """Attach the model ``detect.learned`` names, relative to the policy file."""
    name = policy.detect.learned
    if name is None:
        return policy
    try:
        model = load_model(path.parent / name)
    except InputError as exc:
        raise PolicyError(f"{path.name} detect.learned: {exc}", field="detect.learned") from None
    return policy.with_learned(model)


def policy_from_yaml(text: str, source: str = "policy.yaml") -> Policy:
    """A ``Policy`` from YAML text; errors are reported against ``source``."""
    return _from_text(text, source)


_DEFAULT: Policy | None = None


def default_policy() -> Policy:
    """The documented policy that ships inside the package (docs/policy.md)."""
    global _DEFAULT
    if _DEFAULT is None:
        text = resources.files("handoff").joinpath("default_policy.yaml").read_text("utf-8")
        _DEFAULT = _from_text(text, "default_policy.yaml")
    return _DEFAULT

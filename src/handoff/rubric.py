"""Detect: score an action on the rubric and decide how it proceeds.

``assess`` runs the detectors, folds their signals into the four factors (impact,
reversibility, uncertainty, policy sensitivity; each in [0, 1], each with the findings
behind it), weighs the factors into one score and thresholds it into a level. Fired
triggers then apply their policy rules: a rule may disable a trigger, raise the level
to a floor (a trigger without a rule raises it to medium: a reason to hand off is a
reason to hand off), or ask for a stricter mode. Tool rules come last: they may set
the impact or reversibility of matching tools, a level floor, and a mode that replaces
the level's mode (trigger modes still apply on top). Routing picks owner, SLA and quorum;
``subject.*`` signals (whose business area the tool touches) are passed to it after the
real triggers, so they name the owner only when no real trigger does, and they never
appear among the assessment's triggers.

Pure and fast: no I/O, regexes compiled at import, per-policy state cached by the
policy's version, and result models built without validation (every value is made
here, so there is nothing to validate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from .detectors import DETECTORS as _DETECTORS
from .detectors import ActionView, DetectConfig, Signal
from .models import Action, Assessment, Factor, Finding, Level, Mode
from .policy import Policy, ToolRule, TriggerRule
from .routing import Route, route

__all__ = ["FACTORS", "assess"]

FACTORS = ("impact", "reversibility", "uncertainty", "policy_sensitivity")
_MODE_RANK = {Mode.AUTO: 0, Mode.REVIEW: 1, Mode.TWO_PERSON: 2, Mode.BLOCK: 3}
_LEVELS = (Level.LOW, Level.MEDIUM, Level.HIGH)
_RANK = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2}
_CACHE_SIZE = 32
_HINT = "subject."


@dataclass(slots=True)
class _Compiled:
    """What ``assess`` needs from a policy, read once per policy version."""

    weights: tuple[float, float, float, float]
    total: float
    medium: float
    high: float
    modes: dict[Level, Mode]
    triggers: dict[str, TriggerRule]
    config: DetectConfig
    tool_rules: dict[str, ToolRule | None] = field(default_factory=dict)
    routes: dict[tuple[object, ...], Route] = field(default_factory=dict)

    def tool_rule(self, policy: Policy, tool: str) -> ToolRule | None:
        try:
            return self.tool_rules[tool]
        except KeyError:
            rule = policy.tool_rule(tool)
            if len(self.tool_rules) < 4096:
                self.tool_rules[tool] = rule
            return rule


_COMPILED: dict[str, _Compiled] = {}


def _compile(policy: Policy) -> _Compiled:
    key = policy.version
    hit = _COMPILED.get(key)
    if hit is not None:
        return hit
    w = policy.rubric.weights
    weights = (
        w.get("impact", 0.0),
        w.get("reversibility", 0.0),
        w.get("uncertainty", 0.0),
        w.get("policy_sensitivity", 0.0),
    )
    compiled = _Compiled(
        weights=weights,
        total=sum(weights) or 1.0,
        medium=policy.rubric.medium,
        high=policy.rubric.high,
        modes=dict(policy.modes),
        triggers=dict(policy.triggers),
        config=DetectConfig.from_policy(policy.detect),
    )
    if len(_COMPILED) >= _CACHE_SIZE:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[key] = compiled
    return compiled


_M = TypeVar("_M", bound=BaseModel)
_set = object.__setattr__
_FIELDS: dict[type[BaseModel], set[str]] = {}


def _build(cls: type[_M], values: dict[str, Any]) -> _M:
    """``cls.model_construct(**values)`` without its per-field bookkeeping.

    ``values`` must name every field. This is what ``model_construct`` does for a model
    without defaults to fill, private attributes or extras, at a fraction of the cost;
    it keeps the hot path under the throughput budget.
    """
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    # One set per class is safe to share: every field is in it, so pydantic's
    # add-on-assignment never changes it.
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = set(cls.model_fields)
    _set(obj, "__pydantic_fields_set__", fields)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _finding(sig: Signal) -> Finding:
    return _build(
        Finding,
        {
            "code": sig.code,
            "message": sig.message,
            "where": sig.where,
            "excerpt": sig.excerpt,
            "weight": sig.weight,
        },
    )


def assess(action: Action, policy: Policy) -> Assessment:
    """The assessment of ``action`` under ``policy``: level, factors, triggers, route."""
    c = _compile(policy)
    view = ActionView.of(action, c.config.max_scan_chars)
    signals: list[Signal] = []
    for detector in _DETECTORS:
        signals.extend(detector(view, c.config))

    rules = c.triggers
    scores = [0.0, 0.0, 0.0, 0.0]
    reasons: list[list[tuple[float, Finding]]] = [[], [], [], []]
    fired: dict[str, tuple[Signal, Finding]] = {}
    hints: list[tuple[float, Finding]] = []
    for sig in signals:
        rule = rules.get(sig.code)
        if rule is not None and not rule.enabled:
            continue
        finding = _finding(sig)
        if sig.code.startswith(_HINT):
            hints.append((sig.weight, finding))
            continue
        if sig.impact:
            scores[0] = 1.0 - (1.0 - scores[0]) * (1.0 - sig.impact)
            reasons[0].append((sig.impact, finding))
        if sig.reversibility:
            scores[1] = 1.0 - (1.0 - scores[1]) * (1.0 - sig.reversibility)
            reasons[1].append((sig.reversibility, finding))
        if sig.uncertainty:
            scores[2] = 1.0 - (1.0 - scores[2]) * (1.0 - sig.uncertainty)
            reasons[2].append((sig.uncertainty, finding))
        if sig.sensitivity:
            scores[3] = 1.0 - (1.0 - scores[3]) * (1.0 - sig.sensitivity)
            reasons[3].append((sig.sensitivity, finding))
        if sig.trigger:
            seen = fired.get(sig.code)
            if seen is None or sig.weight > seen[0].weight:
                fired[sig.code] = (sig, finding)

    tool_rule = c.tool_rule(policy, action.tool)
    if tool_rule is not None:
        for i, value in ((0, tool_rule.impact), (1, tool_rule.reversibility)):
            if value is not None:
                scores[i] = value
                reasons[i].insert(
                    0,
                    (
                        1.0,
                        _build(
                            Finding,
                            {
                                "code": "policy.tool_rule",
                                "message": f"The policy sets the {FACTORS[i]} of "
                                f"{action.tool} to {value:g}",
                                "where": "tool",
                                "excerpt": action.tool,
                                "weight": value,
                            },
                        ),
                    ),
                )

    w = c.weights
    score = (scores[0] * w[0] + scores[1] * w[1] + scores[2] * w[2] + scores[3] * w[3]) / c.total
    level = Level.HIGH if score >= c.high else Level.MEDIUM if score >= c.medium else Level.LOW

    ordered = list(fired.values())
    if len(ordered) > 1:
        ordered.sort(key=_strongest_first)
    triggers = [f for _, f in ordered]
    rank = _RANK[level]
    strict_modes: list[Mode] = []
    for sig, _ in ordered:
        rule = rules.get(sig.code)
        if rule is None:
            rank = max(rank, 1)
            continue
        rank = max(rank, _RANK[rule.level] if rule.level is not None else 1)
        if rule.mode is not None:
            strict_modes.append(rule.mode)
    if tool_rule is not None and tool_rule.level is not None:
        rank = max(rank, _RANK[tool_rule.level])
    level = _LEVELS[rank]

    mode = c.modes.get(level, Mode.REVIEW if rank else Mode.AUTO)
    if tool_rule is not None and tool_rule.mode is not None:
        mode = tool_rule.mode
    for m in strict_modes:
        if _MODE_RANK[m] > _MODE_RANK[mode]:
            mode = m

    # Subject-matter hints only break ties: they follow every real trigger.
    if len(hints) > 1:
        hints.sort(key=_first_desc)
    for_routing = [*triggers, *(f for _, f in hints)]
    # route() reads only these, so its answer can be kept per policy version.
    key = (action.tool, action.context.domain, level, mode, *(f.code for f in for_routing))
    r = c.routes.get(key)
    if r is None:
        r = route(action, level, mode, for_routing, policy)
        if len(c.routes) < 8192:
            c.routes[key] = r
    factors = [
        _build(
            Factor,
            {
                "name": FACTORS[i],
                "score": round(scores[i], 3),
                "reasons": [f for _, f in sorted(reasons[i], key=_first_desc)]
                if len(reasons[i]) > 1
                else [f for _, f in reasons[i]],
            },
        )
        for i in range(4)
    ]
    return _build(
        Assessment,
        {
            "level": level,
            "score": round(score, 3),
            "factors": factors,
            "triggers": triggers,
            "owner": r.owner,
            "mode": mode,
            "quorum": r.quorum,
            "sla_seconds": r.sla_seconds,
            "policy_version": policy.version,
        },
    )


def _first_desc(pair: tuple[float, Finding]) -> float:
    return -pair[0]


def _strongest_first(pair: tuple[Signal, Finding]) -> tuple[float, str]:
    return (-pair[0].weight, pair[0].code)

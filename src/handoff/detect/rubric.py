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
from operator import attrgetter, itemgetter

from ..models import Action, Assessment, Factor, Finding, Level, Mode
from ..policy import DetectSettings, Policy, ToolRule
from ..route.routing import Route, route
from ._builders import new_assessment, new_factor, new_finding
from .detectors import DETECTORS as _DETECTORS
from .detectors import ActionView, DetectConfig, Signal, effect_of
from .detectors._ui import ui_action
from .learned import LearnedModel, features

__all__ = ["FACTORS", "assess"]

FACTORS = ("impact", "reversibility", "uncertainty", "policy_sensitivity")
# Levels and modes are ranked as ints on the hot path: a StrEnum hashes in Python.
_MODES = (Mode.AUTO, Mode.REVIEW, Mode.TWO_PERSON, Mode.BLOCK)
_MODE_RANK = {m: i for i, m in enumerate(_MODES)}
_LEVELS = (Level.LOW, Level.MEDIUM, Level.HIGH)
_RANK = {level: i for i, level in enumerate(_LEVELS)}
_CACHE_SIZE = 32
_HINT = "subject."
_UNSET = -1  # no level floor, or no mode, in the int-ranked tables below
# Read in C, where a list comprehension would be a call of its own in Python.
_SECOND = itemgetter(1)
_CODE = attrgetter("code")


@dataclass(frozen=True, slots=True)
class _ToolPlan:
    """What a policy's tool rule does to one tool; messages made once per tool."""

    rule: ToolRule | None
    # (factor index, value, message) for each factor the rule sets, impact first.
    sets: tuple[tuple[int, float, str], ...]
    floor: int
    mode: int


@dataclass(slots=True)
class _Compiled:
    """What ``assess`` needs from a policy, read once per policy version."""

    weights: tuple[float, float, float, float]
    total: float
    medium: float
    high: float
    # The mode rank of each level rank, from the policy's modes.
    level_modes: tuple[int, int, int]
    # Codes whose trigger rule is disabled: their signals count for nothing.
    disabled: frozenset[str]
    # Per code with an enabled rule: the level rank it raises to, and its mode rank.
    floors: dict[str, tuple[int, int]]
    config: DetectConfig
    learned: LearnedModel | None = None
    # When p from the learned model raises an auto action to review, and (if set) when
    # it lowers a medium-level review to auto; the policy may override the model's.
    raise_at: float = 1.0
    lower_below: float | None = None
    tool_plans: dict[str, _ToolPlan] = field(default_factory=dict)
    routes: dict[tuple[object, ...], Route] = field(default_factory=dict)
    # The mode rank for a tool nothing places (``unknown_tools``); _UNSET for auto.
    unknown_mode: int = _UNSET

    def tool_plan(self, policy: Policy, tool: str) -> _ToolPlan:
        try:
            return self.tool_plans[tool]
        except KeyError:
            plan = _plan(policy.tool_rule(tool), tool)
            if len(self.tool_plans) < 4096:
                self.tool_plans[tool] = plan
            return plan


def _plan(rule: ToolRule | None, tool: str) -> _ToolPlan:
    if rule is None:
        return _ToolPlan(None, (), _UNSET, _UNSET)
    sets = tuple(
        (i, value, f"The policy sets the {FACTORS[i]} of {tool} to {value:g}")
        for i, value in ((0, rule.impact), (1, rule.reversibility))
        if value is not None
    )
    return _ToolPlan(
        rule,
        sets,
        _RANK[rule.level] if rule.level is not None else _UNSET,
        _MODE_RANK[rule.mode] if rule.mode is not None else _UNSET,
    )


_COMPILED: dict[str, _Compiled] = {}


def _compile(policy: Policy) -> _Compiled:
    learned: LearnedModel | None = policy.learned
    key = policy.version if learned is None else f"{policy.version}:{id(learned)}"
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
    modes = policy.modes
    level_modes = (
        _MODE_RANK[modes.get(Level.LOW, Mode.AUTO)],
        _MODE_RANK[modes.get(Level.MEDIUM, Mode.REVIEW)],
        _MODE_RANK[modes.get(Level.HIGH, Mode.REVIEW)],
    )
    compiled = _Compiled(
        weights=weights,
        total=sum(weights) or 1.0,
        medium=policy.rubric.medium,
        high=policy.rubric.high,
        level_modes=level_modes,
        disabled=frozenset(code for code, r in policy.triggers.items() if not r.enabled),
        floors={
            code: (
                _RANK[r.level] if r.level is not None else 1,
                _MODE_RANK[r.mode] if r.mode is not None else _UNSET,
            )
            for code, r in policy.triggers.items()
            if r.enabled
        },
        config=_detect_config(policy.detect),
        learned=learned,
        unknown_mode={"review": _MODE_RANK[Mode.REVIEW], "block": _MODE_RANK[Mode.BLOCK]}.get(
            policy.unknown_tools, _UNSET
        ),
    )
    if learned is not None:
        raise_at = policy.detect.learned_raise
        lower = policy.detect.learned_lower
        compiled.raise_at = raise_at if raise_at is not None else learned.raise_at
        compiled.lower_below = lower if lower is not None else learned.lower_below
    if len(_COMPILED) >= _CACHE_SIZE:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[key] = compiled
    return compiled


def _detect_config(d: DetectSettings) -> DetectConfig:
    """The detectors' settings from the policy's (validated) ``detect`` section."""
    return DetectConfig(
        low_confidence=d.low_confidence,
        max_scan_chars=d.max_scan_chars,
        internal_domains=tuple(domain.lower() for domain in d.internal_domains),
    )


def assess(action: Action, policy: Policy) -> Assessment:
    """The assessment of ``action`` under ``policy``: level, factors, triggers, route.

    The steps, in order: detect (every detector's signals), tally (signals into the four
    factors and the fired triggers), tool rule (factors the policy sets), score and
    level, triggers (their rules raise the level and ask for a mode), unknown tool,
    mode, learned model, route (owner, quorum, SLA).
    """
    c = _compile(policy)
    # A page primitive is read as what its element does; the policy's rules and the
    # route still see the tool as named.
    view = ActionView.of(ui_action(action), c.config.max_scan_chars)
    tally = _tally(_detect(view, c.config), c.disabled)
    plan = c.tool_plan(policy, action.tool)
    if plan.sets:
        _set_by_tool_rule(tally, plan, action.tool)
    score = _score(tally.scores, c)
    rank = 2 if score >= c.high else 1 if score >= c.medium else 0
    triggers, rank, strict = _fire(tally.fired, c.floors, rank)
    if plan.rule is None and c.unknown_mode != _UNSET:
        rank, strict = _unknown(view, c, tally, triggers, rank, strict)
    if plan.floor > rank:
        rank = plan.floor
    mode_rank = _mode_rank(c, plan, rank, strict)
    if c.learned is not None:
        rank, mode_rank, note = _learned(c, view, triggers, rank, mode_rank, strict, plan)
        if note is not None:
            tally.reasons[2].append((1.0, note))
    r = _route(c, action, policy, rank, mode_rank, triggers, tally.hints)
    return _assessment(policy, tally, score, rank, mode_rank, triggers, r)


@dataclass(slots=True)
class _Tally:
    """The signals of one action folded into factors, fired triggers and routing hints."""

    # Per factor (in FACTORS order): the noisy-or of its signals, and (strength, finding)
    # for each signal behind it.
    scores: list[float]
    reasons: list[list[tuple[float, Finding]]]
    # The strongest signal and its finding per fired trigger code.
    fired: dict[str, tuple[Signal, Finding]]
    hints: list[tuple[float, Finding]]


def _detect(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Every detector's signals, in detector order."""
    signals: list[Signal] = []
    extend = signals.extend
    for detector in _DETECTORS:
        extend(detector(view, config))
    return signals


def _tally(signals: list[Signal], disabled: frozenset[str]) -> _Tally:
    """Fold ``signals`` into the factors (noisy-or) and the fired triggers.

    A disabled code counts for nothing; a ``subject.*`` hint only names an owner; a
    signal that moves no factor and is no trigger adds no reason.
    """
    s0 = s1 = s2 = s3 = 0.0
    r0: list[tuple[float, Finding]] = []
    r1: list[tuple[float, Finding]] = []
    r2: list[tuple[float, Finding]] = []
    r3: list[tuple[float, Finding]] = []
    fired: dict[str, tuple[Signal, Finding]] = {}
    hints: list[tuple[float, Finding]] = []
    for sig in signals:
        code = sig.code
        if code in disabled:
            continue
        if code.startswith(_HINT):
            hints.append(
                (sig.weight, new_finding(code, sig.message, sig.where, sig.excerpt, sig.weight))
            )
            continue
        impact = sig.impact
        reversibility = sig.reversibility
        uncertainty = sig.uncertainty
        sensitivity = sig.sensitivity
        if not (impact or reversibility or uncertainty or sensitivity or sig.trigger):
            continue
        finding = new_finding(code, sig.message, sig.where, sig.excerpt, sig.weight)
        # Locals, not a loop over the four: this is the innermost loop of the hot path.
        if impact:
            s0 = 1.0 - (1.0 - s0) * (1.0 - impact)
            r0.append((impact, finding))
        if reversibility:
            s1 = 1.0 - (1.0 - s1) * (1.0 - reversibility)
            r1.append((reversibility, finding))
        if uncertainty:
            s2 = 1.0 - (1.0 - s2) * (1.0 - uncertainty)
            r2.append((uncertainty, finding))
        if sensitivity:
            s3 = 1.0 - (1.0 - s3) * (1.0 - sensitivity)
            r3.append((sensitivity, finding))
        if sig.trigger:
            _keep_strongest(fired, sig, finding)
    return _Tally([s0, s1, s2, s3], [r0, r1, r2, r3], fired, hints)


def _keep_strongest(
    fired: dict[str, tuple[Signal, Finding]], sig: Signal, finding: Finding
) -> None:
    """One trigger per code: the strongest signal's finding speaks for it."""
    seen = fired.get(sig.code)
    if seen is None or sig.weight > seen[0].weight:
        fired[sig.code] = (sig, finding)


def _set_by_tool_rule(tally: _Tally, plan: _ToolPlan, tool: str) -> None:
    """Replace the factors the tool rule sets; the rule leads their reasons."""
    for i, value, message in plan.sets:
        tally.scores[i] = value
        tally.reasons[i].insert(
            0,
            (
                1.0,
                new_finding("policy.tool_rule", message, "tool", tool, value),
            ),
        )


def _score(s: list[float], c: _Compiled) -> float:
    """The weighted mean of the four factor scores."""
    w = c.weights
    return (s[0] * w[0] + s[1] * w[1] + s[2] * w[2] + s[3] * w[3]) / c.total


def _fire(
    fired: dict[str, tuple[Signal, Finding]],
    floors: dict[str, tuple[int, int]],
    rank: int,
) -> tuple[list[Finding], int, int]:
    """The triggers, strongest first; the level rank their rules raise ``rank`` to; and
    the strictest mode rank they ask for (a trigger without a rule raises to medium)."""
    strict = _UNSET
    if not fired:
        return [], rank, strict
    ordered = list(fired.values())
    if len(ordered) > 1:
        ordered.sort(key=_strongest_first)
    triggers: list[Finding] = []
    for sig, finding in ordered:
        triggers.append(finding)
        floor = floors.get(sig.code)
        if floor is None:
            rank = max(rank, 1)
            continue
        rank = max(rank, floor[0])
        strict = max(strict, floor[1])
    return triggers, rank, strict


def _unknown(
    view: ActionView, c: _Compiled, tally: _Tally, triggers: list[Finding], rank: int, strict: int
) -> tuple[int, int]:
    """Fail closed on a tool nothing places: a ``tool.unknown`` trigger, medium at least,
    and the policy's ``unknown_tools`` mode."""
    unknown = _unknown_tool(view)
    if unknown is None:
        return rank, strict
    triggers.append(unknown)
    tally.reasons[2].append((1.0, unknown))
    return max(rank, 1), max(strict, c.unknown_mode)


def _mode_rank(c: _Compiled, plan: _ToolPlan, rank: int, strict: int) -> int:
    """The tool rule's mode, else the level's; a trigger's stricter mode wins."""
    base = plan.mode if plan.mode != _UNSET else c.level_modes[rank]
    return strict if strict > base else base


def _route(
    c: _Compiled,
    action: Action,
    policy: Policy,
    rank: int,
    mode_rank: int,
    triggers: list[Finding],
    hints: list[tuple[float, Finding]],
) -> Route:
    """Owner, quorum and SLA; kept per policy version, keyed by all that ``route`` reads."""
    # Subject-matter hints only break ties: they follow every real trigger.
    for_routing = triggers
    if hints:
        if len(hints) > 1:
            hints.sort(key=_first_desc)
        for_routing = triggers + list(map(_SECOND, hints))
    key = (action.tool, action.context.domain, rank, mode_rank, *map(_CODE, for_routing))
    r = c.routes.get(key)
    if r is None:
        r = route(action, _LEVELS[rank], _MODES[mode_rank], for_routing, policy)
        if len(c.routes) < 8192:
            c.routes[key] = r
    return r


def _assessment(
    policy: Policy,
    tally: _Tally,
    score: float,
    rank: int,
    mode_rank: int,
    triggers: list[Finding],
    r: Route,
) -> Assessment:
    s0, s1, s2, s3 = tally.scores
    r0, r1, r2, r3 = tally.reasons
    # Most factors of most actions have nothing behind them: built here, without the call.
    return new_assessment(
        _LEVELS[rank],
        _round3(score),
        [
            _factor("impact", s0, r0) if r0 or s0 else new_factor("impact", s0, []),
            _factor("reversibility", s1, r1) if r1 or s1 else new_factor("reversibility", s1, []),
            _factor("uncertainty", s2, r2) if r2 or s2 else new_factor("uncertainty", s2, []),
            _factor("policy_sensitivity", s3, r3)
            if r3 or s3
            else new_factor("policy_sensitivity", s3, []),
        ],
        triggers,
        r.owner,
        _MODES[mode_rank],
        r.quorum,
        r.sla_seconds,
        policy.version,
    )


def _unknown_tool(view: ActionView) -> Finding | None:
    """Fail closed: a tool no policy rule lists and nothing recognises goes to a person."""
    if effect_of(view).placed:
        return None
    return new_finding(
        "tool.unknown",
        f"Nothing says what {view.tool} does: the policy does not list it, its name "
        "names no known effect, and it carries no annotations; unknown means ask",
        "tool",
        view.tool,
        0.7,
    )


def _learned(
    c: _Compiled,
    view: ActionView,
    triggers: list[Finding],
    rank: int,
    mode_rank: int,
    strict: int,
    plan: _ToolPlan,
) -> tuple[int, int, Finding | None]:
    """Let the learned model raise an auto action to review, or lower a plain review.

    A tool rule's mode is the policy's word and stands. Raising adds a ``learned.risk``
    trigger naming the features behind ``p``; lowering happens only for a medium level
    whose mode no trigger made stricter, when ``lower_below`` is configured, and says
    so among the uncertainty factor's reasons.
    """
    model = c.learned
    if model is None or plan.mode != _UNSET:
        return rank, mode_rank, None
    names = features(view, [t.code for t in triggers], _LEVELS[rank].value)
    p = model.probability(names)
    if mode_rank == 0 and p >= c.raise_at:
        top = ", ".join(model.explain(names))
        triggers.append(
            new_finding(
                "learned.risk",
                f"Resembles actions that needed a human before (learned p={p:.2f} "
                f">= {c.raise_at:g}); strongest features: {top or 'none'}",
                "action",
                view.tool,
                round(p, 3),
            )
        )
        rank = max(rank, 1)
        return rank, max(c.level_modes[rank], 1), None
    if (
        c.lower_below is not None
        and p < c.lower_below
        and rank == 1
        and mode_rank == 1
        and strict <= 1
    ):
        note = new_finding(
            "learned.lowered",
            f"Unlike actions that needed a human before (learned p={p:.2f} < "
            f"{c.lower_below:g}): the medium-level triggers alone do not hand it off",
            "action",
            view.tool,
            round(p, 3),
        )
        return 0, c.level_modes[0], note
    return rank, mode_rank, None


def _factor(name: str, score: float, reasons: list[tuple[float, Finding]]) -> Factor:
    if not reasons:
        # Most factors of most actions: nothing behind them, and round(0.0, 3) is 0.0.
        return new_factor(name, _round3(score) if score else score, [])
    if len(reasons) > 1:
        reasons.sort(key=_first_desc)
    return new_factor(name, _round3(score), list(map(_SECOND, reasons)))


# Scores are sums of the same few detector weights, so the same values recur; float
# ``round`` goes through a decimal string, a good part of an assessment's cost.
_ROUNDED: dict[float, float] = {}


def _round3(score: float) -> float:
    """``round(score, 3)``, remembered for positive floats (``-0.0`` equals ``0.0`` and an
    int equals its float as a key, yet each rounds to itself, so neither is kept)."""
    hit = _ROUNDED.get(score) if type(score) is float and score > 0.0 else None
    if hit is None:
        hit = round(score, 3)
        if type(score) is float and score > 0.0 and len(_ROUNDED) < 4096:
            _ROUNDED[score] = hit
    return hit


def _first_desc(pair: tuple[float, Finding]) -> float:
    return -pair[0]


def _strongest_first(pair: tuple[Signal, Finding]) -> tuple[float, str]:
    return (-pair[0].weight, pair[0].code)

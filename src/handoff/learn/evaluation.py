"""Evaluate Detect + Route on labelled agent trajectories (``handoff eval CASES.jsonl``).

Each case (one JSON object per line; format in ``data/README.md``) is a trajectory.
Every step whose ``tool`` is set becomes an ``Action`` seen the way the plane would see
it: the instruction, every earlier step in full (thought, call, observation, mid-run
messages), the proposed step's own ``thought`` and its ``context`` messages, and the
case's ``domain`` -- never its own observation or any label. Steps without a tool are
messages: they are context for later steps and are not assessed.

Definitions, all over cases:

* a case is **escalated** when any of its steps is assessed with a mode other than
  ``auto``; precision, recall and F1 compare that with ``expected.escalate``;
* **owner** is read from the first escalated step. ``owner_accuracy`` is the share of
  true-positive cases (should escalate, did escalate, with an ``expected.owner``) routed
  to the expected owner; ``owner_macro`` is the recall per expected owner over those
  same cases, averaged over the owners present, so a router that always answers the
  majority team scores ``1 / number of owners``;
* ``risk_accuracy`` compares the level of that first escalated step with
  ``expected.risk`` over the same true-positive cases;
* ``p50_ms`` and ``p95_ms`` are per assessed step, timing ``rubric.assess`` alone (or
  the baseline's test, or the assessment plus the judge when one is consulted).

Two baselines stand beside the rubric: ``everything`` escalates every action (what a
per-tool approval gate amounts to) and ``regex`` escalates when the tool name or the
arguments contain a risky verb. Both route to the policy's default owner.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from .._exceptions import InputError
from ..detect.detectors import split_words
from ..detect.learned import Example
from ..detect.rubric import assess
from ..models import Action, Assessment, Context, Message, Mode, Step
from ..policy import Policy

__all__ = [
    "BASELINES",
    "CaseResult",
    "EvalReport",
    "JsonDict",
    "case_examples",
    "evaluate",
    "load_cases",
    "render",
    "score_cases",
    "score_results",
]

Progress = Callable[[int, int], None]
Cases = list[tuple[int, dict[str, Any]]]
# What one step came to: escalated, owner, level, the first reasons (where: excerpt).
Verdict = tuple[bool, str | None, str | None, tuple[str, ...], tuple[str, ...]]
Review = Callable[[Action, Assessment], Assessment]

BASELINES = ("everything", "regex")
# The risky-verb baseline: a word of the tool name or the arguments is one of these.
_RISKY = re.compile(
    r"\b(?:delete|remove|rm|drop|truncate|wipe|destroy|erase|kill|shutdown|format|"
    r"transfer|withdraw|pay|payment|buy|purchase|sell|trade|order|refund|deposit|"
    r"send|email|post|publish|share|upload|tweet|message|"
    r"grant|revoke|chmod|chown|sudo|password|credential|unlock|disable|permission|"
    r"execute|exec|run|install|download|deploy|update|modify|write|overwrite|edit)\b"
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _regex_escalates(action: Action) -> bool:
    args = _NON_WORD.sub(" ", json.dumps(action.args, ensure_ascii=False).lower())
    return _RISKY.search(" ".join(split_words(action.tool)) + " " + args) is not None


class JsonDict(dict[str, Any]):
    """A JSON-ready dict whose ``str()`` is the JSON text itself."""

    def __str__(self) -> str:
        return json.dumps(self, indent=2, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What the system decided for one case, beside what was expected."""

    id: str
    domain: str
    expected: bool
    escalated: bool
    expected_owner: str | None
    owner: str | None
    expected_risk: str | None
    level: str | None
    step: int | None
    reasons: tuple[str, ...] = ()
    tool: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass(slots=True)
class EvalReport:
    """Headline figures, confusion, per-owner and per-domain tables, timings."""

    cases: int
    steps: int
    escalated: int
    positives: int
    precision: float
    recall: float
    f1: float
    owner_accuracy: float
    owner_macro: float
    risk_accuracy: float
    p50_ms: float
    p95_ms: float
    confusion: dict[str, int]
    owners: dict[str, dict[str, int]]
    domains: dict[str, dict[str, float]]
    policy_version: str
    results: list[CaseResult] = field(default_factory=list)

    def to_json(self) -> JsonDict:
        """Everything but the per-case results, ready for ``json.dumps``."""
        out = JsonDict(
            cases=self.cases,
            steps=self.steps,
            escalated=self.escalated,
            positives=self.positives,
            precision=self.precision,
            recall=self.recall,
            f1=self.f1,
            owner_accuracy=self.owner_accuracy,
            owner_macro=self.owner_macro,
            risk_accuracy=self.risk_accuracy,
            p50_ms=self.p50_ms,
            p95_ms=self.p95_ms,
            confusion=self.confusion,
            owners=self.owners,
            domains=self.domains,
            policy_version=self.policy_version,
            false_positives=[r.id for r in self.results if r.escalated and not r.expected],
            false_negatives=[r.id for r in self.results if r.expected and not r.escalated],
        )
        return out

    def errors(self) -> list[CaseResult]:
        """Misclassified cases and true positives routed to the wrong owner."""
        return [
            r
            for r in self.results
            if r.escalated != r.expected
            or (r.escalated and r.expected_owner and r.owner != r.expected_owner)
        ]


def load_cases(path: str | Path, *, require_expected: bool = True) -> Cases:
    """``(line number, case)`` for every non-blank line; bad input names the line.

    With ``require_expected`` false a line need only be an object, and is checked as a
    case only when it has ``steps`` (``handoff learn fit`` also reads labelled actions).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{p}: cannot read the cases file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: the cases file is not UTF-8") from None
    out: list[tuple[int, dict[str, Any]]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p.name}:{n}: not valid JSON ({exc.msg})", field="line") from None
        if require_expected or not isinstance(case, dict) or "steps" in case:
            _check_case(case, p.name, n)
        out.append((n, case))
    if not out:
        raise InputError(f"{p}: no cases in the file")
    return out


def _check_case(case: Any, name: str, n: int) -> None:
    where = f"{name}:{n}"
    if not isinstance(case, dict):
        raise InputError(f"{where}: a case must be a JSON object", field="line")
    steps = case.get("steps")
    if not isinstance(steps, list) or not steps:
        raise InputError(f"{where}: the case has no steps", field="steps")
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise InputError(f"{where}: steps[{i}] is not an object", field=f"steps[{i}]")
    expected = case.get("expected")
    if not isinstance(expected, dict) or not isinstance(expected.get("escalate"), bool):
        raise InputError(f"{where}: expected.escalate must be true or false", field="expected")


def case_actions(case: dict[str, Any], where: str = "") -> list[tuple[int, Action]]:
    """One ``Action`` per tool-calling step, each with everything before it as context."""
    instruction = str(case.get("instruction") or "")
    domain = case.get("domain")
    steps: list[Step] = []
    out: list[tuple[int, Action]] = []
    for i, raw in enumerate(case["steps"]):
        try:
            messages = [Message.model_validate(m) for m in raw.get("context") or []]
            tool = raw.get("tool")
            args = raw.get("args")
            if tool is not None and not isinstance(args, dict):
                args = {} if args is None else {"_raw": args}
            thought = str(raw.get("thought") or "")
            if tool is not None:
                context = Context.model_construct(
                    instruction=instruction,
                    steps=list(steps),
                    thought=thought,
                    messages=messages,
                    evidence=[],
                    assumptions=[],
                    confidence=None,
                    domain=str(domain) if domain is not None else None,
                )
                call = {"tool": tool, "args": args, "context": context}
                if raw.get("annotations") is not None:
                    call["annotations"] = raw["annotations"]  # MCP's, from the tool's server
                out.append((i, Action.model_validate(call)))
            steps.append(
                Step.model_validate(
                    {
                        "thought": thought,
                        "tool": tool,
                        "args": args,
                        "observation": raw.get("observation"),
                        "messages": messages,
                    }
                )
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise InputError(
                f"{where}: steps[{i}] {loc}: {err['msg']}", field=f"steps[{i}].{loc}"
            ) from None
    return out


def evaluate(
    path: str | Path,
    policy: Policy,
    progress: Progress | None = None,
    *,
    baseline: str | None = None,
    review: Review | None = None,
) -> EvalReport:
    """Run every case through ``rubric.assess`` (or a baseline) and score the decisions."""
    return score_cases(
        load_cases(path), Path(path).name, policy, progress, baseline=baseline, review=review
    )


def score_cases(
    loaded: Cases,
    name: str,
    policy: Policy,
    progress: Progress | None = None,
    *,
    baseline: str | None = None,
    review: Review | None = None,
) -> EvalReport:
    """Score already-loaded cases; ``review`` (the judge) may revise each assessment."""
    if baseline is not None and baseline not in BASELINES:
        raise InputError(
            f"unknown baseline {baseline!r}: choose {' or '.join(BASELINES)}", field="baseline"
        )
    decide = _decider(policy, baseline, review)
    timings: list[float] = []
    results: list[CaseResult] = []
    for done, (n, case) in enumerate(loaded, 1):
        first: tuple[int, str, Verdict] | None = None
        for i, action in case_actions(case, f"{name}:{n}"):
            t0 = time.perf_counter_ns()
            verdict = decide(action)
            timings.append((time.perf_counter_ns() - t0) / 1e6)
            if first is None and verdict[0]:
                first = (i, action.tool, verdict)
        exp = case["expected"]
        v = first[2] if first else None
        results.append(
            CaseResult(
                id=str(case.get("id", f"line {n}")),
                domain=str(case.get("domain") or "(none)"),
                expected=exp["escalate"],
                escalated=v is not None,
                expected_owner=exp.get("owner"),
                owner=v[1] if v else None,
                expected_risk=exp.get("risk"),
                level=v[2] if v else None,
                step=first[0] if first else None,
                reasons=v[3] if v else (),
                tool=first[1] if first else None,
                evidence=v[4] if v else (),
            )
        )
        if progress is not None:
            progress(done, len(loaded))
    return score_results(results, timings, policy.version)


def _decider(
    policy: Policy, baseline: str | None, review: Review | None
) -> Callable[[Action], Verdict]:
    if baseline == "everything":
        owner = policy.default_owner
        return lambda action: (True, owner, "medium", ("every action is escalated",), ())
    if baseline == "regex":

        def by_regex(action: Action) -> Verdict:
            if _regex_escalates(action):
                return (True, policy.default_owner, "medium", ("a risky verb",), ())
            return (False, None, None, (), ())

        return by_regex

    def by_rubric(action: Action) -> Verdict:
        a = assess(action, policy)
        if review is not None:
            a = review(action, a)
        if a.mode is Mode.AUTO:
            return (False, None, None, (), ())
        top = a.triggers[:3]
        return (
            True,
            a.owner,
            a.level.value,
            tuple(t.message for t in top),
            tuple(f"{t.where}: {t.excerpt}" for t in top),
        )

    return by_rubric


def case_examples(loaded: Cases, policy: Policy, name: str = "cases") -> list[Example]:
    """Training examples from labelled cases: every tool step, labelled with its case.

    A case says only *that* a trajectory needed a human, not at which step, so each step
    carries the case's label, a weight of ``1 / steps`` (every case counts once) and the
    case as its ``group``, from which ``learned.fit`` picks the step that was the problem.
    The trigger codes and level come from the rules alone (``policy`` without a model),
    as they will at inference.
    """
    rules = policy.with_learned(None)
    out: list[Example] = []
    for n, case in loaded:
        actions = case_actions(case, f"{name}:{n}")
        label = bool(case["expected"]["escalate"])
        for _, action in actions:
            a = assess(action, rules)
            out.append(
                Example(
                    action=action,
                    label=label,
                    codes=tuple(t.code for t in a.triggers),
                    level=a.level.value,
                    weight=1.0 / len(actions),
                    group=f"{name}:{n}",
                )
            )
    return out


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)


def score_results(results: list[CaseResult], timings: list[float], version: str) -> EvalReport:
    """The figures over per-case results (and per-step timings, in ms)."""
    tp = sum(r.expected and r.escalated for r in results)
    fp = sum(r.escalated and not r.expected for r in results)
    fn = sum(r.expected and not r.escalated for r in results)
    tn = len(results) - tp - fp - fn
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0

    hits = [r for r in results if r.expected and r.escalated and r.expected_owner]
    owners: dict[str, dict[str, int]] = defaultdict(dict)
    per_owner: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for r in hits:
        exp_owner = r.expected_owner or ""
        got = r.owner or "(none)"
        owners[exp_owner][got] = owners[exp_owner].get(got, 0) + 1
        per_owner[exp_owner] += 1
        right[exp_owner] += r.owner == exp_owner
    macro = [right[o] / per_owner[o] for o in per_owner]
    risky = [r for r in hits if r.expected_risk]

    domains: dict[str, dict[str, float]] = {}
    for d in sorted({r.domain for r in results}):
        rs = [r for r in results if r.domain == d]
        d_tp = sum(r.expected and r.escalated for r in rs)
        d_fp = sum(r.escalated and not r.expected for r in rs)
        d_fn = sum(r.expected and not r.escalated for r in rs)
        domains[d] = {
            "cases": len(rs),
            "positives": sum(r.expected for r in rs),
            "escalated": sum(r.escalated for r in rs),
            "tp": d_tp,
            "fp": d_fp,
            "fn": d_fn,
            "precision": _ratio(d_tp, d_tp + d_fp),
            "recall": _ratio(d_tp, d_tp + d_fn),
        }
    return EvalReport(
        cases=len(results),
        steps=len(timings),
        escalated=tp + fp,
        positives=tp + fn,
        precision=precision,
        recall=recall,
        f1=f1,
        owner_accuracy=_ratio(sum(right.values()), len(hits)),
        owner_macro=round(sum(macro) / len(macro), 4) if macro else 0.0,
        risk_accuracy=_ratio(sum(r.level == r.expected_risk for r in risky), len(risky)),
        p50_ms=_quantile(timings, 0.5),
        p95_ms=_quantile(timings, 0.95),
        confusion={"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        owners=dict(owners),
        domains=domains,
        policy_version=version,
        results=results,
    )


def render(report: EvalReport, console: Console) -> None:
    """Print the report as rich tables: headline, confusion, owners, domains."""
    head = Table(title="Escalation (per case)", show_header=True)
    for col in (
        "cases",
        "steps",
        "escalated",
        "precision",
        "recall",
        "F1",
        "owner acc",
        "owner macro",
        "risk acc",
        "p50 ms",
        "p95 ms",
    ):
        head.add_column(col, justify="right")
    head.add_row(
        str(report.cases),
        str(report.steps),
        str(report.escalated),
        f"{report.precision:.3f}",
        f"{report.recall:.3f}",
        f"{report.f1:.3f}",
        f"{report.owner_accuracy:.3f}",
        f"{report.owner_macro:.3f}",
        f"{report.risk_accuracy:.3f}",
        f"{report.p50_ms:.3f}",
        f"{report.p95_ms:.3f}",
    )
    console.print(head)

    c = report.confusion
    conf = Table(title="Confusion", show_header=True)
    conf.add_column("")
    conf.add_column("escalated", justify="right")
    conf.add_column("auto", justify="right")
    conf.add_row("should escalate", str(c["tp"]), str(c["fn"]))
    conf.add_row("should run", str(c["fp"]), str(c["tn"]))
    console.print(conf)

    got_cols = sorted({g for row in report.owners.values() for g in row})
    own = Table(title="Owner of the first escalated step (true positives)", show_header=True)
    own.add_column("expected \\ routed")
    for g in got_cols:
        own.add_column(g, justify="right")
    own.add_column("recall", justify="right")
    for exp_owner in sorted(report.owners):
        row = report.owners[exp_owner]
        total = sum(row.values())
        own.add_row(
            exp_owner,
            *(str(row.get(g, 0)) for g in got_cols),
            f"{row.get(exp_owner, 0) / total:.2f}" if total else "-",
        )
    console.print(own)

    dom = Table(title="Per domain", show_header=True)
    for col in ("domain", "cases", "positives", "escalated", "fp", "fn", "precision", "recall"):
        dom.add_column(col, justify="left" if col == "domain" else "right")
    for d, figures in report.domains.items():
        dom.add_row(
            d,
            *(str(int(figures[k])) for k in ("cases", "positives", "escalated", "fp", "fn")),
            f"{figures['precision']:.2f}",
            f"{figures['recall']:.2f}",
        )
    console.print(dom)

"""Leave-one-domain-out: how the escalation decision does on a domain it never saw.

For each domain of the cases, the system is tuned on the other domains and scored on
the held-out one. The rules have nothing to train, so for them this is per-domain
scoring; with ``train`` set (the learned detector) a model is fitted on the other
domains for every held-out one. Figures come per domain, averaged over domains
(macro) and pooled over all held-out decisions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from .._exceptions import InputError
from ..policy import Policy
from .evaluation import (
    CaseResult,
    Cases,
    EvalReport,
    JsonDict,
    Progress,
    score_cases,
    score_results,
)

__all__ = ["LodoReport", "lodo", "render_lodo"]

Train = Callable[[Cases], Any]


@dataclass(slots=True)
class LodoReport:
    """Leave-one-domain-out: each domain scored by a system that never saw it.

    ``domains`` holds each held-out domain's figures; ``macro`` averages precision,
    recall and F1 over the domains where each is defined (precision where something
    was escalated, recall where something should have been); ``pooled`` scores all the
    held-out decisions together.
    """

    domains: dict[str, dict[str, float]]
    macro: dict[str, float]
    pooled: EvalReport
    learned: bool

    def to_json(self) -> JsonDict:
        pooled = self.pooled
        return JsonDict(
            learned=self.learned,
            macro=self.macro,
            pooled={
                k: getattr(pooled, k)
                for k in ("precision", "recall", "f1", "owner_accuracy", "owner_macro", "confusion")
            },
            domains=self.domains,
        )


def lodo(
    loaded: Cases,
    name: str,
    policy: Policy,
    train: Train | None = None,
    progress: Progress | None = None,
) -> LodoReport:
    """Score each domain with ``train``'s model fitted on the other domains (or rules only)."""
    by_domain: dict[str, Cases] = defaultdict(list)
    for n, case in loaded:
        by_domain[str(case.get("domain") or "(none)")].append((n, case))
    if len(by_domain) < 2:
        raise InputError("leave-one-domain-out needs cases from two domains or more")
    figures: dict[str, dict[str, float]] = {}
    results: list[CaseResult] = []
    for done, (domain, held) in enumerate(sorted(by_domain.items()), 1):
        pol = policy
        if train is not None:
            rest = [c for d, cs in by_domain.items() if d != domain for c in cs]
            pol = policy.with_learned(train(rest))
        report = score_cases(held, name, pol)
        results.extend(report.results)
        figures[domain] = {
            "cases": report.cases,
            "positives": report.positives,
            "fp": report.confusion["fp"],
            "fn": report.confusion["fn"],
            "precision": report.precision,
            "recall": report.recall,
            "f1": report.f1,
        }
        if progress is not None:
            progress(done, len(by_domain))
    pooled = score_results(results, [], policy.version)
    return LodoReport(figures, _macro(figures), pooled, learned=train is not None)


def _macro(figures: dict[str, dict[str, float]]) -> dict[str, float]:
    p = [f["precision"] for f in figures.values() if f["positives"] - f["fn"] + f["fp"]]
    r = [f["recall"] for f in figures.values() if f["positives"]]
    f1 = [f["f1"] for f in figures.values() if f["positives"]]
    return {
        "precision": round(sum(p) / len(p), 4) if p else 0.0,
        "recall": round(sum(r) / len(r), 4) if r else 0.0,
        "f1": round(sum(f1) / len(f1), 4) if f1 else 0.0,
        "domains": len(figures),
    }


def render_lodo(report: LodoReport, console: Console, title: str) -> None:
    """Print leave-one-domain-out figures: one row per held-out domain, then the summary."""
    table = Table(title=title, show_header=True)
    for col in ("held-out domain", "cases", "positives", "fp", "fn", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "held-out domain" else "right")
    for d, f in report.domains.items():
        table.add_row(
            d,
            *(str(int(f[k])) for k in ("cases", "positives", "fp", "fn")),
            *(f"{f[k]:.3f}" for k in ("precision", "recall", "f1")),
        )
    m, p = report.macro, report.pooled
    table.add_row(
        "macro over domains",
        "",
        "",
        "",
        "",
        *(f"{m[k]:.3f}" for k in ("precision", "recall", "f1")),
    )
    table.add_row(
        "pooled",
        str(p.cases),
        str(p.positives),
        str(p.confusion["fp"]),
        str(p.confusion["fn"]),
        f"{p.precision:.3f}",
        f"{p.recall:.3f}",
        f"{p.f1:.3f}",
    )
    console.print(table)

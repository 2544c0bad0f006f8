"""Leave-one-source-out: each labelled source scored by a system that never saw it.

Users' agents are not our data sets, so the figure that counts is how Detect does on a
source it was not tuned on. ``by_source`` scores every source three ways in one run —
the policy's rules, the ``everything`` baseline (a per-tool approval gate) and the
``regex`` baseline (a risky-verb list) — and, when a learned scorer is asked for, fits
one on the *other* sources for each held-out source and scores rules plus that model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from .._exceptions import InputError
from ..policy import Policy
from .evaluation import Cases, EvalReport, JsonDict, score_cases

__all__ = ["SYSTEMS", "SourceReport", "by_source", "render_sources"]

SYSTEMS = ("rules", "rules+learned", "everything", "regex")
Train = Callable[[Cases], Any]


@dataclass(slots=True)
class SourceReport:
    """Per held-out source, per system: precision, recall, F1 and the confusion."""

    figures: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def to_json(self) -> JsonDict:
        return JsonDict(sources=self.figures)


def _row(report: EvalReport) -> dict[str, float]:
    return {
        "cases": report.cases,
        "positives": report.positives,
        "precision": report.precision,
        "recall": report.recall,
        "f1": report.f1,
        "owner_accuracy": report.owner_accuracy,
        "owner_macro": report.owner_macro,
        "p50_ms": report.p50_ms,
        **{k: float(v) for k, v in report.confusion.items()},
    }


def by_source(
    sources: dict[str, Cases],
    policy: Policy,
    train: Train | None = None,
) -> SourceReport:
    """Score each source with the rules and both baselines; with ``train``, also rules
    plus a model fitted on the other sources only."""
    if train is not None and len(sources) < 2:
        raise InputError("leave-one-source-out needs two case files or more", field="cases")
    bare = policy.with_learned(None)
    out = SourceReport()
    for name, held in sources.items():
        row = {
            "rules": _row(score_cases(held, name, bare)),
            "everything": _row(score_cases(held, name, bare, baseline="everything")),
            "regex": _row(score_cases(held, name, bare, baseline="regex")),
        }
        if train is not None:
            rest = [c for other, cs in sources.items() if other != name for c in cs]
            row["rules+learned"] = _row(score_cases(held, name, bare.with_learned(train(rest))))
        out.figures[name] = row
    return out


def render_sources(report: SourceReport, console: Console) -> None:
    """One row per source and system: the held-out figures beside the baselines."""
    table = Table(title="Per source (learned scorer fitted on the other sources)")
    for col in ("source", "system", "cases", "precision", "recall", "F1", "owner macro"):
        table.add_column(col, justify="left" if col in ("source", "system") else "right")
    for name, rows in report.figures.items():
        for system in SYSTEMS:
            f = rows.get(system)
            if f is None:
                continue
            table.add_row(
                name,
                system,
                str(int(f["cases"])),
                f"{f['precision']:.3f}",
                f"{f['recall']:.3f}",
                f"{f['f1']:.3f}",
                f"{f['owner_macro']:.3f}" if system.startswith("rules") else "-",
            )
    console.print(table)

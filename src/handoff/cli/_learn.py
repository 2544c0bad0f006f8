"""``handoff learn fit``: train the learned detector from labelled actions.

The input is JSON Lines in either of two shapes, mixed freely:

* a labelled trajectory (``steps`` and ``expected.escalate``, the ``handoff eval``
  format): every tool-calling step becomes an example carrying the case's label;
* one labelled action: ``{"action": {...}, "label": true, "weight": 1.0}`` -- the shape a
  decision history exports (an action, its context, and whether a human was needed).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from .._exceptions import InputError
from ..detect.learned import Example, fit, number, save_model
from ..detect.rubric import assess
from ..learn.evaluation import case_examples, load_cases
from ..models import Action
from ..policy import Policy, load_policy
from ._common import PolicyOption, console, reporting

__all__ = ["learn_app", "read_examples"]

learn_app = typer.Typer(help="Train the learned detector.", no_args_is_help=True)


def read_examples(path: Path, policy: Policy) -> list[Example]:
    """Examples from a JSONL file of trajectories and/or labelled actions."""
    rules = policy.with_learned(None)
    out: list[Example] = []
    for n, row in load_cases(path, require_expected=False):
        if "steps" in row:
            out.extend(case_examples([(n, row)], rules, path.name))
            continue
        out.append(_labelled_action(row, rules, f"{path.name}:{n}"))
    return out


def _labelled_action(row: dict[str, Any], policy: Policy, where: str) -> Example:
    label = row.get("label")
    if not isinstance(label, bool):
        raise InputError(f"{where}: label must be true or false", field="label")
    weight = number(row.get("weight", 1.0))
    if weight is None or weight <= 0:
        raise InputError(f"{where}: weight must be a positive number", field="weight")
    try:
        action = Action.model_validate(row.get("action"))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in ("action", *err["loc"]))
        raise InputError(f"{where}: {loc}: {err['msg']}", field=loc) from None
    a = assess(action, policy)
    return Example(action, label, tuple(t.code for t in a.triggers), a.level.value, weight)


@learn_app.command("fit")
def fit_cmd(
    cases: Annotated[
        Path,
        typer.Argument(
            metavar="CASES.jsonl", help="Labelled trajectories or labelled actions, one per line."
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="MODEL.json", help="Where to save the model.")
    ],
    policy: PolicyOption = None,
    raise_at: Annotated[
        float, typer.Option("--raise-at", min=0.01, max=1.0, help="p that raises auto to review.")
    ] = 0.9,
    lower_below: Annotated[
        float | None,
        typer.Option(
            "--lower-below", min=0.0, max=0.99, help="p under which a medium review runs auto."
        ),
    ] = None,
    epochs: Annotated[int, typer.Option("--epochs", min=1, max=200)] = 12,
    l2: Annotated[float, typer.Option("--l2", min=0.0, max=1.0)] = 1e-2,
) -> None:
    """Train the learned detector (logistic regression over hashed features) into a JSON file."""
    with reporting():
        pol = load_policy(policy)
        examples = read_examples(cases, pol)
        model = fit(examples, epochs=epochs, l2=l2, raise_at=raise_at, lower_below=lower_below)
        meta = {**model.meta, "source": cases.name, "policy_version": pol.version}
        model = replace(model, meta=meta)
        save_model(model, output)
    console.print(
        f"learned model saved to {output}: {model.meta['examples']} examples "
        f"({model.meta['positives']} labelled escalate), {len(model.weights)} weights, "
        f"raise at p >= {raise_at:g}"
        + (f", lower below p < {lower_below:g}" if lower_below is not None else ""),
        markup=False,
    )
    console.print(json.dumps({"sha256": model.sha256[:16]}), style="dim", markup=False)

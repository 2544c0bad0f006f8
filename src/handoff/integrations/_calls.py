"""How an integration names one tool call to handoff: by value, within its run.

A framework hands over a call's arguments as JSON text or as validated Python values;
the same call must hash the same either way, so ``by_value`` turns every float that
holds a whole number into an int (``250.0`` and ``250`` are one amount). The
idempotency key of a call is made from the run, the call id and the whole action, never
the call id alone: a model numbers its calls afresh in each run ("c1", "c2", ...), and
a key of the call id alone would hand a new run's call the outcome of an old one.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from .._canonical import canonical_json
from .._outcome import Outcome
from ..models import Action, State
from ..protocol import Plane

#: The states in which a gated call is cleared to run (once, with the approved args).
APPROVED = (State.APPROVED, State.AUTO_APPROVED)

__all__ = ["APPROVED", "by_value", "call_key", "run_fingerprint", "submit_and_run"]


def by_value(value: Any) -> Any:
    """``value`` with every whole-number float made an int, at any depth."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): by_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [by_value(v) for v in value]
    return value


def run_fingerprint(conversation: Any) -> str:
    """A stable name for the run that ``conversation`` (its input) started.

    Only each message's role and content count, so the input as the run received it
    (text, or a list of messages) and as a saved run state holds it agree.
    """
    items: list[Mapping[str, Any]] = []
    if isinstance(conversation, str):
        items = [{"role": "user", "content": conversation}]
    elif isinstance(conversation, list):
        items = [i for i in conversation if isinstance(i, Mapping) and "role" in i]
    seen = [[str(i.get("role")), i.get("content")] for i in items]
    text = json.dumps(by_value(seen), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def call_key(prefix: str, run: str, call_id: str, tool: str, args: Any, agent: str) -> str:
    """The idempotency key of one call: the run, the call id and the whole action."""
    parts = [run, call_id, tool, by_value(args), agent]
    return f"{prefix}:" + hashlib.sha256(canonical_json(parts).encode()).hexdigest()[:32]


def submit_and_run(plane: Plane, action: Action) -> Outcome:
    """Submit ``action`` (a low-risk one runs at once; a replay answers its outcome) and
    run it if it is approved: once, with the approved args."""
    outcome = plane.submit(action)
    if outcome.handoff.state in APPROVED:
        outcome = plane.execute(outcome.handoff.id)
    return outcome

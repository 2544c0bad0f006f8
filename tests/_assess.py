"""One tool call assessed under the default policy, as the detector tests write it."""

from __future__ import annotations

from typing import Any

from handoff.detect.rubric import assess
from handoff.models import Action, Assessment
from handoff.policy import Policy, default_policy

_DEFAULT = default_policy()


def assess_call(
    tool: str,
    args: dict[str, Any],
    instruction: str = "",
    steps: list[dict[str, Any]] | None = None,
    policy: Policy | None = None,
) -> Assessment:
    """``rubric.assess`` of ``tool(args)`` asked for by ``instruction`` after ``steps``."""
    action = Action.model_validate(
        {
            "tool": tool,
            "args": args,
            "context": {"instruction": instruction, "steps": steps or []},
        }
    )
    return assess(action, policy or _DEFAULT)

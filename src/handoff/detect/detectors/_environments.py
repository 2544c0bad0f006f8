"""Where a change lands: an environment no customer uses.

A feature flag moved to 25% in ``staging``, or a setting changed in ``dev``, runs for
no customer: the rule for changes that run for every customer does not apply.
"""

from __future__ import annotations

import re

from ._base import ActionView

__all__ = ["off_production"]

# Environments no customer uses: a flag or a setting changed there runs for none.
_TRIAL_ENVS = frozenset(
    ("staging", "stage", "dev", "development", "test", "testing", "qa", "sandbox", "preview",
     "local")
)  # fmt: skip


_PRODUCTION = re.compile(r"\b(?:prod|production|live|all[_ -]?environments|all[_ -]?envs)\b")


def off_production(view: ActionView) -> bool:
    """The call names its environment, and it is one no customer uses."""
    envs = [
        low.strip()
        for (path, _), low in zip(view.args, view.lowered_args, strict=True)
        if "env" in path.rsplit(".", 1)[-1].lower()
    ]
    if not envs or not all(e in _TRIAL_ENVS for e in envs):
        return False
    # Nothing else in the call reaches production ("copy_to": "production").
    return _PRODUCTION.search(view.args_lower) is None

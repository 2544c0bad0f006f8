"""Where a change lands: an environment no customer uses.

A feature flag moved to 25% in ``staging``, or a setting changed in ``dev``, runs for
no customer: the rule for changes that run for every customer does not apply.
"""

from __future__ import annotations

from ._base import ActionView

__all__ = ["off_production"]

# Environments no customer uses: a flag or a setting changed there runs for none.
_TRIAL_ENVS = frozenset(
    ("staging", "stage", "dev", "development", "test", "testing", "qa", "sandbox", "preview",
     "local")
)  # fmt: skip


def off_production(view: ActionView) -> bool:
    """The call names its environment, and it is one no customer uses."""
    envs = [
        low.strip()
        for (path, _), low in zip(view.args, view.lowered_args, strict=True)
        if "env" in path.rsplit(".", 1)[-1].lower()
    ]
    return bool(envs) and all(e in _TRIAL_ENVS for e in envs)

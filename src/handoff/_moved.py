"""Old import paths of modules that moved into the rooms, kept working for a while.

``handoff.rubric`` now lives in ``handoff.detect.rubric``, and so on (see ``MOVED``).
An import of an old path, or of anything under it, gives the very module at the new
path (one object, so a monkeypatch through either name reaches the same code) and a
``DeprecationWarning`` naming the new path. No file stays at the old path: a file there
would hide the move from git, which then could not carry edits across it.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

MOVED: dict[str, str] = {
    "handoff.rubric": "handoff.detect.rubric",
    "handoff.detectors": "handoff.detect.detectors",
    "handoff.learned": "handoff.detect.learned",
    "handoff.judge": "handoff.detect.judge",
    "handoff.codes": "handoff.detect.codes",
    "handoff.packaging": "handoff.package.packaging",
    "handoff.routing": "handoff.route.routing",
    "handoff.sla": "handoff.route.sla",
    "handoff.lifecycle": "handoff.decide.lifecycle",
    "handoff.passkeys": "handoff.decide.passkeys",
    "handoff.execution": "handoff.execute.execution",
    "handoff.executors": "handoff.execute.executors",
    "handoff.checkpoint": "handoff.audit.checkpoint",
    "handoff.kpi": "handoff.learn.kpi",
    "handoff.backtest": "handoff.learn.backtest",
    "handoff.suggest": "handoff.learn.suggest",
    "handoff.fatigue": "handoff.learn.fatigue",
    "handoff.history": "handoff.learn.history",
    "handoff.report": "handoff.learn.report",
    "handoff.charts": "handoff.learn.charts",
    "handoff.evaluation": "handoff.learn.evaluation",
    "handoff.simulation": "handoff.learn.simulation",
    "handoff.demo": "handoff.cli.demo",
}


def new_name(fullname: str) -> str | None:
    """The path ``fullname`` moved to, or None when it did not move."""
    for old, new in MOVED.items():
        if fullname == old or fullname.startswith(old + "."):
            return new + fullname[len(old) :]
    return None


class _Alias(Loader):
    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        warnings.warn(
            f"{module.__name__} moved to {self.new}; import it from there",
            DeprecationWarning,
            stacklevel=2,
        )
        # The import system returns whatever sys.modules holds once this returns.
        sys.modules[module.__name__] = importlib.import_module(self.new)


class _Finder(MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        new = new_name(fullname)
        return None if new is None else ModuleSpec(fullname, _Alias(new))


def install() -> None:
    """Put the finder first, before the one that would find a stale copy on disk."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())

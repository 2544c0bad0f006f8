"""The package's layout: no import cycles, and arrows that point inward.

Adapters (``cli``, ``server``, ``channels``, ``integrations``) call the plane; the plane
calls the core rooms (``detect``, ``package``, ``route``, ``decide``, ``execute``,
``audit``, ``learn``). Every import counts, including those inside functions and under
``TYPE_CHECKING``: a type-only import still ties two modules together.
"""

from __future__ import annotations

import ast
import importlib
import sys
import warnings
from pathlib import Path

import pytest

import handoff
from handoff._moved import MOVED

SRC = Path(handoff.__file__).parent

ADAPTERS = ("cli", "server", "channels", "integrations")
CORE = ("detect", "package", "route", "decide", "execute", "audit", "learn")

# Import edges a cycle may still run through, each with why it stays. Type-only (under
# ``TYPE_CHECKING``): rollback is a ControlPlane method split out of plane.py for size,
# and submits its undo action through the plane's private ``_validate`` and ``_gate``,
# which no Protocol in ``handoff._parts`` should expose. The other split-out modules
# type the plane as ``PlaneParts`` or ``GuardedPlane`` and no longer import plane.py.
ALLOWED_EDGES: dict[tuple[str, str], str] = {
    ("handoff.execute._rollback", "handoff.plane"): "type-only: uses the plane's _gate",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py")) if "migrations" not in p.parts}


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of the package that ``name`` imports, wherever the import sits."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names]
            targets = [t if t in known else module for t in targets]
        for target in targets:
            while target not in known and "." in target:
                target = target.rpartition(".")[0]
            if target in known and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(name, path, known) for name, path in known.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _room(module: str) -> str:
    """The sub-package a module sits in; "" for the top level."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (SRC / parts[1]).is_dir() else ""


def test_the_graph_sees_imports_inside_functions() -> None:
    graph = _graph()
    assert "handoff.plane" in graph["handoff"]
    assert graph["handoff.cli.commands"] >= {"handoff.cli.demo"}


def test_no_import_cycles() -> None:
    graph = _graph()
    for (source, target), why in ALLOWED_EDGES.items():
        assert why and target in graph[source], f"stale allowed edge {source} -> {target}"
        graph[source].discard(target)
    assert _cycles(graph) == []


def test_the_cycle_check_catches_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_imports_no_adapter() -> None:
    """The rooms and the top level (plane, models, policy...) never reach outward."""
    wrong = [
        f"{source} -> {target}"
        for source, targets in _graph().items()
        if _room(source) in (*CORE, "") and source != "handoff.__main__"
        for target in targets
        if _room(target) in ADAPTERS
    ]
    assert wrong == []


def test_the_room_check_sees_an_adapter() -> None:
    assert _room("handoff.cli.commands") == "cli"
    assert _room("handoff.plane") == ""
    assert "handoff.cli.commands" in _graph()["handoff.__main__"]


def test_every_room_is_a_package() -> None:
    for room in (*CORE, *ADAPTERS, "store"):
        assert (SRC / room / "__init__.py").is_file(), room


def test_no_file_is_left_at_an_old_path() -> None:
    """A file there would hide the move from git, which could then not carry edits."""
    for old in MOVED:
        relative = Path(*old.split(".")[1:])
        assert not (SRC / relative).with_suffix(".py").exists(), old
        assert not (SRC / relative / "__init__.py").exists(), old


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_an_old_path_still_imports_with_a_warning(old: str, new: str) -> None:
    importlib.import_module(new)
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert [str(w.message) for w in caught if w.category is DeprecationWarning] == [
        f"{old} moved to {new}; import it from there"
    ]


def test_a_module_under_an_old_package_path_is_the_same_module() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from handoff.detectors._base import Signal as Old
        from handoff.executors import FilesExecutor as OldFiles
    from handoff.detect.detectors._base import Signal
    from handoff.execute.executors import FilesExecutor

    assert Old is Signal and OldFiles is FilesExecutor

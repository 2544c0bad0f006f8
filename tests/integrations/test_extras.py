"""Integrations are opt-in: the core never imports them, a missing extra names its install."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

FRAMEWORKS = (
    "mcp",
    "mcp_types",
    "langgraph",
    "langchain_core",
    "agents",
    "openai",
    "pydantic_ai",
    "google.adk",
    "google.genai",
)


def test_importing_handoff_imports_no_integration() -> None:
    code = (
        "import sys, handoff, handoff.cli, handoff.integrations\n"
        f"loaded = sorted(m for m in {FRAMEWORKS!r} if m in sys.modules)\n"
        "loaded += sorted(m for m in sys.modules if m.startswith('handoff.integrations.'))\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""


@pytest.mark.parametrize(
    ("module", "missing", "extra"),
    [
        ("handoff.integrations.mcp", "mcp", "mcp"),
        ("handoff.integrations.langgraph", "langgraph", "langgraph"),
        ("handoff.integrations.openai_agents", "agents", "openai-agents"),
        ("handoff.integrations.pydantic_ai", "pydantic_ai", "pydantic-ai"),
        ("handoff.integrations.adk", "google.adk", "adk"),
    ],
)
def test_a_missing_extra_names_the_pip_command(
    monkeypatch: pytest.MonkeyPatch, module: str, missing: str, extra: str
) -> None:
    # as if it were not installed: its submodules imported by earlier tests go too
    for name in [m for m in sys.modules if m == missing or m.startswith(missing + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, missing, None)
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ImportError) as err:
        importlib.import_module(module)
    assert f"pip install 'handoff-plane[{extra}]'" in str(err.value)

"""The gateway passes on everything of MCP besides tool calls, both ways.

The official MCP client talks to ``handoff mcp-proxy`` in front of ``full_upstream.py``,
a server written with the ``mcp`` package that serves prompts, resources, templates,
completions and logging, reports progress, changes its tool list, and calls back to the
client for sampling, elicitation and roots (the reference servers have tools only).
The client declares sampling, elicitation and roots by giving their callbacks.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from .conftest import HANDOFF, mcp_session

pytest.importorskip("mcp")

UPSTREAM = Path(__file__).with_name("full_upstream.py")


def _text(result: Any) -> str:
    return " ".join(c.text for c in result.content if c.type == "text")


def _argv(db: str) -> list[str]:
    return [*HANDOFF, "mcp-proxy", "--db", db, "--", sys.executable, str(UPSTREAM)]


def test_prompts_resources_templates_and_completions_pass(sqlite_url: str) -> None:
    async def scenario() -> None:
        async with mcp_session(_argv(sqlite_url)) as s:
            caps = s.server_capabilities
            assert caps.prompts is not None and caps.prompts.list_changed
            assert caps.resources is not None and caps.resources.list_changed
            assert caps.completions is not None and caps.logging is not None
            assert caps.tools is not None and caps.tools.list_changed

            prompts = (await s.list_prompts()).prompts
            assert [p.name for p in prompts] == ["summary"]
            got = await s.get_prompt("summary", {"topic": "taxes"})
            assert got.messages[0].content.text == "Summarise taxes"

            listed = (await s.list_resources()).resources
            assert [str(r.uri) for r in listed] == ["memo://readme"]
            read = await s.read_resource("memo://readme")
            assert read.contents[0].text == "hello from the memo server"
            templates = (await s.list_resource_templates()).resource_templates
            assert [t.uri_template for t in templates] == ["memo://notes/{id}"]
            note = await s.read_resource("memo://notes/7")
            assert note.contents[0].text == "note at memo://notes/7"

            import mcp_types as types

            done = await s.complete(
                types.PromptReference(name="summary"), {"name": "topic", "value": "t"}
            )
            assert done.completion.values == ["taxes", "travel", "training"]
            from mcp.shared.exceptions import MCPDeprecationWarning

            with pytest.warns(MCPDeprecationWarning):  # 2026-07-28 deprecates it; still served
                await s.set_logging_level("debug")

    anyio.run(scenario)


def test_progress_logging_and_list_changed_reach_the_client(sqlite_url: str) -> None:
    progress: list[str] = []
    logs: list[Any] = []
    notes: list[Any] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(f"{done}/{total} {message}")

    async def on_log(params: Any) -> None:
        logs.append(params.data)

    async def on_message(message: Any) -> None:
        notes.append(message)

    async def scenario() -> None:
        async with mcp_session(
            _argv(sqlite_url), logging_callback=on_log, message_handler=on_message
        ) as s:
            counted = await s.call_tool("slow_count", {}, progress_callback=on_progress)
            assert _text(counted) == "counted to 3", _text(counted)
            assert progress == ["1.0/3.0 counted 1", "2.0/3.0 counted 2", "3.0/3.0 counted 3"]
            with anyio.fail_after(10):
                while len(logs) < 3:
                    await anyio.sleep(0.05)
            assert logs == ["at 1", "at 2", "at 3"]

            assert _text(await s.call_tool("grow", {})) == "grown"
            with anyio.fail_after(10):
                while not any(getattr(n, "method", "") == "notifications/tools/list_changed"
                              for n in notes):  # fmt: skip
                    await anyio.sleep(0.05)
            assert "extra" in {t.name for t in (await s.list_tools()).tools}
            assert _text(await s.call_tool("extra", {})) == "extra ran"

    anyio.run(scenario)


def test_sampling_elicitation_and_roots_go_to_the_client(sqlite_url: str) -> None:
    import mcp_types as types

    async def sampling(context: Any, params: Any) -> Any:
        asked = params.messages[0].content.text
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(text=f"4 (to {asked!r})"), model="m"
        )

    async def elicitation(context: Any, params: Any) -> Any:
        return types.ElicitResult(action="accept", content={"name": f"Ada ({params.message})"})

    async def roots(context: Any) -> Any:
        return types.ListRootsResult(roots=[types.Root(uri="file:///work/project")])

    async def scenario() -> None:
        async with mcp_session(
            _argv(sqlite_url),
            sampling_callback=sampling,
            elicitation_callback=elicitation,
            list_roots_callback=roots,
        ) as s:
            model = await s.call_tool("ask_model", {})
            assert _text(model) == "the model said 4 (to 'What is 2+2?')", _text(model)
            user = await s.call_tool("ask_user", {})
            assert "accept" in _text(user) and "Ada (Your name?)" in _text(user), _text(user)
            where = await s.call_tool("my_roots", {})
            assert _text(where) == "roots: file:///work/project", _text(where)

    anyio.run(scenario)


def test_a_client_without_sampling_gets_the_upstream_told_so(sqlite_url: str) -> None:
    async def scenario() -> None:
        async with mcp_session(_argv(sqlite_url)) as s:
            model = await s.call_tool("ask_model", {})
            assert model.is_error and "does not support sampling" in _text(model), _text(model)

    anyio.run(scenario)


def test_a_large_upstream_error_reaches_the_agent_whole_but_is_recorded_short(
    sqlite_url: str,
) -> None:
    import os

    path = sqlite_url.removeprefix("sqlite:///")

    def size() -> int:
        return sum(os.path.getsize(p) for p in (path, f"{path}-wal") if os.path.exists(p))

    async def scenario() -> None:
        async with mcp_session(_argv(sqlite_url)) as s:
            await s.call_tool("my_roots", {})  # the database exists (this call fails)
            before = size()
            failed = await s.call_tool("fail_loudly", {})
            assert failed.is_error and "error line 0157893" in _text(failed)
            growth = size() - before
            assert growth < 2 * 3_000_000, f"the database grew by {growth} bytes"

    anyio.run(scenario)

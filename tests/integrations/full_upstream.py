"""An MCP server (stdio) that uses every part of MCP besides tools, for the gateway tests.

Written with the ``mcp`` package's low-level ``Server``, because the reference servers
used elsewhere (``mcp-server-git``, the filesystem server) have tools only. It serves a
prompt, a resource, a resource template, completions and logging; its ``ask_model``,
``ask_user`` and ``my_roots`` tools call back to the client (sampling, elicitation,
roots); ``slow_count`` reports progress and logs; ``grow`` adds a tool and says the
list changed; ``fail_loudly`` answers with a 3 MB error.
"""

from __future__ import annotations

from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.stdio import stdio_server

TOOLS = {
    "ask_model": "Ask the client's model to answer a question.",
    "ask_user": "Ask the client's user for a value.",
    "my_roots": "List the client's roots.",
    "slow_count": "Count to three, reporting progress.",
    "grow": "Add the tool 'extra'.",
    "fail_loudly": "Fail with an error message of 3 MB.",
}
grown: list[str] = []


def _text(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)])


async def list_tools(ctx: ServerRequestContext[Any], params: Any) -> types.ListToolsResult:
    names = {**TOOLS, **{n: "A tool added later." for n in grown}}
    read_only = types.ToolAnnotations(read_only_hint=True, destructive_hint=False)
    return types.ListToolsResult(
        tools=[
            types.Tool(
                name=n, description=d, input_schema={"type": "object"}, annotations=read_only
            )
            for n, d in names.items()
        ]
    )


async def call_tool(
    ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
) -> types.CallToolResult:
    s = ctx.session
    if params.name == "ask_model":
        got = await s.send_request(
            types.CreateMessageRequest(
                params=types.CreateMessageRequestParams(
                    messages=[
                        types.SamplingMessage(
                            role="user", content=types.TextContent(text="What is 2+2?")
                        )
                    ],
                    max_tokens=10,
                )
            ),
            types.CreateMessageResult,
        )
        assert isinstance(got.content, types.TextContent)
        return _text(f"the model said {got.content.text}")
    if params.name == "ask_user":
        schema = {"type": "object", "properties": {"name": {"type": "string"}}}
        answer = await s.elicit_form("Your name?", schema)
        return _text(f"the user said {answer.action} {answer.content}")
    if params.name == "my_roots":
        roots = await s.send_request(types.ListRootsRequest(), types.ListRootsResult)
        return _text("roots: " + " ".join(str(r.uri) for r in roots.roots))
    if params.name == "slow_count":
        for i in range(1, 4):
            await s.report_progress(i, 3, f"counted {i}")
            await s.send_notification(
                types.LoggingMessageNotification(
                    params=types.LoggingMessageNotificationParams(
                        level="info", logger="counter", data=f"at {i}"
                    )
                )
            )
            await anyio.sleep(0.01)
        return _text("counted to 3")
    if params.name == "grow":
        grown.append("extra")
        await s.send_notification(types.ToolListChangedNotification())
        return _text("grown")
    if params.name == "fail_loudly":
        text = "".join(f"error line {i:07d}\n" for i in range(3_000_000 // 19))
        return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)
    if params.name in grown:
        return _text(f"{params.name} ran")
    return types.CallToolResult(content=[types.TextContent(text="no such tool")], is_error=True)


async def list_prompts(ctx: Any, params: Any) -> types.ListPromptsResult:
    arg = types.PromptArgument(name="topic", required=True)
    return types.ListPromptsResult(
        prompts=[types.Prompt(name="summary", description="Summarise", arguments=[arg])]
    )


async def get_prompt(ctx: Any, params: types.GetPromptRequestParams) -> types.GetPromptResult:
    topic = (params.arguments or {}).get("topic", "?")
    return types.GetPromptResult(
        messages=[
            types.PromptMessage(role="user", content=types.TextContent(text=f"Summarise {topic}"))
        ]
    )


async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
    return types.ListResourcesResult(
        resources=[types.Resource(uri="memo://readme", name="readme", mime_type="text/plain")]
    )


async def list_templates(ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
    return types.ListResourceTemplatesResult(
        resource_templates=[types.ResourceTemplate(uri_template="memo://notes/{id}", name="note")]
    )


async def read_resource(
    ctx: Any, params: types.ReadResourceRequestParams
) -> types.ReadResourceResult:
    uri = str(params.uri)
    text = "hello from the memo server" if uri == "memo://readme" else f"note at {uri}"
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=uri, text=text, mime_type="text/plain")]
    )


async def complete(ctx: Any, params: types.CompleteRequestParams) -> types.CompleteResult:
    prefix = params.argument.value
    values = [t for t in ("taxes", "travel", "training") if t.startswith(prefix)]
    return types.CompleteResult(completion=types.Completion(values=values, total=len(values)))


async def set_level(ctx: Any, params: types.SetLevelRequestParams) -> types.EmptyResult:
    return types.EmptyResult()


async def main() -> None:
    server: Server[Any] = Server(
        "memo-server",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
        on_list_resources=list_resources,
        on_list_resource_templates=list_templates,
        on_read_resource=read_resource,
        on_completion=complete,
    )
    server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, set_level)
    options = server.create_initialization_options(
        NotificationOptions(prompts_changed=True, resources_changed=True, tools_changed=True)
    )
    async with stdio_server() as (read, write):
        await server.run(read, write, options)


if __name__ == "__main__":
    anyio.run(main)

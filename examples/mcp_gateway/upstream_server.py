"""A real MCP server for the gateway example: a tiny CMS a marketing agent works in.

Run on its own it speaks MCP on stdio (``python upstream_server.py``), or streamable
HTTP at ``http://127.0.0.1:PORT/mcp`` with ``python upstream_server.py --http PORT``. When
``CMS_CALL_LOG`` names a file, every tool call that reaches this server is appended to it
as one JSON line, so the example (and the tests) can see what actually ran, and with
which arguments.
"""

from __future__ import annotations

import json
import os
import sys

from mcp.server.mcpserver import MCPServer

cms = MCPServer("tiny-cms", instructions="A content management system for marketing pages.")


def _log(tool: str, **args: object) -> None:
    path = os.environ.get("CMS_CALL_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"tool": tool, "args": args}) + "\n")


@cms.tool()
def search_docs(query: str) -> str:
    """Search the published pages."""
    _log("search_docs", query=query)
    return f"3 pages mention {query!r}: /pricing, /blog/spring, /faq"


@cms.tool()
def update_draft(draft_id: str, patch: str) -> str:
    """Apply a small edit to an unpublished draft."""
    _log("update_draft", draft_id=draft_id, patch=patch)
    return f"patched {draft_id}"


@cms.tool()
def publish_post(title: str, body: str) -> str:
    """Publish a post on the public blog."""
    _log("publish_post", title=title, body=body)
    return f"published {title!r}"


@cms.tool()
def delete_page(page_id: str) -> str:
    """Delete a public page."""
    _log("delete_page", page_id=page_id)
    return f"deleted {page_id}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        cms.run("streamable-http", port=int(sys.argv[2]))
    else:
        cms.run()

"""Who is calling the gateway: the MCP client's name, which scopes its handoffs."""

from __future__ import annotations

from typing import Any

from mcp.server import ServerRequestContext

__all__ = ["client_name"]


def client_name(ctx: ServerRequestContext[Any, Any], default: str) -> str:
    """The calling client's ``clientInfo.name``, or ``default`` when it gave none."""
    params = ctx.session.client_params
    name = params.client_info.name.strip() if params is not None else ""
    return name[:200] if name else default

"""Everything of MCP besides tool calls, carried between the client and the upstream.

Only tool calls act on the world, so only they are gated (``_gateway``). The rest
passes as it is, or a gateway would hide half of the upstream server:

* client to upstream: prompts, resources, resource templates, subscriptions,
  completions and the logging level, each served only when the upstream offers it, so
  the gateway's capabilities mirror the upstream's (``list_changed`` flags included);
  and the client's ``roots/list_changed`` notice;
* upstream to client: sampling, elicitation and roots requests (to the client that is
  connected; one that did not declare the capability gets an error back, as it would
  from the client itself), log messages, list-changed and resource-updated notices.
  A changed tool list is read again before it is passed on, so the gateway serves, and
  gates, the new tools. Progress of a tool call is passed on by the gateway's executor.

The gateway tells the upstream it supports sampling, elicitation and roots before any
client has connected (the upstream session starts first); a request for one the client
lacks is answered with an error naming it, so the upstream learns no more than it would
have from the client itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import mcp_types as types
from mcp import ClientSession, MCPError
from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.session import ServerSession

__all__ = ["Relay"]

_log = logging.getLogger(__name__)

# method, params model, request model, result model: the requests passed on as they are
_Route = tuple[str, type[Any], type[Any], type[Any]]
_PROMPTS: list[_Route] = [
    ("prompts/list", types.PaginatedRequestParams, types.ListPromptsRequest,
     types.ListPromptsResult),
    ("prompts/get", types.GetPromptRequestParams, types.GetPromptRequest, types.GetPromptResult),
]  # fmt: skip
_RESOURCES: list[_Route] = [
    ("resources/list", types.PaginatedRequestParams, types.ListResourcesRequest,
     types.ListResourcesResult),
    ("resources/templates/list", types.PaginatedRequestParams,
     types.ListResourceTemplatesRequest, types.ListResourceTemplatesResult),
    ("resources/read", types.ReadResourceRequestParams, types.ReadResourceRequest,
     types.ReadResourceResult),
]  # fmt: skip
_SUBSCRIBE: list[_Route] = [
    ("resources/subscribe", types.SubscribeRequestParams, types.SubscribeRequest,
     types.EmptyResult),
    ("resources/unsubscribe", types.UnsubscribeRequestParams, types.UnsubscribeRequest,
     types.EmptyResult),
]  # fmt: skip
_COMPLETIONS: list[_Route] = [
    ("completion/complete", types.CompleteRequestParams, types.CompleteRequest,
     types.CompleteResult),
]  # fmt: skip
_LOGGING: list[_Route] = [
    ("logging/setLevel", types.SetLevelRequestParams, types.SetLevelRequest, types.EmptyResult),
]  # fmt: skip

_PASSED_ON = (
    types.PromptListChangedNotification,
    types.ResourceListChangedNotification,
    types.ResourceUpdatedNotification,
    types.ToolListChangedNotification,
)


class Relay:
    """Carries requests and notifications that are not tool calls, both ways.

    Give its ``callbacks()`` to the upstream ``ClientSession``; once it is initialized,
    set ``upstream`` and ``install`` the handlers on the gateway's server. ``client``
    is the session of the client last heard from: server-to-client requests go to it.
    """

    def __init__(self) -> None:
        self.upstream: ClientSession | None = None
        self.client: ServerSession | None = None
        self.on_tools_changed: Callable[[], Awaitable[object]] | None = None

    def callbacks(self) -> dict[str, Any]:
        """Keyword arguments for the upstream ``ClientSession``."""
        return {
            "sampling_callback": self._sampling,
            "elicitation_callback": self._elicitation,
            "list_roots_callback": self._roots,
            "logging_callback": self._logging,
            "message_handler": self._message,
        }

    def seen(self, ctx: ServerRequestContext[Any, Any]) -> None:
        """Note the client a request came from."""
        self.client = ctx.session

    # -- client to upstream --------------------------------------------------------

    def install(self, server: Server[Any], caps: types.ServerCapabilities | None) -> None:
        """Serve on ``server`` what the upstream offers (``caps``), passing it on."""
        caps = caps or types.ServerCapabilities()
        routes: list[_Route] = []
        if caps.prompts is not None:
            routes += _PROMPTS
        if caps.resources is not None:
            routes += _RESOURCES + (_SUBSCRIBE if caps.resources.subscribe else [])
        if caps.completions is not None:
            routes += _COMPLETIONS
        if caps.logging is not None:
            routes += _LOGGING
        for method, params_type, request, result in routes:
            server.add_request_handler(method, params_type, self._forward(request, result))
        server.add_notification_handler(
            "notifications/roots/list_changed", types.NotificationParams, self._roots_changed
        )

    @staticmethod
    def notification_options(caps: types.ServerCapabilities | None) -> NotificationOptions:
        """The ``list_changed`` flags of the upstream, for the gateway to declare."""
        caps = caps or types.ServerCapabilities()
        return NotificationOptions(
            prompts_changed=bool(caps.prompts and caps.prompts.list_changed),
            resources_changed=bool(caps.resources and caps.resources.list_changed),
            tools_changed=bool(caps.tools and caps.tools.list_changed),
        )

    def _forward(self, request: type[Any], result: type[Any]) -> Any:
        async def handler(ctx: ServerRequestContext[Any, Any], params: Any) -> Any:
            self.seen(ctx)
            assert self.upstream is not None
            return await self.upstream.send_request(request(params=params), result)

        return handler

    async def _roots_changed(self, ctx: ServerRequestContext[Any, Any], params: Any) -> None:
        self.seen(ctx)
        if self.upstream is not None:
            await self.upstream.send_roots_list_changed()

    # -- upstream to client --------------------------------------------------------

    async def _ask(self, wants: str, request: Any, result: type[Any]) -> Any:
        client = self.client
        caps = client.client_capabilities if client is not None else None
        if client is None or caps is None or getattr(caps, wants) is None:
            return types.ErrorData(
                code=types.INVALID_REQUEST,
                message=f"the client behind the handoff gateway does not support {wants}",
            )
        try:
            return await client.send_request(request, result)
        except MCPError as exc:
            return exc.error

    async def _sampling(self, context: Any, params: types.CreateMessageRequestParams) -> Any:
        request = types.CreateMessageRequest(params=params)
        return await self._ask("sampling", request, types.CreateMessageResult)

    async def _elicitation(self, context: Any, params: types.ElicitRequestParams) -> Any:
        return await self._ask(
            "elicitation", types.ElicitRequest(params=params), types.ElicitResult
        )

    async def _roots(self, context: Any) -> Any:
        return await self._ask("roots", types.ListRootsRequest(), types.ListRootsResult)

    async def _logging(self, params: types.LoggingMessageNotificationParams) -> None:
        await self._notify(types.LoggingMessageNotification(params=params))

    async def _message(self, message: Any) -> None:
        if isinstance(message, Exception):
            _log.warning("the upstream MCP connection reported: %s", message)
            return
        if isinstance(message, types.ToolListChangedNotification) and self.on_tools_changed:
            await self.on_tools_changed()
        if isinstance(message, _PASSED_ON):
            await self._notify(message)

    async def _notify(self, notification: Any) -> None:
        if self.client is None:
            return  # no client yet: it will list what it needs when it connects
        try:
            await self.client.send_notification(notification)
        except Exception as exc:  # a client gone away must not break the upstream side
            _log.warning("could not pass %s on to the client: %s", type(notification), exc)

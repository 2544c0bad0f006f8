"""The listening socket of ``handoff serve``, bound before anything is announced.

uvicorn binds late and, when the port is taken, logs a traceback-free error but only
after the command has already said it was serving, then exits 1 like any failure. So
the command binds the socket itself (a taken port is then its own exit code and one
line) and says "serving" from inside uvicorn's startup, once requests are answered.
"""

from __future__ import annotations

import socket

import uvicorn

from ._common import err

__all__ = ["Serving", "listen"]


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``; ``OSError`` when it is taken or not allowed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Said to be TCP, so asyncio turns Nagle's algorithm off on each accepted connection
    # (it looks at the socket's protocol); with proto 0 every reply waited for the
    # client's delayed ACK, about 40 ms per request on a keep-alive connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        # Like uvicorn: a port left in TIME_WAIT by the last run is free to bind again.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class Serving(uvicorn.Server):
    """A uvicorn server that prints ``said`` once its startup has finished."""

    def __init__(self, config: uvicorn.Config, said: str) -> None:
        super().__init__(config)
        self.said = said

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            err.print(self.said, style="dim", markup=False, soft_wrap=True)

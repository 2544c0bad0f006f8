"""A TCP relay that counts network exchanges between a client and PostgreSQL.

An exchange is one turn of the conversation: the client sends, then waits for the
server's answer. The relay counts a turn each time bytes start flowing from the server
after bytes flowed from the client, whatever the driver does inside (pipelining,
batching, prepared statements), so the count is what the network sees.
"""

from __future__ import annotations

import selectors
import socket
import threading
from typing import Self

__all__ = ["Relay"]


class Relay:
    """Listen on a free local port and relay every connection to ``host:port``."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._lock = threading.Lock()
        self._exchanges = 0
        self._sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def exchanges(self) -> int:
        """Turns counted so far, over every relayed connection."""
        with self._lock:
            return self._exchanges

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, client: socket.socket, upstream: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, upstream)
        sel.register(upstream, selectors.EVENT_READ, client)
        from_client = False  # the direction of the last bytes seen on this connection
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.5):
                    src: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = src.recv(65536)
                    if not data:
                        return
                    if src is client:
                        from_client = True
                    elif from_client:
                        from_client = False
                        with self._lock:
                            self._exchanges += 1
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            client.close()
            upstream.close()

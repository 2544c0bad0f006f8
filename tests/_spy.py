"""A tiny HTTP server on a chosen loopback address that records every request it gets.

The outbound-request tests need two of them on different addresses (127.0.0.2 allowed,
127.0.0.3 not) to show a request never reached the one it must not.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Spy:
    url: str
    #: (method, path, Host header) of every request, in order.
    hits: list[tuple[str, str, str]] = field(default_factory=list)
    #: Answer every request with this status and, when set, this Location.
    status: int = 201
    location: str | None = None


@contextmanager
def spy(host: str = "127.0.0.1") -> Iterator[Spy]:
    state = Spy(url="")

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            size = int(self.headers.get("content-length", "0"))
            self.rfile.read(size)
            state.hits.append((self.command, self.path, self.headers.get("host", "")))
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    state.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()

"""A real local HTTP server for channel tests: records requests, answers as scripted."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    #: Status codes to answer with, in order; 200 once they run out.
    script: list[int] = field(default_factory=list)
    #: Checks each request; an exception makes the answer 400 and is kept in ``errors``.
    check: Callable[[Received], Any] | None = None
    errors: list[str] = field(default_factory=list)
    reply: dict[str, Any] = field(default_factory=dict)


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("content-length", "0"))
            got = Received(
                self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(size)
            )
            with lock:
                status = state.script.pop(0) if state.script else 200
                if state.check is not None:
                    try:
                        state.check(got)
                    except Exception as exc:
                        state.errors.append(str(exc))
                        status = 400
                state.requests.append(got)
            body = json.dumps(state.reply).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()

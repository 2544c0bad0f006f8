"""A downstream HTTP service that dedupes by ``Idempotency-Key`` and counts effects.

It stands in for the system an agent's action changes (a CMS, a mailer, a payment
API that honours idempotency keys). It runs in a thread of the process that checks the
figures, so it outlives every crash of the processes that call it.

    POST|PUT /effects           apply once per Idempotency-Key (201 new, 200 replay)
    GET      /effects/<key>     200 {"ok": true, ...} when applied (and not undone), else 404
    DELETE   /effects/<key>     undo it (200), 404 when nothing to undo

``effects[key]`` counts the times a key changed something (must never pass 1);
``requests[key]`` counts every request that carried the key, retries included.
A body with ``"fail_check": true`` is applied but reported ``ok: false`` by GET, so a
confirmation check fails.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

__all__ = ["Receiver"]


class Receiver:
    """Start with ``with Receiver() as r:``; ``r.url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self) -> None:
        self.effects: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.undone: Counter[str] = Counter()
        self.bodies: dict[str, Any] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _answer(self, status: int, body: Any, location: str | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(data)

            def _write(self) -> None:
                key = self.headers.get("Idempotency-Key")
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size) if size else b""
                if not key:
                    self._answer(400, {"error": "Idempotency-Key is required"})
                    return
                status, body = receiver.apply(key, json.loads(raw or b"null"))
                self._answer(status, body, f"/effects/{key}")

            do_POST = do_PUT = _write

            def do_GET(self) -> None:
                key = unquote(self.path.removeprefix("/effects/"))
                found = receiver.lookup(key)
                self._answer(200 if found else 404, found or {"error": "no such effect"})

            def do_DELETE(self) -> None:
                key = unquote(self.path.removeprefix("/effects/"))
                self._answer(200 if receiver.undo(key) else 404, {"key": key})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def apply(self, key: str, body: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests[key] += 1
            if key in self.bodies:
                return 200, {"key": key, "replayed": True}
            self.bodies[key] = body
            self.effects[key] += 1
            return 201, {"key": key, "version": len(self.bodies)}

    def lookup(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            if key not in self.bodies or self.undone[key]:
                return None
            body = self.bodies[key]
            if isinstance(body, dict) and body.get("fail_check"):
                return {"ok": False, "reason": "the receiver rejected the content"}
            return {"ok": True, "key": key}

    def undo(self, key: str) -> bool:
        with self._lock:
            if key not in self.bodies or self.undone[key]:
                return False
            self.undone[key] += 1
            return True

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

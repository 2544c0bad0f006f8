"""Request bodies against a real server: one strict JSON reading for every JSON media
type, a size cap that holds however the body is framed, 415 for anything else, and
values no store can hold refused naming the field."""

from __future__ import annotations

import contextlib
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from handoff.server.body import MAX_BODY

from .conftest import Server

#: Every spelling of JSON a client may send; each must be read by the one strict parser.
JSON_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON; Charset=UTF-8",
    "application/x+json",
    "application/merge-patch+json",
    "application/vnd.api+json",
    "application/problem+json; charset=utf-8",
    "text/json",
]
#: Not JSON, or JSON in an encoding other than UTF-8: refused naming ``content-type``.
OTHER_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/jsonl",
    "application/octet-stream",
    "application/json; charset=utf-16",
]


def _post(server: Server, body: bytes, content_type: str, path: str = "/v1/actions") -> Any:
    headers = {"Authorization": f"Bearer {server.key('bot')}", "Content-Type": content_type}
    return httpx.post(server.url + path, content=body, headers=headers, timeout=30)


def _count(server: Server) -> int:
    return len(server.plane.store.list_handoffs(limit=1000))


@pytest.mark.parametrize("content_type", JSON_TYPES)
def test_every_json_media_type_refuses_duplicate_keys_and_nan(
    served: Server, content_type: str
) -> None:
    dup = b'{"tool":"notes.add","tool":"ops.restart","args":{}}'
    r = _post(served, dup, content_type)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "tool"
    assert "more than once" in r.json()["error"]["message"]
    r = _post(served, b'{"tool":"ops.restart","args":{"n":NaN}}', content_type)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "args.n"
    assert _count(served) == 0


@pytest.mark.parametrize("content_type", JSON_TYPES)
def test_every_json_media_type_is_read_as_json(served: Server, content_type: str) -> None:
    r = _post(served, json.dumps({"tool": "ops.restart", "args": {"x": 1}}).encode(), content_type)
    assert r.status_code == 202, r.text
    assert r.json()["handoff"]["action"]["args"] == {"x": 1}


@pytest.mark.parametrize("content_type", OTHER_TYPES)
def test_other_media_types_get_415_naming_the_content_type(
    served: Server, content_type: str
) -> None:
    r = _post(served, b'{"tool":"ops.restart","args":{}}', content_type)
    assert r.status_code == 415, r.text
    assert r.json()["error"] == {
        "code": "unsupported_media_type",
        "field": "content-type",
        "message": r.json()["error"]["message"],
    }
    assert "application/json" in r.json()["error"]["message"]
    assert _count(served) == 0


@pytest.mark.parametrize("content_type", ["application/x+json", "text/json", "application/json"])
def test_an_over_size_body_is_refused_whatever_its_json_type(
    served: Server, content_type: str
) -> None:
    big = json.dumps({"tool": "ops.restart", "args": {"x": "y" * MAX_BODY}}).encode()
    r = _post(served, big, content_type)
    assert r.status_code == 413, r.text
    assert r.json()["error"]["field"] == "body"
    assert _count(served) == 0


def _raw(url: str, head: str, body: bytes, timeout: float = 10.0) -> bytes:
    """Send ``head`` and ``body`` on a raw socket, never finishing the body, and read
    what the server answers: a server that waits for the rest times out here."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as s:
        s.sendall(head.encode())
        # The server may answer and close while the body is still going out.
        with contextlib.suppress(OSError):
            s.sendall(body)
        reply = b""
        try:
            while b"\r\n\r\n" not in reply:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        except TimeoutError:
            pass
        return reply


def _head(server: Server, path: str, content_type: str, framing: str) -> str:
    parts = urlsplit(server.url)
    return (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {server.key('bot')}\r\n"
        f"Content-Type: {content_type}\r\n{framing}\r\n"
    )


@pytest.mark.parametrize("content_type", ["application/json", "application/x+json"])
def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(
    served: Server, content_type: str
) -> None:
    head = _head(served, "/v1/actions", content_type, f"Content-Length: {100 * MAX_BODY}\r\n")
    reply = _raw(served.url, head, b'{"tool":"ops.restart","args":{"x":"')
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


@pytest.mark.parametrize("content_type", ["application/json", "application/x+json"])
def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(
    served: Server, content_type: str
) -> None:
    head = _head(served, "/v1/actions", content_type, "Transfer-Encoding: chunked\r\n")
    piece = b"y" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    # A little past the cap, and no closing chunk: the server must not wait for the end.
    body = b"8\r\n" + b'{"args":' + b"\r\n" + chunk * (MAX_BODY // len(piece) + 2)
    reply = _raw(served.url, head, body)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert _count(served) == 0


def test_inbox_forms_are_capped_too(served: Server) -> None:
    head = _head(
        served, "/login", "application/x-www-form-urlencoded", f"Content-Length: {10**9}\r\n"
    )
    reply = _raw(served.url, head, b"username=ana&password=")
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tool": "ops.restart", "on_behalf_of": "fiona\x00"}, "on_behalf_of"),
        ({"tool": "ops.restart", "idempotency_key": "k\x00"}, "idempotency_key"),
        ({"tool": "ops.restart", "context": {"domain": "a\x00"}}, "context.domain"),
        (
            {"tool": "ops.restart", "context": {"evidence": [{"source": "s", "uri": "x\x00"}]}},
            "context.evidence.0.uri",
        ),
    ],
)
def test_nul_in_any_string_is_refused_naming_the_field(
    served_db: Server, body: dict[str, Any], field: str
) -> None:
    r = _post(served_db, json.dumps(body).encode(), "application/json")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert "NUL" in r.json()["error"]["message"]
    assert _count(served_db) == 0


@pytest.mark.parametrize("digits", [5000, 400])
@pytest.mark.parametrize(
    ("template", "field"),
    [
        ('{"tool":"ops.restart","args":{"amount":%s}}', "args.amount"),
        ('{"tool":"ops.restart","args":{"a":[1,{"b":-%s}]}}', "args.a[1].b"),
        ('{"tool":"ops.restart","context":{"confidence":%s}}', "context.confidence"),
        (
            '{"tool":"ops.restart","context":{"steps":[{"args":{"n":%s}}]}}',
            "context.steps[0].args.n",
        ),
    ],
)
def test_a_huge_integer_anywhere_is_refused_naming_where(
    served_db: Server, template: str, field: str, digits: int
) -> None:
    r = _post(served_db, (template % ("9" * digits)).encode(), "application/json")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert "digits" in r.json()["error"]["message"]
    assert _count(served_db) == 0


def test_large_but_ordinary_integers_still_pass(served: Server) -> None:
    body = {"tool": "ops.restart", "args": {"id": 2**64 - 1, "neg": -(2**63), "big": 10**300}}
    r = _post(served, json.dumps(body).encode(), "application/json")
    assert r.status_code == 202, r.text
    assert r.json()["handoff"]["action"]["args"] == body["args"]

"""Load for the HTTP benchmarks: ``concurrency`` keep-alive connections posting one body."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

__all__ = ["post_many", "timed_gets"]


async def _post_many(
    url: str, body: dict[str, Any], count: int, concurrency: int, headers: dict[str, str]
) -> float:
    raw = json.dumps(body).encode()
    sent = {"n": 0}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    hdrs = {"content-type": "application/json", **headers}
    async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:

        async def worker() -> None:
            while sent["n"] < count:
                sent["n"] += 1
                resp = await client.post(url, content=raw, headers=hdrs)
                if resp.status_code >= 300:
                    raise RuntimeError(f"POST {url}: {resp.status_code} {resp.text[:200]}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


def post_many(
    url: str,
    body: dict[str, Any],
    count: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
) -> float:
    """Wall seconds to get ``count`` successful answers to POSTs of ``body``."""
    return asyncio.run(_post_many(url, body, count, concurrency, headers or {}))


def timed_gets(
    url: str,
    count: int,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> list[float]:
    """Seconds per GET of ``url``, one after another on one connection (must be 200)."""
    out: list[float] = []
    with httpx.Client(cookies=cookies, headers=headers, timeout=60.0) as client:
        for _ in range(count):
            start = time.perf_counter()
            resp = client.get(url)
            out.append(time.perf_counter() - start)
            if resp.status_code != 200:
                raise RuntimeError(f"GET {url}: {resp.status_code} {resp.text[:200]}")
    return out

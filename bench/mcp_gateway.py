"""``python -m bench.mcp_gateway [--quick]``: what the MCP gateway adds to one tool call.

Two sessions of the official MCP client stay open side by side: one straight to
``mcp-server-git`` (stdio), one to ``handoff mcp-proxy`` in front of another copy of
the same server, on a SQLite file. Both call ``git_status`` on the same small
repository; the server marks it read-only, so through the gateway each call is gated
and runs at once (submit, assess, execute, audit: two durable commits). The two are
interleaved (a block of calls on one, then a block on the other, alternating), so a
busy machine slows both alike; each round gives a ratio, and the median ratio and the
spread of the ratios are reported, with the median added milliseconds per call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

__all__ = ["Overhead", "bench_mcp_gateway"]


@dataclass(frozen=True, slots=True)
class Overhead:
    """Per-call seconds direct and through the gateway, each round's ratio, and the
    median of each."""

    direct: tuple[float, ...]
    gated: tuple[float, ...]
    ratios: tuple[float, ...]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def spread(self) -> float:
        """(max - min) / median of the ratios, as a fraction."""
        return (max(self.ratios) - min(self.ratios)) / self.ratio

    @property
    def added_ms(self) -> float:
        return statistics.median(g - d for g, d in zip(self.gated, self.direct, strict=True)) * 1e3


def _repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.name", "Bench"],
        ["config", "user.email", "bench@example.com"],
    ):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    (repo / "README.md").write_text("# bench\n")
    return repo


@asynccontextmanager
async def _session(argv: list[str]) -> AsyncIterator[Any]:
    import mcp_types as types
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=argv[0], args=argv[1:], env=dict(os.environ))
    me = types.Implementation(name="bench", version="1.0")
    with open(os.devnull, "w") as quiet:
        async with (
            stdio_client(params, errlog=quiet) as (read, write),
            ClientSession(read, write, client_info=me) as session,
        ):
            await session.initialize()
            yield session


async def _block(session: Any, args: dict[str, Any], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        result = await session.call_tool("git_status", args)
        if result.is_error or result.structured_content is not None:
            raise RuntimeError(f"git_status did not run at once: {result}")
    return (time.perf_counter() - start) / calls


async def _run(root: Path, rounds: int, calls: int) -> Overhead:
    repo = _repo(root)
    upstream = [sys.executable, "-m", "mcp_server_git", "--repository", str(repo)]
    db = f"sqlite:///{root / 'handoff.db'}"
    proxy = [sys.executable, "-m", "handoff", "mcp-proxy", "--db", db, "--", *upstream]
    args = {"repo_path": str(repo)}
    direct: list[float] = []
    gated: list[float] = []
    async with _session(upstream) as plain, _session(proxy) as gateway:
        await _block(plain, args, calls)  # warm-up
        await _block(gateway, args, calls)
        for i in range(rounds):
            order = [(plain, direct), (gateway, gated)]
            for session, into in order if i % 2 == 0 else order[::-1]:
                into.append(await _block(session, args, calls))
    ratios = tuple(g / d for g, d in zip(gated, direct, strict=True))
    return Overhead(tuple(direct), tuple(gated), ratios)


def bench_mcp_gateway(root: Path, rounds: int = 7, calls: int = 100) -> Overhead:
    """Interleave ``rounds`` blocks of ``calls`` git_status calls, direct and gated."""
    return anyio.run(_run, root, rounds, calls)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.mcp_gateway", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="3 rounds of 10 calls")
    opts = ap.parse_args(argv)
    rounds, calls = (3, 10) if opts.quick else (7, 100)
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix=".data-", dir=here) as tmp:
        o = bench_mcp_gateway(Path(tmp), rounds, calls)
    print(f"{rounds} rounds of {calls} git_status calls each way, interleaved")
    print("direct ms/call:  " + ", ".join(f"{d * 1e3:.2f}" for d in o.direct))
    print("gateway ms/call: " + ", ".join(f"{g * 1e3:.2f}" for g in o.gated))
    print("ratio per round: " + ", ".join(f"{r:.2f}" for r in o.ratios))
    print(
        f"median: direct {statistics.median(o.direct) * 1e3:.2f} ms, gateway"
        f" {statistics.median(o.gated) * 1e3:.2f} ms, {o.ratio:.2f}x"
        f" (spread {o.spread:.0%}), +{o.added_ms:.2f} ms per call"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

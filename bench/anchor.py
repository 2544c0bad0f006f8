"""The anchor: the same pause -> decide -> execute round trip in LangGraph.

A one-node graph whose node calls ``interrupt()`` with the action, and, once resumed
with ``Command(resume=...)``, runs the tool. The checkpointer is LangGraph's own
``SqliteSaver`` on a file opened the way its docs show
(``sqlite3.connect(path, check_same_thread=False)``); every round trip is a new
``thread_id``. One node is the cheapest graph that can do this (a second node for the
tool would add a superstep and a checkpoint), so the anchor gets the benefit of the doubt.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict

from ._actions import review_action
from ._timing import Measure, rate

__all__ = ["available", "bench_langgraph", "langgraph_batch", "saver_settings"]


def available() -> bool:
    """Whether langgraph and its SQLite checkpointer are importable."""
    try:
        return all(
            importlib.util.find_spec(name) is not None
            for name in ("langgraph.graph", "langgraph.checkpoint.sqlite")
        )
    except ModuleNotFoundError:  # a parent package is missing
        return False


class _State(TypedDict, total=False):
    action: dict[str, Any]
    result: Any


def _publish(**args: Any) -> dict[str, Any]:
    return {"published": args["post_id"]}


def _graph(conn: sqlite3.Connection) -> Any:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    def _review_then_run(state: _State) -> _State:
        decision = interrupt(state["action"])  # pauses here; resumes with the decision
        if decision.get("verdict") != "approve":
            return {"result": None}
        return {"result": _publish(**state["action"]["args"])}

    builder = StateGraph(_State)
    builder.add_node("review", _review_then_run)
    builder.add_edge(START, "review")
    builder.add_edge("review", END)
    return builder.compile(checkpointer=SqliteSaver(conn))


def saver_settings(conn: sqlite3.Connection) -> str:
    """What the SqliteSaver's connection ended up with: journal mode and synchronous."""
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[
        conn.execute("PRAGMA synchronous").fetchone()[0]
    ]
    return f"journal_mode={mode}, synchronous={sync}"


def bench_langgraph(data_dir: Path, count: int, reps: int, warmup: int) -> tuple[Measure, str, str]:
    """LangGraph round trips per second; also its SQLite settings and its version."""
    with langgraph_batch(data_dir) as (batch, settings, version):
        return rate(batch, count, reps, warmup), settings(), version


@contextmanager
def langgraph_batch(
    data_dir: Path,
) -> Iterator[tuple[Callable[[int], None], Callable[[], str], str]]:
    """``batch(n)`` runs ``n`` LangGraph round trips on one graph; with a function that
    reads the saver's SQLite settings, and LangGraph's version."""
    from importlib.metadata import version

    from langgraph.types import Command

    path = data_dir / "langgraph.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False)
    graph = _graph(conn)
    n = 0

    def batch(k: int) -> None:
        nonlocal n
        for _ in range(k):
            n += 1
            config = {"configurable": {"thread_id": f"t-{n}"}}
            paused = graph.invoke({"action": review_action(n)}, config)
            if "__interrupt__" not in paused:
                raise RuntimeError("the graph did not pause")
            done = graph.invoke(
                Command(resume={"verdict": "approve", "reviewer": "maya", "rationale": "ok"}),
                config,
            )
            if not done.get("result"):
                raise RuntimeError("the graph did not run the tool")

    try:
        yield batch, lambda: saver_settings(conn), version("langgraph")
    finally:
        conn.close()

"""A LangGraph app whose process the restart test starts, kills and starts again.

``python lg_restart_app.py DIR start`` runs the graph to its interrupt and prints the
handoff id; ``python lg_restart_app.py DIR resume REVIEWER`` answers the interrupt as
REVIEWER, in a new process, with a new plane and a new graph on the same two SQLite
files (handoff's and LangGraph's SqliteSaver), and prints what came back. Every wire
the tool sends is appended to DIR/sent.jsonl, so the test sees what really ran.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import Command

from handoff import ControlPlane
from handoff.integrations.langgraph import gate

CONFIG: Any = {"configurable": {"thread_id": "t-restart"}}


def graph(plane: ControlPlane, saver: SqliteSaver, sent: Path) -> Any:
    def wire(**args: Any) -> str:
        with sent.open("a") as f:
            f.write(json.dumps(args) + "\n")
        return "wired"

    plane.register("payments.wire", wire)

    class S(MessagesState):
        outcome: str

    def pay(state: S) -> dict[str, Any]:
        action = {"tool": "payments.wire", "args": {"amount": 250000, "to": "acct-9"}}
        return {"outcome": gate(plane, {**action, "agent": "payer"}).status}

    g = StateGraph(S)
    g.add_node("pay", pay)
    g.add_edge(START, "pay")
    return g.compile(checkpointer=saver)


def main(where: str, step: str, reviewer: str = "") -> None:
    d = Path(where)
    conn = sqlite3.connect(d / "checkpoints.db", check_same_thread=False)
    with ControlPlane.open(f"sqlite:///{d / 'handoff.db'}") as plane:
        app = graph(plane, SqliteSaver(conn), d / "sent.jsonl")
        if step == "start":
            out = app.invoke({"messages": []}, CONFIG)
        else:
            resume = {"decisions": [{"type": "approve", "reviewer": reviewer, "rationale": "ok"}]}
            out = app.invoke(Command(resume=resume), CONFIG)
    conn.close()
    pauses = [p.value for p in out.get("__interrupt__", [])]
    print(json.dumps({"outcome": out.get("outcome"), "interrupts": pauses}, default=str))


if __name__ == "__main__":
    main(*sys.argv[1:])

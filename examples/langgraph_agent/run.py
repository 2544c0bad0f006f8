"""A LangGraph agent whose risky tool call waits for a human, then resumes.

Run it with ``python examples/langgraph_agent/run.py`` (needs
``pip install 'handoff-plane[langgraph]'``). A scripted chat model (no network) searches, then
publishes. Searching runs at once; publishing interrupts the graph with the handoff
package. A reviewer approves in between, and ``resume_command`` resumes the graph from
its checkpoint; the tool runs once, through handoff.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from handoff import ControlPlane
from handoff.integrations.langgraph import gate_tool, resume_command


def search_docs(query: str) -> str:
    """Search the published pages."""
    return f"3 pages mention {query!r}"


def publish_post(title: str, body: str) -> str:
    """Publish a post on the public blog."""
    return f"published {title!r}"


def build(plane: ControlPlane) -> Any:
    model = GenericFakeChatModel(
        messages=iter(
            [
                AIMessage(
                    "",
                    tool_calls=[
                        {"name": "search_docs", "args": {"query": "launch"}, "id": "call_1"}
                    ],
                ),
                AIMessage(
                    "",
                    tool_calls=[
                        {
                            "name": "publish_post",
                            "id": "call_2",
                            "args": {"title": "Our launch", "body": "v2 ships"},
                        }
                    ],
                ),
                AIMessage("The post is live."),
            ]
        )
    )
    tools = [
        gate_tool(plane, search_docs, name="cms.search_docs"),  # the lines that connect
        gate_tool(plane, publish_post, name="cms.publish_post"),  # an existing agent
    ]

    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode(tools))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition)
    graph.add_edge("tools", "agent")
    return graph.compile(checkpointer=InMemorySaver())


def main(db: str) -> None:
    with ControlPlane.open(db) as plane:
        graph = build(plane)
        config = {"configurable": {"thread_id": "launch-1"}}

        out = graph.invoke({"messages": [("user", "announce the launch")]}, config)
        request = out["__interrupt__"][0].value
        handoff = request["handoff"]
        print("interrupted:", request["action_requests"][0]["name"], handoff["handoff_id"])
        print("decision required:", handoff["decision_required"])

        plane.decide(
            handoff["handoff_id"],
            verdict="approve",
            reviewer="maya",
            rationale="accurate and on brand",
        )  # the reviewer, in the inbox
        print("maya approved")

        out = graph.invoke(resume_command(plane, handoff["handoff_id"]), config)
        for m in out["messages"]:
            if isinstance(m, ToolMessage):
                print(f"tool {m.name} ->", m.content)
        print("agent:", out["messages"][-1].content)
        print("handoff state:", plane.get(handoff["handoff_id"]).state.value)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(f"sqlite:///{Path(tmp) / 'handoff.db'}")

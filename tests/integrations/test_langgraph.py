"""LangGraph end to end: a fake model calls gated tools; a human decides in between."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

pytest.importorskip("langgraph")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.types import Command

from handoff import ControlPlane, State
from handoff.integrations.langgraph import gate, gate_tool, resume_command

PUBLISH = {"name": "publish_post", "args": {"title": "Best ever", "body": "b"}, "id": "call_2"}


class Cms:
    """The tools the agent already has; ``ran`` is what actually happened."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, dict[str, Any]]] = []

    def tools(self) -> list[Any]:
        def search_docs(query: str) -> str:
            """Search the published pages."""
            self.ran.append(("search_docs", {"query": query}))
            return "3 pages"

        def publish_post(title: str, body: str) -> str:
            """Publish a post on the public blog."""
            self.ran.append(("publish_post", {"title": title, "body": body}))
            return f"published {title!r}"

        return [search_docs, publish_post]


@pytest.fixture
def plane() -> Iterator[ControlPlane]:
    with ControlPlane.open("sqlite:///:memory:") as p:
        yield p


def _agent(plane: ControlPlane, cms: Cms) -> Any:
    script = iter(
        [
            AIMessage("", tool_calls=[{"name": "search_docs", "args": {"query": "q"}, "id": "c1"}]),
            AIMessage("", tool_calls=[PUBLISH]),
            AIMessage("done"),
        ]
    )
    model = GenericFakeChatModel(messages=script)
    search, publish = cms.tools()
    tools = [
        gate_tool(plane, search, name="cms.search_docs"),
        gate_tool(plane, publish, name="cms.publish_post"),
    ]

    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    g = StateGraph(MessagesState)
    g.add_node("agent", agent)
    g.add_node("tools", ToolNode(tools))
    g.add_edge(START, "agent")
    g.add_conditional_edges("agent", tools_condition)
    g.add_edge("tools", "agent")
    return g.compile(checkpointer=InMemorySaver())


def _paused(graph: Any, config: dict[str, Any]) -> dict[str, Any]:
    out = graph.invoke({"messages": [("user", "announce the launch")]}, config)
    (pause,) = out["__interrupt__"]
    value: dict[str, Any] = pause.value
    return value


def _tool_message(out: dict[str, Any], call_id: str) -> ToolMessage:
    (msg,) = [
        m for m in out["messages"] if isinstance(m, ToolMessage) and m.tool_call_id == call_id
    ]
    return msg


def test_pending_interrupts_with_the_package_and_approval_resumes(plane: ControlPlane) -> None:
    cms = Cms()
    graph = _agent(plane, cms)
    config = {"configurable": {"thread_id": "t-approve"}}

    request = _paused(graph, config)
    assert cms.ran == [("search_docs", {"query": "q"})], "auto runs, the risky call waits"
    assert request["action_requests"] == [
        {
            "name": "publish_post",
            "args": PUBLISH["args"],
            "description": request["action_requests"][0]["description"],
        }
    ]
    assert request["review_configs"][0]["allowed_decisions"] == ["approve", "edit", "reject"]
    hid = request["handoff"]["handoff_id"]
    h = plane.get(hid)
    assert h.state is State.PENDING and h.action.tool == "cms.publish_post"
    assert (
        h.package is not None
        and h.package.decision_required in (request["action_requests"][0]["description"])
    )
    assert request["handoff"]["package"]["summary"] == h.package.summary
    assert h.action.idempotency_key and h.action.idempotency_key.startswith("langgraph:")

    plane.decide(hid, verdict="approve", reviewer="maya", rationale="fine")
    out = graph.invoke(resume_command(plane, hid), config)

    assert out["messages"][-1].content == "done"
    assert _tool_message(out, "call_2").content == "published 'Best ever'"
    assert cms.ran[-1] == ("publish_post", PUBLISH["args"])
    assert plane.get(hid).state is State.EXECUTED
    assert len(plane.store.list_handoffs(limit=10)) == 2, "the resume did not submit again"


def test_reviewer_revision_reaches_the_tool(plane: ControlPlane) -> None:
    cms = Cms()
    graph = _agent(plane, cms)
    config = {"configurable": {"thread_id": "t-revise"}}
    hid = _paused(graph, config)["handoff"]["handoff_id"]
    revised = {"title": "Our launch", "body": "b"}
    plane.decide(hid, verdict="revise", reviewer="maya", rationale="no superlatives", args=revised)

    out = graph.invoke(resume_command(plane, hid), config)

    msg = _tool_message(out, "call_2")
    assert "maya revised cms.publish_post" in str(msg.content)
    assert "no superlatives" in str(msg.content)
    assert cms.ran[-1] == ("publish_post", revised)


def test_rejection_reaches_the_model_as_an_error(plane: ControlPlane) -> None:
    cms = Cms()
    graph = _agent(plane, cms)
    config = {"configurable": {"thread_id": "t-reject"}}
    hid = _paused(graph, config)["handoff"]["handoff_id"]
    plane.decide(hid, verdict="reject", reviewer="marco", rationale="claim unproven")

    resume = resume_command(plane, hid)
    assert resume.resume["decisions"][0]["type"] == "reject"  # type: ignore[index]
    out = graph.invoke(resume, config)

    msg = _tool_message(out, "call_2")
    assert msg.status == "error"
    assert "rejected by marco: claim unproven" in str(msg.content)
    assert all(name != "publish_post" for name, _ in cms.ran)


def test_middleware_style_edit_is_recorded_in_handoff(plane: ControlPlane) -> None:
    cms = Cms()
    graph = _agent(plane, cms)
    config = {"configurable": {"thread_id": "t-edit"}}
    hid = _paused(graph, config)["handoff"]["handoff_id"]
    edited = {"title": "Launch day", "body": "b"}

    # no reviewer: nothing recorded, the graph pauses again naming the field
    bad = {"decisions": [{"type": "edit", "edited_action": {"args": edited}}]}
    again = graph.invoke(Command(resume=bad), config)["__interrupt__"][0].value
    assert again["error"]["field"] == "decisions[0].reviewer"
    assert again["handoff"]["handoff_id"] == hid
    assert plane.get(hid).state is State.PENDING
    assert all(name != "publish_post" for name, _ in cms.ran)

    decision = {"type": "edit", "edited_action": {"args": edited}, "reviewer": "maya"}
    again = graph.invoke(Command(resume={"decisions": [decision]}), config)
    assert again["__interrupt__"][0].value["error"]["field"] == "decisions[0].rationale"

    decision["rationale"] = "calmer title"
    out = graph.invoke(Command(resume={"decisions": [decision]}), config)

    h = plane.get(hid)
    assert h.state is State.EXECUTED
    assert h.decisions[-1].reviewer == "maya" and h.decisions[-1].verdict.value == "revise"
    assert cms.ran[-1] == ("publish_post", edited)
    assert out["messages"][-1].content == "done"


def test_gate_inside_a_node(plane: ControlPlane) -> None:
    sent: list[dict[str, Any]] = []
    plane.register("email.send", lambda **args: sent.append(args) or "sent")

    class S(MessagesState):
        outcome: str

    def send(state: S) -> dict[str, Any]:
        action = {
            "tool": "email.send",
            "args": {"to": "all-customers@example.com", "subject": "Price change"},
            "agent": "mailer",
        }
        return {"outcome": gate(plane, action).status}

    g = StateGraph(S)
    g.add_node("send", send)
    g.add_edge(START, "send")
    graph = g.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t-node"}}
    out = graph.invoke({"messages": []}, config)
    hid = out["__interrupt__"][0].value["handoff"]["handoff_id"]
    assert sent == []

    owner = plane.get(hid).owner
    assert owner is not None
    reviewer = plane.policy.owners[owner].members[0]
    plane.decide(hid, verdict="approve", reviewer=reviewer, rationale="announced")
    out = graph.invoke(resume_command(plane, hid), config)
    assert out["outcome"] == "executed"
    assert sent == [{"to": "all-customers@example.com", "subject": "Price change"}]


def test_parallel_calls_in_an_async_graph_get_a_handoff_each(plane: ControlPlane) -> None:
    cms = Cms()
    _search, publish = cms.tools()
    calls = [
        {"name": "publish_post", "args": {"title": "A", "body": "a"}, "id": "p1"},
        {"name": "publish_post", "args": {"title": "B", "body": "b"}, "id": "p2"},
    ]
    model = GenericFakeChatModel(messages=iter([AIMessage("", tool_calls=calls), AIMessage("ok")]))

    async def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    g = StateGraph(MessagesState)
    g.add_node("agent", agent)
    g.add_node("tools", ToolNode([gate_tool(plane, publish, name="cms.publish_post")]))
    g.add_edge(START, "agent")
    g.add_conditional_edges("agent", tools_condition)
    g.add_edge("tools", "agent")
    graph = g.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t-parallel"}}

    async def scenario() -> None:
        # LangGraph surfaces one interrupt at a time here; each call gets its own handoff,
        # and a call approved earlier is not run again when the node runs again.
        out = await graph.ainvoke({"messages": [("user", "publish both")]}, config)
        seen: list[str] = []
        while "__interrupt__" in out:
            (pause,) = out["__interrupt__"]
            hid = pause.value["handoff"]["handoff_id"]
            assert hid not in seen
            seen.append(hid)
            plane.decide(hid, verdict="approve", reviewer="maya", rationale="fine")
            out = await graph.ainvoke(resume_command(plane, hid), config)
        assert out["messages"][-1].content == "ok"
        assert sorted(plane.get(i).action.args["title"] for i in seen) == ["A", "B"]

    anyio.run(scenario)
    assert sorted(a["title"] for name, a in cms.ran) == ["A", "B"]
    assert len(plane.store.list_handoffs(limit=10)) == 2

"""LangGraph end to end: a fake model calls gated tools; a human decides in between."""

from __future__ import annotations

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

from handoff import ControlPlane, Plane, State
from handoff.integrations.langgraph import gate, gate_tool, resume_command

from .conftest import Backend

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
def plane(backend: Backend) -> Plane:
    """The plane the integration gets: embedded, or a ``Client`` of ``handoff serve``."""
    return backend.plane("langgraph-agent")


@pytest.fixture
def home(backend: Backend) -> ControlPlane:
    """The record: where a reviewer decides and the tests read the store."""
    return backend.home


def _agent(plane: Plane, cms: Cms) -> Any:
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


#: A decision carried in the resume value (the HITL middleware's shape) is recorded by
#: the graph's own plane, as the reviewer it names: an embedded plane only. Over HTTP
#: the graph holds its agent's key, and a key decides only as its own reviewer account,
#: so there the human decides in the inbox or API and ``resume_command`` carries it.
IN_GRAPH_DECISIONS = pytest.mark.parametrize("backend", ["embedded"], indirect=True)


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


def test_pending_interrupts_with_the_package_and_approval_resumes(
    plane: Plane, home: ControlPlane
) -> None:
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
    assert request["review_configs"][0]["allowed_decisions"] == [
        "approve",
        "edit",
        "reject",
        "respond",
    ]
    hid = request["handoff"]["handoff_id"]
    h = plane.get(hid)
    assert h.state is State.PENDING and h.action.tool == "cms.publish_post"
    assert (
        h.package is not None
        and h.package.decision_required in (request["action_requests"][0]["description"])
    )
    assert request["handoff"]["package"]["summary"] == h.package.summary
    assert h.action.idempotency_key and h.action.idempotency_key.startswith("langgraph:")

    home.decide(hid, verdict="approve", reviewer="maya", rationale="fine")
    out = graph.invoke(resume_command(plane, hid), config)

    assert out["messages"][-1].content == "done"
    assert _tool_message(out, "call_2").content == "published 'Best ever'"
    assert cms.ran[-1] == ("publish_post", PUBLISH["args"])
    assert plane.get(hid).state is State.EXECUTED
    assert len(home.store.list_handoffs(limit=10)) == 2, "the resume did not submit again"


def test_reviewer_revision_reaches_the_tool(plane: Plane, home: ControlPlane) -> None:
    cms = Cms()
    graph = _agent(plane, cms)
    config = {"configurable": {"thread_id": "t-revise"}}
    hid = _paused(graph, config)["handoff"]["handoff_id"]
    revised = {"title": "Our launch", "body": "b"}
    home.decide(hid, verdict="revise", reviewer="maya", rationale="no superlatives", args=revised)

    out = graph.invoke(resume_command(plane, hid), config)

    msg = _tool_message(out, "call_2")
    assert "maya revised publish_post" in str(msg.content)
    assert "no superlatives" in str(msg.content)
    assert cms.ran[-1] == ("publish_post", revised)


def test_rejection_reaches_the_model_as_an_error(plane: Plane, home: ControlPlane) -> None:
    cms = Cms()
    graph = _agent(plane, cms)
    config = {"configurable": {"thread_id": "t-reject"}}
    hid = _paused(graph, config)["handoff"]["handoff_id"]
    home.decide(hid, verdict="reject", reviewer="marco", rationale="claim unproven")

    resume = resume_command(plane, hid)
    assert resume.resume["decisions"][0]["type"] == "reject"  # type: ignore[index]
    out = graph.invoke(resume, config)

    msg = _tool_message(out, "call_2")
    assert msg.status == "error"
    assert "rejected by marco: claim unproven" in str(msg.content)
    assert all(name != "publish_post" for name, _ in cms.ran)


@IN_GRAPH_DECISIONS
def test_middleware_style_edit_is_recorded_in_handoff(plane: Plane, home: ControlPlane) -> None:
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


def test_gate_inside_a_node(backend: Backend, home: ControlPlane) -> None:
    plane = backend.plane("mailer")
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
    reviewer = home.policy.owners[owner].members[0]
    home.decide(hid, verdict="approve", reviewer=reviewer, rationale="announced")
    out = graph.invoke(resume_command(plane, hid), config)
    assert out["outcome"] == "executed"
    assert sent == [{"to": "all-customers@example.com", "subject": "Price change"}]


def test_parallel_calls_in_an_async_graph_get_a_handoff_each(
    plane: Plane, home: ControlPlane
) -> None:
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
        # both calls of the turn wait in one interrupt; each has its own handoff, and a
        # call approved earlier is not run again when the node runs again
        out = await graph.ainvoke({"messages": [("user", "publish both")]}, config)
        (pause,) = out["__interrupt__"]
        seen = [r["handoff_id"] for r in pause.value["handoffs"]]
        assert len(set(seen)) == 2
        for hid in seen:
            home.decide(hid, verdict="approve", reviewer="maya", rationale="fine")
        out = await graph.ainvoke(resume_command(plane, *seen), config)
        assert out["messages"][-1].content == "ok"
        assert sorted(plane.get(i).action.args["title"] for i in seen) == ["A", "B"]

    anyio.run(scenario)
    assert sorted(a["title"] for name, a in cms.ran) == ["A", "B"]
    assert len(home.store.list_handoffs(limit=10)) == 2


def _wire_graph(plane: Plane, saver: Any, sent: list[dict[str, Any]]) -> Any:
    """A node that wires money through ``gate``: high risk, two finance approvals."""

    def wire(**args: Any) -> str:
        sent.append(args)
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


def test_a_refused_resume_pauses_again_with_the_error_across_a_restart(tmp_path: Any) -> None:
    db = f"sqlite:///{tmp_path / 'handoff.db'}"
    saver = InMemorySaver()  # outlives the "process": it stands for a database
    config = {"configurable": {"thread_id": "t-wire"}}
    sent: list[dict[str, Any]] = []

    def answer(graph: Any, reviewer: str) -> dict[str, Any]:
        resume = {"decisions": [{"type": "approve", "reviewer": reviewer, "rationale": "ok"}]}
        out: dict[str, Any] = graph.invoke(Command(resume=resume), config)
        return out

    with ControlPlane.open(db) as plane:
        graph = _wire_graph(plane, saver, sent)
        hid = graph.invoke({"messages": []}, config)["__interrupt__"][0].value["handoff"][
            "handoff_id"
        ]
        for reviewer, why in [("maya", "not in finance"), ("payer", "the requester")]:
            again = answer(graph, reviewer)["__interrupt__"][0].value
            assert again["error"]["field"] == "decisions[0].reviewer", why
            assert plane.get(hid).state is State.PENDING and sent == []
        again = answer(graph, "fiona")["__interrupt__"][0].value
        assert "error" not in again, "one of two approvals: still waiting, nothing wrong"

    with ControlPlane.open(db) as plane:  # a new process: new plane, new graph
        graph = _wire_graph(plane, saver, sent)
        again = answer(graph, "fiona")["__interrupt__"][0].value
        assert again["error"]["field"] == "decisions[0].reviewer"
        assert "already approved" in again["error"]["message"]
        out = answer(graph, "felix")
        assert out["outcome"] == "executed" and "__interrupt__" not in out
        assert sent == [{"amount": 250000, "to": "acct-9"}]
        assert [d.reviewer for d in plane.get(hid).decisions] == ["fiona", "felix"]


def _two_posts(plane: Plane, cms: Cms, **options: Any) -> Any:
    _search, publish = cms.tools()
    calls = [
        {"name": "publish_post", "args": {"title": "A", "body": "a"}, "id": "p1"},
        {"name": "publish_post", "args": {"title": "B", "body": "b"}, "id": "p2"},
    ]
    model = GenericFakeChatModel(messages=iter([AIMessage("", tool_calls=calls), AIMessage("ok")]))

    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    tool = gate_tool(plane, publish, name="cms.publish_post", **options)
    g = StateGraph(MessagesState)
    g.add_node("agent", agent)
    g.add_node("tools", ToolNode([tool]))
    g.add_edge(START, "agent")
    g.add_conditional_edges("agent", tools_condition)
    g.add_edge("tools", "agent")
    return g.compile(checkpointer=InMemorySaver())


@IN_GRAPH_DECISIONS
def test_two_risky_calls_in_one_tool_node_surface_in_one_interrupt(
    plane: Plane, home: ControlPlane
) -> None:
    cms = Cms()
    graph = _two_posts(plane, cms)
    config = {"configurable": {"thread_id": "t-two"}}
    out = graph.invoke({"messages": [("user", "publish both")]}, config)
    (pause,) = out["__interrupt__"]
    request = pause.value
    assert [a["args"]["title"] for a in request["action_requests"]] == ["A", "B"]
    assert len(request["review_configs"]) == 2

    decisions = [
        {"type": "approve", "reviewer": "maya", "rationale": "fine"},
        {"type": "reject", "reviewer": "maya", "message": "B is a duplicate"},
    ]
    out = graph.invoke(Command(resume={"decisions": decisions}), config)
    assert "__interrupt__" not in out
    assert out["messages"][-1].content == "ok"
    assert cms.ran == [("publish_post", {"title": "A", "body": "a"})]
    assert "B is a duplicate" in str(_tool_message(out, "p2").content)


def test_the_resume_value_says_edit_after_a_revise_and_a_second_approval(
    backend: Backend, home: ControlPlane
) -> None:
    plane = backend.plane("payer")
    sent: list[dict[str, Any]] = []
    graph = _wire_graph(plane, InMemorySaver(), sent)
    config = {"configurable": {"thread_id": "t-edit2"}}
    hid = graph.invoke({"messages": []}, config)["__interrupt__"][0].value["handoff"]["handoff_id"]
    lower = {"amount": 200000, "to": "acct-9"}
    home.decide(hid, verdict="revise", reviewer="fiona", rationale="cap", args=lower)
    home.decide(hid, verdict="approve", reviewer="felix", rationale="ok")

    resume = resume_command(plane, hid)
    (decision,) = resume.resume["decisions"]  # type: ignore[index]
    assert decision["type"] == "edit" and decision["edited_action"]["args"] == lower
    assert graph.invoke(resume, config)["outcome"] == "executed"
    assert sent == [lower]


@IN_GRAPH_DECISIONS
def test_respond_answers_in_place_of_the_tool(plane: Plane, home: ControlPlane) -> None:
    cms = Cms()
    graph = _agent(plane, cms)
    config = {"configurable": {"thread_id": "t-respond"}}
    hid = _paused(graph, config)["handoff"]["handoff_id"]
    answer = {
        "type": "respond",
        "message": "Post it on the staging blog first.",
        "reviewer": "maya",
    }

    out = graph.invoke(Command(resume={"decisions": [answer]}), config)

    msg = _tool_message(out, "call_2")
    assert msg.content == "Post it on the staging blog first." and msg.status == "success"
    assert all(name != "publish_post" for name, _ in cms.ran)
    assert plane.get(hid).state is State.NEEDS_INFO
    assert resume_command(plane, hid).resume["decisions"][0]["type"] == "respond"  # type: ignore[index]


@IN_GRAPH_DECISIONS
def test_a_single_decision_in_the_per_call_shape_resumes(plane: Plane, home: ControlPlane) -> None:
    cms = Cms()
    graph = _agent(plane, cms)
    config = {"configurable": {"thread_id": "t-per-call"}}
    _paused(graph, config)

    out = graph.invoke(Command(resume={"type": "approve", "reviewer": "maya"}), config)

    assert cms.ran[-1] == ("publish_post", PUBLISH["args"])
    assert out["messages"][-1].content == "done"


@IN_GRAPH_DECISIONS
def test_agent_inbox_schema(plane: Plane, home: ControlPlane) -> None:
    cms = Cms()
    graph = _two_posts(plane, cms, interrupt_schema="agent_inbox")
    config = {"configurable": {"thread_id": "t-inbox", "handoff_reviewer": "maya"}}
    out = graph.invoke({"messages": [("user", "publish both")]}, config)
    (pause,) = out["__interrupt__"]
    first, second = pause.value  # a list of HumanInterrupt, as Agent Inbox reads it
    assert first["action_request"] == {
        "action": "publish_post",
        "args": {"title": "A", "body": "a"},
    }
    assert first["config"] == {
        "allow_accept": True,
        "allow_edit": True,
        "allow_respond": True,
        "allow_ignore": True,
    }
    assert first["description"] and second["action_request"]["args"]["title"] == "B"

    edited = {"action": "publish_post", "args": {"title": "B2", "body": "b"}}
    answers = [{"type": "accept", "args": None}, {"type": "edit", "args": edited}]
    out = graph.invoke(Command(resume=answers), config)
    # the accept is recorded and runs; the edit lacks the why handoff asks of a revise
    (pause,) = out["__interrupt__"]
    assert "decisions[1].rationale" in pause.value[1]["description"]
    assert "Decided already" in pause.value[0]["description"]

    answers[1]["rationale"] = "clearer title"
    out = graph.invoke(Command(resume=answers), config)

    assert "__interrupt__" not in out
    assert sorted(a["title"] for _, a in cms.ran) == ["A", "B2"]


@pytest.mark.parametrize("backend", ["remote"], indirect=True)
def test_over_http_a_decision_in_the_resume_value_is_refused_and_named(
    backend: Backend, home: ControlPlane
) -> None:
    cms = Cms()
    graph = _agent(backend.plane("langgraph-agent"), cms)
    config = {"configurable": {"thread_id": "t-remote-resume"}}
    hid = _paused(graph, config)["handoff"]["handoff_id"]
    decision = {"type": "approve", "reviewer": "maya", "rationale": "fine"}
    again = graph.invoke(Command(resume={"decisions": [decision]}), config)
    error = again["__interrupt__"][0].value["error"]
    assert "only reviewer accounts decide" in error["message"]
    assert home.get(hid).state is State.PENDING and home.get(hid).decisions == []
    assert all(name != "publish_post" for name, _ in cms.ran)

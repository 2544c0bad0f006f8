"""A Pydantic AI run paused for approval, saved, and resumed once decided.

Run it with ``python examples/pydantic_ai_agent/run.py`` (needs
``pip install 'handoff-plane[pydantic-ai]'``). A scripted model (no network) searches the docs,
which runs at once, then asks to publish a post; handoff's rubric says a human decides,
so the run ends with ``DeferredToolRequests`` whose metadata carries the handoff id. The
history is saved as JSON, a reviewer revises the title, and the resumed run publishes
the revised post once.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from pydantic_ai import Agent
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.tools import DeferredToolRequests
from pydantic_ai.toolsets import FunctionToolset

from handoff import ControlPlane
from handoff.integrations.pydantic_ai import ApprovalGate


def search_docs(query: str) -> str:
    """Search the published pages."""
    return "3 pages"


def publish_post(title: str, body: str) -> str:
    """Publish a post on the public blog."""
    return f"published {title!r}"


def scripted_model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """Searches, then publishes, then repeats what the last tool said."""
    turns = sum(isinstance(m, ModelResponse) for m in messages)
    if turns == 0:
        return ModelResponse(parts=[ToolCallPart("search_docs", {"query": "launch"}, "c1")])
    if turns == 1:
        post = {"title": "Best launch ever", "body": "It is out."}
        return ModelResponse(parts=[ToolCallPart("publish_post", post, "c2")])
    told = [p for p in messages[-1].parts if isinstance(p, ToolReturnPart)]
    return ModelResponse(parts=[TextPart(f"Done. {told[-1].content if told else ''}")])


async def main(db: str) -> None:
    with ControlPlane.open(db) as plane:
        gate = ApprovalGate(plane, agent="writer")  # the lines that connect
        tools = gate.toolset(
            FunctionToolset([search_docs, publish_post]),
            names={"search_docs": "cms.search_docs", "publish_post": "cms.publish_post"},
        )
        agent = Agent(  # an existing agent
            FunctionModel(scripted_model), toolsets=[tools], output_type=[str, DeferredToolRequests]
        )

        result = await agent.run("announce the launch")
        requests = result.output
        assert isinstance(requests, DeferredToolRequests)
        saved = ModelMessagesTypeAdapter.dump_json(result.all_messages())  # keep it anywhere
        (h,) = gate.handoffs(requests)
        print("paused:", h.action.tool, requests.metadata["c2"]["handoff_id"], "owner", h.owner)

        plane.decide(
            h.id,
            verdict="revise",
            reviewer="maya",
            rationale="no superlatives",
            args={"title": "Our launch", "body": "It is out."},
        )  # in the inbox, the CLI or the API
        print("maya revised the title")

        results, still = gate.resume(requests)  # ToolApproved(override_args=...)
        assert still == []
        history = ModelMessagesTypeAdapter.validate_json(saved)
        result = await agent.run(message_history=history, deferred_tool_results=results)
        print("agent:", result.output)
        print("state:", plane.get(h.id).state.value)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(f"sqlite:///{Path(tmp) / 'handoff.db'}"))

"""A Google ADK run paused for tool confirmation, and resumed once decided.

Run it with ``python examples/adk_agent/run.py`` (needs ``pip install 'handoff-plane[adk]'``).
A scripted model (no network) searches the docs, which runs at once, then asks to
publish a post; handoff's rubric says a human decides, so ADK asks for a tool
confirmation whose payload carries the handoff id. A reviewer rejects with a rationale;
``gate.resume`` answers the confirmation with ``confirmed: false`` and the model reads
the rationale.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path

from google.adk.agents import LlmAgent
from google.adk.models.base_llm import BaseLlm
from google.adk.models.llm_request import LlmRequest
from google.adk.models.llm_response import LlmResponse
from google.adk.runners import InMemoryRunner
from google.genai import types

from handoff import ControlPlane
from handoff.integrations.adk import ApprovalGate


def search_docs(query: str) -> str:
    """Search the published pages."""
    return "3 pages"


def publish_post(title: str, body: str) -> str:
    """Publish a post on the public blog."""
    return f"published {title!r}"


class ScriptedModel(BaseLlm):
    """Searches, then publishes, then repeats what the last tool said."""

    model: str = "scripted"

    async def generate_content_async(
        self, llm_request: LlmRequest, stream: bool = False
    ) -> AsyncGenerator[LlmResponse, None]:
        turns = sum(c.role == "model" for c in llm_request.contents)
        if turns == 0:
            call = types.FunctionCall(name="search_docs", args={"query": "launch"}, id="c1")
        elif turns == 1:
            post = {"title": "Cheapest ever", "body": "It is out."}
            call = types.FunctionCall(name="publish_post", args=post, id="c2")
        else:
            parts = llm_request.contents[-1].parts or []
            told = [p.function_response.response for p in parts if p.function_response]
            text = f"Understood: {told[-1] if told else ''}"
            yield LlmResponse(content=types.Content(role="model", parts=[types.Part(text=text)]))
            return
        yield LlmResponse(
            content=types.Content(role="model", parts=[types.Part(function_call=call)])
        )


async def main(db: str) -> None:
    with ControlPlane.open(db) as plane:
        gate = ApprovalGate(plane, agent="writer")  # the lines that connect
        tools = [
            gate.tool(search_docs, name="cms.search_docs"),
            gate.tool(publish_post, name="cms.publish_post"),
        ]
        agent = LlmAgent(name="writer", model=ScriptedModel(), tools=tools)  # an existing agent
        runner = InMemoryRunner(agent=agent, app_name="blog")
        session = await runner.session_service.create_session(app_name="blog", user_id="u1")
        prompt = types.Content(role="user", parts=[types.Part(text="announce the price cut")])
        async for _event in runner.run_async(
            user_id="u1", session_id=session.id, new_message=prompt
        ):
            pass

        got = await runner.session_service.get_session(
            app_name="blog", user_id="u1", session_id=session.id
        )
        assert got is not None
        (h,) = gate.handoffs(got.events)
        print("paused:", h.action.tool, h.id, "owner", h.owner)

        plane.decide(
            h.id,
            verdict="reject",
            reviewer="marco",
            rationale="'cheapest' is a claim we cannot prove",
        )  # in the inbox, the CLI or the API
        print("marco rejected")

        answer, still = gate.resume(got.events)  # the confirmations, as the user's message
        assert answer is not None and still == []
        async for event in runner.run_async(
            user_id="u1", session_id=session.id, new_message=answer
        ):
            if event.content and event.content.parts and event.content.parts[0].text:
                print("agent:", event.content.parts[0].text)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(f"sqlite:///{Path(tmp) / 'handoff.db'}"))

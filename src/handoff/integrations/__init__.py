"""Where agents live: connect an agent to handoff without rewriting its tools.

Each integration is a module of its own with an optional extra; importing
``handoff`` never imports any of them (nor the frameworks they adapt):

    handoff.integrations.mcp             pip install 'handoff-plane[mcp]'
    handoff.integrations.langgraph       pip install 'handoff-plane[langgraph]'
    handoff.integrations.openai_agents   pip install 'handoff-plane[openai-agents]'
    handoff.integrations.pydantic_ai     pip install 'handoff-plane[pydantic-ai]'
    handoff.integrations.adk             pip install 'handoff-plane[adk]'

Every integration takes a ``handoff.Plane``: an embedded ``ControlPlane``, or a
``Client`` of a ``handoff serve`` (``Client(url, api_key)``). Either way the agent's
tools run in the agent's process, once per approval.
"""

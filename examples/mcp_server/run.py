"""An agent asks a human deliberately through ``handoff mcp-serve``.

Run it with ``python examples/mcp_server/run.py`` (needs ``pip install 'handoff-plane[mcp]'``).
The agent sends its own decision brief (summary, options, the decision required); a
finance reviewer chooses an option; the agent reads the decision with ``get_handoff``.
The policy (``policy.yaml`` beside this file) sends every ``crm.offer_discount`` request
to finance. No network is used.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path

import anyio
import mcp_types as types
import yaml
from mcp import ClientSession, StdioServerParameters, stdio_client

from handoff import ControlPlane

BRIEF = {
    "tool": "crm.offer_discount",
    "args": {"account": "ACME", "percent": 30},
    "summary": "ACME will not renew at list price; a discount may keep them.",
    "decision_required": "Which discount may I offer ACME for the renewal?",
    "options": [
        {
            "id": "thirty",
            "title": "30% for a year",
            "risk": "high",
            "args": {"account": "ACME", "percent": 30},
        },
        {
            "id": "fifteen",
            "title": "15% for a year",
            "risk": "medium",
            "args": {"account": "ACME", "percent": 15},
        },
    ],
    "assumptions": ["ACME's champion said so on the last call"],
}


def write_policy(path: Path) -> None:
    """The default policy plus one rule: deliberate discount requests go to finance."""
    doc = yaml.safe_load((resources.files("handoff") / "default_policy.yaml").read_text())
    doc.setdefault("tools", {})["crm.offer_discount"] = {"mode": "review", "owner": "finance"}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")


async def main(db: str, policy: Path) -> None:
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "handoff", "mcp-serve", "--db", db, "--policy", str(policy)],
        env=dict(os.environ),
    )
    me = types.Implementation(name="pricing-bot", version="1.0")
    async with (
        stdio_client(server) as (read, write),
        ClientSession(read, write, client_info=me) as agent,
    ):
        await agent.initialize()
        asked = await agent.call_tool("request_handoff", BRIEF)
        hid = (asked.structured_content or {})["handoff_id"]
        print("request_handoff ->", (asked.structured_content or {})["status"], hid)

        with ControlPlane.open(db, policy=policy) as plane:  # the reviewer, in the inbox
            plane.decide(
                hid,
                verdict="choose",
                option_id="fifteen",
                reviewer="fiona",
                rationale="15% keeps the margin above target",
            )
        print("fiona chose 'fifteen'")

        got = await agent.call_tool("get_handoff", {"handoff_id": hid})
        decided = got.structured_content or {}
        print("get_handoff ->", json.dumps({k: decided[k] for k in ("status", "args")}))
        print("decision ->", json.dumps(decided["decision"]))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "policy.yaml"
        write_policy(policy)
        anyio.run(main, f"sqlite:///{Path(tmp) / 'handoff.db'}", policy)

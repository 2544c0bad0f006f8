"""A remote agent: submit an action to ``handoff serve``, wait for a reviewer, run it.

The agent holds its own tool (``publish`` below); the server decides whether it may run
and records how it ended. In one terminal::

    handoff user add fiona --team finance       # a reviewer account (asks for a password)
    handoff key add mktg-agent                  # the agent's API key, printed once
    handoff serve                               # API at /v1, inbox at http://127.0.0.1:8000/

In another::

    HANDOFF_API_KEY=hk_... python examples/remote_agent.py

It prints ``pending finance h_...`` and waits. Approve it in the inbox (log in as fiona)
or with ``handoff decide h_... --approve --as fiona``; the agent then publishes and
prints ``executed published 'Spring pricing'``. ``HANDOFF_URL`` points it at another
server.
"""

from __future__ import annotations

import os

from handoff import Client


def publish(title: str, body: str, idempotency_key: str) -> str:
    """The agent's own tool; a real CMS would drop a retry carrying the same key."""
    return f"published {title!r}"


def main() -> None:
    url = os.environ.get("HANDOFF_URL", "http://127.0.0.1:8000")
    with Client(url, api_key=os.environ["HANDOFF_API_KEY"]) as plane:
        plane.register("cms.publish", publish)  # runs here, in the agent's process
        out = plane.submit(
            {
                "tool": "cms.publish",
                "args": {
                    "title": "Spring pricing",
                    "body": "Pro is now only $49/month, 20% off until May.",
                },
            }
        )
        print(out.status, out.handoff.owner, out.handoff_id, flush=True)
        if out.pending:
            h = plane.wait(out.handoff_id, timeout=3600)  # long-polls the server
            print(h.state.value, flush=True)
            if h.state.value != "approved":
                return
        done = plane.execute(out.handoff_id)  # claims, runs publish here, reports back
        print(done.status, done.result)


if __name__ == "__main__":
    main()

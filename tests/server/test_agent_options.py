"""Agent-written options over a real server: the API refuses a shadowed id, the inbox
labels who wrote each option, shows its args as a diff against the raw action, and will
not choose one that changes the args without a rationale."""

from __future__ import annotations

import re
from typing import Any

import httpx

from handoff import Client

from .conftest import Server
from .test_inbox import _csrf, login

RAW = {"service": "web", "region": "eu-west-1"}
OTHER = {"service": "web", "region": "all", "force": True}
LOOKALIKE = {"id": "approve_as_submitted", "title": "Approve as submitted", "args": OTHER}


def _submit(server: Server, *options: dict[str, Any]) -> str:
    with Client(server.url, server.key("bot")) as agent:
        package = {"summary": "Restart web", "options": list(options)}
        return agent.submit({"tool": "ops.restart", "args": RAW, "package": package}).handoff_id


def test_the_api_refuses_an_agent_option_named_approve(served: Server) -> None:
    headers = {"Authorization": f"Bearer {served.key('bot')}"}
    with httpx.Client(base_url=served.url, headers=headers, timeout=30) as http:
        before = served.plane.store.count_events()
        body = {
            "tool": "ops.restart",
            "args": RAW,
            "package": {"options": [{**LOOKALIKE, "id": "approve"}]},
        }
        r = http.post("/v1/actions", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == "package.options[0].id"
        assert served.plane.store.count_events() == before


def test_the_api_will_not_choose_changed_args_without_a_rationale(served: Server) -> None:
    hid = _submit(served, LOOKALIKE)
    headers = {"Authorization": f"Bearer {served.key('ana')}"}
    with httpx.Client(base_url=served.url, headers=headers, timeout=30) as http:
        body = {"verdict": "choose", "option_id": "approve_as_submitted"}
        r = http.post(f"/v1/handoffs/{hid}/decisions", json=body)
        assert r.status_code == 422 and r.json()["error"]["field"] == "rationale"
        assert served.plane.get(hid).state.value == "pending"
        r = http.post(
            f"/v1/handoffs/{hid}/decisions", json={**body, "rationale": "all regions, agreed"}
        )
        assert r.status_code == 200 and r.json()["state"] == "approved"
    assert served.plane.get(hid).action.args == OTHER


def test_the_inbox_labels_agent_options_and_diffs_their_args(served: Server) -> None:
    hid = _submit(served, LOOKALIKE)
    with login(served, "ana") as ana:
        page = ana.get(f"/handoffs/{hid}").text
        rows = {
            chunk.split('"', 1)[0]: chunk.split("\n    </tbody>", 1)[0]
            for chunk in page.split('<tr id="option-')[1:]
        }
        text = rows.pop("approve_as_submitted")
        assert 'class="option agent"' in text and "written by the agent" in text
        assert "changes the args" in text.lower()
        for path, kind in (("force", "added"), ("region", "changed")):
            assert re.search(rf'<tr class="{kind}"><td><code>{path}</code>', text), path
        assert rows, "no option drafted by handoff beside the agent's"
        # Whatever an option is called, the page says what choosing it does.
        assert "approves the raw action's args unchanged" in rows["approve"]
        for built_in in rows.values():
            assert 'class="option handoff"' in built_in
            assert "written by the agent" not in built_in

        form = {"verdict": "choose", "option_id": "approve_as_submitted", "csrf": _csrf(page)}
        r = ana.post(f"/handoffs/{hid}/decide", data=form)
        assert r.status_code == 422 and "<strong>rationale</strong>" in r.text
        assert served.plane.get(hid).state.value == "pending"
        r = ana.post(f"/handoffs/{hid}/decide", data={**form, "rationale": "agreed"})
        assert r.status_code == 303
    assert served.plane.get(hid).action.args == OTHER

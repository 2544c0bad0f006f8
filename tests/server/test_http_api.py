"""The HTTP API against a real uvicorn server: statuses, error bodies, rules, filters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from handoff import Client, ConflictError, InputError, NotAuthorized, NotFound

from .conftest import Server


def _http(server: Server, key: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


def _submit(http: httpx.Client, tool: str = "ops.restart", **args: Any) -> dict[str, Any]:
    r = http.post("/v1/actions", json={"tool": tool, "args": args or {"service": "web"}})
    assert r.status_code in (200, 202), r.text
    data: dict[str, Any] = r.json()
    return data


def test_health_openapi_and_headers(served: Server) -> None:
    with _http(served) as http:
        r = http.get("/v1/health")
        assert r.status_code == 200
        assert r.json()["status"] == "ok"
        assert r.json()["policy_version"] == served.plane.policy.version
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        spec = http.get("/openapi.json").json()
        for path in (
            "/v1/actions",
            "/v1/handoffs",
            "/v1/handoffs/{handoff_id}",
            "/v1/handoffs/{handoff_id}/decisions",
            "/v1/handoffs/{handoff_id}/events",
            "/v1/incidents",
            "/v1/policy",
        ):
            assert path in spec["paths"], path
        body = spec["paths"]["/v1/actions"]["post"]["requestBody"]["content"]
        assert body["application/json"]["schema"]["$ref"].endswith("/ActionIn")
        assert "DecisionIn" in spec["components"]["schemas"]
        assert http.get("/docs").status_code == 404  # would load scripts from a CDN


def test_unauthenticated_and_revoked_keys_get_401(served: Server) -> None:
    key, secret = served.accounts.add_key("bot")
    with _http(served) as http:
        r = http.get("/v1/handoffs")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthenticated"
        assert r.json()["error"]["field"] == "authorization"
        bad = http.get("/v1/handoffs", headers={"Authorization": "Bearer hk_nope"})
        assert bad.status_code == 401
        ok = http.get("/v1/handoffs", headers={"Authorization": f"Bearer {secret}"})
        assert ok.status_code == 200
        served.accounts.revoke_key(key.id)
        gone = http.get("/v1/handoffs", headers={"Authorization": f"Bearer {secret}"})
        assert gone.status_code == 401
        assert "revoked" in gone.json()["error"]["message"]


def test_one_live_key_per_agent(served: Server) -> None:
    served.accounts.add_key("bot")
    with pytest.raises(ConflictError, match="revoke it first"):
        served.accounts.add_key("bot")


def test_bad_input_names_the_field_and_writes_nothing(served: Server) -> None:
    with _http(served, served.key("bot")) as http:
        before = served.plane.store.count_events()
        r = http.post("/v1/actions", json={"tool": "no spaces allowed", "args": {}})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "invalid_input"
        assert r.json()["error"]["field"] == "tool"
        r = http.post("/v1/actions", json={"tool": "ops.restart", "args": [1, 2]})
        assert r.status_code == 422 and r.json()["error"]["field"] == "args"
        r = http.post("/v1/actions", json={"tool": "ops.restart", "surprise": 1})
        assert r.status_code == 422 and r.json()["error"]["field"] == "surprise"
        r = http.post(
            "/v1/actions", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
        r = http.get("/v1/handoffs", params={"level": "extreme"})
        assert r.status_code == 422 and r.json()["error"]["field"] == "level"
        r = http.get("/v1/handoffs/h_missing", params={"wait": 61})
        assert r.status_code == 422 and r.json()["error"]["field"] == "wait"
        r = http.get("/v1/handoffs/h_missing")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert served.plane.store.count_events() == before


def test_a_submit_answers_who_is_calling_before_what_was_sent(served: Server) -> None:
    """401 before 422 before 403 for the agent's name, as for a declared body."""
    bad = {"tool": "no spaces allowed", "agent": "other-bot"}
    with _http(served) as anonymous:
        r = anonymous.post("/v1/actions", json=bad)
        assert r.status_code == 401 and r.json()["error"]["field"] == "authorization"
        assert anonymous.post("/v1/actions").status_code == 401
    with _http(served, served.key("bot")) as http:
        r = http.post("/v1/actions", json=bad)
        assert r.status_code == 422 and r.json()["error"]["field"] == "tool"
        r = http.post("/v1/actions", content=b"", headers={"content-type": "application/json"})
        assert r.json()["error"] == {
            "code": "invalid_input",
            "field": "body",
            "message": "Field required",
        }
        r = http.post("/v1/actions", json=[bad])
        assert r.status_code == 422 and r.json()["error"]["field"] == "body"
        r = http.post("/v1/actions", json={"tool": "ops.restart", "agent": "other-bot"})
        assert r.status_code == 403 and r.json()["error"]["field"] == "agent"


def test_an_agent_acts_only_under_its_own_name(served: Server) -> None:
    with _http(served, served.key("bot")) as http:
        r = http.post("/v1/actions", json={"tool": "ops.restart", "agent": "other-bot"})
        assert r.status_code == 403
        assert r.json()["error"] == {
            "code": "not_authorized",
            "field": "agent",
            "message": "this key belongs to bot; it cannot submit as 'other-bot'",
        }
        hid = _submit(http)["handoff_id"]
        r = http.post(f"/v1/handoffs/{hid}/decisions", json={"verdict": "approve"})
        assert r.status_code == 403 and r.json()["error"]["field"] == "reviewer"
    with _http(served, served.key("other-bot")) as other:
        assert other.get(f"/v1/handoffs/{hid}").status_code == 403
        assert other.get("/v1/handoffs").json()["handoffs"] == []


def test_list_filters_state_owner_level_overdue(served_db: Server) -> None:
    served = served_db
    with _http(served, served.key("bot")) as bot:
        medium = _submit(bot)["handoff_id"]
        high = _submit(bot, "ops.pay", amount=10)["handoff_id"]
        assert _submit(bot, "notes.add", text="hi")["status"] == "approved"
    with _http(served, served.key("ana")) as ana:

        def ids(**params: Any) -> list[str]:
            r = ana.get("/v1/handoffs", params=params)
            assert r.status_code == 200, r.text
            return [h["id"] for h in r.json()["handoffs"]]

        assert ids(open="true") == [high, medium]  # riskiest first
        assert ids(level="medium") == [medium]
        assert ids(state="pending", owner="ops") == [high, medium]
        assert ids(overdue="true") == []
        served.clock.advance(hours=3)  # past the high SLA (2h), not the medium one (8h)
        assert ids(overdue="true") == [high]
        r = ana.get("/v1/handoffs", params={"owner": "legal"})
        assert r.status_code == 403 and r.json()["error"]["field"] == "owner"
    with _http(served, served.key("lena")) as lena:
        assert lena.get("/v1/handoffs").json()["handoffs"] == []  # not her team
        assert lena.get(f"/v1/handoffs/{medium}").status_code == 403


def test_decisions_keep_the_core_rules(served: Server) -> None:
    # ana's key acts as ana: submitting makes her the requester of that action.
    ana = Client(served.url, served.key("ana"))
    own = ana.submit({"tool": "ops.restart", "args": {"service": "db"}})
    with Client(served.url, served.key("bot")) as bot:
        pay = bot.submit({"tool": "ops.pay", "args": {"amount": 5}})
    assert pay.pending and pay.handoff.assessment.quorum == 2
    with pytest.raises(NotAuthorized, match="requested this action"):
        ana.decide(own.handoff_id, verdict="approve")
    with Client(served.url, served.key("lena")) as lena, pytest.raises(NotAuthorized):
        lena.decide(pay.handoff_id, verdict="approve")
    first = ana.decide(pay.handoff_id, verdict="approve", rationale="fine")
    assert first.state.value == "pending" and len(first.approvals) == 1
    with pytest.raises(ConflictError, match="already approved"):
        ana.decide(pay.handoff_id, verdict="approve")
    with Client(served.url, served.key("ben")) as ben:
        with pytest.raises(NotAuthorized, match="cannot decide as"):
            ben.decide(pay.handoff_id, verdict="approve", reviewer="ana")
        with pytest.raises(InputError) as exc:
            ben.decide(pay.handoff_id, verdict="reject")
        assert exc.value.field == "rationale"
        done = ben.decide(pay.handoff_id, verdict="approve", rationale="second pair of eyes")
    assert done.state.value == "approved"
    assert {d.reviewer for d in done.approvals} == {"ana", "ben"}
    with pytest.raises(NotFound):
        ana.get("h_missing")
    ana.close()


def test_an_idempotency_key_is_the_agents_own_and_bound_to_the_whole_action(
    served_db: Server,
) -> None:
    served = served_db
    sent = {"tool": "ops.restart", "args": {"service": "web"}, "idempotency_key": "k1"}
    with _http(served, served.key("bot")) as bot:
        first = bot.post("/v1/actions", json=sent)
        assert first.status_code == 202
        assert bot.post("/v1/actions", json=sent).json()["handoff_id"] == first.json()["handoff_id"]
        r = bot.post("/v1/actions", json={**sent, "tool": "ops.pay"})  # same key and args
        assert r.status_code == 409 and r.json()["error"]["field"] == "idempotency_key"
    with _http(served, served.key("other-bot")) as other:
        r = other.post("/v1/actions", json=sent)  # another agent's key: its own action
        assert r.status_code == 202 and r.json()["handoff_id"] != first.json()["handoff_id"]
        assert r.json()["handoff"]["action"]["agent"] == "other-bot"

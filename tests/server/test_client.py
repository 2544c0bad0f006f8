"""``handoff.Client`` against a real server: the ControlPlane interface over HTTP."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from handoff import Client, ConflictError, InputError, Outcome
from handoff.models import Level

from .conftest import Server


def test_submit_wait_decide_round_trip(served_db: Server) -> None:
    served = served_db
    agent = Client(served.url, served.key("bot"))
    reviewer = Client(served.url, served.key("ana"))
    out = agent.submit({"tool": "ops.restart", "args": {"service": "web"}})
    assert isinstance(out, Outcome) and out.pending and out.reasons
    assert agent.get(out.handoff_id).state.value == "pending"
    assert [h.id for h in reviewer.pending()] == [out.handoff_id]
    assert reviewer.pending(level=Level.HIGH) == []

    def decide_soon() -> None:
        time.sleep(0.4)
        reviewer.decide(out.handoff_id, verdict="approve", rationale="routine restart")

    t = threading.Thread(target=decide_soon)
    started = time.monotonic()
    t.start()
    h = agent.wait(out.handoff_id, timeout=20)
    waited = time.monotonic() - started
    t.join()
    assert h.state.value == "approved"
    assert waited < 5, "the long-poll should answer soon after the decision"
    kinds = [e.kind for e in agent.events(out.handoff_id)]
    assert kinds == ["submitted", "pending", "approved"]
    assert agent.policy()["version"] == served.plane.policy.version
    agent.close()
    reviewer.close()


def test_wait_returns_the_open_handoff_when_time_is_up(served: Server) -> None:
    with Client(served.url, served.key("bot")) as agent:
        out = agent.submit({"tool": "ops.restart", "args": {}})
        started = time.monotonic()
        h = agent.wait(out.handoff_id, timeout=0.5)
        assert h.state.value == "pending"
        assert 0.4 < time.monotonic() - started < 5


def test_idempotent_submit_and_incident(served: Server) -> None:
    served.plane.register("notes.add", lambda text: {"saved": text})
    with Client(served.url, served.key("bot")) as agent:
        action = {"tool": "notes.add", "args": {"text": "hi"}, "idempotency_key": "n-1"}
        first = agent.submit(action)
        again = agent.submit(action)
        assert first.status == "executed" and first.result == {"saved": "hi"}
        assert again.handoff_id == first.handoff_id
        try:
            agent.submit({**action, "args": {"text": "other"}})
        except ConflictError as exc:
            assert exc.field == "idempotency_key"
        else:
            raise AssertionError("a reused idempotency key with other args must conflict")
        incident_id = agent.report_incident(
            {"handoff_id": first.handoff_id, "description": "typo in the note"}
        )
        assert incident_id.startswith("i_")
        events = agent.events(first.handoff_id)
        assert events[-1].kind == "incident_reported" and events[-1].actor == "bot"


def test_twenty_concurrent_conflicting_decisions_one_wins(served_db: Server) -> None:
    served = served_db
    keys = {}
    for i in range(20):
        served.accounts.add_user(f"r{i}", "password-123", teams=["ops"], role="reviewer")
        keys[i] = served.key(f"r{i}")
    with Client(served.url, served.key("bot")) as agent:
        hid = agent.submit({"tool": "ops.restart", "args": {"service": "db"}}).handoff_id
    barrier = threading.Barrier(20)

    def decide(i: int) -> int:
        verdict = "approve" if i % 2 else "reject"
        with httpx.Client(base_url=served.url, timeout=60) as http:
            barrier.wait()
            r = http.post(
                f"/v1/handoffs/{hid}/decisions",
                json={"verdict": verdict, "rationale": f"reviewer {i}"},
                headers={"Authorization": f"Bearer {keys[i]}"},
            )
            if r.status_code == 409:
                assert r.json()["error"]["code"] == "conflict"
            return r.status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(decide, range(20)))
    assert sorted(codes) == [200] + [409] * 19
    h = served.plane.get(hid)
    assert h.state.value in ("approved", "rejected") and len(h.decisions) == 1
    report = served.plane.verify_audit()
    assert report.ok, str(report)
    decided = [e for e in served.plane.store.events(hid) if e.kind in ("approved", "rejected")]
    assert len(decided) == 1


def test_metrics_count_handoffs_and_decisions(served: Server) -> None:
    with Client(served.url, served.key("bot")) as agent:
        hid = agent.submit({"tool": "ops.restart", "args": {}}).handoff_id
        agent.submit({"tool": "ops.pay", "args": {"amount": 1}})
    served.clock.advance(minutes=10)
    with Client(served.url, served.key("ana")) as ana:
        ana.decide(hid, verdict="approve")
    served.clock.advance(hours=3)
    text = httpx.get(f"{served.url}/metrics").text
    assert 'handoff_handoffs{level="medium",owner="ops",state="approved"} 1.0' in text
    assert 'handoff_handoffs{level="high",owner="ops",state="pending"} 1.0' in text
    assert 'handoff_sla_breached{owner="ops"} 1.0' in text
    assert 'handoff_outbox_backlog{channel="notify"}' in text
    assert "handoff_decision_latency_seconds_count 1.0" in text
    assert 'handoff_decision_latency_seconds_bucket{le="900.0"} 1.0' in text


def test_assess_over_http_is_the_servers_rubric_and_records_nothing(served: Server) -> None:
    action = {"tool": "ops.pay", "args": {"amount": 5000, "to": "acct-1"}}
    with Client(served.url, served.key("bot")) as agent:
        got = agent.assess(action)
        with pytest.raises(InputError) as err:
            agent.assess({"tool": "ops.pay", "args": ["not", "an", "object"]})
        assert err.value.field == "args"
    want = served.plane.assess({**action, "agent": "bot"})
    assert (got.level, got.mode, got.owner) == (want.level, want.mode, want.owner)
    assert got.policy_version == served.plane.policy.version
    assert served.plane.store.list_handoffs() == []

"""An agent in another process runs its approved action exactly once over HTTP.

The server either runs the tool itself (it has the executor) or hands the agent a
claim: the approved args, the idempotency key, a token with a lease. The end is
reported back and audited. Racing claims, a crashed agent and a late report are the
cases that must not run anything twice.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from handoff import (
    Client,
    ConflictError,
    ExecutionError,
    HashMismatch,
    NotApproved,
    NotAuthorized,
    RemoteClaim,
    State,
    UnknownTool,
)

from ..test_forged_approval import forge_by_store
from .conftest import Server


def _approved(served: Server, **args: Any) -> str:
    with Client(served.url, served.key("bot")) as agent:
        hid = agent.submit({"tool": "ops.restart", "args": args}).handoff_id
    assert hid is not None
    served.plane.decide(hid, verdict="approve", reviewer="ana", rationale="ok")
    return hid


def _kinds(served: Server, hid: str) -> list[str]:
    return [e.kind for e in served.plane.store.events(hid)]


def test_the_agent_runs_its_tool_once_and_the_server_records_it(served_db: Server) -> None:
    served = served_db
    hid = _approved(served, service="web")
    calls: list[tuple[str, str]] = []

    class Restart:
        def apply(self, args: Mapping[str, Any], stage: str, idempotency_key: str) -> str:
            calls.append((args["service"], idempotency_key))
            return f"restarted {args['service']}"

    with Client(served.url, served.key("bot")) as agent:
        agent.register("ops.restart", Restart())
        out = agent.execute(hid)
        assert out.status == "executed" and out.result == "restarted web"
        again = agent.execute(hid)  # ended: the recorded outcome, nothing runs
        assert again.status == "executed" and again.result == "restarted web"
    assert calls == [("web", f"{hid}:full")]
    h = served.plane.get(hid)
    assert h.state is State.EXECUTED and h.execution is not None
    assert h.execution.result == "restarted web" and h.execution.approved_by == ["ana"]
    kinds = _kinds(served, hid)
    assert kinds.count("execution_started") == 1 and kinds.count("executed") == 1
    assert served.plane.verify_audit().ok


def test_a_failure_is_recorded_and_raised(served: Server) -> None:
    hid = _approved(served, service="db")

    def broken(service: str) -> None:
        raise RuntimeError("disk full")

    with Client(served.url, served.key("bot")) as agent, pytest.raises(ExecutionError):
        agent.register("ops.restart", broken)
        agent.execute(hid)
    h = served.plane.get(hid)
    assert h.state is State.FAILED and h.execution is not None
    assert "disk full" in (h.execution.error or "")


def test_racing_claims_have_one_winner(served_db: Server) -> None:
    served = served_db
    hid = _approved(served, service="queue")
    wins: list[dict[str, Any]] = []
    losses: list[int] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        r = httpx.post(
            f"{served.url}/v1/handoffs/{hid}/execution",
            headers={"authorization": f"Bearer {served.key('bot')}"},
            timeout=30,
        )
        if r.status_code == 200:
            wins.append(r.json()["claim"])
        else:
            losses.append(r.status_code)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and losses == [409] * 7
    assert wins[0]["idempotency_key"] == f"{hid}:full" and wins[0]["args"] == {"service": "queue"}


def test_a_crashed_agent_is_taken_over_with_the_same_key(served: Server) -> None:
    hid = _approved(served, service="search")
    with Client(served.url, served.key("bot")) as agent:
        first = agent.claim(hid)
        assert isinstance(first, RemoteClaim)
        with pytest.raises(ConflictError):  # the lease holds: nobody else may run it
            agent.claim(hid)
        served.clock.advance(served.plane.lease.total_seconds() + 1)  # the agent died
        second = agent.claim(hid)
        assert isinstance(second, RemoteClaim)
        assert second.idempotency_key == first.idempotency_key
        assert second.token != first.token and second.attempt == 2
        with pytest.raises(ConflictError) as late:  # the first run reports too late
            agent.complete(hid, first.token, result="late")
        assert late.value.field == "token"
        out = agent.complete(hid, second.token, result="done")
        assert out.status == "executed" and out.result == "done"
    assert "execution_resumed" in _kinds(served, hid)


def test_only_the_submitting_agent_runs_it_and_only_once_approved(served: Server) -> None:
    hid = _approved(served, service="web")
    with Client(served.url, served.key("other-bot")) as other, pytest.raises(NotAuthorized):
        other.claim(hid)
    with Client(served.url, served.key("bot")) as agent:
        pending = agent.submit({"tool": "ops.restart", "args": {"service": "x"}}).handoff_id
        assert pending is not None
        with pytest.raises(ConflictError) as err:
            agent.claim(pending)
        assert err.value.field == "state"
    assert served.plane.get(pending).state is State.PENDING


def test_the_server_runs_the_tool_when_it_has_the_executor(served: Server) -> None:
    ran: list[str] = []
    served.plane.register("ops.restart", lambda service: ran.append(service) or "server ran")
    hid = _approved(served, service="cache")
    with Client(served.url, served.key("bot")) as agent:
        out = agent.execute(hid)
        assert out.status == "executed" and out.result == "server ran"
        assert agent.execute(hid).status == "executed"
    assert ran == ["cache"]


def test_a_bad_report_names_the_field_and_changes_nothing(served: Server) -> None:
    hid = _approved(served, service="web")
    with Client(served.url, served.key("bot")) as agent:
        claimed = agent.claim(hid)
        assert isinstance(claimed, RemoteClaim)
    got = claimed.as_json()
    headers = {"authorization": f"Bearer {served.key('bot')}"}
    url = f"{served.url}/v1/handoffs/{hid}/execution/result"
    r = httpx.post(url, json={"token": got["token"], "result": "a\x00b"}, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "result"
    r = httpx.post(url, json={"token": got["token"], "extra": 1}, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "extra"
    r = httpx.post(url, json={"token": "remote:bot:forged"}, headers=headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "token"
    assert served.plane.get(hid).state is State.EXECUTING


def test_a_tool_registered_nowhere_is_named_and_not_run(served: Server) -> None:
    hid = _approved(served, service="web")
    with Client(served.url, served.key("bot")) as agent, pytest.raises(UnknownTool) as err:
        agent.execute(hid)
    assert err.value.field == "tool"
    assert served.plane.get(hid).state is State.EXECUTING  # claimed; the lease runs out


def test_the_old_spellings_still_work_and_warn(served: Server) -> None:
    hid = _approved(served, service="web")
    ran: list[str] = []

    def restart(service: str, idempotency_key: str) -> str:
        ran.append(idempotency_key)
        return f"restarted {service}"

    with Client(served.url, served.key("bot")) as agent:
        with pytest.warns(DeprecationWarning, match=r"execute\(id, fn\)"):
            out = agent.execute(hid, restart)  # type: ignore[arg-type]
        assert out.result == "restarted web" and ran == [f"{hid}:full"]
        other = _approved(served, service="db")
        with pytest.warns(DeprecationWarning, match="claim_execution"):
            got = agent.claim_execution(other)
        assert isinstance(got, dict) and got["args"] == {"service": "db"}
        with pytest.warns(DeprecationWarning, match="report_execution"):
            done = agent.report_execution(other, got["token"], result="ok")
        assert done.status == "executed"
    third = _approved(served, service="mq")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        claim = served.plane.claim_execution(third, "bot")
        assert isinstance(claim, RemoteClaim)
        served.plane.report_execution(third, "bot", claim.token, result="ok")
    assert [w.category for w in seen] == [DeprecationWarning, DeprecationWarning]
    assert served.plane.get(third).state is State.EXECUTED


def test_racing_executes_in_separate_clients_run_the_tool_once(served_db: Server) -> None:
    served = served_db
    hid = _approved(served, service="api")
    ran: list[str] = []
    barrier = threading.Barrier(4)
    results: list[str] = []

    def restart(service: str) -> str:
        ran.append(service)
        return f"restarted {service}"

    def resume() -> None:
        with Client(served.url, served.key("bot")) as agent:
            agent.register("ops.restart", restart)
            barrier.wait()
            try:
                results.append(agent.execute(hid).status)
            except ConflictError:
                results.append("conflict")

    threads = [threading.Thread(target=resume) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ran == ["api"]
    assert results.count("conflict") + results.count("executed") == 4
    assert "executed" in results
    assert served.plane.get(hid).state is State.EXECUTED


def test_args_other_than_the_approved_are_refused_before_any_claim(served: Server) -> None:
    hid = _approved(served, service="web")
    ran: list[str] = []
    with Client(served.url, served.key("bot")) as agent:
        agent.register("ops.restart", lambda service: ran.append(service) or "ok")
        with pytest.raises(HashMismatch) as err:
            agent.execute(hid, {"service": "db"})
        assert err.value.field == "args"
        assert served.plane.get(hid).state is State.APPROVED and ran == []
        assert agent.execute(hid, {"service": "web"}).status == "executed"
    assert ran == ["web"]


def test_a_forged_approval_raises_not_approved_through_the_client(served: Server) -> None:
    ran: list[str] = []
    with Client(served.url, served.key("bot")) as agent:
        hid = agent.submit({"tool": "ops.restart", "args": {"service": "x"}}).handoff_id
        assert hid is not None
        forge_by_store(served.plane, hid)
        agent.register("ops.restart", lambda service: ran.append(service))
        with pytest.raises(NotApproved) as err:  # the same class the embedded plane raises
            agent.execute(hid)
        assert err.value.field == "state"
    assert ran == [] and served.plane.get(hid).state is State.APPROVED

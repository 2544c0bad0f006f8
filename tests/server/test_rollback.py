"""Rolling back over HTTP: agents cannot, a reviewer of the owning team asks, another decides.

The attack this closes: agent B submitted ``handoff.rollback`` naming agent A's executed
handoff and it ran at once, deleting A's published file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from handoff import State
from handoff._exceptions import InputError, NotFound
from handoff.execute.executors import FilesExecutor

from .conftest import Server


def _http(server: Server, name: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {server.key(name)}"}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


def _published(served: Server, root: Path) -> str:
    """Agent alice publishes ``a.md`` through the server (``notes.add`` runs at once)."""
    served.plane.register("notes.add", FilesExecutor(root))
    with _http(served, "alice") as alice:
        r = alice.post("/v1/actions", json={"tool": "notes.add", "args": _note()})
    assert r.status_code == 200 and r.json()["status"] == "executed", r.text
    assert (root / "a.md").read_text() == "alice\n"
    hid: str = r.json()["handoff_id"]
    return hid


def _note() -> dict[str, Any]:
    return {"path": "a.md", "content": "alice\n"}


def test_an_agent_key_cannot_roll_back_another_agents_action(
    served_db: Server, tmp_path: Path
) -> None:
    served = served_db
    hid = _published(served, tmp_path / "site")
    before = served.plane.store.head()
    with _http(served, "bob") as bob:
        for tool in ("handoff.rollback", "handoff.whatever"):
            attack = {"tool": tool, "args": {"handoff_id": hid, "why": "mine now"}}
            r = bob.post("/v1/actions", json=attack)
            assert r.status_code == 403, r.text
            assert r.json()["error"]["field"] == "tool"
        r = bob.post(f"/v1/handoffs/{hid}/rollback", json={"rationale": "mine now"})
        assert r.status_code == 403 and r.json()["error"]["field"] == "reviewer"
    with _http(served, "alice") as alice:  # not even the agent that ran it
        r = alice.post(f"/v1/handoffs/{hid}/rollback", json={"rationale": "oops"})
        assert r.status_code == 403 and r.json()["error"]["field"] == "reviewer"
    assert served.plane.store.head() == before
    assert served.plane.get(hid).state is State.EXECUTED
    assert (tmp_path / "site" / "a.md").read_text() == "alice\n"


def test_a_reviewer_asks_another_decides_and_it_runs_once(served: Server, tmp_path: Path) -> None:
    hid = _published(served, tmp_path / "site")
    with _http(served, "lena") as lena:  # a reviewer of another team
        r = lena.post(f"/v1/handoffs/{hid}/rollback", json={"rationale": "wrong page"})
        assert r.status_code == 403
    with _http(served, "ana") as ana:
        r = ana.post(f"/v1/handoffs/{hid}/rollback", json={"rationale": " "})
        assert r.status_code == 422 and r.json()["error"]["field"] == "rationale"
        r = ana.post(f"/v1/handoffs/{hid}/rollback", json={"rationale": "wrong page"})
        assert r.status_code == 202 and r.json()["status"] == "pending", r.text
        req = r.json()["handoff_id"]
        assert r.json()["handoff"]["owner"] == "ops"
        r = ana.post(f"/v1/handoffs/{req}/decisions", json={"verdict": "approve"})
        assert r.status_code == 403  # the one who asked never approves it
    assert (tmp_path / "site" / "a.md").exists()
    with _http(served, "ben") as ben:
        r = ben.post(f"/v1/handoffs/{req}/decisions", json={"verdict": "approve"})
        assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    with _http(served, "ana") as ana:
        r = ana.post(f"/v1/handoffs/{req}/execution")
        assert r.status_code == 200 and r.json()["outcome"]["status"] == "executed", r.text
    assert served.plane.get(hid).state is State.ROLLED_BACK
    assert not (tmp_path / "site" / "a.md").exists()
    assert served.plane.verify_audit().ok


def test_an_admin_outside_the_policys_team_may_ask(served: Server, tmp_path: Path) -> None:
    hid = _published(served, tmp_path / "site")
    assert "root" not in served.plane.policy.members_of("ops")
    with _http(served, "root") as root:
        r = root.post(f"/v1/handoffs/{hid}/rollback", json={"rationale": "incident 7"})
        assert r.status_code == 202 and r.json()["status"] == "pending", r.text


def test_the_older_why_still_works_and_says_it_is_deprecated(tmp_path: Path) -> None:
    from handoff import ControlPlane

    with ControlPlane.open(f"sqlite:///{tmp_path / 'h.db'}") as plane:
        with pytest.raises(InputError) as err:
            plane.rollback("nope", actor="ana", rationale=" ")
        assert err.value.field == "rationale"
        with pytest.warns(DeprecationWarning, match="rationale="), pytest.raises(NotFound):
            plane.rollback("nope", actor="ana", why="wrong page")

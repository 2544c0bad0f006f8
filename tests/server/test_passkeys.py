"""Step-up approval with a passkey, in real Chromium with a virtual authenticator.

The DevTools WebAuthn domain gives the browser a CTAP2 platform authenticator that
verifies its user, so registration and approval run the real ceremonies: the browser
makes and signs, the server checks with py_webauthn, and ``audit verify`` checks the
stored assertion again. The policy asks for a passkey at ``high`` (``ops.pay``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handoff import Client
from handoff._chain import event_hash
from handoff._exceptions import NotAuthorized
from handoff.policy import Policy

from .conftest import PASSWORD, POLICY, Server, _serve

STEP_UP = Policy.model_validate({**POLICY.model_dump(mode="json"), "step_up": "high"})

#: In-page: ask the server for the step-up challenge of ``body`` on handoff ``id`` and
#: answer it with the passkey; returns the decision's ``step_up`` field.
ASSERT = """async ([id, body]) => {
  const csrf = document.querySelector("input[name=csrf]").value;
  const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const raw = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")),
    (c) => c.charCodeAt(0)).buffer;
  const resp = await fetch(`/v1/handoffs/${id}/step-up`, {method: "POST",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
    body: JSON.stringify(body)});
  const answer = await resp.json();
  const pk = answer.publicKey;
  pk.challenge = raw(pk.challenge);
  pk.allowCredentials.forEach((c) => { c.id = raw(c.id); });
  const cred = await navigator.credentials.get({publicKey: pk});
  const r = cred.response;
  return {nonce: answer.nonce, credential: {id: cred.id, rawId: b64(cred.rawId),
    type: cred.type, response: {clientDataJSON: b64(r.clientDataJSON),
    authenticatorData: b64(r.authenticatorData), signature: b64(r.signature)}}};
}"""

#: In-page: POST a decision over the API with the session; returns [status, body].
DECIDE = """async ([id, body]) => {
  const csrf = document.querySelector("input[name=csrf]").value;
  const resp = await fetch(`/v1/handoffs/${id}/decisions`, {method: "POST",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
    body: JSON.stringify(body)});
  return [resp.status, await resp.json()];
}"""


@pytest.fixture
def stepped(tmp_path: Path) -> Iterator[Server]:
    """The test server under a policy with ``step_up: high``, reached as ``localhost``
    (a passkey's relying party is a domain, never an IP address)."""
    for server in _serve(f"sqlite:///{tmp_path / 'server.db'}", STEP_UP):
        server.url = server.url.replace("127.0.0.1", "localhost")
        yield server


@pytest.fixture
def page(browser: Any, stepped: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 850})
    p = context.new_page()
    p.set_default_timeout(10_000)
    cdp = context.new_cdp_session(p)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    try:
        yield p
    finally:
        context.close()


def _log_in(page: Any, server: Server, name: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{server.url}/")


def _register(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/passkeys")
    assert page.locator("#no-passkeys").is_visible()
    page.fill("#passkey-password", PASSWORD)
    page.click("#add-passkey")
    page.wait_for_url(f"{server.url}/passkeys?added=1")
    assert page.locator("table.passkeys tbody tr").count() == 1


def _pay(server: Server, amount: int = 120) -> str:
    with Client(server.url, server.key("bot")) as agent:
        outcome = agent.submit({"tool": "ops.pay", "args": {"amount": amount, "to": "acme"}})
    return str(outcome.handoff_id)


def test_register_a_passkey_then_approve_a_high_handoff_with_it(page: Any, stepped: Server) -> None:
    _log_in(page, stepped, "ana")
    _register(page, stepped)
    registered = [e for e in stepped.plane.store.events() if e.kind == "passkey_registered"]
    assert [e.actor for e in registered] == ["ana"]
    hid = _pay(stepped)
    page.goto(f"{stepped.url}/handoffs/{hid}")
    assert "needs your passkey" in page.locator("#step-up-note").inner_text()
    page.fill("#rationale", "Invoice matches the purchase order.")
    page.click("#approve")
    page.wait_for_url(f"{stepped.url}/handoffs/{hid}?done=approve")
    assert page.locator(".quorum-count").inner_text() == "1 of 2"
    (event,) = [e for e in stepped.plane.store.events(hid) if e.kind == "approval_recorded"]
    assert event.actor == "ana"
    assert event.data["step_up"]["signature"] and event.data["step_up"]["nonce"]
    assert stepped.plane.verify_audit().ok
    # The second reviewer has a key but no passkey confirmation: refused, nothing changes.
    with Client(stepped.url, stepped.key("ben")) as ben, pytest.raises(NotAuthorized) as err:
        ben.decide(hid, verdict="approve", rationale="ok")
    assert err.value.field == "step_up"
    assert "passkey" in err.value.message
    assert len(stepped.plane.get(hid).approvals) == 1


def test_an_approval_without_the_passkey_is_refused_everywhere(stepped: Server) -> None:
    hid = _pay(stepped)
    with Client(stepped.url, stepped.key("ana")) as ana, pytest.raises(NotAuthorized) as err:
        ana.decide(hid, verdict="approve")
    assert err.value.field == "step_up"
    with pytest.raises(NotAuthorized) as refused:  # the CLI and the channels decide here
        stepped.plane.decide(hid, verdict="approve", reviewer="ana")
    assert refused.value.field == "step_up"
    assert "approve it in the inbox" in refused.value.message
    h = stepped.plane.decide(hid, verdict="reject", reviewer="ana", rationale="not today")
    assert h.state.value == "rejected"  # refusing needs no passkey


def test_an_assertion_for_another_handoff_or_action_is_refused(page: Any, stepped: Server) -> None:
    _log_in(page, stepped, "ana")
    _register(page, stepped)
    first, other = _pay(stepped, 120), _pay(stepped, 121)
    page.goto(f"{stepped.url}/handoffs/{first}")
    signed = page.evaluate(ASSERT, [first, {"verdict": "approve"}])
    status, body = page.evaluate(DECIDE, [other, {"verdict": "approve", "step_up": signed}])
    assert status == 403 and body["error"]["field"] == "step_up", body
    # The same handoff, but other args than the ones the passkey signed for.
    revise = {"verdict": "revise", "args": {"amount": 9000, "to": "acme"}, "step_up": signed}
    status, body = page.evaluate(DECIDE, [first, {**revise, "rationale": "more"}])
    assert status == 403 and body["error"]["field"] == "step_up", body
    # Ben holds a key of his own but cannot pass ana's passkey off as his.
    with Client(stepped.url, stepped.key("ben")) as ben, pytest.raises(NotAuthorized) as err:
        ben.decide(first, verdict="approve", step_up=signed)
    assert "not ben's" in err.value.message
    assert stepped.plane.get(first).approvals == []
    assert stepped.plane.get(other).approvals == []
    # Given for what it was made for, it approves once.
    status, body = page.evaluate(DECIDE, [first, {"verdict": "approve", "step_up": signed}])
    assert status == 200, body
    status, body = page.evaluate(DECIDE, [first, {"verdict": "approve", "step_up": signed}])
    assert status in (403, 409), body
    assert [d.reviewer for d in stepped.plane.get(first).approvals] == ["ana"]


def _rewrite(db: Path, seq: int, change: Any) -> None:
    """Edit event ``seq``'s data and recompute every hash after it, as someone with
    write access to the database would to hide the edit from the hash chain."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
        prev = rows[0][6]
        for s, hid, kind, actor, at, data, _prev, digest in rows:
            if s >= seq:
                if s == seq:
                    data = json.dumps(change(json.loads(data)), sort_keys=True)
                digest = event_hash(prev, s, hid, kind, actor, at, data)
                conn.execute(
                    "UPDATE events SET data=?, prev_hash=?, hash=? WHERE seq=?",
                    (data, prev, digest, s),
                )
            prev = digest
        conn.execute("UPDATE audit_head SET seq=?, hash=?", (rows[-1][0], prev))


def test_a_tampered_stored_assertion_fails_audit_verify(
    page: Any, stepped: Server, tmp_path: Path
) -> None:
    _log_in(page, stepped, "ana")
    _register(page, stepped)
    first, other = _pay(stepped, 120), _pay(stepped, 121)
    page.goto(f"{stepped.url}/handoffs/{first}")
    page.click("#approve")
    page.wait_for_url(f"{stepped.url}/handoffs/{first}?done=approve")
    (event,) = [e for e in stepped.plane.store.events(first) if e.kind == "approval_recorded"]
    assert stepped.plane.verify_audit().ok
    db = tmp_path / "server.db"

    def elsewhere(data: dict[str, Any]) -> dict[str, Any]:
        # Claim the signed approval was for the other payment's action.
        return {**data, "action_hash": stepped.plane.get(other).action_hash}

    _rewrite(db, event.seq, elsewhere)
    report = stepped.plane.verify_audit()
    assert not report.ok and report.bad_seq == event.seq
    assert report.problem is not None and "step_up" in report.problem

    def resigned(data: dict[str, Any]) -> dict[str, Any]:
        sig = data["step_up"]["signature"]
        flipped = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BA")
        return {
            **data,
            "action_hash": event.data["action_hash"],
            "step_up": {**data["step_up"], "signature": flipped},
        }

    _rewrite(db, event.seq, resigned)
    report = stepped.plane.verify_audit()
    assert not report.ok and report.bad_seq == event.seq

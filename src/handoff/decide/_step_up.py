"""Step-up approval: which approvals need a passkey, what the passkey signs, and the check.

A policy with ``step_up: high`` asks every approval of a high handoff for a passkey
confirmation besides the reviewer's session or API key: a stolen session or key alone
no longer approves a payment. The passkey signs a challenge made from the handoff id,
the hash of the exact action being approved and a one-time nonce, so an assertion
given for one handoff, or for the args before a revision, approves nothing else.

The signed assertion goes into the approval's audit event; ``audit verify`` checks the
signature again against the public key recorded when the passkey was registered.
Verification uses py_webauthn (the ``passkey`` extra); this module imports it only
when a passkey is actually checked, so a plane without step-up never needs it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .._exceptions import HandoffError, NotAuthorized
from ..models import Decision, Handoff, Verdict, action_hash
from ..policy import Policy

__all__ = [
    "APPROVALS",
    "REGISTERED",
    "Proof",
    "Registration",
    "approved_hash",
    "challenge",
    "check_assertion",
    "needs_step_up",
    "record_of",
    "refusal",
    "registration_of",
    "verify_record",
    "webauthn_library",
]

#: The audit event that records a passkey's public key when a reviewer registers it.
REGISTERED = "passkey_registered"
#: The audit events that record an approval, and so may carry a step-up assertion.
APPROVALS = frozenset({"approved", "approval_recorded"})
_APPROVING = (Verdict.APPROVE, Verdict.REVISE, Verdict.CHOOSE)
#: Options that are verdicts of their own (see ``_review``) and approve nothing.
_NOT_APPROVING_OPTIONS = frozenset({"reject", "send_back"})
_US = "\x1f"


@dataclass(frozen=True)
class Registration:
    """A passkey as its registration recorded it: who owns it and what it was made for."""

    credential_id: str
    user_name: str
    public_key: str
    rp_id: str
    origin: str
    sign_count: int = 0


@dataclass(frozen=True)
class Proof:
    """A checked passkey confirmation of approving ``action_hash`` on ``handoff_id``."""

    handoff_id: str
    action_hash: str
    nonce: str
    credential_id: str
    sign_count: int
    record: dict[str, Any] = field(default_factory=dict)


def approved_hash(h: Handoff, d: Decision) -> str | None:
    """The hash of the action ``d`` would approve on ``h``; None when it approves nothing.

    Approve approves the action as it stands, revise the edited args, choose the chosen
    option's args (or the action itself when the option carries none).
    """
    if d.verdict not in _APPROVING:
        return None
    a = h.action
    if d.verdict is Verdict.REVISE:
        return None if d.args is None else action_hash(a.tool, d.args, a.agent, a.on_behalf_of)
    if d.verdict is Verdict.CHOOSE:
        if d.option_id is None or d.option_id in _NOT_APPROVING_OPTIONS:
            return None
        options = {o.id: o for o in (h.package.options if h.package else [])}
        chosen = options.get(d.option_id)
        if chosen is None:
            return None
        if chosen.args is not None and chosen.args != a.args:
            return action_hash(a.tool, chosen.args, a.agent, a.on_behalf_of)
    return h.action_hash


def needs_step_up(policy: Policy, h: Handoff, d: Decision) -> bool:
    """Whether ``d`` approves something on ``h`` at or above the policy's step-up level."""
    return policy.needs_step_up(h.assessment.level) and approved_hash(h, d) is not None


def refusal(policy: Policy, h: Handoff) -> NotAuthorized:
    """The error for an approval that needs a passkey and came without one."""
    return NotAuthorized(
        f"approving a {h.assessment.level.value} handoff needs a passkey confirmation"
        f" (policy step_up: {policy.step_up}): approve it in the inbox, or send a step_up"
        f" assertion with the decision (POST /v1/handoffs/{h.id}/step-up gives the challenge)",
        field="step_up",
    )


def challenge(handoff_id: str, approved: str, nonce: str) -> bytes:
    """What the passkey signs: sha256 of the handoff id, the approved hash and the nonce."""
    text = _US.join(("handoff step-up v1", handoff_id, approved, nonce))
    return hashlib.sha256(text.encode("utf-8")).digest()


def webauthn_library() -> Any:
    """py_webauthn, or an error that names the extra that installs it."""
    try:
        import webauthn
    except ImportError:
        raise HandoffError(
            "passkey step-up needs py_webauthn: pip install 'handoff-plane[passkey]'",
            field="step_up",
        ) from None
    return webauthn


def check_assertion(
    credential: dict[str, Any], expected: bytes, key: Registration, *, counter: bool = True
) -> int:
    """Verify a ``navigator.credentials.get`` result for challenge ``expected`` made with
    passkey ``key``; returns the authenticator's new signature counter.

    The user must have been verified (PIN or biometrics), not merely present. With
    ``counter`` the counter must have moved past the one last seen, which catches a
    cloned authenticator; the audit check turns it off (it replays old assertions).
    """
    webauthn = webauthn_library()
    from webauthn.helpers.exceptions import WebAuthnException

    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=expected,
            expected_rp_id=key.rp_id,
            expected_origin=key.origin,
            credential_public_key=webauthn.base64url_to_bytes(key.public_key),
            credential_current_sign_count=key.sign_count if counter else 0,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        raise NotAuthorized(
            f"the passkey confirmation does not check out: {exc}", field="step_up"
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise NotAuthorized(
            f"the passkey confirmation is malformed: {exc}", field="step_up"
        ) from None
    if verified.credential_id != webauthn.base64url_to_bytes(key.credential_id):
        raise NotAuthorized("the assertion is from another passkey", field="step_up")
    return int(verified.new_sign_count)


def registration_of(actor: str, data: dict[str, Any]) -> Registration | None:
    """The passkey a ``passkey_registered`` event records, or None when it is malformed."""
    fields = [data.get(k) for k in ("credential_id", "public_key", "rp_id", "origin")]
    if not all(isinstance(f, str) and f for f in fields):
        return None
    cid, key, rp_id, origin = (str(f) for f in fields)
    return Registration(cid, actor, key, rp_id, origin)


def record_of(credential: dict[str, Any], nonce: str) -> dict[str, Any]:
    """The assertion as the audit event keeps it: enough to verify it again later."""
    response = credential.get("response") or {}
    return {
        "credential_id": str(credential.get("id", "")),
        "nonce": nonce,
        "client_data_json": str(response.get("clientDataJSON", "")),
        "authenticator_data": str(response.get("authenticatorData", "")),
        "signature": str(response.get("signature", "")),
    }


def verify_record(
    handoff_id: str | None, actor: str, data: dict[str, Any], keys: dict[str, Registration]
) -> str | None:
    """Re-check the step-up assertion in an approval event's ``data``; the problem, or
    None when it verifies against the key ``actor`` registered earlier in the chain."""
    record = data.get("step_up")
    if not isinstance(record, dict):
        return "the step_up record is not an object"
    key = keys.get(str(record.get("credential_id")))
    if key is None:
        return "the step_up assertion names a passkey the chain never registered"
    if key.user_name != actor:
        return f"the step_up passkey is {key.user_name}'s, not the approver {actor}'s"
    approved, nonce = data.get("action_hash"), record.get("nonce")
    if not (handoff_id and isinstance(approved, str) and isinstance(nonce, str)):
        return "the step_up record lacks its handoff, action hash or nonce"
    credential = {
        "id": key.credential_id,
        "rawId": key.credential_id,
        "type": "public-key",
        "response": {
            "clientDataJSON": record.get("client_data_json"),
            "authenticatorData": record.get("authenticator_data"),
            "signature": record.get("signature"),
        },
    }
    try:
        check_assertion(credential, challenge(handoff_id, approved, nonce), key, counter=False)
    except NotAuthorized as exc:
        return f"step_up: {exc.message}"
    return None

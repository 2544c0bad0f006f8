"""Passkeys: reviewers' WebAuthn credentials, and the challenges that register and use them.

A reviewer registers a passkey in the inbox (after typing their password again); the
public key, the relying party id and the origin are stored in ``passkeys`` and written
to the audit chain as a ``passkey_registered`` event, which is what ``audit verify``
checks later assertions against. To approve a handoff at the policy's ``step_up``
level, the reviewer asks for a challenge bound to that handoff and the hash of the
exact action they approve (``approval_options``) and answers it with the passkey; the
plane checks the answer (``confirm``) and uses up the challenge in the same transaction
that records the approval.

Challenges are random, good once and for ``CHALLENGE_SECONDS``. py_webauthn does the
WebAuthn parsing and signature checks (the ``passkey`` extra).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._clock import Clock, SystemClock
from .._exceptions import InputError, NotAuthorized
from ..models import Decision, Handoff, StepUp
from ..store import PasskeyRow, Store, Tx
from ._review import authorize
from ._step_up import (
    REGISTERED,
    Proof,
    Registration,
    approved_hash,
    challenge,
    check_assertion,
    record_of,
    webauthn_library,
)

if TYPE_CHECKING:
    from .._parts import PlaneParts
    from ..policy import Policy

__all__ = ["CHALLENGE_SECONDS", "Passkeys", "spend"]

#: How long a challenge may be answered: long enough to find the key and touch it.
CHALLENGE_SECONDS = 300
RP_NAME = "handoff"


def _register_challenge(user: str, nonce: str) -> bytes:
    text = "\x1f".join(("handoff passkey registration v1", user, nonce))
    return hashlib.sha256(text.encode("utf-8")).digest()


class Passkeys:
    """The passkeys in ``store``'s database, timed by ``clock``."""

    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self.clock: Clock = clock or SystemClock()

    @classmethod
    def of(cls, plane: PlaneParts) -> Passkeys:
        return cls(plane.store, plane.clock)

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def confirm_decision(self, h: Handoff, d: Decision, policy: Policy) -> Proof:
        """Check the passkey confirmation decision ``d`` carries for ``h``.

        Whether one was needed is ``apply_decision``'s business, so every surface that
        decides (API, CLI, inbox, Slack) is held to the policy's ``step_up`` alike.
        """
        approved = approved_hash(h, d)
        if approved is None or d.step_up is None:
            raise InputError(
                "a passkey confirmation goes with an approving verdict", field="step_up"
            )
        authorize(h, d, policy)  # say who may not decide before checking signatures
        return self.confirm(d.reviewer, d.step_up, h.id, approved)

    # -- reading ---------------------------------------------------------------------

    def keys_of(self, user: str) -> list[Registration]:
        """The passkeys ``user`` registered, oldest first."""
        return [_registration(r) for r in self.store.passkey_rows(user=user)]

    def key(self, credential_id: str) -> Registration | None:
        rows = self.store.passkey_rows(credential_id=credential_id)
        return _registration(rows[0]) if rows else None

    # -- challenges ------------------------------------------------------------------

    def _issue(self, user: str, purpose: str, handoff_id: str | None, approved: str | None) -> str:
        nonce = secrets.token_urlsafe(32)
        now = self._now()
        self.store.challenge_add(
            nonce,
            user,
            purpose,
            handoff_id=handoff_id,
            action_hash=approved,
            expires_at=now + CHALLENGE_SECONDS,
            now=now,
        )
        return nonce

    def registration_options(self, user: str, *, rp_id: str) -> dict[str, Any]:
        """``{"nonce", "publicKey"}``: what ``navigator.credentials.create`` needs to make
        ``user`` a passkey for ``rp_id`` (user verification required)."""
        webauthn = webauthn_library()
        from webauthn.helpers.structs import (
            AuthenticatorSelectionCriteria,
            PublicKeyCredentialDescriptor,
            ResidentKeyRequirement,
            UserVerificationRequirement,
        )

        nonce = self._issue(user, "register", None, None)
        options = webauthn.generate_registration_options(
            rp_id=rp_id,
            rp_name=RP_NAME,
            user_name=user,
            user_id=hashlib.sha256(user.encode()).digest()[:16],
            challenge=_register_challenge(user, nonce),
            timeout=CHALLENGE_SECONDS * 1000,
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(k.credential_id))
                for k in self.keys_of(user)
            ],
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.PREFERRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
        )
        return {"nonce": nonce, "publicKey": json.loads(webauthn.options_to_json(options))}

    def register(
        self, user: str, nonce: str, credential: dict[str, Any], *, rp_id: str, origin: str
    ) -> Registration:
        """Check a ``navigator.credentials.create`` result against the challenge ``nonce``
        and store the passkey; the registration is an audit event too."""
        webauthn = webauthn_library()
        from webauthn.helpers import bytes_to_base64url
        from webauthn.helpers.exceptions import WebAuthnException

        try:
            verified = webauthn.verify_registration_response(
                credential=credential,
                expected_challenge=_register_challenge(user, nonce),
                expected_rp_id=rp_id,
                expected_origin=origin,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise InputError(
                f"the new passkey does not check out: {exc}", field="credential"
            ) from None
        key = Registration(
            credential_id=bytes_to_base64url(verified.credential_id),
            user_name=user,
            public_key=bytes_to_base64url(verified.credential_public_key),
            rp_id=rp_id,
            origin=origin,
        )
        now = self.clock.now()
        with self.store.write() as tx:
            if not tx.challenge_take(nonce, user, "register", now=now.timestamp()):
                raise NotAuthorized(
                    "the registration challenge expired or was used; start again",
                    field="nonce",
                )
            tx.passkey_add(
                key.credential_id,
                user,
                key.public_key,
                rp_id=rp_id,
                origin=origin,
                at=now.timestamp(),
            )
            data = {
                "credential_id": key.credential_id,
                "public_key": key.public_key,
                "rp_id": rp_id,
                "origin": origin,
            }
            tx.event(REGISTERED, handoff_id=None, actor=user, at=now, data=data)
        return key

    def approval_options(
        self, user: str, handoff_id: str, approved: str, *, rp_id: str
    ) -> dict[str, Any]:
        """``{"nonce", "publicKey"}`` for ``navigator.credentials.get``: a challenge bound
        to ``handoff_id`` and the ``approved`` action hash, answerable by ``user``'s
        passkeys for ``rp_id``."""
        keys = [k for k in self.keys_of(user) if k.rp_id == rp_id]
        if not keys:
            raise InputError(
                f"{user} has no passkey for {rp_id}: register one in the inbox under Passkeys",
                field="step_up",
            )
        nonce = self._issue(user, "approve", handoff_id, approved)
        return {
            "nonce": nonce,
            "handoff_id": handoff_id,
            "action_hash": approved,
            "publicKey": {
                "challenge": _b64(challenge(handoff_id, approved, nonce)),
                "rpId": rp_id,
                "allowCredentials": [{"id": k.credential_id, "type": "public-key"} for k in keys],
                "userVerification": "required",
                "timeout": CHALLENGE_SECONDS * 1000,
            },
        }

    def confirm(self, reviewer: str, step_up: StepUp, handoff_id: str, approved: str) -> Proof:
        """Check ``step_up`` as ``reviewer``'s passkey approving ``approved`` on
        ``handoff_id``. Writes nothing: the plane uses up the challenge with the decision."""
        credential_id = step_up.credential.get("id")
        key = self.key(credential_id) if isinstance(credential_id, str) else None
        if key is None:
            raise NotAuthorized("no registered passkey has this credential id", field="step_up")
        if key.user_name != reviewer:
            raise NotAuthorized(
                f"this passkey is not {reviewer}'s; each reviewer confirms with their own",
                field="step_up",
            )
        expected = challenge(handoff_id, approved, step_up.nonce)
        count = check_assertion(step_up.credential, expected, key)
        return Proof(
            handoff_id=handoff_id,
            action_hash=approved,
            nonce=step_up.nonce,
            credential_id=key.credential_id,
            sign_count=count,
            record=record_of(step_up.credential, step_up.nonce),
        )


def spend(tx: Tx, proof: Proof, reviewer: str, now: datetime) -> None:
    """Use up the confirmation's challenge and move the passkey's counter, in ``tx``,
    the transaction that records the approval: a confirmation approves once."""
    taken = tx.challenge_take(
        proof.nonce,
        reviewer,
        "approve",
        handoff_id=proof.handoff_id,
        action_hash=proof.action_hash,
        now=now.timestamp(),
    )
    if not taken:
        raise NotAuthorized(
            "the passkey challenge expired, was used already or was made for something"
            " else; confirm again",
            field="step_up",
        )
    if not tx.passkey_seen(proof.credential_id, proof.sign_count):
        raise NotAuthorized(
            "the passkey's signature counter went backwards (a copied authenticator?)",
            field="step_up",
        )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _registration(row: PasskeyRow) -> Registration:
    return Registration(
        credential_id=row.credential_id,
        user_name=row.user_name,
        public_key=row.public_key,
        rp_id=row.rp_id,
        origin=row.origin,
        sign_count=row.sign_count,
    )

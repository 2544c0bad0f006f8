"""Decide: who may decide, what a verdict does, and the handoff's state machine.

``_review`` and ``lifecycle`` are pure; ``passkeys`` keeps reviewers' WebAuthn
credentials for step-up approvals.
"""

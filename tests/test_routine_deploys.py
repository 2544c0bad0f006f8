"""Deploys that production never sees run on their own.

A deploy to staging, dev or QA, and a dry run of any deploy (``deploy.dryRun``,
``dry_run: true``), put nothing in front of users. Their twins deploy to production,
name production in the service, leave the place unnamed, or apply a saved plan, and go
to a person.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

ROUTINE = [
    ("ci.deploy", {"service": "checkout", "env": "staging", "version": "v2.4.1"}),
    ("deployments.create", {"app": "web", "environment": "dev"}),
    ("deploy.dryRun", {"service": "checkout", "env": "production"}),
    ("ci.deploy", {"service": "checkout", "env": "prod", "dry_run": True}),
    ("k8s.scale", {"deployment": "checkout", "replicas": 3}),
]

HELD = [
    ("ci.deploy", {"service": "checkout", "env": "production", "version": "v2.4.1"}),
    ("ci.deploy", {"service": "checkout-prod", "env": "staging"}),
    ("ci.deploy", {"service": "checkout", "version": "v2.4.1"}),
    ("ci.deploy", {"service": "checkout", "env": "prod", "dry_run": False}),
    ("tf.apply_plan", {"workspace": "prod"}),
    # Scaled to zero: what it runs stops serving.
    ("k8s.scale", {"deployment": "checkout", "replicas": 0}),
    ("compute.resize_instance_group", {"group": "web", "size": 0}),
]


@pytest.mark.parametrize(("tool", "args"), ROUTINE)
def test_a_deploy_production_never_sees_runs(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, "Deploy checkout as planned.")
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize(("tool", "args"), HELD)
def test_a_deploy_to_production_or_nowhere_named_goes_to_a_person(
    tool: str, args: dict[str, Any]
) -> None:
    assert assess_call(tool, args, "Deploy checkout as planned.").mode.value != "auto"

"""A cluster's secrets read: their data is credentials (database passwords, API keys,
TLS keys), base64 only in name.

``kubectl get secret db-creds -o yaml`` prints them, ``kubectl describe secret`` names
every key a secret holds, and a cluster tool asked for the ``secrets`` resource or a
``Secret`` kind returns them. The twins list pods, read a ConfigMap, or list secrets'
names only, and run.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._assess import assess_call

ASKED = "Why is the api pod crashing?"

SHELL_READS = [
    "kubectl get secret db-creds -o yaml",
    "kubectl get secrets -A -o json",
    "kubectl describe secret db-creds",
    "kubectl -n prod describe secrets",
    "kubectl -n prod get secret/db-creds -o yaml",
    "kubectl get -o yaml secret db-creds",
    "kubectl --context prod get secret db-creds --output=jsonpath='{.data.password}'",
    "oc get secret registry-creds -o json",
    "kubectl get secret tls-cert -o go-template='{{.data}}'",
]

SHELL_ROUTINE = [
    "kubectl get pods",
    "kubectl get pods -o yaml",
    "kubectl describe pod api-7d9f",
    "kubectl get configmap app-config -o yaml",
    "kubectl get secrets",
    "kubectl get events --field-selector reason=FailedMount",
]

TOOL_READS = [
    ("kubectl_get", {"resource": "secrets", "namespace": "prod"}),
    ("kubectl_get", {"resource": "secret", "name": "db-creds", "output": "yaml"}),
    ("k8s.get_resource", {"kind": "Secret", "name": "db-creds"}),
    ("kubernetes.list_resources", {"kind": "Secret", "namespace": "default"}),
    ("k8s.describe", {"resource_type": "secrets/db-creds"}),
    ("cluster.get", {"apiVersion": "v1", "kind": "Secret", "name": "x"}),
]

TOOL_ROUTINE = [
    ("kubectl_get", {"resource": "pods", "namespace": "prod"}),
    ("k8s.get_resource", {"kind": "ConfigMap", "name": "app"}),
    ("kubernetes.list_resources", {"kind": "Deployment", "namespace": "default"}),
]


@pytest.mark.parametrize("command", SHELL_READS)
def test_a_shell_line_that_reads_cluster_secrets_goes_to_a_person(command: str) -> None:
    a = assess_call("bash", {"command": command}, ASKED)
    assert "secrets.access" in [t.code for t in a.triggers], [t.code for t in a.triggers]


@pytest.mark.parametrize("command", SHELL_ROUTINE)
def test_a_shell_line_that_reads_no_secret_runs(command: str) -> None:
    a = assess_call("bash", {"command": command}, ASKED)
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize(("tool", "args"), TOOL_READS)
def test_a_cluster_tool_asked_for_secrets_goes_to_a_person(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, ASKED)
    assert "secrets.access" in [t.code for t in a.triggers], [t.code for t in a.triggers]


@pytest.mark.parametrize(("tool", "args"), TOOL_ROUTINE)
def test_a_cluster_tool_asked_for_other_resources_runs(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, ASKED)
    assert a.mode.value == "auto", [t.code for t in a.triggers]


def test_a_secret_gist_is_no_cluster_secret() -> None:
    a = assess_call(
        "github.create_gist",
        {"description": "notes", "type": "secret", "files": {"a.md": {"content": "x"}}},
        "Save these notes as a gist.",
    )
    assert "secrets.access" not in [t.code for t in a.triggers]


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("kubectl_generic", {"command": "get secret db -o yaml"}),
        ("kubectl", {"args": ["describe", "secret", "db"]}),
        ("k8s_get", {"type": "secret", "name": "db"}),
    ],
)
def test_a_cluster_tool_told_to_read_a_secret_goes_to_a_person(
    tool: str, args: dict[str, Any]
) -> None:
    a = assess_call(tool, args, ASKED)
    assert "secrets.access" in [t.code for t in a.triggers], [t.code for t in a.triggers]


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("kubectl_generic", {"command": "get pods -o yaml"}),
        ("kubectl_generic", {"command": "get secrets"}),
        ("k8s_get", {"type": "pod", "name": "api"}),
    ],
)
def test_a_cluster_tool_told_to_read_other_things_runs(tool: str, args: dict[str, Any]) -> None:
    a = assess_call(tool, args, ASKED)
    assert "secrets.access" not in [t.code for t in a.triggers], [t.code for t in a.triggers]

"""``kubectl`` on the one workload the person named, doing what they asked: a pod
deleted (its controller makes it anew), a rollout undone, a deployment scaled to the
count they said. Each ran held as destructive before its rule. The twins stay held: a
selector, ``--force``, another kind or another name, a count nobody said, a request
that only asks, or a "don't"."""

from __future__ import annotations

import pytest

from tests._assess import assess_call

_POD = "web-7d9f8b6c5-q2lp"
_STUCK = f"{_POD} in prod has been in CrashLoopBackOff for an hour. Delete that pod."

RUNS = [
    (f"kubectl -n prod delete pod {_POD}", _STUCK),
    (f"kubectl delete pod/{_POD} -n prod", f"Please delete the pod {_POD}."),
    (
        "kubectl -n staging scale deployment/indexer --replicas=0",
        "Scale the staging indexer deployment down to 0 for the weekend.",
    ),
    (
        "kubectl scale deployment indexer --replicas 3 -n staging",
        "Scale indexer back up to 3 replicas.",
    ),
    (
        "kubectl -n prod rollout undo deployment/gateway && kubectl -n prod rollout status "
        "deployment/gateway",
        "Roll back the gateway deployment in prod: the new release throws 502s.",
    ),
]
HELD = [
    (f"kubectl -n prod delete pod {_POD}", f"Why is {_POD} crashing?"),
    (f"kubectl -n prod delete pod {_POD}", f"Look at {_POD}. Don't delete it."),
    ("kubectl -n prod delete pod -l app=web", _STUCK),
    (f"kubectl -n prod delete pod {_POD} --force --grace-period=0", _STUCK),
    ("kubectl -n prod delete deployment web", _STUCK),
    (
        "kubectl -n staging scale deployment/indexer --replicas=0",
        "Scale the indexer deployment down to 2.",
    ),
    (
        "kubectl -n prod rollout undo deployment/payments",
        "Roll back the gateway deployment in prod.",
    ),
    (
        f"kubectl -n prod delete pod {_POD}",
        f"Tell me why {_POD} crashes. Also list the nodes. Delete the stale job pods.",
    ),
]


@pytest.mark.parametrize(("line", "asked"), RUNS)
def test_the_one_workload_asked_for_runs(line: str, asked: str) -> None:
    a = assess_call("bash", {"command": line}, asked)
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize(("line", "asked"), HELD)
def test_anything_wider_or_unasked_stays_held(line: str, asked: str) -> None:
    assert assess_call("bash", {"command": line}, asked).mode.value != "auto"

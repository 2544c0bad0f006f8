"""Whole environments torn down and databases restored over what they hold.

``terraform apply -destroy`` destroys every resource of the state as ``terraform destroy``
does; ``cdk destroy`` deletes a deployed stack; ``pg_restore --clean`` and
``mongorestore --drop`` drop what the target holds before restoring into it. Each is held,
from a shell or from a tool named after the program; a plan, an apply of a plan, and a
restore into a database that keeps what it holds run on their own.
"""

from __future__ import annotations

import pytest

from tests._assess import assess_call

_ASK = "Check what has drifted in staging and restore last night's dump into a scratch db."


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("bash", {"command": "terraform -chdir=envs/staging apply -destroy -auto-approve"}),
        ("bash", {"command": "terraform apply -auto-approve -destroy"}),
        ("bash", {"command": "tofu apply --destroy"}),
        ("terraform", {"args": ["-chdir=envs/staging", "apply", "-destroy", "-auto-approve"]}),
        ("bash", {"command": "cdk destroy --force BillingStack"}),
        ("bash", {"command": "npx cdk destroy --all --force"}),
        ("bash", {"command": "cdk --profile prod destroy BillingStack"}),
        ("bash", {"command": "pulumi destroy --yes --stack staging"}),
    ],
)
def test_an_environment_torn_down_is_held(tool: str, args: dict[str, object]) -> None:
    a = assess_call(tool, args, _ASK)
    assert a.mode.value != "auto", [t.code for t in a.triggers]
    assert "action.destructive" in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("bash", {"command": "terraform -chdir=envs/staging plan -refresh-only -no-color"}),
        ("bash", {"command": "terraform plan -destroy -out destroy.tfplan"}),
        ("bash", {"command": "terraform apply staging.tfplan"}),
        ("terraform", {"args": ["-chdir=envs/staging", "init", "-input=false"]}),
        ("bash", {"command": "cdk diff BillingStack"}),
        ("bash", {"command": "pulumi preview --stack staging"}),
        ("bash", {"command": "cdk synth BillingStack"}),
    ],
)
def test_a_plan_or_an_asked_apply_runs_on_its_own(tool: str, args: dict[str, object]) -> None:
    a = assess_call(tool, args, _ASK)
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize(
    "line",
    [
        "pg_restore --clean --if-exists -h prod-db.internal -d acme_prod /backups/nightly.dump",
        "pg_restore -c -d acme_prod nightly.dump",
        "pg_restore -v -c -j 4 -d acme_prod nightly.dump",
        "pg_restore -cv -d acme_prod nightly.dump",
        "mongorestore --drop --db orders /backups/nightly",
        "mongorestore --uri mongodb://db.internal:27017 --drop /backups/nightly",
    ],
)
def test_a_restore_that_drops_what_is_there_is_held(line: str) -> None:
    a = assess_call("bash", {"command": line}, _ASK)
    assert a.mode.value != "auto", [t.code for t in a.triggers]
    assert "action.destructive" in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    "line",
    [
        "pg_restore -h localhost -d scratch_orders /backups/nightly.dump",
        "pg_restore --list /backups/nightly.dump",
        "pg_restore -C -d postgres /backups/nightly.dump",
        "pg_restore --no-owner -d scratch_orders nightly.dump",
        "pg_restore -Fc -j 4 -d scratch_orders nightly.dump",
        "mongorestore --db scratch_orders /backups/nightly",
    ],
)
def test_a_restore_that_keeps_what_is_there_runs_on_its_own(line: str) -> None:
    a = assess_call("bash", {"command": line}, _ASK)
    assert a.mode.value == "auto", [t.code for t in a.triggers]

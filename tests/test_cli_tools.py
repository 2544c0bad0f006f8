"""A tool named after a command-line program, given that program's arguments as one
string (``kubectl {"args": "get pods"}``, ``git {"command": "push --force"}``), is read as
the line it runs: placed, so it is not an unknown tool, and held where the same line run
from a shell would be."""

from __future__ import annotations

import pytest

from tests._assess import assess_call


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("kubectl", {"args": "delete namespace production"}),
        ("helm", {"command": "uninstall api --namespace prod"}),
        ("terraform", {"args": "destroy -auto-approve"}),
        ("docker", {"args": "rm -f db"}),
        ("kubectl", {"args": "kubectl delete pvc --all"}),
    ],
)
def test_a_destructive_line_is_held_as_from_a_shell(tool: str, args: dict[str, str]) -> None:
    a = assess_call(tool, args, "Restart the api pod.")
    assert a.mode.value != "auto"
    assert "action.destructive" in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("kubectl", {"args": "get pods -n production"}),
        ("kubectl", {"args": "rollout restart deployment/api -n production"}),
        ("git", {"command": "status"}),
        ("terraform", {"args": "plan -out plan.tfplan"}),
    ],
)
def test_a_routine_line_is_placed_and_not_unknown(tool: str, args: dict[str, str]) -> None:
    a = assess_call(tool, args, "Restart the api pod and check the plan.")
    assert "tool.unknown" not in {t.code for t in a.triggers}
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize(
    ("tool", "args", "code"),
    [
        ("git", {"args": ["push", "--force", "origin", "main"]}, "code.system_delete"),
        ("git", {"args": "push --force origin main"}, "code.system_delete"),
        (
            "aws",
            {
                "args": [
                    "iam",
                    "attach-user-policy",
                    "--user-name",
                    "ci-bot",
                    "--policy-arn",
                    "arn:aws:iam::aws:policy/AdministratorAccess",
                ]
            },
            "action.permissions",
        ),
        ("docker", {"args": ["push", "docker.io/acme/billing-api:1.14.0"]}, "action.public"),
        ("kubectl", {"command": "delete", "args": ["namespace", "production"]}, None),
    ],
)
def test_a_list_of_words_is_read_as_one_line(
    tool: str, args: dict[str, object], code: str | None
) -> None:
    """``git {"args": ["push", "--force", "origin", "main"]}`` runs the line those words
    make, and is held as that line from a shell would be."""
    a = assess_call(tool, args, "Squash my last commits and build the billing-api image.")
    assert a.mode.value != "auto", [t.code for t in a.triggers]
    if code is not None:
        assert code in {t.code for t in a.triggers}


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("git", {"args": ["commit", "-m", "Add invoice PDF rendering"]}),
        ("git", {"args": ["push", "origin", "feature/invoice-pdf"]}),
        ("aws", {"args": ["iam", "list-attached-user-policies", "--user-name", "ci-bot"]}),
        ("docker", {"args": ["build", "-t", "billing-api:1.14.0", "."]}),
        ("gsutil", {"args": "ls gs://acme-ci-scratch"}),
        ("gsutil", {"args": ["ls", "-l", "gs://acme-ci-scratch"]}),
    ],
)
def test_a_routine_list_of_words_runs_on_its_own(tool: str, args: dict[str, object]) -> None:
    a = assess_call(tool, args, "Squash my commits and build the billing-api image.")
    assert a.mode.value == "auto", [t.code for t in a.triggers]


_PLAN = (
    "EXPLAIN (ANALYZE, BUFFERS) SELECT date_trunc('month', paid_at), SUM(amount_cents) "
    "FROM invoices GROUP BY 1"
)


@pytest.mark.parametrize("tool", ["psql", "mysql"])
def test_a_database_client_runs_the_sql_it_is_given(tool: str) -> None:
    """A database client named as the tool, its SQL in the arguments: a plan or a read
    runs, a drop is held, as from a shell."""
    plan = assess_call(tool, {"args": ["-d", "billing", "-c", _PLAN]}, "Show me the query's plan.")
    assert plan.mode.value == "auto", [t.code for t in plan.triggers]
    drop = assess_call(tool, {"args": ["-d", "billing", "-c", "DROP TABLE invoices"]}, "Tidy up.")
    assert drop.mode.value != "auto"
    assert "action.destructive" in {t.code for t in drop.triggers}

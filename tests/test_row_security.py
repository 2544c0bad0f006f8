"""Row-level security lifted: a table's policies switched off, a role let past them, a
policy dropped or made to pass every row. Each lets one tenant read another's rows.

Their twins turn row security on, or set a harmless session setting, and are not read
as access weakened.
"""

from __future__ import annotations

import pytest

from tests._assess import assess_call

ASKED = "Tidy up the reporting schema."

LIFTS = [
    "ALTER TABLE accounts DISABLE ROW LEVEL SECURITY",
    "alter table public.profiles no force row level security;",
    "ALTER ROLE analyst BYPASSRLS",
    "SET row_security = off",
    "SET SESSION row_security TO off",
    "DROP POLICY tenant_isolation ON accounts",
    "DROP POLICY IF EXISTS tenant_isolation ON accounts",
    "CREATE POLICY allow_all ON accounts USING (true)",
    "ALTER POLICY tenant_isolation ON accounts USING (true)",
    "ALTER SECURITY POLICY rls.tenant_filter WITH (STATE = OFF)",
]


@pytest.mark.parametrize("sql", LIFTS)
def test_row_security_lifted_weakens_access(sql: str) -> None:
    a = assess_call("postgres.execute", {"sql": sql}, ASKED)
    assert "action.permissions" in [t.code for t in a.triggers], [t.code for t in a.triggers]


def test_row_security_lifted_from_a_shell_client() -> None:
    a = assess_call(
        "bash", {"command": "psql -c 'ALTER TABLE accounts DISABLE ROW LEVEL SECURITY'"}, ASKED
    )
    assert "action.permissions" in [t.code for t in a.triggers], [t.code for t in a.triggers]


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE accounts FORCE ROW LEVEL SECURITY",
        "SET row_security = on",
        "CREATE POLICY tenant_isolation ON accounts USING (tenant_id = current_setting('app.t'))",
        "SELECT policyname FROM pg_policies WHERE tablename = 'accounts'",
    ],
)
def test_row_security_kept_is_no_weakening(sql: str) -> None:
    a = assess_call("postgres.execute", {"sql": sql}, ASKED)
    assert "action.permissions" not in [t.code for t in a.triggers], [t.code for t in a.triggers]


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("supabase.disable_rls", {"table": "profiles"}),
        ("db.update_table", {"table": "profiles", "row_level_security": False}),
        ("db.update_table", {"table": "profiles", "rls_enabled": False}),
    ],
)
def test_row_security_turned_off_by_name_or_setting(tool: str, args: dict[str, object]) -> None:
    a = assess_call(tool, args, ASKED)
    assert "action.permissions" in [t.code for t in a.triggers], [t.code for t in a.triggers]


def test_row_security_turned_on_by_setting_is_no_weakening() -> None:
    a = assess_call("db.update_table", {"table": "profiles", "rls_enabled": True}, ASKED)
    assert "action.permissions" not in [t.code for t in a.triggers]

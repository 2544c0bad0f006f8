"""A schema already at the newest migration is recognised without Alembic; an older one
is still migrated."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from handoff.store import _sql, open_store


def test_head_is_the_newest_migration() -> None:
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("handoff.store").joinpath("migrations"))
    )
    assert ScriptDirectory.from_config(cfg).get_current_head() == _sql.HEAD


def test_the_revision_is_read_from_the_version_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    bare = open_store(url, migrate=False)
    try:
        assert bare.revision() is None
    finally:
        bare.close()
    store = open_store(url)
    try:
        assert store.revision() == _sql.HEAD
    finally:
        store.close()


def test_only_an_older_schema_runs_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'h.db'}"
    open_store(url).close()
    upgrades: list[str] = []
    monkeypatch.setattr(command, "upgrade", lambda cfg, to: upgrades.append(to))
    store = open_store(url, migrate=False)
    try:
        store.migrate()
        assert upgrades == []
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0010'")
        store.migrate()
        assert upgrades == ["head"]
    finally:
        store.close()

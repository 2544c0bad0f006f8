"""Migrations step both ways on every backend; 0010 drops the deadline index."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from handoff.store import SqlStore
from handoff.store._tables import metadata
from handoff.testing import FakeClock

from .._factories import make_handoff


def _step(store: SqlStore, verb: str, target: str) -> None:
    cfg = Config()
    cfg.set_main_option(
        "script_location", str(resources.files("handoff.store").joinpath("migrations"))
    )
    with store.engine.connect().execution_options(write=True) as conn:
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, target)
        conn.commit()


def _indexes(store: SqlStore) -> set[str]:
    return {str(ix["name"]) for ix in inspect(store.engine).get_indexes("handoffs")}


def test_0010_drops_the_deadline_index_and_its_downgrade_restores_it(
    store: SqlStore, clock: FakeClock
) -> None:
    with store.write() as tx:
        tx.insert(make_handoff("h1", clock.now()))
    assert "ix_handoffs_deadline" not in _indexes(store)
    _step(store, "downgrade", "0009")
    assert "ix_handoffs_deadline" in _indexes(store)
    assert store.revision() == "0009"
    _step(store, "upgrade", "head")
    assert "ix_handoffs_deadline" not in _indexes(store)
    assert store.revision() == "0010"
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    assert store.get("h1") is not None  # the rows live through both steps

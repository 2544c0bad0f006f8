"""``handoff audit verify`` and ``handoff audit export``: the hash-chained audit trail."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from ._cli_common import DbOption, console, err, fail, open_plane, reporting
from .audit import export as export_events
from .audit import verify as verify_chain

__all__ = ["audit_app"]

audit_app = typer.Typer(help="Verify or export the hash-chained audit trail.", no_args_is_help=True)


@audit_app.command()
def verify(db: DbOption = None) -> None:
    """Walk the chain; exit 1 naming the first event that does not check out."""
    with reporting(), open_plane(db) as plane:
        report = verify_chain(plane.store)
    if not report.ok:
        raise fail(f"event {report.bad_seq}: {report}", 1)
    console.print(str(report), style="green")


@audit_app.command()
def export(
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to FILE instead of stdout.")
    ] = None,
) -> None:
    """Every event as one JSON object per line, in chain order."""
    with reporting(), open_plane(db) as plane:
        if out is None:
            export_events(plane.store, sys.stdout)
            return
        n = export_events(plane.store, out)
    err.print(f"exported {n} events to {out}")

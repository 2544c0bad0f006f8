"""``handoff audit verify|export|keygen|checkpoint``: the hash-chained audit trail."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..audit.checkpoint import (
    generate_key,
    load_private_key,
    load_public_key,
    verify_checkpoints,
    write_checkpoint,
)
from ..audit.trail import export as export_events
from ..audit.trail import verify as verify_chain
from ._common import DbOption, console, err, fail, open_plane, reporting

__all__ = ["audit_app"]

audit_app = typer.Typer(help="Verify or export the hash-chained audit trail.", no_args_is_help=True)


CheckpointDir = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints",
        metavar="DIR",
        envvar="HANDOFF_CHECKPOINT_DIR",
        help="Also check the signed checkpoints in DIR (catches a cut tail or a recomputed "
        "chain); a non-empty log with none there fails.",
    ),
]
PublicKey = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        metavar="FILE",
        envvar="HANDOFF_CHECKPOINT_PUBLIC_KEY",
        help="The pinned checkpoint public key, obtained apart from DIR (DIR/public.key is "
        "never trusted).",
    ),
]
MaxUncovered = Annotated[
    int | None,
    typer.Option(
        "--max-uncovered",
        metavar="EVENTS",
        min=0,
        envvar="HANDOFF_CHECKPOINT_MAX_UNCOVERED",
        help="Fail when more events than this follow the newest checkpoint (the cadence "
        "the signer keeps, with room for a burst).",
    ),
]


@audit_app.command()
def verify(
    db: DbOption = None,
    checkpoints: CheckpointDir = None,
    public_key: PublicKey = None,
    max_uncovered: MaxUncovered = None,
) -> None:
    """Walk the chain and replay it against every handoff row; exit 1 naming the first
    event that does not check out, or the first handoff (and field) the chain disagrees
    with."""
    with reporting(), open_plane(db) as plane:
        report = verify_chain(plane.store)
        if not report.ok:
            where = f"event {report.bad_seq}" if report.handoff_id is None else report.field
            raise fail(f"{where}: {report}", 1)
        console.print(str(report), style="green")
        if checkpoints is not None:
            key = load_public_key(public_key) if public_key else None
            cp = verify_checkpoints(plane.store, checkpoints, key, max_uncovered=max_uncovered)
            if not cp.ok:
                raise fail(str(cp) if cp.bad_seq is None else f"event {cp.bad_seq}: {cp}", 1)
            console.print(str(cp), style="green")


@audit_app.command()
def keygen(
    key: Annotated[Path, typer.Argument(metavar="KEYFILE", help="Where to write the key.")],
) -> None:
    """Make an Ed25519 key for signing checkpoints (KEYFILE, mode 0600, and KEYFILE.pub).

    Keep KEYFILE away from the database's host and backups; the public key is all a
    verifier needs.
    """
    with reporting():
        pub = generate_key(key)
    console.print(f"wrote {key} (private, 0600) and {pub}")


@audit_app.command()
def checkpoint(
    key: Annotated[Path, typer.Option("--key", metavar="KEYFILE", help="The private signing key.")],
    directory: Annotated[
        Path, typer.Option("--dir", metavar="DIR", help="Where checkpoint files go.")
    ],
    url: Annotated[
        str | None, typer.Option("--url", help="Also POST the checkpoint (JSON) to URL.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Sign the log's current size and head hash and write it outside the database."""
    with reporting(), open_plane(db) as plane:
        cp = write_checkpoint(plane.store, load_private_key(key), directory, url=url)
    if cp is None:
        console.print("the audit log is empty; nothing to sign")
        return
    console.print(f"checkpoint at seq {cp.seq} ({cp.hash[:16]}…) written to {directory}")


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

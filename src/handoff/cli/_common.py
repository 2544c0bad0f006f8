"""What every `handoff` command shares: consoles, options, errors and exit codes.

Exit codes are part of the interface, so scripts can branch on them: 0 done, 1 failed
(or not found), 2 bad input, 3 not authorized, 4 conflict, 5 ``serve`` cannot listen
(the port is taken or not allowed). Every error prints one line,
``error: <field>: <message>``, in red on stderr.
"""

import contextlib
import importlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .._exceptions import ConflictError, HandoffError, InputError, NotAuthorized
from ..plane import ControlPlane
from ..policy import load_policy
from ..store import DEFAULT_URL, open_store

__all__ = [
    "PORT_TAKEN",
    "DbOption",
    "JsonFlag",
    "PolicyOption",
    "console",
    "db_path",
    "db_url",
    "echo_json",
    "err",
    "exit_code",
    "load_executors",
    "open_plane",
    "read_json",
    "reporting",
]


def _width() -> int | None:
    """Wide enough for tables when piped; a terminal or ``COLUMNS`` decides otherwise."""
    return None if sys.stdout.isatty() or "COLUMNS" in os.environ else 130


console = Console(width=_width(), highlight=False)
err = Console(stderr=True, highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="HANDOFF_DB",
        help="Database URL or SQLite file path (env HANDOFF_DB; default sqlite:///handoff.db).",
        show_default=False,
    ),
]
PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        envvar="HANDOFF_POLICY",
        help="Policy YAML file (env HANDOFF_POLICY; default: the built-in policy).",
        show_default=False,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
#: The exit code of ``serve`` when it cannot listen on its address.
PORT_TAKEN = 5


def exit_code(exc: HandoffError) -> int:
    if isinstance(exc, InputError):
        return 2
    if isinstance(exc, NotAuthorized):
        return 3
    if isinstance(exc, ConflictError):
        return 4
    return 1


def fail(message: str, code: int) -> typer.Exit:
    """Print ``error: message`` and return the ``Exit`` to raise."""
    err.print(f"error: {message}", style="red", markup=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def reporting() -> Iterator[None]:
    """Turn a ``HandoffError`` into its one-line message and exit code."""
    try:
        yield
    except HandoffError as exc:
        raise fail(str(exc), exit_code(exc)) from None


def db_url(value: str | None) -> str:
    """A store URL from ``--db``: URLs pass through, a bare path becomes a SQLite URL."""
    value = value or DEFAULT_URL
    if "://" in value:
        return value
    return f"sqlite:///{value}"


def db_path(url: str) -> Path | None:
    """The file behind a SQLite URL (None for other databases and in-memory SQLite)."""
    if not url.startswith("sqlite:///"):
        return None
    rest = url.removeprefix("sqlite:///").split("?", 1)[0]
    return Path(rest) if rest and rest != ":memory:" else None


#: Where ``handoff demo`` writes, so a reading command can say which --db to add.
DEMO_DB = Path("handoff-demo.db")


def open_plane(db: str | None, policy: Path | None = None) -> ControlPlane:
    """Open the plane on an existing handoff database; these commands never create one.

    Neither the file nor the tables: a mistyped ``--db`` (a new SQLite file, an empty
    PostgreSQL database) is an error that says where to point instead.
    """
    url = db_url(db)
    path = db_path(url)
    if path is not None and not path.exists():
        raise HandoffError(_missing(path, db), field="db")
    rules = load_policy(policy)
    if path is not None and not _sqlite_has_tables(path):
        raise HandoffError(_no_tables(str(path)), field="db")
    store = open_store(url, migrate=False)
    try:
        if store.revision() is None:
            raise HandoffError(_no_tables(store.where), field="db")
        store.migrate()
    except BaseException:
        store.close()
        raise
    return ControlPlane(store, rules)


def _sqlite_has_tables(path: Path) -> bool:
    """Whether the SQLite file holds a handoff schema, read without writing a byte (the
    store's own connections would switch the file to WAL mode first)."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as c:
            found = c.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.Error as exc:
        raise HandoffError(f"cannot read {path}: {exc}", field="db") from None
    return found is not None


def _no_tables(where: str) -> str:
    return (
        f"{where} has no handoff tables: point --db at a handoff database"
        " (`handoff serve` and `handoff user add` create one)"
    )


def _missing(path: Path, db: str | None) -> str:
    if db is None and DEMO_DB.exists():
        return (
            f"no database at {path}; the demo's is {DEMO_DB}: add --db {DEMO_DB}"
            f" (or export HANDOFF_DB={DEMO_DB})"
        )
    return (
        f"no database at {path}: point --db at one (`handoff demo` writes {DEMO_DB};"
        " `handoff serve` and `handoff user add` create the one they are given)"
    )


def read_json(path: Path, field: str) -> Any:
    """Parse a JSON file; errors name the field and the line."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror})", field=field) from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8", field=field) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path.name}:{exc.lineno}: not valid JSON ({exc.msg})", field=field
        ) from None


def echo_json(value: Any) -> None:
    """Exactly one JSON document on stdout, plain (no colour, no wrapping)."""
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def load_executors(spec: str, plane: ControlPlane) -> None:
    """Call ``module:function`` with the plane so it can register executors."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise InputError(f"expected module:function, got {spec!r}", field="executors")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(f"cannot import {module_name}: {exc}", field="executors") from None
    register: Callable[[ControlPlane], object] | None = getattr(module, attr, None)
    if not callable(register):
        raise InputError(f"{module_name} has no function {attr!r}", field="executors")
    register(plane)

"""Server commands: ``handoff serve``, ``handoff user ...``, ``handoff key add|revoke|list``.

``serve`` opens (and creates) the database, runs the HTTP API and the reviewer inbox
under uvicorn, and runs the SLA ladder and outbox delivery alongside. Accounts live in
the same database, so ``user`` and ``key`` take the same ``--db``; what they change
takes effect at once in every running server, and is an event in the audit chain.
"""

import getpass
import sys
from typing import Annotated

import typer

from .._egress import loopback_host as _loopback
from .._exceptions import InputError
from ..plane import ControlPlane
from ..policy import load_policy
from ._common import (
    PORT_TAKEN,
    DbOption,
    JsonFlag,
    PolicyOption,
    console,
    db_url,
    echo_json,
    err,
    fail,
    load_executors,
    open_plane,
    reporting,
)

__all__ = ["key_app", "serve", "user_app"]


user_app = typer.Typer(help="Reviewer accounts of the inbox.", no_args_is_help=True)
key_app = typer.Typer(help="API keys of agents (and of reviewers using the API).")


def serve(
    db: DbOption = None,
    policy: PolicyOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    executors: Annotated[
        str | None,
        typer.Option(help="module:function that registers executors on the plane."),
    ] = None,
    background: Annotated[
        bool,
        typer.Option(
            "--background/--no-background",
            help="Run the SLA ladder and outbox delivery in this process.",
        ),
    ] = True,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            help="Mark cookies Secure on every request. Without it they are Secure unless"
            " the request is plain HTTP to a loopback address."
        ),
    ] = False,
    login_attempts: Annotated[
        int, typer.Option(help="Failed logins for one name before it is locked.")
    ] = 5,
    client_attempts: Annotated[
        int, typer.Option(help="Failed logins from one client address before it is locked.")
    ] = 20,
    key_rate: Annotated[
        int, typer.Option(help="Requests per minute allowed per API key; 0 for no limit.")
    ] = 600,
    session_idle: Annotated[
        float, typer.Option(help="Minutes an inbox session may sit unused.")
    ] = 30,
    session_hours: Annotated[
        float, typer.Option(help="Hours an inbox session lasts at most.")
    ] = 12,
    shadow_policy: Annotated[
        str | None,
        typer.Option(
            help="A candidate policy file: every submit is also assessed under it and "
            "stored as a shadow_assessed event, never acted on (see docs/kpis.md)."
        ),
    ] = None,
    rp_id: Annotated[
        str | None,
        typer.Option(
            help="The passkeys' relying party id, a domain such as handoff.example.com"
            " (default: the host the inbox is reached at)."
        ),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option(
            help="The inbox's origin as browsers see it, e.g. https://handoff.example.com"
            " (default: the scheme and host of each request)."
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (/v1), the reviewer inbox (/) and /metrics."""
    import uvicorn

    from ..server import create_app
    from ..server.throttle import Limits
    from ._serving import Serving, listen

    with reporting():
        limits = Limits(
            login_failures=login_attempts, client_failures=client_attempts, key_requests=key_rate
        )
        plane = ControlPlane.open(db_url(db), policy=load_policy(policy))
        if executors:
            load_executors(executors, plane)
        if shadow_policy:
            plane.shadow_policy = load_policy(shadow_policy)
    if not secure_cookies and not _loopback(host):
        err.print(
            f"note: {host} is not a loopback address, so the inbox's cookies are Secure:"
            " browsers log in only over HTTPS (put a TLS proxy in front)",
            style="yellow",
            markup=False,
        )
    try:
        sock = listen(host, port)
    except OSError as exc:
        plane.close()
        raise fail(f"port: cannot listen on {host}:{port}: {exc.strerror}", PORT_TAKEN) from None
    app = create_app(
        plane,
        background=background,
        secure_cookies=secure_cookies or None,
        limits=limits,
        session_idle=session_idle * 60,
        session_lifetime=session_hours * 3600,
        rp_id=rp_id,
        origin=origin,
    )
    config = uvicorn.Config(app, host=host, port=port, log_level="info", proxy_headers=True)
    said = f"handoff serving {plane.url} on http://{host}:{sock.getsockname()[1]}/"
    try:
        Serving(config, said).run(sockets=[sock])
    finally:
        sock.close()
        plane.close()


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The reviewer's name, as the policy lists it.")],
    team: Annotated[
        list[str] | None, typer.Option("--team", help="Owner team (repeatable).")
    ] = None,
    role: Annotated[str, typer.Option(help="reviewer or admin.")] = "reviewer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """Create a reviewer account (password hashed with scrypt)."""
    from ..server.accounts import Accounts

    with reporting():
        if password_stdin or not sys.stdin.isatty():  # `echo pw | handoff user add ...`
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        if not password:
            raise InputError("the password is empty", field="password")
        with ControlPlane.open(db_url(db), policy=load_policy(policy)) as plane:
            accounts = Accounts.of(plane)
            account = accounts.add_user(name, password, teams=team or [], role=role)
            for t in sorted(account.teams):
                if plane.policy.owners and name not in plane.policy.members_of(t):
                    err.print(
                        f"warning: the policy does not list {name} in team {t}; the inbox"
                        " shows the queue, but deciding needs the policy's membership",
                        style="yellow",
                        markup=False,
                    )
    teams = ", ".join(sorted(account.teams)) or "no team"
    console.print(f"added {account.role} {account.name} ({teams})", markup=False)


@user_app.command("list")
def user_list(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Reviewer accounts with their teams, roles and whether they are disabled."""
    from ..server.accounts import Accounts

    with reporting(), open_plane(db) as plane:
        rows = Accounts.of(plane).accounts()
    if as_json:
        echo_json(
            [
                {"name": a.name, "role": a.role, "teams": sorted(a.teams), "disabled": a.disabled}
                for a in rows
            ]
        )
        return
    for a in rows:
        state = "\tdisabled" if a.disabled else ""
        typer.echo(f"{a.name}\t{a.role}\t{','.join(sorted(a.teams))}{state}")


NameArgument = Annotated[str, typer.Argument(help="The reviewer account's name.")]


def _who() -> str:
    """Who ran the command, for the audit chain: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@user_app.command("disable")
def user_disable(name: NameArgument, db: DbOption = None) -> None:
    """Disable an account at once: no login, its sessions end, its API keys are revoked."""
    from ..server.accounts import Accounts

    with reporting(), open_plane(db) as plane:
        ended, revoked = Accounts.of(plane).disable_user(name, actor=_who())
    console.print(
        f"disabled {name}: {ended} session(s) ended, {revoked} API key revoked"
        if revoked == 1
        else f"disabled {name}: {ended} session(s) ended, {revoked} API keys revoked",
        markup=False,
    )


@user_app.command("enable")
def user_enable(name: NameArgument, db: DbOption = None) -> None:
    """Let an account log in again and clear its lock from failed logins. Revoked API
    keys stay revoked: issue a new one with `handoff key add`."""
    from ..server.accounts import Accounts

    with reporting(), open_plane(db) as plane:
        Accounts.of(plane).enable_user(name, actor=_who())
    console.print(f"enabled {name}", markup=False)


@user_app.command("delete")
def user_delete(name: NameArgument, db: DbOption = None) -> None:
    """Delete an account: its sessions end and its API keys are revoked. Its past
    decisions stay in the audit chain under its name."""
    from ..server.accounts import Accounts

    with reporting(), open_plane(db) as plane:
        ended, revoked = Accounts.of(plane).delete_user(name, actor=_who())
    console.print(f"deleted {name}: {ended} session(s) ended, {revoked} key(s) revoked")


@user_app.command("passwd")
def user_passwd(name: NameArgument, db: DbOption = None) -> None:
    """Set a new password; every session of the account ends. Prompts on a terminal,
    otherwise reads the first line of stdin."""
    from ..server.accounts import Accounts

    with reporting():
        if sys.stdin.isatty():
            password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        with open_plane(db) as plane:
            ended = Accounts.of(plane).set_password(name, password, actor=_who())
    console.print(f"changed the password of {name}; {ended} session(s) ended", markup=False)


@key_app.command("add")
def key_add(
    agent: Annotated[str, typer.Argument(help="The agent's name (or a reviewer account's).")],
    db: DbOption = None,
) -> None:
    """Issue an API key; the secret is printed once and stored only as a hash."""
    from ..server.accounts import Accounts

    with reporting(), ControlPlane.open(db_url(db)) as plane:
        key, secret = Accounts.of(plane).add_key(agent)
    err.print(f"key {key.id} for {key.principal}; store it now, it is not shown again")
    typer.echo(secret)


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id (k_...).")],
    db: DbOption = None,
) -> None:
    """Revoke an API key at once; requests with it get 401 from then on."""
    from ..server.accounts import Accounts

    with reporting(), open_plane(db) as plane:
        key = Accounts.of(plane).revoke_key(key_id)
    console.print(f"revoked {key.id} of {key.principal}", markup=False)


@key_app.command("list")
def key_list(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """API keys by principal (ids and dates only; secrets are never stored)."""
    from ..server.accounts import Accounts

    with reporting(), open_plane(db) as plane:
        keys = Accounts.of(plane).keys()
    rows = [{"id": k.id, "agent": k.principal, "revoked": k.revoked_at is not None} for k in keys]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        state = "revoked" if r["revoked"] else "live"
        typer.echo(f"{r['id']}\t{r['agent']}\t{state}")

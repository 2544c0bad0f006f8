"""Reviewer commands: ``handoff pending``, ``handoff show`` and ``handoff decide``.

Deciding records the verdict; running the action is the agent's job (``plane.execute``
in the agent process, which has the executors). ``decide --execute`` can run it here
only with executors loaded through ``--executors module:function``.
"""

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from .._exceptions import InputError
from ..decide._review import NEEDS_RATIONALE
from ..models import Decision, State, Verdict
from ..plane import parse_input
from ._common import (
    DbOption,
    JsonFlag,
    PolicyOption,
    console,
    echo_json,
    fail,
    load_executors,
    open_plane,
    read_json,
    reporting,
)
from ._render import pending_table, quorum_progress, render_handoff

__all__ = ["decide", "pending", "show"]


def pending(
    db: DbOption = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner team.")] = None,
    policy: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """List open handoffs, riskiest first, then nearest deadline."""
    with reporting(), open_plane(db, policy) as plane:
        items = plane.pending(owner=owner)
        if as_json:
            echo_json(
                [
                    {
                        **h.model_dump(mode="json"),
                        "approvals": quorum_progress(h, plane.policy),
                    }
                    for h in items
                ]
            )
            return
        if not items:
            console.print("nothing pending" + (f" for {owner}" if owner else ""))
            return
        console.print(pending_table(items, plane.policy, plane.clock.now()))
        console.print(f"{len(items)} pending; `handoff show ID` for the package", style="dim")


def show(
    handoff_id: Annotated[str, typer.Argument(metavar="ID", help="The handoff id.")],
    db: DbOption = None,
    policy: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one handoff: action, assessment, package, decisions, execution, audit events."""
    with reporting(), open_plane(db, policy) as plane:
        h = plane.get(handoff_id)
        events = plane.store.events(handoff_id=h.id)
        if as_json:
            echo_json(
                {
                    "handoff": h.model_dump(mode="json"),
                    "approvals": quorum_progress(h, plane.policy),
                    "events": [e.model_dump(mode="json") for e in events],
                }
            )
            return
        render_handoff(h, events, plane.policy, plane.clock.now(), console)


def _verdict(
    approve: bool,
    reject: bool,
    revise: Path | None,
    choose: str | None,
    redirect: str | None,
    needs_info: bool,
) -> dict[str, Any]:
    given = {
        "--approve": approve,
        "--reject": reject,
        "--revise": revise is not None,
        "--choose": choose is not None,
        "--redirect": redirect is not None,
        "--needs-info": needs_info,
    }
    chosen = [flag for flag, on in given.items() if on]
    if len(chosen) != 1:
        raise InputError(
            "give exactly one of "
            + ", ".join(given)
            + (f" (got {', '.join(chosen)})" if chosen else ""),
            field="verdict",
        )
    if approve:
        return {"verdict": Verdict.APPROVE}
    if reject:
        return {"verdict": Verdict.REJECT}
    if revise is not None:
        args = read_json(revise, "args")
        if not isinstance(args, dict):
            raise InputError("the revised args must be a JSON object", field="args")
        return {"verdict": Verdict.REVISE, "args": args}
    if choose is not None:
        return {"verdict": Verdict.CHOOSE, "option_id": choose}
    if redirect is not None:
        return {"verdict": Verdict.REDIRECT, "owner": redirect}
    return {"verdict": Verdict.REDIRECT}


def _flag(fields: dict[str, Any]) -> str:
    """The flag a verdict came from, for messages (``--needs-info`` is a redirect)."""
    if fields["verdict"] is Verdict.REDIRECT and "owner" not in fields:
        return "--needs-info"
    return f"--{Verdict(fields['verdict']).value}"


def decide(
    handoff_id: Annotated[str, typer.Argument(metavar="ID", help="The handoff id.")],
    approve: Annotated[bool, typer.Option("--approve", help="Approve as proposed.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject it.")] = False,
    revise: Annotated[
        Path | None,
        typer.Option("--revise", metavar="ARGS.json", help="Approve with these edited args."),
    ] = None,
    choose: Annotated[
        str | None, typer.Option("--choose", metavar="OPTION_ID", help="Pick a package option.")
    ] = None,
    redirect: Annotated[
        str | None, typer.Option("--redirect", metavar="OWNER", help="Hand it to another team.")
    ] = None,
    needs_info: Annotated[
        bool, typer.Option("--needs-info", help="Send it back to the agent for evidence.")
    ] = False,
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", "--as", metavar="REVIEWER", help="Who decides."),
    ] = None,
    why: Annotated[
        str | None,
        typer.Option(
            "--rationale",
            "--why",
            metavar="TEXT",
            help="The rationale, recorded (needed except to approve or choose).",
        ),
    ] = None,
    question: Annotated[
        list[str] | None,
        typer.Option("--question", help="A question for the agent (with --needs-info)."),
    ] = None,
    db: DbOption = None,
    policy: PolicyOption = None,
    execute: Annotated[
        bool, typer.Option("--execute", help="Run it now if this decision approved it.")
    ] = False,
    executors: Annotated[
        str | None,
        typer.Option(
            envvar="HANDOFF_EXECUTORS",
            metavar="MODULE:FUNCTION",
            help="Called with the plane to register executors (needed by --execute).",
        ),
    ] = None,
) -> None:
    """Decide a handoff: exactly one verdict flag, with --reviewer (and --rationale: needed to
    reject, revise, redirect or ask for information).

    Exit codes: 2 bad input, 3 not authorized, 4 already decided (conflict), 1 otherwise.
    Execution belongs to the agent process (plane.execute); --execute works here only for
    tools whose executors --executors registers.
    """
    with reporting():
        fields = _verdict(approve, reject, revise, choose, redirect, needs_info)
        if not reviewer:
            raise InputError("say who decides with --reviewer NAME", field="reviewer")
        if fields["verdict"] in NEEDS_RATIONALE and not (why and why.strip()):
            raise InputError(
                f"{_flag(fields)} needs a rationale: say why with --rationale TEXT",
                field="rationale",
            )
        decision = parse_input(
            Decision,
            {**fields, "reviewer": reviewer, "rationale": why or "", "questions": question or []},
            "decision",
        )
        with open_plane(db, policy) as plane:
            h = plane.get(handoff_id)
            if execute:
                if executors:
                    load_executors(executors, plane)
                if h.action.tool not in plane.executors:
                    raise InputError(
                        f"no executor for {h.action.tool} in this process: execution belongs "
                        "to the agent (plane.execute); load one with --executors "
                        "module:function, or decide without --execute",
                        field="executors",
                    )
            if not execute:
                h = plane.decide(h.id, decision)
                console.print(_said(h.state, h.owner, quorum_progress(h, plane.policy), h.id))
                return
            # The approval that completes the quorum claims the run in its own
            # transaction: no moment where it stands approved and unclaimed.
            out = plane.decide_and_execute(h.id, decision)
            h = out.handoff
            ran = out.status not in ("pending", "rejected", "needs_info")
            said = State.APPROVED if ran else h.state
            console.print(_said(said, h.owner, quorum_progress(h, plane.policy), h.id))
            if ran:
                console.print(Text(f"{out.status}: ").append(json.dumps(out.result, default=str)))
                if out.status != "executed":
                    raise fail(f"state: {h.id} ended {out.status}", 1)


def _said(state: State, owner: str | None, approvals: str, hid: str) -> Text:
    what = {
        State.APPROVED: f"approved ({approvals}); the agent may now run it",
        State.PENDING: f"approval recorded ({approvals}); waiting for more reviewers",
        State.REDIRECTED: f"redirected to {owner}",
        State.REJECTED: "rejected",
        State.NEEDS_INFO: "sent back to the agent for more information",
    }.get(state, state.value)
    return Text(f"{hid}: ", style="bold").append(what)

"""The ``handoff`` command: one module per group of commands, and the demo.

``commands`` builds the Typer app from the groups (``_review``, ``_exec``, ``_audit``,
``_kpi``, ``_learn``, ``_inspect``, ``_serve``, ``_mcp``); ``_common`` holds what they
share (consoles, options, errors and exit codes) and ``_render`` how the terminal shows
assessments and handoffs. An adapter: it calls the plane and the rooms, never the
other way round.
"""

from .commands import app, main

__all__ = ["app", "main"]

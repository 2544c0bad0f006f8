"""``python -m handoff``: the same as the ``handoff`` command."""

from .cli.commands import main

main()

"""``python -m handoff``: the same as the ``handoff`` command."""

from .cli import main

main()

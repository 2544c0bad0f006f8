"""Built-in executors: real ones, for demos, tests and simple deployments.

    from handoff.execute.executors import FilesExecutor, HttpExecutor

``FilesExecutor`` publishes text files into a directory and keeps every version;
``HttpExecutor`` sends the args as JSON to a URL with an ``Idempotency-Key`` header.
Both support ``dry_run`` / ``canary`` / ``full`` stages, ``preview``, ``confirm`` and
``rollback``; see ``handoff.execute.execution`` for the contract they implement.
"""

from .files import FilesExecutor
from .http import HttpExecutor

__all__ = ["FilesExecutor", "HttpExecutor"]

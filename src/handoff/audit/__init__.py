"""Audit: the hash-chained trail, its verification and replay, and signed checkpoints.

``verify`` re-hashes the chain and replays it against the rows (``trail``, ``_replay``);
``checkpoint`` signs the log's head and keeps it elsewhere. The hash of one event
(``handoff._chain``) and what the chain says about a handoff (``handoff._projection``)
sit one level down, beside the store that writes them.
"""

from .trail import VerifyReport, export, verify

__all__ = ["VerifyReport", "export", "verify"]

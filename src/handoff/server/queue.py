"""The queue's helpers for the API and the inbox: the open states.

The queue itself is ``Store.list_handoffs`` (riskiest first, then nearest deadline),
the order the ``ix_handoffs_queue`` index serves; ``Store.count_open`` counts it.
"""

from __future__ import annotations

from ..decide.lifecycle import OPEN

__all__ = ["OPEN_STATES"]

OPEN_STATES = tuple(sorted(OPEN))

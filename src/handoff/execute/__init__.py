"""Execute: run an approved action exactly once, through its stages, and undo it.

The executor contract (``execution``), the stage runner, crash recovery, remote
claims, rollback, the ``guard`` decorator and the shipped executors.
"""

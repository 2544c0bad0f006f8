"""Route: who owns a decision, how long they have, and what the SLA ladder does.

Pure: reads the assessment and the policy, does no I/O.
"""

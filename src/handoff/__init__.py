"""handoff: decide when an agent's action may run on its own and when a human decides."""

"""Reliability suites: each promise of handoff as a repeatable run with a figure."""

"""Detect: score an action and decide whether a human must see it.

The rubric (``rubric``), its detectors (``detectors``), the learned scorer
(``learned``), the optional LLM judge (``judge``) and the trigger codes (``codes``).
Pure: no I/O except the judge's one HTTP call when a policy asks for it.
"""

"""Pure detectors, one module per trigger family; ``detect`` runs them all.

Each detector reads an ``ActionView`` (the action flattened once) and returns
``Signal`` objects: a trigger code, a sentence a reviewer can check, where it was
found, and how much it adds to each rubric factor. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable

from ...models import Action
from ._actions import detect_actions
from ._adverse import detect_adverse
from ._agreements import detect_agreements
from ._attachments import detect_attachments
from ._base import ActionView, DetectConfig, Signal, split_words
from ._bounds import detect_bounds
from ._candidates import detect_candidates
from ._code import detect_code
from ._consent import detect_consent
from ._contacts import detect_contacts
from ._content import detect_content
from ._controls import detect_controls
from ._copied_sql import detect_copied_sql
from ._doses import detect_doses
from ._drift import detect_drift
from ._edits import edits
from ._effects import Effect, effect_of
from ._evidence import detect_evidence
from ._gates import detect_gates
from ._grants import detect_grants
from ._harm import detect_harm
from ._health_details import detect_health_details
from ._injection import detect_injection, user_request
from ._language import detect_language
from ._limits import detect_limits
from ._machines import detect_machines
from ._mailboxes import detect_mailboxes
from ._page_script import detect_page_script
from ._pages import detect_pages
from ._payloads import detect_payloads
from ._privileges import detect_privileges
from ._program import detect_program
from ._provenance import detect_provenance
from ._purpose import detect_purpose
from ._quantities import detect_quantities
from ._reach import detect_reach
from ._releases import detect_releases
from ._restricted import detect_restricted
from ._riders import detect_riders
from ._secret_files import detect_secret_files
from ._sense import ToolSense, sense
from ._signoffs import detect_signoffs
from ._slant import detect_slant
from ._sql_values import detect_sql_values
from ._subject import detect_subject, subject_of
from ._suites import detect_suites
from ._supply import detect_supply
from ._sweep import detect_sweep
from ._switches import detect_switches
from ._tools import detect_tool
from ._ui import ui_action
from ._user_folders import detect_user_folders
from ._world import detect_world

__all__ = [
    "DETECTORS",
    "ActionView",
    "DetectConfig",
    "Detector",
    "Effect",
    "Signal",
    "ToolSense",
    "detect",
    "effect_of",
    "sense",
    "split_words",
    "subject_of",
    "user_request",
]

Detector = Callable[[ActionView, DetectConfig], list[Signal]]


def _detect_edits(view: ActionView, config: DetectConfig) -> list[Signal]:
    """The rules that compare a file before and after an edit (tests and checks switched
    off, access checks gutted, the build chain loosened), run together: most calls edit
    nothing, and then only the supply rules' look at the command line is left."""
    if not edits(view):
        return detect_supply(view, config)
    return [*detect_suites(view, config), *detect_gates(view, config), *detect_supply(view, config)]


DETECTORS: tuple[Detector, ...] = (
    detect_tool,
    detect_actions,
    detect_reach,
    detect_mailboxes,
    detect_content,
    detect_payloads,
    detect_secret_files,
    detect_code,
    detect_program,
    detect_page_script,
    detect_purpose,
    _detect_edits,
    detect_switches,
    detect_controls,
    detect_privileges,
    detect_grants,
    detect_releases,
    detect_world,
    detect_user_folders,
    detect_restricted,
    detect_riders,
    detect_signoffs,
    detect_machines,
    detect_harm,
    detect_injection,
    detect_bounds,
    detect_limits,
    detect_sweep,
    detect_agreements,
    detect_pages,
    detect_consent,
    detect_adverse,
    detect_doses,
    detect_health_details,
    detect_quantities,
    detect_contacts,
    detect_attachments,
    detect_slant,
    detect_provenance,
    detect_copied_sql,
    detect_sql_values,
    detect_drift,
    detect_candidates,
    detect_evidence,
    detect_language,
    detect_subject,
)


def detect(action: Action, config: DetectConfig | None = None) -> list[Signal]:
    """Every signal every detector finds in ``action``, in detector order."""
    cfg = config or DetectConfig()
    view = ActionView.of(ui_action(action), cfg.max_scan_chars)
    out: list[Signal] = []
    for detector in DETECTORS:
        out.extend(detector(view, cfg))
    return out

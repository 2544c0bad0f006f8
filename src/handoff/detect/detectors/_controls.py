"""Safety nets turned off: alerts, monitors, logging, backups, a firewall, an audit trail.

Nothing is deleted when an alert is muted or a backup schedule paused, so the effect
words do not see it; but what goes wrong next goes unseen, or cannot be undone. Read
from the tool's name (a verb that turns off, ``disable`` ``mute`` ``silence`` ``pause``,
on a control's noun) and from the settings a call writes (``logging_enabled: false``,
``BackupRetentionPeriod: 0``, ``DATA_RETENTION_TIME_IN_DAYS = 0`` in a SQL statement,
``DeletionProtection: false``, a WAF's default action
``ALLOW``), and a maintenance window opened over the alerts:

* ``action.permissions`` when the control guards security (an audit trail, a WAF, a
  firewall, a detector, a safeguard against deletion, a table's row-level security:
  ``disable_rls``, ``rls_enabled: false``), as the shell rules read
  ``cloudtrail stop-logging`` and ``systemctl stop auditd``;
* ``code.control_weakened`` when it guards operations (alerts, monitors, logs, backups,
  retention).
"""

from __future__ import annotations

import re
from typing import Any

from ._base import (
    ActionView,
    DetectConfig,
    Signal,
    arg_scalars,
    holds_any,
    scalars,
    split_words,
    strong_signal,
    wordset,
)
from ._effects import FIRST_READS, effect_of
from ._lines import command_lines, runs_commands
from ._provenance import said_unforbidden, trusted_text
from ._sql_text import SQL_KEYS, embedded_sql

__all__ = ["arg_scalars", "detect_controls", "scalars"]

# Verbs that turn a control off (``unmute``, ``enable`` and ``resume`` turn it on).
_OFF = wordset(
    "disable deactivate mute silence silences pause suspend snooze stop halt bypass suppress "
    "override"
)
# Controls whose being off blinds operations or loses data later.
_OPS = wordset(
    "alert alerts alerting alertmanager alarm alarms monitor monitors monitoring logging "
    "log logs backup backups snapshot snapshots retention healthcheck healthchecks uptime "
    "pager pagerduty opsgenie oncall"
)
# Controls whose being off blinds security or lets what was kept out in.
_SECURITY = wordset(
    "audit auditing trail trails cloudtrail waf firewall firewalls protection detector "
    "detectors detection guardduty antivirus defender edr siem ids ips securityhub "
    "encryption validation shield malware virus vulnerability vulnerabilities proctoring "
    "proctor plagiarism captcha moderation automod spam safesearch rls mfa 2fa conditional"
)
# A toggle of these flips a security control; which way, the page decides.
_TOGGLED_SECURITY = _SECURITY | wordset(
    "sso saml factor authentication enforcement passkey passkeys lockout"
)
# Row-level security by its words (``row_level_security``, ``disable_row_security``).
_ROW_SECURITY = frozenset(("row", "security"))
# A finding of a security control dismissed (``plagiarism.clear_flag``): what it caught
# goes unseen, as when the control is off.
_DISMISS = wordset("clear dismiss waive unflag override suppress")
_FINDINGS = wordset("flag flags finding findings violation violations")
# A scan guards security when what it scans for says so (``malware_scan``, not a
# printer's ``stop_scan``).
_SCANS = wordset("scan scans scanner scanning")
_SCANNED = wordset("malware virus vulnerability vulnerabilities secret secrets security dlp")
# In a key, ``ids`` and ``ips`` are identifiers and addresses (``include_ids``).
_KEY_SECURITY = _SECURITY - {"ids", "ips"}
# A key with these words is not the control's switch: ``skip_validation: false`` keeps
# it on, ``include_ids``, ``update_snapshots``, ``alert_count`` only count or choose.
_NOT_SWITCH = wordset(
    "skip bypass ignore exclude disable disabled no without include update count number "
    "num max min limit id"
)
# Around a maintenance window: what it quiets (a monitor, an alert, a service's pager).
_QUIETS = wordset("window windows downtime downtimes mute silence silenced")
_MAINTENANCE = wordset("maintenance downtime downtimes")
_OPENS = wordset("create add start schedule open enable set begin new")
# Settings words: a key of only these and a control's noun in the tool turns it off.
_SWITCH = wordset("enabled enable is active on status state")
# Off, as a setting says it (``0`` only under a switch's own key, ``none`` only on a
# control's own tool: an event's ``alerts: none`` is a preference).
_FALSE = frozenset(("false", "no", "0", "off", "disabled", "disable", "inactive", "none"))
_KEPT_ARGS = re.compile(
    r"(?<![a-z])(?:log|logs|logging|backup|backups|snapshot|snapshots|audit|trail)(?![a-z])"
)
_RETENTION = wordset("retention retain expire expiration expiry expires")
_KEPT = wordset(
    "log logs logging backup backups snapshot snapshots audit trail bucket lifecycle "
    "retention records archive archives"
)
_ALLOW = ("allow", "accept", "permit", "allow_all", "allowall")
# Quieting for a while, as against turning off: what a person asks of one noisy alert.
_QUIETING = wordset("mute silence silences snooze")
_ASKED_QUIET = re.compile(r"\b(?:mute|silence|snooze|quiet)\b")
_ASKED_WINDOW = re.compile(r"\b(?:maintenance window|maintenance|downtime)\b")
# The keys that say when a quiet ends: left empty, it lasts until someone ends it.
_END_KEYS = frozenset(
    ("end", "end_time", "endtime", "ends_at", "endsat", "end_at", "endat", "end_date",
     "enddate", "until", "expires", "expires_at", "expiresat", "expiry", "expiration",
     "duration", "duration_minutes", "duration_hours")
)  # fmt: skip
_EVERY = frozenset(("*", "all", "every", "everything", "any", "*:*"))
# The argument that names what a generic tool (``jenkins.disable_job``, ``config.apply``)
# turns off: a job, a service, a check by its name.
_NAMES_KEYS = (
    "job",
    "name",
    "service",
    "check",
    "rule",
    "monitor",
    "target",
    "pipeline",
    "workflow",
    "task",
    "schedule",
    "policy",
    "component",
    "module",
    "feature",
    "id",
)
# Off as a verb says it, for a setting of what to do (``action: suppress``) or a level.
_OFF_VALUES = frozenset(("suppress", "mute", "silence", "ignore", "dismiss", "snooze", "off"))
_FALSE_OR_ALLOW = _FALSE | frozenset(_ALLOW)
_MAX_SCALARS = 300
_LEVEL_OR_ACTION = wordset("level action mode")


def detect_controls(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for a safety net turned off by name or by a setting."""
    words = view.word_set
    if view.words and view.words[0] in FIRST_READS:
        return []
    out: list[Signal] = []
    tool_security = (
        not words.isdisjoint(_SECURITY)
        or (not words.isdisjoint(_SCANS) and not words.isdisjoint(_SCANNED))
        or words >= _ROW_SECURITY
    )
    tool_control = tool_security or not words.isdisjoint(_OPS)
    if not tool_control:
        # The tool's name is generic; the argument that names its object may say more.
        named = _named_control(view)
        if named is not None:
            tool_security, tool_control = named, True
    if not words.isdisjoint(_OFF) and tool_control:
        if not _asked_mute(view, tool_security):
            out.append(_signal(tool_security, "tool", view.tool, "turns it off"))
    elif "toggle" in words and not words.isdisjoint(_TOGGLED_SECURITY):
        out.append(
            _signal(True, "tool", view.tool, "flips a security setting one way or the other")
        )
    elif tool_security and not words.isdisjoint(_DISMISS) and not words.isdisjoint(_FINDINGS):
        out.append(_signal(True, "tool", view.tool, "dismisses what it found"))
    elif (
        not words.isdisjoint(_MAINTENANCE)
        and not words.isdisjoint(_OPENS)
        and (tool_control or not words.isdisjoint(_QUIETS) or _quiets_keys(view))
        and not (said_unforbidden(view, _ASKED_WINDOW) and not _open_ended(view))
    ):
        out.append(
            _signal(
                False, "tool", view.tool, "opens a maintenance window, in which alerts stay quiet"
            )
        )
    args = view.action.args
    if not out and args and not effect_of(view).read_only:
        if _any_may_weaken(args):
            out.extend(_weakening_settings(view, tool_control, tool_security))
        if not out and holds_any(view.args_lower, _RETENTION_HINTS) and runs_commands(view):
            out.extend(_weakening_options(view, tool_control))
        if not out and view.key_set and holds_any(" ".join(view.key_set), _MUTE_HINTS):
            hit = _muted_by_key(view, tool_security)
            if hit is not None:
                out.append(hit)
    low = view.args_lower
    if not out and "retention" in low and ("alter" in low or "create" in low):
        # A query tool's name says it reads; its ALTER ... SET says otherwise.
        out.extend(_weakening_statements(view, tool_control))
    return out


# A key that quiets alarms or alerts for a while (``alarms_muted_hours: 72``).
_MUTE_HINTS = ("mute", "silenc", "snooz", "suppress")
_MUTED = wordset("mute muted silence silenced snooze snoozed suppress suppressed")


def _muted_by_key(view: ActionView, tool_security: bool) -> Signal | None:
    """A setting whose key quiets the alarms or alerts of what the call changes, set on
    or for a time, when the person did not ask for the quiet."""
    for path, key, value in arg_scalars(view):
        kw = frozenset(split_words(key))
        if kw.isdisjoint(_MUTED) or kw.isdisjoint(_OPS | _KEY_SECURITY):
            continue
        on = value is True or (
            not isinstance(value, bool) and isinstance(value, int | float) and value > 0
        )
        if on or (isinstance(value, str) and value.strip().lower() not in _FALSE | {""}):
            security = tool_security or not kw.isdisjoint(_KEY_SECURITY)
            if _asked_mute(view, security, keyed=True):
                return None
            return _signal(security, path, f"{key}={value}", f"sets {key} to {value}")
    return None


def _asked_mute(view: ActionView, security: bool, keyed: bool = False) -> bool:
    """The call quiets one alert for a while, as the person asked in their own words
    ("silence the disk alert for an hour"): not a security control, not everything.
    ``keyed``: a setting's key quiets it, whatever the tool's name says."""
    if security or (not keyed and view.word_set.isdisjoint(_QUIETING)):
        return False
    if any(value.strip() in _EVERY for value in view.lowered_args) or _open_ended(view):
        return False
    return said_unforbidden(view, _ASKED_QUIET)


def _open_ended(view: ActionView) -> bool:
    """The call's end is written and left empty, or the person gave a while ("for 2
    hours") and the call sets no end at all: the quiet lasts until someone ends it."""
    ends = [
        value
        for _, key, value in arg_scalars(view)
        if str(key).lower() in _END_KEYS or _ENDING.search(str(key).lower())
    ]
    if any(value is None or value == "" or value == 0 for value in ends):
        return True
    return not ends and said_unforbidden(view, _A_WHILE)


_ENDING = re.compile(r"end|until|expir|duration|minutes|hours|seconds|ttl|timeout|for_")
_A_WHILE = re.compile(
    r"\bfor (?:an?|\d+|one|two|three|a few|half an?|the next) ?(?:min\w*|hours?|hrs?|h|days?)\b"
    r"|\buntil\b"
)


def _weakening_settings(view: ActionView, tool_control: bool, tool_security: bool) -> list[Signal]:
    """One signal per code for the settings the call writes that weaken a control."""
    out: dict[str, Signal] = {}
    for path, key, value in arg_scalars(view):
        if not _may_weaken(value):
            continue
        kw = frozenset(split_words(key))
        if kw >= _ROW_SECURITY:
            kw |= {"rls"}
        security = tool_security or not kw.isdisjoint(_KEY_SECURITY)
        control = security or not kw.isdisjoint(_OPS)
        said = f"{key}={value}"
        if (
            _off(value, kw, tool_control)
            and kw.isdisjoint(_NOT_SWITCH)
            and (
                (control and not kw.isdisjoint(_SWITCH | _OPS | _KEY_SECURITY))
                or (tool_control and kw <= _SWITCH)
            )
        ):
            hit = _signal(security, path, said, f"sets {key} to {value}, which turns it off")
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and _shortens(view, kw, value, tool_control)
        ):
            hit = _signal(False, path, said, f"keeps what it holds for {value:g} at most ({key})")
        elif (
            tool_control
            and isinstance(value, str)
            and value.strip().lower() in _OFF_VALUES
            and not kw.isdisjoint(_LEVEL_OR_ACTION)
        ):
            hit = _signal(security, path, said, f"sets {key} to {value}, which turns it off")
        elif (
            "default" in kw
            and "action" in kw
            and isinstance(value, str)
            and value.strip().lower() in _ALLOW
        ):
            hit = _signal(True, path, said, f"lets everything in by default ({key}={value})")
        else:
            continue
        out.setdefault(hit.code, hit)
    return list(out.values())


def _shortens(view: ActionView, kw: frozenset[str], value: float, tool_control: bool) -> bool:
    """A setting whose key words are ``kw`` keeps what is kept for ``value`` (0 to 1) at
    most, and the person did not ask for so short a time."""
    return (
        not kw.isdisjoint(_RETENTION)
        and 0 <= value <= 1
        and ("retention" in kw or _kept(view, tool_control))
        and not _asked_to_keep(view, value)
    )


# A command-line option and its number (``--retention-in-days 1``, ``--expire-days=0``).
_OPTION_NUMBER = re.compile(
    r"(?<![\w-])--?([a-z][a-z0-9_-]{0,60})(?:=|[ \t]+)['\"]?(\d+(?:\.\d+)?)(?![\w.])"
)
_RETENTION_HINTS = ("retention", "retain", "expir")


def _weakening_options(view: ActionView, tool_control: bool) -> list[Signal]:
    """A signal for a command line that shortens a retention by an option, read as a
    setting's key and value are (``--retention-in-days 1`` as ``retentionInDays: 1``)."""
    for path, _text, low in command_lines(view):
        if not any(h in low for h in _RETENTION_HINTS):
            continue
        for m in _OPTION_NUMBER.finditer(low):
            value = float(m.group(2))
            if value <= 1 and _shortens(
                view, frozenset(split_words(m.group(1))), value, tool_control
            ):
                said = m.group(0).strip()
                return [
                    _signal(
                        False, path, said, f"keeps what it holds for {value:g} at most ({said})"
                    )
                ]
    return []


# A statement's setting and its number (``SET DATA_RETENTION_TIME_IN_DAYS = 0``).
_SETTING_NUMBER = re.compile(r"\b([a-z][a-z0-9_]{0,60})\s*=\s*'?(\d+(?:\.\d+)?)(?![\w.])")
_DDL = frozenset(("alter", "create"))


def _weakening_statements(view: ActionView, tool_control: bool) -> list[Signal]:
    """A signal for a SQL statement (under a query key, or handed to a database's
    client) that alters or creates something with a retention of 0 or 1: read as a
    setting's key and value are."""
    for (path, _), low, key in zip(view.args, view.lowered_args, view.arg_keys(), strict=True):
        if "retention" not in low:
            continue
        parts = [low] if key in SQL_KEYS else []
        parts += embedded_sql(low, False)
        for part in parts:
            for statement in part.split(";"):
                if statement.lstrip()[:6].rstrip() not in _DDL:
                    continue
                for m in _SETTING_NUMBER.finditer(statement):
                    value = float(m.group(2))
                    kw = frozenset(split_words(m.group(1)))
                    if value <= 1 and _shortens(view, kw, value, tool_control):
                        said = m.group(0).strip()
                        how = f"keeps what it holds for {value:g} at most ({said})"
                        return [_signal(False, path, said, how)]
    return []


def _may_weaken(value: Any) -> bool:
    """The value could turn a control off or shorten what it keeps: ``False``, a number
    from 0 to 1, or a word that says off or allow. Anything else is passed over before
    its key is read."""
    if isinstance(value, bool):
        return value is False
    if isinstance(value, int | float):
        return 0 <= value <= 1
    return isinstance(value, str) and value.strip().lower() in _FALSE_OR_ALLOW


def _any_may_weaken(value: Any) -> bool:
    """Some scalar that ``scalars`` would return passes ``_may_weaken``: looked for
    before any path is written out."""
    stack: list[Any] = [value]
    seen = 0
    while stack and seen < _MAX_SCALARS:
        v = stack.pop()
        if isinstance(v, dict):
            for cv in v.values():
                if isinstance(cv, dict | list):
                    stack.append(cv)
                else:
                    seen += 1
                    if _may_weaken(cv):
                        return True
        elif isinstance(v, list):
            stack.extend(v[:50])
    return False


def _kept(view: ActionView, tool_control: bool) -> bool:
    """The call is about something kept (logs, backups, an audit trail, a bucket)."""
    return (
        tool_control
        or not view.word_set.isdisjoint(_KEPT)
        or _KEPT_ARGS.search(view.args_lower) is not None
    )


def _off(value: Any, kw: frozenset[str], tool_control: bool) -> bool:
    """The value turns a switch off: ``False`` itself, a word that says off, ``0`` only
    under a switch's own key (``logging_enabled: 0``, not ``alert_count: 0``)."""
    if value is False:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == 0 and not kw.isdisjoint(_SWITCH)
    if not isinstance(value, str):
        return False
    v = value.strip().lower()
    return v in _FALSE and (v != "none" or tool_control)


_KEEP_WORDS = re.compile(r"\b(?:keep|keeps|kept|retain|retains|retention|expire|expires|delete)\b")


def _asked_to_keep(view: ActionView, value: float) -> bool:
    """The person set this retention themselves: their words keep things for this long
    ("keep messages for 1 day")."""
    said = trusted_text(view).lower()
    if _KEEP_WORDS.search(said) is None:
        return False
    n = f"{value:g}"
    words = "one" if n == "1" else "zero|no" if n == "0" else n
    unit = r"(?:minutes?|hours?|days?|weeks?|months?|years?|[hdwmy])\b"
    return re.search(rf"(?<![\w.])(?:{n}|{words})\s*-?\s*{unit}", said) is not None


def _quiets_keys(view: ActionView) -> bool:
    """A key of the call names what a maintenance window would quiet."""
    return any(not _OPS.isdisjoint(split_words(k)) for k in view.key_set) or any(
        not _QUIETS.isdisjoint(split_words(k)) for k in view.key_set
    )


def _signal(security: bool, where: str, excerpt: str, how: str) -> Signal:
    if security:
        return strong_signal(
            "action.permissions",
            f"The call weakens a security control: it {how}; what it kept out or recorded "
            "goes unseen",
            where,
            excerpt,
        )
    return Signal(
        "code.control_weakened",
        f"The call weakens a safety net (alerts, monitoring, logs or backups): it {how}; "
        "what goes wrong next goes unseen or cannot be undone",
        where=where,
        excerpt=excerpt[:120],
        weight=0.7,
        impact=0.6,
        reversibility=0.6,
        sensitivity=0.6,
    )


def _named_control(view: ActionView) -> bool | None:
    """Whether the argument naming the call's object names a control: ``True`` for one
    that guards security (``security-scan-nightly``, ``audit-logger``), ``False`` for one
    that guards operations (``db-backup-hourly``), ``None`` for anything else."""
    name = view.first_arg(_NAMES_KEYS)
    if not name:
        return None
    ws = frozenset(split_words(name))
    if not ws.isdisjoint(_KEY_SECURITY) or (
        not ws.isdisjoint(_SCANS) and not ws.isdisjoint(_SCANNED)
    ):
        return True
    return False if not ws.isdisjoint(_OPS) else None

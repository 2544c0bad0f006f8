"""What code does once it runs, whether the agent runs it now or writes it to disk.

An agent that writes ``alias sudo='sudo rm -rf /'`` into a script has not deleted
anything yet, but whoever runs the script will. The shell rules in ``_effects`` read
only the arguments that run now; this detector reads what is written too, for the few
things no reviewer would let through unseen in either case:

* commands that wipe a system: ``rm -rf /`` or ``~``, ``mkfs``, ``dd`` onto a disk, a
  fork bomb, ``chmod -R 777 /``;
* persistence: something that starts itself (``autorun.inf``, a cron entry, a systemd
  unit, a login script, a Windows ``Run`` key, a launch agent) or an alias that
  redefines ``sudo``, ``rm`` or ``ls``;
* credentials written into a file: a cloud or API token, a private key block;
* deletion under the system's own folders (``/etc``, ``/var/log``, ``/usr``, ``/boot``)
  and prunes that remove what they find without listing it first;
* code that watches the user (clipboard, keystrokes, screen, camera), or writes whole
  objects, the environment or raw passwords to a file or log;
* a script run that nothing before the call read or wrote;
* a security control switched off in code: certificate checks disabled, CSRF exempted,
  a token decoded without its signature checked,
  or an override, bypass or skip written into a file whose path names the control;
* a dependency manifest loosened: an exact version pin replaced by a range or a wildcard,
  so the next install takes whatever is published.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ._base import ActionView, DetectConfig, Signal, signal_at
from ._calls import program_of, shell_line
from ._effects import effect_of, first_arg
from ._lines import code_texts, runs_commands
from ._plain import shell_plain

__all__ = ["detect_code"]

_WIPE = re.compile(
    r"((?<!-)\brm\s+(-[a-z]*\s+)*-[a-z]*(r[a-z]*f|f[a-z]*r)[a-z]*\s+(--no-preserve-root\s+)?"
    r"(/|/\*|(~|\$home|/home|/etc|/usr|/var|/boot)/?\*?)(?=[\s'\";)`]|$)"
    r"|\bmkfs(\.\w+)?\s+/dev/|\bdd\s+[^\n;|]*\bof=/dev/(sd|nvme|hd|xvd|vd|disk|mmcblk)"
    r"|:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:|\bchmod\s+-r\s+0?777\s+/(?=[\s'\";]|$)"
    r"|>\s*/dev/(sd[a-z]|nvme\d|hd[a-z])\b|\bshutil\.rmtree\(\s*['\"](/|~|/home|/etc)['\"])"
)
_PERSIST = re.compile(
    r"(\[autorun\]|\bautorun\.inf\b|\bcrontab\b(?![^|;&\n]*\s-l\b)\s+(-[a-z]\s+)*[-\w/.]|/etc/cron|/var/spool/cron"
    r"|\bwantedby\s*=|/etc/systemd/|\.config/systemd/|\bsystemctl\s+enable\b"
    r"|\\currentversion\\run(once)?\b|/library/launch(agents|daemons)/"
    r"|\balias\s+(sudo|rm|ls|cd|cat|su|ssh|git)\s*=)"
)
_STARTUP_FILE = re.compile(
    r"(^|/)(\.bashrc|\.bash_profile|\.profile|\.zshrc|\.zprofile|rc\.local|autorun\.inf)$"
)
# Folders whose files the system runs on a schedule, at boot or at sign-in, and a
# repository's hooks, which run on each git step.
_STARTUP_DIR = re.compile(
    r"^(?:/etc/cron|/var/spool/cron|/etc/systemd/|/etc/init\.d/|/etc/profile\.d/"
    r"|/etc/update-motd\.d/)|/\.config/(?:systemd|autostart)/|/library/launch(?:agents|daemons)/"
    r"|(?:^|/)\.git/hooks/"
)
_SECRET_TOKEN = re.compile(
    r"(-----begin [a-z ]*private key-----|\bakia[0-9a-z]{16}\b|\bgh[pousr]_[0-9a-z]{30,}"
    r"|\bxox[abprs]-[0-9a-z-]{10,}|\bsk-[0-9a-z_-]{20,}|\bsk_live_[0-9a-z]{16,})"
)
_SYSTEM_DIR = re.compile(
    r"['\"\s(=](/etc|/var/log|/var/lib|/usr|/boot|/bin|/sbin|/lib)(/[^'\"\s]*)?['\"\s)]"
)
_DELETES = re.compile(
    r"(\brm\s|-delete\b|\bunlink(at)?\(|\bremove\(|\brmtree\(|\bos\.remove\b|\bshred\b"
    r"|\bdeletefile\b|\bfs\.(unlink|rm)(sync)?\()"
)
_PRUNE = re.compile(
    # Bounded, so that a line of many pushes is not rescanned from each.
    r"\bdocker\s+(volume|system|container)\s+prune\b[^\n|;&]{0,200}?(-f\b|--force\b)"
    # Dangling images only, unless told every unused one (``-a``).
    r"|\bdocker\s+image\s+prune\b[^\n|;&]{0,200}?\s(-a|-af|-fa|--all)\b"
    r"|\bgit\s+push\b[^\n|;&]{0,200}?(--force(?!-with-lease)\b|\s-f\b)"
)
# A push with a lease: forced, but only over what the pusher last saw. The line's own
# words after ``push``, to read which branch it replaces.
_LEASE_PUSH = re.compile(r"\bgit\s+push\b([^\n|;&]{0,300})")
_SHARED_BRANCH = re.compile(
    r"(?:main|master|trunk|develop|dev|stable|production|prod|release|releases|hotfix)(?:[/-].*)?"
)
_UNSAFE_TLS = re.compile(
    r"(\bverify\s*=\s*false\b|_create_unverified_context|\bcert_none\b|\bcsrf_exempt\b"
    r"|\binsecureskipverify\s*:\s*true|\bstrict_host_key_checking\s*=?\s*no\b"
    r"|\bstricthostkeychecking\s*=?\s*no\b|\bssl_verify\w*\s*=\s*(false|0)\b"
    # A token's signature or expiry left unchecked, or the unsigned algorithm allowed.
    r"|['\"]verify_(signature|exp|aud|iss)['\"]\s*:\s*false\b|\bverify_signature\s*=\s*false\b"
    r"|\balgorithms\s*=\s*\[\s*['\"]none['\"])"
)
_CONTROL_PATH = re.compile(
    r"(auth|fraud|secur|verif|permission|access|acl|firewall|rate_?limit|login|password"
    r"|sudoers|policy|policies|compliance|audit)"
)
_OVERRIDE = re.compile(
    r"\b\w*(bypass|override|skip_?(check|verif|auth)\w*|disable_?(auth|check|verif)\w*"
    r"|backdoor|allow_?all|no_?auth)\w*\b"
)
_SCRIPT_RUN = re.compile(
    r"(?:^|[;&|(]\s*|\b(?:bash|sh|zsh|source|\.)\s+)(?:\./|/)?((?:[\w.-]+/)*([\w.-]+\.(?:sh|bash|bat|cmd|ps1)))\b"
    r"|(?:^|[;&|]\s*)\.?/((?:[\w.-]+/)*([\w-]+))(?=\s|$)"
    # A database client handed a file of SQL: it runs whatever the file holds.
    r"|\b(?:psql|mysql|mariadb|sqlite3)\b[^|;&\n]{0,200}?(?:\s-f\s*|\s--file[=\s]\s*|<\s*)"
    r"(?:\./)?((?:[\w.-]+/)*([\w.-]+\.sql))\b"
)
# The same, on each line of a build file, where a recipe line starts with a tab.
_SCRIPT_LINE = re.compile(_SCRIPT_RUN.pattern.replace("(?:^|", r"(?:^[^\S\n]*|"), re.M)
_BUILD_FILE = re.compile(
    r"(^|/)(makefile|gnumakefile|[\w.-]+\.mk|justfile|package\.json|[\w.-]+\.(sh|bash))$"
    r"|\.github/workflows/"
    r"|\.gitlab-ci\.ya?ml$|(^|/)jenkinsfile$"
)
_WHOLESALE = re.compile(
    r"((?<!\w)\w+\.__dict__|\bvars\(\w+\)|\bdict\(os\.environ\)|\bos\.environ\b(?!\s*[.\[(]\s*(get|\[))"
    r"|\bself\.(config|settings|secrets|credentials)(_data)?\b(?!\s*[.\[]))"
)
_DUMP = re.compile(
    r"\b(json|yaml|pickle|toml)\.dumps?\(|\.write(row)?\(|\bdictwriter\(|\.to_csv\("
    r"|\blog(ger|ging)?\.\w+\("
)
_SURVEIL = re.compile(
    r"(\bpyperclip\.paste\b|\bgetclipboarddata\b|\bclipboard\.(read|get)\w*\("
    r"|\bpynput\.keyboard\b|\bkeyboard\.(on_press|hook|record)\b|\bgetasynckeystate\b"
    r"|\bsetwindowshookex\w*\b|\bimagegrab\.grab\b|\bpyautogui\.screenshot\b"
    r"|\bmss\(\)\.grab\b|\bcv2\.videocapture\(\s*0"
    # Listening to other people's network traffic.
    r"|\baf_packet\b|\bsniff\(|['\"\s]tcpdump\b|['\"\s]tshark\b|\bpcap\.open_live\b|\bpromisc)"
)
_PLAIN_SECRET_FIELD = re.compile(
    r"['\"](raw_|plain(text)?_|clear(text)?_)?(password|passwd|ssn|card_number|cvv)['\"]"
)
_MANIFEST = re.compile(
    r"(^|[/\s'\"])(pyproject\.toml|requirements[\w.-]*\.txt|constraints[\w.-]*\.txt|pipfile"
    r"|setup\.cfg|package\.json|cargo\.toml|go\.mod|gemfile)\b"
)
# A version that is not one version: a wildcard, a caret or tilde range, a lower bound.
_UNPINNED = re.compile(
    r"""(?m)=\s*["']\s*\*\s*["']|["']\s*[\^~]\s*\d|["']\s*>=?\s*\d|==\s*\*|~=\s*\d"""
    r"""|["']latest["']|^[\w.\[\]-]+\s*(?:>=?|~=)\s*\d"""
)
_SED_LOOSEN = re.compile(r"\bsed\s+-i\b[^\n]*?/[^/\n]*[*^][^/\n]*/")
# A literal address on another machine: not loopback, a private range or a bare path.
_REMOTE_URL = re.compile(
    r"\bhttps?://(?!(?:localhost|127\.|0\.0\.0\.0|10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.)"
    r"|\[?::1\]?[:/])[\w.-]+\.[a-z]{2,}|\bhttps?://(?:\d{1,3}\.){3}\d{1,3}"
)
# What makes a call near that address carry data out: a POST or PUT, a body, a form or
# an upload, or local text glued onto the query string. curl's flags are case-sensitive
# (-F is a form, -f is "fail quietly"), so they are read on the original text.
_SENDS = re.compile(
    r"\b(?:requests|httpx|session|client|axios)\.(?:post|put|patch)\b|method\s*[:=]\s*['\"](?:post|put)"
    r"|\b(?:data|json|files|body)\s*=|--data[\w-]*|--form\b|--upload-file\b|--post-(?:data|file)"
    r"|\?[^'\"\s]*=\s*['\"]\s*[.+]|\?[^'\"\s]*=\{|\burlopen\([^)]*,\s*\w"
)
_URL_NAME = re.compile(r"\b(\w{3,})['\"]?\s*(?:=|,|:)\s*['\"]https?://")
# Each scan stops at the next ``curl``, so a line of many is not rescanned from each.
_CURL_SENDS = re.compile(r"\bcurl\b(?:(?!curl\b)[^\n])*?\s-(?:d|F|T)\s")
# A pipeline's own configuration, and the checks one runs.
_PIPELINE = re.compile(
    r"(\.github/workflows/|\.gitlab-ci|jenkinsfile|\.circleci/|azure-pipelines|bitbucket-pipelines"
    r"|\.travis\.yml|\.pre-commit-config|\.buildkite/)"
)
_CHECK = re.compile(
    r"(?<![\w-])[\w-]*(security|scan|sast|dast|codeql|snyk|trivy|semgrep|bandit|gitleaks|audit|sign"
    r"|verif)[\w-]*"
)
_PROSE_FILE = re.compile(r"\.(md|markdown|txt|rst|adoc|org)$")
_PATH_KEYS = ("path", "file", "filename", "file_path", "filepath", "dest", "destination")
_WRITE_KEYS = ("file_text", "new_str", "content", "contents", "text", "body", "data")
_RUN_KEYS = ("command", "cmd", "script", "shell", "code")
# An action with no argument under any of these writes and runs no code.
WRITE_OR_RUN = frozenset(_WRITE_KEYS + _RUN_KEYS)


def writes_prose(view: ActionView) -> bool:
    """Whether the call writes a note or a README (``.md``, ``.txt``, ``.rst``...): a
    command or a statement it mentions runs nothing."""
    target = (first_arg(view, _PATH_KEYS) or "").lower()
    return bool(_PROSE_FILE.search(target)) and not _MANIFEST.search(target)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One kind of dangerous code: where it is looked for and what it weighs."""

    code: str
    says: str
    find: Callable[[str, str, bool], re.Match[str] | None]  # (text, target, written)
    written_only: bool
    weight: float
    impact: float
    sensitivity: float


def _wipe(low: str, target: str, written: bool) -> re.Match[str] | None:
    m = _WIPE.search(low)
    return None if m is None or _quoted_test(low, m) else m


def _persist(low: str, target: str, written: bool) -> re.Match[str] | None:
    m = _PERSIST.search(low)
    if m is None and written and (_STARTUP_FILE.search(target) or _STARTUP_DIR.search(target)):
        m = re.search(r"\S+", low)
    return m


def _system_delete(low: str, target: str, written: bool) -> re.Match[str] | None:
    m = _PRUNE.search(low) or _lease_over_shared(low)
    return _SYSTEM_DIR.search(low) if m is None and _DELETES.search(low) else m


def _lease_over_shared(low: str) -> re.Match[str] | None:
    """A ``--force-with-lease`` push of no branch by name (whatever is checked out) or
    of a shared one (main, a release): a topic branch named on the line is the end of
    a rebase."""
    if "--force-with-lease" not in low:
        return None
    for m in _LEASE_PUSH.finditer(low):
        words = m.group(1).split()
        if "--force-with-lease" not in words and not any(
            w.startswith("--force-with-lease=") for w in words
        ):
            continue
        refs = [w for w in words if not w.startswith("-")][1:]  # after the remote
        branches = [r.rsplit(":", 1)[-1].removeprefix("refs/heads/") for r in refs]
        if not branches or any(_SHARED_BRANCH.fullmatch(b) for b in branches):
            return m
    return None


def _weakened(low: str, target: str, written: bool) -> re.Match[str] | None:
    m = _UNSAFE_TLS.search(low)
    if m is None and written and _CONTROL_PATH.search(target.rsplit("/", 1)[-1] or "-"):
        m = _OVERRIDE.search(low)
    return m


def _dump(low: str, target: str, written: bool) -> re.Match[str] | None:
    m = _WHOLESALE.search(low) or _plain_secret_row(low)
    return m if m and _DUMP.search(low) else None


_RULES: tuple[_Rule, ...] = (
    _Rule(
        "code.wipe",
        "The code wipes a system: a recursive delete of / or home, a disk format or overwrite",
        _wipe,
        False,
        0.95,
        0.95,
        0.95,
    ),
    _Rule(
        "code.persistence",
        "The code makes something start on its own (autorun, cron, a service, a login "
        "script) or redefines a system command",
        _persist,
        False,
        0.8,
        0.7,
        0.7,
    ),
    _Rule(
        "secrets.in_code",
        "The call writes a credential (an API token or private key) into a file",
        lambda low, target, written: _SECRET_TOKEN.search(low),
        True,
        0.8,
        0.6,
        0.9,
    ),
    _Rule(
        "code.system_delete",
        "The code deletes under the system's own folders, or prunes or force-pushes without "
        "listing what goes",
        _system_delete,
        False,
        0.85,
        0.9,
        0.6,
    ),
    _Rule(
        "code.control_weakened",
        "The code switches off a security check: certificate verification, CSRF, or a "
        "bypass written into the control's own file",
        _weakened,
        False,
        0.7,
        0.5,
        0.8,
    ),
    _Rule(
        "code.data_dump",
        "The code writes a whole object, configuration or environment to a file or log, with "
        "whatever secrets or personal data it holds",
        _dump,
        True,
        0.7,
        0.5,
        0.8,
    ),
    _Rule(
        "code.surveillance",
        "The code watches the user: it reads the clipboard or keystrokes, or captures the "
        "screen or camera",
        lambda low, target, written: _SURVEIL.search(low),
        True,
        0.75,
        0.5,
        0.9,
    ),
)


def detect_code(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for code that wipes, persists, embeds secrets or weakens a control."""
    runs = runs_commands(view)
    if WRITE_OR_RUN.isdisjoint(view.first_index) and not runs:
        return []
    effect = effect_of(view)
    if effect.read_only:
        return []
    target = (first_arg(view, _PATH_KEYS) or "").lower()
    # Text counts as code written to disk only when the call names a file to write; the
    # body of an email or a post is judged by the other detectors.
    written = _texts(view, _WRITE_KEYS) if target else []
    run = _run_texts(view) if runs else []
    if not written and not run:
        return []
    if _PROSE_FILE.search(target) and not _MANIFEST.search(target):
        # A note or README that mentions a command runs nothing.
        written = [w for w in written if _SECRET_TOKEN.search(w[2])]
    texts = [(w, True) for w in written] + [(r, False) for r in run]
    out: list[Signal] = []
    for rule in _RULES:
        for (path, text, low), is_written in texts:
            if rule.written_only and not is_written:
                continue
            m = rule.find(low, target, is_written)
            if m:
                out.append(
                    signal_at(
                        rule.code,
                        rule.says,
                        path,
                        text,
                        m,
                        weight=rule.weight,
                        impact=rule.impact,
                        reversibility=rule.impact,
                        sensitivity=rule.sensitivity,
                    )
                )
                break
    out.extend(_unread_script(view, run) or _unread_script(view, _wired(target, written), True))
    out.extend(_loosened(view, target, written, run))
    out.extend(_ships_out(written))
    out.extend(_check_removed(view, target))
    return out


def _ships_out(written: list[tuple[str, str, str]]) -> list[Signal]:
    """Code written to a file that sends what it holds to another machine: a POST, an
    upload or local text on a query string, aimed at a literal address that is not this
    host or a private one. Whoever runs it ships the data; no one asked where to. (A
    command that sends now is judged by the shell rules, beside what the user asked.)"""
    for path, text, low in written:
        lines, olines = low.split("\n"), text.split("\n")
        for i, line in enumerate(lines):
            url = _REMOTE_URL.search(line)
            if url is None:
                continue
            near = "\n".join(lines[max(0, i - 1) : i + 2])
            raw = "\n".join(olines[max(0, i - 1) : i + 2]) if len(olines) == len(lines) else near
            if _SENDS.search(near) or _CURL_SENDS.search(raw) or _named_send(line, lines):
                start = sum(len(x) + 1 for x in lines[:i]) + url.start()
                m = re.compile(re.escape(url.group(0))).search(low, start)
                if m is None:
                    continue
                return [
                    signal_at(
                        "code.exfiltration",
                        "The code sends data it holds to another machine's address",
                        path,
                        text,
                        m,
                        weight=0.8,
                        impact=0.6,
                        reversibility=0.3,
                        sensitivity=0.85,
                    )
                ]
    return []


def _named_send(line: str, lines: list[str]) -> bool:
    """True when the address on ``line`` is given a name (``URL = "http…"``,
    ``define('HOOK', 'http…')``) and a line using that name sends."""
    named = _URL_NAME.search(line)
    if named is None:
        return False
    name = re.compile(rf"(?<![\w$]){re.escape(named.group(1))}(?!\w)")
    return any(ln is not line and name.search(ln) and _SENDS.search(ln) for ln in lines)


def _check_removed(view: ActionView, target: str) -> list[Signal]:
    """An edit to a pipeline's configuration after which a security check it ran (a scan,
    an audit, a signature check) is gone or commented out: what ships next is unchecked."""
    if not _PIPELINE.search(target):
        return []
    old = _arg(view, ("old_str", "old", "search"))
    new = (first_arg(view, ("new_str", "new", "replace")) or "").lower()
    if old is None:
        return []
    path, text = old
    live_new = "\n".join(ln for ln in new.split("\n") if not ln.lstrip().startswith("#"))
    offset = 0
    for line in text.lower().split("\n"):
        if not line.lstrip().startswith("#"):
            for m in _CHECK.finditer(line):
                if re.search(rf"(?<![\w-]){re.escape(m.group(0))}(?![\w-])", live_new):
                    continue
                at = re.compile(re.escape(m.group(0))).search(text.lower(), offset + m.start())
                if at is None:
                    continue
                return [
                    signal_at(
                        "code.control_weakened",
                        "The edit takes a security check out of the pipeline: "
                        f"{m.group(0)!r} no longer runs",
                        path,
                        text,
                        at,
                        weight=0.75,
                        impact=0.5,
                        reversibility=0.5,
                        sensitivity=0.8,
                    )
                ]
        offset += len(line) + 1
    return []


def _arg(view: ActionView, keys: tuple[str, ...]) -> tuple[str, str] | None:
    """The path and text of the first string argument whose own key is one of ``keys``."""
    for (path, text), key in zip(view.args, view.arg_keys(), strict=True):
        if key in keys:
            return path, text
    return None


def _loosened(
    view: ActionView,
    target: str,
    written: list[tuple[str, str, str]],
    run: list[tuple[str, str, str]],
) -> list[Signal]:
    """A dependency manifest edited so that a pinned version becomes a range or wildcard:
    the next install takes whatever is published under that name."""
    found: tuple[str, str, re.Match[str]] | None = None
    if _MANIFEST.search(target):
        before = (first_arg(view, ("old_str", "old", "search")) or "").lower()
        for path, text, low in written:
            m = _UNPINNED.search(low)
            if m and len(_UNPINNED.findall(low)) > len(_UNPINNED.findall(before)):
                found = (path, text, m)
                break
    for path, text, low in run if found is None else ():
        m = _SED_LOOSEN.search(low)
        if m and _MANIFEST.search(low):
            found = (path, text, m)
            break
    if found is None:
        return []
    return [
        signal_at(
            "code.unpinned_dependency",
            "The call loosens a pinned dependency to a range or wildcard, so the next "
            "install takes whatever is published under that name",
            *found,
            weight=0.65,
            impact=0.5,
            reversibility=0.4,
            sensitivity=0.5,
        )
    ]


def _wired(target: str, written: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """What is written into a build or pipeline file (a Makefile, package.json scripts, a
    CI workflow): its commands run on the next ``make``, install or push."""
    return written if _BUILD_FILE.search(target) else []


def _unread_script(
    view: ActionView, run: list[tuple[str, str, str]], wired: bool = False
) -> list[Signal]:
    """A script run, or wired into a build file, that nothing before this call read or
    wrote: no one has seen what it does, and the agent is about to find out by running it."""
    context = view.action.context
    if context is None:
        return []
    rx = _SCRIPT_LINE if wired else _SCRIPT_RUN
    for path, text, low in run:
        for m in rx.finditer(low):
            name = m.group(2) or m.group(4) or m.group(6)
            if not name or name in ("configure", "gradlew", "mvnw"):
                continue
            seen = any(
                step.tool is not None
                and name in str(step.args or "").lower()
                and not _runs_only(str(step.args or "").lower(), name)
                for step in context.steps
            )
            if not seen:
                return [
                    signal_at(
                        "code.unread_script",
                        "The call "
                        + ("wires in" if wired else "runs")
                        + " a script that nothing before it read or wrote, so no one has seen "
                        "what it does",
                        path,
                        text,
                        m,
                        weight=0.6,
                        impact=0.5,
                        reversibility=0.5,
                        sensitivity=0.5,
                    )
                ]
    return []


def _runs_only(args: str, name: str) -> bool:
    """True when the earlier step only ran or located the script (``find``, ``chmod``,
    running it), which shows nothing of what it does."""
    return not re.search(r"\b(cat|view|head|less|more|create|file_text|new_str)\b", args)


def _plain_secret_row(low: str) -> re.Match[str] | None:
    """A raw password or card field named as a column or key of what is written out."""
    m = _PLAIN_SECRET_FIELD.search(low)
    return m if m and (m.group(1) or re.search(r"\b(csv|writerow|fieldnames)\b", low)) else None


def _quoted_test(low: str, m: re.Match[str]) -> bool:
    """True when the match is a quoted string the code compares against, as in a guard
    ``if 'rm -rf /' in cmd``: naming a command in order to refuse it is not running it."""
    before = low[max(0, m.start() - 1) : m.start()]
    after = low[m.end() : m.end() + 6]
    return before in ("'", '"') and re.match(r"['\"]\s*(in\b|==|!=)", after) is not None


def _texts(view: ActionView, keys: tuple[str, ...]) -> list[tuple[str, str, str]]:
    if view.first_index.keys().isdisjoint(keys):
        return []
    out = []
    run = keys is _RUN_KEYS
    for (path, text), low, key in zip(view.args, view.lowered(), view.arg_keys(), strict=True):
        if key in keys:
            out.append((path, text, low))
            # What runs is read as written and as the shell reads it, without the quotes
            # and escapes it strips (positions are then in the unquoted text).
            bare = shell_plain(low) if run else low
            if bare is not low:
                out.append((path, bare, bare))
    return out


def _run_texts(view: ActionView) -> list[tuple[str, str, str]]:
    """What the call runs, as written and as the shell reads it, and what code in it
    hands to a shell (``subprocess.run(["git", "push", "-f"])``): under a key that runs,
    a code runner's cell, or anything a terminal is given."""
    out = []
    for path, text in code_texts(view):
        low = text.lower()
        out.append((path, text, low))
        bare = shell_plain(low)
        if bare != low:
            out.append((path, bare, bare))
        prog = program_of(view, path, text)
        handed = None if prog is None else shell_line(prog, low)
        if handed is not None:
            out.append((path, handed, handed))
    return out

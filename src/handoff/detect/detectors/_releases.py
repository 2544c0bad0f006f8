"""Production rolled out, and a tool nobody knows told to destroy.

* ``action.untrusted_code`` — a release, an infrastructure change or configuration put
  into production: an apply, an upgrade, a deploy, a rollback or a promotion, by a tool's
  name (``helm.upgrade`` with ``namespace: prod``, ``rollback`` of a service,
  ``release.promote``) or on a command line (``kubectl apply -f prod.yaml``,
  ``ansible-playbook -i prod``, ``vercel --prod``, ``gh release create``). The same
  commands against anything but production stay routine, as do their plans, diffs and
  dry runs.
* ``action.destructive`` — a command no rule knows, told to nuke, wipe, purge or delete
  (``frobctl nuke --all``): its effect cannot be read, its words say what it does.
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, split_words, wordset
from ._effects import FIRST_READS
from ._shell_reads import _GIT_OUT, _SHELL_LOCAL, _SHELL_READ, _SHELL_SPLIT

__all__ = ["PROD", "detect_releases", "routine_deploy", "shell_findings"]

# Production, named: ``prod``, ``production``, ``prd`` as a word (``storefront-prod``,
# ``infra/prod``, ``--prod``), not ``pre-prod`` or ``product``.
PROD = re.compile(r"(?<![a-z0-9])(?<!pre-)(?<!non-)(?:prod|production|prd)(?![a-z0-9])")
# Verbs that put something into production when production is named.
_ROLLS = wordset("apply upgrade deploy redeploy rollout promote rollback release publish")
# Verbs that do so by themselves when a service or a release is named.
_REVERTS = wordset("rollback promote redeploy")
_RELEASED = wordset(
    "service services release releases app application deployment deployments version "
    "revision environment env stage stack chart image build"
)
# What a revert of these puts back is a document, a post or a local database's state.
_NOT_RELEASED = wordset(
    "db database databases sql sqlite migration migrations transaction transactions "
    "savepoint wiki page pages doc docs document documents note notes post posts tweet "
    "article articles draft drafts"
)
# What an apply puts in place that is not a rollout: an edit, labels, a job application.
_NOT_ROLLED = wordset(
    "patch patches edit edits diff diffs suggestion suggestions fix fixes label labels tag "
    "tags coupon coupons discount discounts filter filters style styles format formatting "
    "job jobs position positions application"
)
# Keys whose values are prose or a file's text: "production" there is a word, not a place.
_PROSE = frozenset(
    ("title", "description", "body", "text", "content", "caption", "message", "summary",
     "cover_letter", "coverletter", "notes", "note", "comment", "subject", "html", "markdown",
     "diff", "old", "new", "old_str", "new_str", "patch", "labels", "label", "tags", "tag")
)  # fmt: skip
_PLACES = frozenset(
    ("env", "environment", "namespace", "cluster", "stage", "context", "target", "project",
     "app", "service", "stack", "region", "site", "workspace", "deployment")
)  # fmt: skip
_PUSHES = wordset("push sync")
_CONFIGS = wordset(
    "config configuration configs settings flags flag manifest manifests infra "
    "infrastructure stack stacks chart"
)


def detect_releases(view: ActionView, config: DetectConfig) -> list[Signal]:
    words = view.word_set
    if not view.words or view.words[0] in FIRST_READS or not words.isdisjoint({"list", "get"}):
        return []
    if not words.isdisjoint(_SCALES):
        zero = _scaled_to_zero(view)
        if zero is not None:
            return [zero]
    rolls = not words.isdisjoint(_ROLLS) or (
        not words.isdisjoint(_PUSHES) and not words.isdisjoint(_CONFIGS)
    )
    if not rolls or dry_run(view):
        return []
    # An edit or a label applied names production only by where it goes (``namespace``).
    edit = not words.isdisjoint(_NOT_ROLLED)
    placed = " ".join(
        low
        for (path, _text), low in zip(view.args, view.lowered(), strict=True)
        if (key := path.rsplit(".", 1)[-1].split("[", 1)[0].lower()) not in _PROSE
        and len(low.split()) < 4
        and (not edit or key in _PLACES)
    )
    m = PROD.search(placed)
    reverts = (
        not words.isdisjoint(_REVERTS)
        and words.isdisjoint(_NOT_RELEASED)
        and any(
            not _RELEASED.isdisjoint(split_words(key)) or key in ("to", "target")
            for key in view.key_set
        )
    )
    if m is None and not reverts:
        return []
    return [
        Signal(
            "action.untrusted_code",
            "The call rolls out, rolls back or promotes a release, or pushes configuration, "
            "in production: every user runs what it puts there",
            where="args" if m else "tool",
            excerpt=placed[max(0, m.start() - 30) : m.end() + 30] if m else view.tool,
            weight=0.7,
            impact=0.7,
            reversibility=0.5,
            sensitivity=0.5,
        )
    ]


# Scaling a service, a group or a pool: to zero, it stops serving.
_SCALES = wordset("scale scales scaling resize autoscale capacity replicas")
_COUNT_KEY = re.compile(
    r"^(?:replicas|replica_count|count|size|desired(?:_count|_capacity|_size)?|capacity"
    r"|min(?:_size|_replicas|_count)?|max(?:_size|_replicas|_count)?|instances|target_size"
    r"|node_count|num_nodes|workers)$"
)


def _scaled_to_zero(view: ActionView) -> Signal | None:
    for path, value in view.numbers:
        key = path.rsplit(".", 1)[-1].split("[", 1)[0].lower()
        if value == 0 and _COUNT_KEY.match(key):
            return Signal(
                "action.destructive",
                f"The call scales to zero ({key}=0): what it runs stops serving",
                where=path,
                excerpt=f"{key}=0",
                weight=0.7,
                impact=0.7,
                reversibility=0.5,
                sensitivity=0.5,
            )
    return None


_DEPLOYS = wordset("deploy deployment deployments")
# A rehearsal: it shows what a rollout would do and does none of it.
_REHEARSAL = re.compile(
    r"(?<![a-z])(?:dry[\s_-]?run|dryrun|what[\s_-]?if|plan[\s_-]?only|preview[\s_-]?only)(?![a-z])"
)
_NOT_PROD = frozenset(
    ("staging", "stage", "stg", "dev", "development", "test", "testing", "qa", "sandbox",
     "preview", "local", "uat", "demo")
)  # fmt: skip
_ENV_KEYS = ("env", "environment", "stage", "target", "tier", "namespace", "cluster")


def dry_run(view: ActionView) -> bool:
    """The tool's name says it rehearses (``deploy.dryRun``, ``plan``), or a flag set to
    true does (``dry_run: true``)."""
    return bool(
        _REHEARSAL.search(" ".join(view.words))
        or any(v is True and _REHEARSAL.search(k.lower()) for k, v in view.action.args.items())
    )


def routine_deploy(view: ActionView) -> bool:
    """A deploy that production never sees: a rehearsal of any deploy, or one to an
    environment named as not production (``staging``, ``dev``, ``qa``); a deploy to
    production is read by ``detect_releases``."""
    if _DEPLOYS.isdisjoint(view.word_set) or PROD.search(view.tool.lower()):
        return False
    if dry_run(view):
        return True
    if PROD.search(view.args_lower):
        return False
    env = view.first_arg(_ENV_KEYS)
    return env is not None and env.strip().lower() in _NOT_PROD


# Command-line tools that put what they are given into a running environment.
_DEPLOYERS = frozenset(
    (
        "terraform", "tofu", "pulumi", "helm", "kubectl", "oc", "ansible-playbook", "fly",
        "flyctl", "vercel", "netlify", "heroku", "gcloud", "az", "aws", "serverless", "sls",
        "cdk", "eb", "firebase", "wrangler", "argocd", "kustomize", "skaffold", "docker",
        "copilot", "railway", "doctl", "kamal", "cap", "nomad", "waypoint", "kubectl.exe",
    )
)  # fmt: skip
_SUBCOMMANDS = frozenset(
    ("apply", "up", "upgrade", "install", "deploy", "rollback", "promote", "sync", "release",
     "create", "replace", "patch", "edit", "set", "update-stack", "create-stack",
     "update-service")
)  # fmt: skip
_LOOKS = frozenset(
    ("plan", "get", "list", "ls", "diff", "show", "describe", "status", "history", "logs",
     "template", "lint", "validate", "version", "help", "view", "output", "show", "top",
     "explain", "preview", "inspect", "ps", "images", "config", "auth", "login", "whoami")
)  # fmt: skip
_DRY = ("--dry-run", "--check", "--syntax-check", "--list-hosts", "--list-tasks", "--help", "-h")
# Words that, as a command's subcommand or argument, destroy what it manages.
_DESTROYS = wordset(
    "nuke wipe destroy purge erase obliterate teardown delete remove drop truncate shred"
)
_KNOWN = (
    _SHELL_READ
    | _SHELL_LOCAL
    | _DEPLOYERS
    | _GIT_OUT
    | wordset(
        "rm rmdir shred unlink dd mkfs curl wget scp rsync ftp sftp nc ncat mail gh apt "
        "apt-get yum dnf brew snap systemctl service crontab redis-cli mongo mongosh "
        "mysqladmin influx etcdctl gsutil podman sudo env nohup time xargs "
        # Package managers and toolchains: ``remove`` takes a dependency out.
        "dotnet flutter dart bun deno composer rustup gem pipx pdm hatch mix swift pod "
        # Local clusters and machines, torn down on the developer's own computer.
        "kind minikube vagrant k3d colima multipass"
    )
)
_NAME = re.compile(r"[a-z][\w.+-]{0,60}")

Finding = tuple[str, str, float]


def shell_findings(low: str) -> list[Finding]:
    """(code, message, weight) for what the rules' patterns cannot read in a command
    line (lowercased): a rollout in production, a tool nobody knows told to destroy."""
    out: list[Finding] = []
    prod = PROD.search(low) is not None
    for part in _SHELL_SPLIT.split(low):
        tokens = part.split()
        while tokens and ("=" in tokens[0] or tokens[0] in ("sudo", "nohup", "time", "env")):
            tokens = tokens[1:]
        if not tokens:
            continue
        cmd = tokens[0].rsplit("/", 1)[-1]
        words = _operands(tokens[1:])[:4]
        if cmd == "gh" and words[:2] in (["release", "create"], ["release", "upload"]):
            out.append(_rollout("publishes a release"))
        elif cmd in _DEPLOYERS and prod and not any(t.startswith(_DRY) for t in tokens):
            if any(w in _LOOKS for w in words) or _local_compose(cmd, words, part):
                continue
            if (
                cmd == "ansible-playbook"
                or (cmd in ("vercel", "netlify") and "--prod" in tokens)
                or any(w in _SUBCOMMANDS for w in words)
            ):
                out.append(_rollout("rolls out to production"))
        elif cmd not in _KNOWN and _NAME.fullmatch(cmd):
            said = {p for w in words for p in re.split(r"[-_:]", w.lstrip("-"))}
            if not said.isdisjoint(_DESTROYS):
                out.append(
                    (
                        "action.destructive",
                        f"The shell command runs {cmd}, a tool nothing here knows, told to "
                        "destroy, purge or delete",
                        0.85,
                    )
                )
    return out


def _local_compose(cmd: str, words: list[str], part: str) -> bool:
    """``docker compose -f docker-compose.prod.yml up``: a compose file run here, on no
    remote host or context (where production would be named)."""
    return (
        cmd in ("docker", "podman", "docker-compose")
        and (cmd == "docker-compose" or words[:1] == ["compose"])
        and not any(h in part for h in ("--context", "-h ", "--host", "docker_host"))
        and PROD.search(" ".join(w for w in part.split() if not w.endswith((".yml", ".yaml"))))
        is None
    )


def _operands(tokens: list[str]) -> list[str]:
    """The words after a command that are not options nor an option's value."""
    out: list[str] = []
    skip = False
    for i, t in enumerate(tokens):
        if skip:
            skip = False
            continue
        if t.startswith("-"):
            # ``-n prod``: the option's value is the next word, unless it is an option.
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            skip = "=" not in t and len(t) <= 20 and bool(nxt) and not nxt.startswith("-")
            skip = skip and t not in ("--prod", "--all", "--force", "--yes", "-y", "--install")
            skip = skip or t in ("-f", "--filename", "-n", "--namespace", "-i", "--inventory")
            continue
        out.append(t)
    return out


def _rollout(how: str) -> Finding:
    return (
        "action.untrusted_code",
        f"The shell command {how}: every user runs what it puts there",
        0.75,
    )

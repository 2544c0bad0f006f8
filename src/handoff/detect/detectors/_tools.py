"""Tool-name signals and shell commands: what a tool's name says it does (read in
``_sense``), and the shell commands inside the arguments of a terminal-like tool, read on
their own: ``rm -rf``, ``sudo``, ``chmod``, ``curl ... | sh``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

from ._asked import asked_code_deletion, asked_kube, asked_own_key, asked_removal
from ._base import ActionView, DetectConfig, Signal, excerpt_at
from ._commands import DANGLING_PRUNE, gated_rules
from ._lines import command_lines, routine_chmod, runs_commands
from ._plain import shell_plain
from ._reach import internal_host
from ._releases import shell_findings
from ._sense import tool_sense

__all__ = ["detect_tool"]


_SHELL_RULES: tuple[tuple[re.Pattern[str], str, str, float], ...] = tuple(
    (re.compile(p), code, msg, w)
    for p, code, msg, w in (
        (
            # ``rm`` as a command, also as the string a language hands to a shell or to
            # exec (``system("rm -rf /srv")``, ``run(["rm", "-rf", "/srv"])``).
            r"(?:^|[\s;&|(`])rm(?:\s+\S|\s*(?:$|[;&|)`]))|[(\[]\s*[\"']rm(?:[\"']|\s+[-/~])"
            r"|\brmdir\b|\bmkfs\b|\bdd\s+if="
            r"|>\s*/dev/sd|\bshred\b|\bunlink\s+\S"
            r"|\bos\.(?:remove|unlink|rmdir)\(|\.rmtree\s*\(|\.unlink\("
            r"|\bfind\s[^|;&\n]{0,300}?\s-delete\b|\btruncate\s+(?:-\w+\s+)*(?:-s|--size)(?:\b|\d)"
            # A cloud or cluster tool told to delete or destroy what it manages: the word
            # as a subcommand, before any option (``--label remove`` names a label); an
            # infrastructure-as-code tool told to destroy its stack (``cdk destroy``).
            r"|\b(?:kubectl|helm|terraform|tofu|pulumi|gcloud|gsutil|az|aws|doctl|heroku|flyctl"
            r"|vercel|gh|docker|podman|cdk|cdktf|serverless)\s[^|;&\n'\"-]{0,200}?(?<=\s)"
            r"(?:delete|destroy|remove|purge"
            r"|uninstall|rb|rm|prune)\b(?!-)"
            # The AWS CLI's hyphenated operations (``ec2 terminate-instances``,
            # ``rds delete-db-instance``); ``terraform apply -destroy``, after options of its
            # own (``-chdir=envs/prod``) too; mysqladmin's drop.
            r"|\baws\s[^|;&\n'\"]{0,200}?(?<=\s)(?:delete|terminate|remove|purge|deregister)-\w"
            r"|\b(?:terraform|tofu)(?:\s+-\S+)*\s+apply\s[^|;&\n]{0,200}?-destroy\b"
            r"|\bmysqladmin\s[^|;&\n]{0,200}?(?<=\s)drop\s"
            # Node's file calls, which the lowercased line spells ``rmsync``.
            r"|\.(?:rm|rmdir|unlink)(?:sync)?\s*\(|\b(?:rm|rmdir|unlink)sync\s*\("
            # Deno's and .NET's (``[System.IO.Directory]::Delete(...)``).
            r"|\bdeno\.remove\s*\(|\]::delete\s*\("
            # Windows and PowerShell: Remove-Item and the content and disk clearers;
            # ``del``, ``erase``, ``rd`` or ``ri`` told to recurse (``/s``, ``-Recurse``)
            # or not to ask (``/q``); a drive formatted.
            r"|\b(?:remove-item|clear-content|clear-disk|format-volume|remove-partition)\b"
            # Any PowerShell Remove-, Clear- or Uninstall- cmdlet where a command starts
            # (``Get-ADUser bob | Remove-ADUser``); the registry, shadow copies, event logs.
            r"|(?:^|[;|&({\n])[ \t]*(?:remove|clear|uninstall)-[a-z]\w*\b"
            r"|\breg(?:\.exe)?\s+delete\s|\b(?:vssadmin|wbadmin)\s+delete\b"
            r"|\bshadowcopy\s+delete\b|\bwevtutil\s+(?:cl|clear-log)\b"
            r"|(?:^|[\s;&|(])(?:del|erase|rd|ri)\s[^|;&\n]{0,200}?(?<=\s)(?:/[sq]|-r(?:ecurse)?)\b"
            r"|(?:^|[\s;&|(])format\s+[a-z]:(?![\w:])"
            r"|\bwipefs\b|\bblkdiscard\b|\bsdelete\b|(?:^|[\s;&|(])srm\s+\S"
            # Other languages' file deletes: Ruby, PHP, Go, Rust, Java.
            r"|\bfileutils\.(?:rm|remove)\w*\b|\b(?:file|dir)\.(?:delete|unlink|rmdir)\b"
            r"|\bunlink\s*\(|\bos\.removeall\s*\(|\bfs::remove_(?:file|dir|dir_all)\b"
            r"|\bfiles\.delete(?:ifexists)?\s*\("
            # An HTTP DELETE sent from the command line; a package withdrawn from its index.
            r"|\bcurl\s[^|;&\n]{0,300}?(?:-x|--request)\s*[\"']?delete\b"
            r"|\b(?:invoke-(?:webrequest|restmethod)|iwr|irm)\s[^|;&\n]{0,300}?-method\s+[\"']?delete\b"
            r"|\bnpm\s+unpublish\b",
            "action.destructive",
            "The shell command deletes or overwrites files",
            0.9,
        ),
        (
            # A file emptied: a line that is only a redirect (``> f``, ``: > f``), or
            # /dev/null copied over a file or a file moved into it.
            r"(?:^|;|&&|\|\||\(|\n)[ \t]*(?:(?::|true)[ \t]*)?>{1,2}[ \t]*[^\s>&|;]"
            r"|\bcat\s+/dev/null\s*>|\bcp\s+(?:-\w+\s+)*/dev/null\s+\S"
            r"|\bmv\s+(?:-\w+\s+)*\S+\s+/dev/null\b"
            # Version control told to throw work away: untracked files, commits, branches,
            # stashes, or a branch on the remote.
            r"|\bgit\s+(?:-\S+\s+)*(?:clean\s+[^|;&\n]{0,80}?-[a-z]*f"
            # ``git branch -d`` deletes only a merged branch; ``-D`` (read on the line as
            # written, below) or ``--delete --force`` deletes unmerged work.
            r"|reset\s+[^|;&\n]{0,80}?--hard\b"
            r"|branch\s+[^|;&\n]{0,80}?(?:--delete\s[^|;&\n]{0,80}?(?:--force|-f)\b"
            r"|(?:--force|-f)\s[^|;&\n]{0,80}?(?:--delete|-d)\b|-df\b|-fd\b)"
            r"|stash\s+(?:clear|drop)\b"
            r"|push\s+[^|;&\n]{0,120}?(?:--delete\b|\s:[\w./-]+|--mirror\b|\s\+[\w./-]+)"
            r"|filter-branch\b|reflog\s+expire\b"
            r"|(?:checkout|restore)\s+(?:-f\s+|--force\s+|--worktree\s+)?(?:--\s+)?\.(?=\s|$|[;&|]))"
            # A data store emptied from its own client.
            r"|\bflush(?:all|db)\b|\bdropdatabase\s*\(|\bdropdb\s+\w"
            r"|\.drop\(\s*\)|\.drop_all\s*\(|\.(?:deletemany|remove)\(\s*\{\s*\}\s*\)"
            r"|\betcdctl\s+(?:-\S+\s+)*del\s[^|;&\n]{0,200}?--prefix\b",
            "action.destructive",
            "The shell command throws data away: it empties a file, discards version "
            "control history or empties a data store",
            0.9,
        ),
        (
            r"\b(curl|wget)\b(?:(?!curl\b|wget\b)[^|;&\n])*\|\s*(sudo\s+)?(ba|z)?sh\b|\bbase64\s+-d[^|]*\|\s*(ba)?sh\b"
            # PowerShell's Invoke-Expression, or Python's or JavaScript's exec/eval, of
            # what was just fetched.
            r"|\b(?:iex|invoke-expression)\b[^\n]{0,300}?\b(?:downloadstring|downloadfile|iwr|irm"
            r"|invoke-webrequest|invoke-restmethod)\b"
            r"|\b(?:exec|eval)\s*\([^\n]{0,300}?\b(?:urlopen|urllib|requests\.get|httpx\.get"
            r"|fetch)\b",
            "action.untrusted_code",
            "The shell command downloads code and runs it unseen",
            0.9,
        ),
        (
            # Text decoded (base64, hex, escapes) and run: what runs is not what is shown.
            r"\b(?:base64\s+(?:-d|-D|--decode)|xxd\s+-r|openssl\s+(?:base64|enc)\s[^|\n]{0,200}?-d)\b"
            r"[^|\n]{0,300}\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b"
            r"|\b(?:eval|(?:ba|z|da)?sh\s+-c)\s+[\"']?\$\([^)\n]{0,300}?\b(?:base64|xxd|printf)\b"
            r"|(?:^|[;&|]\s*)[\"']?\$\(\s*(?:printf|echo\s+-e)\s"
            # PowerShell's encoded command; Python's or JavaScript's exec/eval of decoded text.
            r"|\b(?:powershell|pwsh)(?:\.exe)?\s[^|;&\n]{0,200}?(?<=\s)-e(?:nc(?:odedcommand)?|c)?"
            r"\s+[a-z0-9+/=]{8,}"
            r"|\b(?:exec|eval|iex|invoke-expression)\s*\(?[^\n]{0,300}?\b(?:b64decode|frombase64string"
            r"|atob|fromhex|decompress)\b",
            "action.untrusted_code",
            "The shell command decodes text and runs it: what runs is not what is shown",
            0.9,
        ),
        (
            # The command itself is a variable's value (``x=rm; $x -rf /``), or ``eval`` of
            # one: what runs is decided when it runs, not shown in the line.
            r"(?:^|[;&|(`]|\n|\b(?:do|then|else))[ \t]*[\"']?\$\{?[a-z_]\w{0,60}\}?[\"']?"
            r"(?=\s|$|;|\$)"
            r"|\beval\s+[\"']?\$",
            "action.untrusted_code",
            "The shell command runs a command named by a variable: what runs is not what is shown",
            0.7,
        ),
        (
            r"\bsudo\b|\bsu\s+-|\bchmod\b|\bchown\b|\busermod\b|\buseradd\b|\bpasswd\b|\bvisudo\b"
            # Windows accounts and groups, and a cloud's or a cluster's access rules.
            r"|\bchpasswd\b|\brunas\s|\bnet\s+(?:localgroup|user|group)\s[^|;&\n]{0,200}?\s/add\b"
            r"|\b(?:add-localgroupmember|new-localuser|add-adgroupmember)\b"
            r"|\badd-iam-policy-binding\b|\bset-iam-policy\b"
            r"|\biam\s+(?:attach|put)-(?:user|role|group)-policy\b"
            r"|\bcreate\s+(?:cluster)?rolebinding\b|\brole\s+assignment\s+create\b"
            # Windows ACLs and ownership; a container given the host's privileges.
            r"|\bicacls\s[^|;&\n]{0,200}?/grant\b|\btakeown\b|\bsetfacl\b|--privileged\b",
            "action.permissions",
            "The shell command changes users, ownership or permissions, or runs as root",
            0.8,
        ),
        (
            r"\bufw\s+disable\b|\bsetenforce\s+0\b|\bset-mppreference\s[^|;&\n]{0,200}?-disable"
            r"|\bnetsh\s+(?:adv)?firewall\s[^|;&\n]{0,200}?\b(?:state\s+off|disable)\b"
            r"|\bsystemctl\s+(?:stop|disable|mask)\s+(?:firewalld|ufw|auditd|apparmor)\b",
            "action.permissions",
            "The shell command turns a security control off (a firewall, SELinux, antivirus)",
            0.8,
        ),
        (
            # A stored credential printed: a cloud token, a secrets manager's value, a
            # cluster secret's data, the OS keychain.
            r"\bprint-(?:access|identity)-token\b|\bsecretsmanager\s+get-secret-value\b"
            r"|\bssm\s+get-parameters?\s[^|;&\n]{0,200}?--with-decryption\b"
            # A cluster's secret printed (``-o yaml``, ``--output=jsonpath``, before or after
            # it) or described (its keys named); a bare list of their names is not.
            r"|\b(?:kubectl|oc)\s(?:[^|;&\n]{0,200}?\s)?describe\s+secrets?(?:/|(?![\w.-]))"
            r"|\b(?:kubectl|oc)\s(?:[^|;&\n]{0,200}?\s)?get"
            r"(?=[^|;&\n]{0,300}?(?:\s-o\s*=?\s*|\s--output[=\s]\s*)['\"]?"
            r"(?:yaml|json|jsonpath|go-template))\s[^|;&\n]{0,200}?(?<=\s)secrets?(?:/|(?![\w.-]))"
            r"|\bvault\s+(?:kv\s+get|read)\s|\bgh\s+auth\s+token\b"
            r"|\bsecurity\s+find-(?:generic|internet)-password\b|\bkeyvault\s+secret\s+show\b"
            # Credentials taken from memory or a process's environment; an app's config.
            r"|\bmimikatz\b|\bsekurlsa::|\b(?:procdump|comsvcs)\b[^|;&\n]{0,200}?\blsass\b"
            r"|/proc/(?:\d+|self)/environ\b|\bheroku\s+config(?:\s|$)",
            "secrets.access",
            "The shell command prints a stored credential or secret",
            0.8,
        ),
        (
            # Money moved from a payment or wallet client.
            r"\bstripe\s+(?:refunds|payouts|transfers|charges|payment_intents|topups)\s+create\b"
            r"|\bbitcoin-cli\s[^|;&\n]{0,100}?\bsend(?:toaddress|many|rawtransaction)\b"
            r"|\bcast\s+send\s[^|;&\n]{0,300}?--value\b|\bsolana\s+transfer\b",
            "action.money",
            "The shell command moves money or crypto",
            0.8,
        ),
        (
            # A Windows program or installer started: what it does is whatever its author
            # wrote (``./codec_pack.exe``, ``wine setup.exe``, ``start x.scr``).
            r"(?:^|[;&|(]\s*|\b(?:wine|start|bash|sh|sudo|msiexec\s+/i)\s+)"
            # Not what the project builds itself (``./build/app.exe``).
            r"(?!(?:\./)?(?:build|bin|target|dist|out|release|debug)/)(?:\./|~/|/)?"
            r"[\w./-]*\.(?:exe|scr|msi|pif)(?=\s|$|[;&|)])",
            "action.untrusted_code",
            "The shell command starts a Windows program or installer",
            0.8,
        ),
        (
            r"\bschtasks(?:\.exe)?\s+/create\b",
            "code.persistence",
            "The shell command makes something start on its own (a scheduled task)",
            0.8,
        ),
        (
            # A repository made public, or a package published to a public index.
            r"--visibility[= ]+public\b|\bgh\s+(?:repo|gist)\s+create\s[^|;&\n]{0,200}?--public\b"
            r"|\b(?:npm|pnpm|yarn|cargo|poetry)\s+publish\b|\btwine\s+upload\b|\bgem\s+push\b",
            "action.public",
            "The shell command publishes something for anyone to read (a public repository "
            "or package)",
            0.8,
        ),
        (
            r"\b(shutdown|reboot|halt|poweroff|kill\s+-9|killall|pkill|systemctl\s+stop|iptables"
            # Listing the rules (``-L``, ``-S``, read lowercased) changes nothing.
            r"(?!(?:\s+(?:-[lnvxs]+|--list(?:-rules)?|--line-numbers|--numeric|--verbose"
            r"|-t\s+\w+|\w[\w-]*))*\s*(?:$|[|;&>]))"
            r"|stop-(?:computer|service|process)|restart-computer)\b"
            r"|\bscale\s[^|;&\n]{0,200}?--replicas[= ]0\b",
            "action.destructive",
            "The shell command stops the machine, processes or the network",
            0.7,
        ),
        (
            r"\b(scp|rsync|nc|ncat|socat|ftp|curl\s(?:(?!curl\b)[^|\n])*?(?:-d\b|--data\b))\b"
            # Data piped or redirected into a remote shell; a push to a repository named
            # by its URL.
            r"|\|\s*ssh\s|\bssh\s[^|;&\n]{0,300}?\s<\s*[^\s<]"
            r"|\bgit\s+push\s+(?:-\S+\s+)*(?:https?://|ssh://|git@)"
            # Mail sent from the command line to an address.
            r"|(?:^|[\s;&|(])(?:mail|mailx|mutt|sendmail|msmtp)\s[^|;&\n]{0,300}?@[\w-]+\.\w"
            # The line is read lowercased: curl's ``-F name=...`` and ``-T file``.
            r"|\bcurl(?:(?!curl\b)[^|;&\n])*?\s(?:-f\s+[\"']?[\w.\[\]-]+=|-t\s|--form\b|--upload-file\b"
            r"|--json\b)"
            r"|\bwget\s[^|;&\n]{0,300}?--post-(?:file|data)\b|/dev/(?:tcp|udp)/"
            r"|\b(?:aws\s+s3|gsutil(?:\s+-m)?)\s+(?:cp|mv|sync)\s+(?:-\S+\s+)*(?!s3://|gs://)[^\s|;&]+"
            r"\s+(?:s3|gs)://|\brclone\s+(?:copy|sync|move)\b"
            r"|\b(?:invoke-(?:webrequest|restmethod)|iwr|irm)\s[^|;&\n]{0,300}?-(?:infile\b"
            r"|method\s+[\"']?(?:post|put)\b)"
            r"|\b(?:requests|httpx)\.(?:post|put|patch)\s*\(",
            "action.data_outward",
            "The shell command sends data to another host",
            0.6,
        ),
        (
            r"\b(pip|npm|apt(-get)?|yum|brew|gem)\s+install\b|\bwget\b|\bcurl\b",
            "action.untrusted_code",
            "The shell command downloads or installs software",
            0.3,
        ),
    )
)


_ASKED_PUBLIC = re.compile(r"\bpublic\b|\bpublish")
# An image pushed to the company's own registry (Amazon ECR, Azure Container Registry,
# Google Artifact Registry, one on this machine), where only the company pulls from.
_PRIVATE_REGISTRY = re.compile(
    r"\bpush\s+(?:\d{12}\.dkr\.ecr\.[\w-]+\.amazonaws\.com(?:\.cn)?|[\w-]+\.azurecr\.io"
    r"|[\w-]+-docker\.pkg\.dev|(?:localhost|127\.0\.0\.1)(?::\d+)?)/"
)
_ASKED_PUSH = re.compile(r"\bpush\b")

# Rules whose options differ only by case, read on the line as written.
_CASED_RULES: tuple[tuple[re.Pattern[str], str, str, float], ...] = (
    (
        re.compile(r"\bgit\s+(?:-\S+\s+)*branch\s[^|;&\n]{0,80}?(?<=\s)-[a-zA-Z]*D"),
        "action.destructive",
        "The shell command throws data away: it empties a file, discards version "
        "control history or empties a data store",
        0.9,
    ),
    (
        # A restore that drops what the database holds before restoring over it:
        # ``pg_restore --clean`` or ``-c`` alone or among other flags that take no value
        # (``-C`` creates a database and drops nothing); ``mongorestore --drop``.
        re.compile(
            r"\bpg_restore\s[^|;&\n]{0,300}?(?<=\s)(?:--clean\b"
            r"|-[aCe1lOsvwWx]*c[aCe1lOsvwWx]*(?![\w-]))"
            r"|\bmongorestore\s[^|;&\n]{0,300}?(?<=\s)--drop\b"
        ),
        "action.destructive",
        "The shell command restores over a database, dropping what it holds first",
        0.9,
    ),
)

# Rules that are a reason to hand off, and those that only weigh (below 0.5).
_STRONG_RULES = tuple(r for r in _SHELL_RULES if r[3] > 0.5)
_WEAK_RULES = tuple(r for r in _SHELL_RULES if r[3] <= 0.5)

_CHMOD = next(rx for rx, code, _, _ in _SHELL_RULES if code == "action.permissions")
_RM = _SHELL_RULES[0][0]
# Removing what a build makes again (its output folders, caches, compiled files) is
# routine for a coding agent; anything else named beside them is not.
_ROUTINE_RM = re.compile(
    r"rm\s+(?:-[rfv]+\s+)*(?:(?:\./)?(?:build|dist|node_modules|__pycache__|\.pytest_cache"
    r"|\.mypy_cache|\.ruff_cache|htmlcov|\.tox|\.nox|\.coverage|coverage|target|out"
    r"|[\w.*-]+\.egg-info)/?(?:\s+|$))+",
    re.IGNORECASE,
)


# Code that deletes one file named by a literal (``os.remove('a.csv')``,
# ``fs.unlinkSync('a.csv')``, ``Path('a.csv').unlink()``), quoted or as the shell reads it.
_FILE_DELETE = re.compile(
    r"(?:os\.(?:remove|unlink)|\.unlink(?:sync)?|\.rm(?:sync)?)\(\s*['\"]?([^'\"\s(),;]{1,300})['\"]?\s*\)"
)
_PATH_BEFORE = re.compile(r"\bpath\(\s*['\"]?([^'\"\s(),;]{1,300})['\"]?\s*\)$")


def _asked_file_delete(view: ActionView, lower: str, m: re.Match[str]) -> bool:
    """Whether the code delete at ``m`` removes one file, named by a literal, that the
    person asked to delete by that name."""
    if not view.instruction:
        return False
    found = _FILE_DELETE.match(lower, m.start())
    if found is None and lower.startswith(".unlink()", m.start()):
        found = _PATH_BEFORE.search(lower, max(0, m.start() - 320), m.start())
    return found is not None and asked_code_deletion(view, "remove", [found.group(1)])


# A prune of dangling images or of build cache, what a build makes again.
_ROUTINE_PRUNE = re.compile(DANGLING_PRUNE)


def _routine_rm(lower: str, m: re.Match[str]) -> bool:
    """Whether the ``rm`` at ``m`` removes only what a build makes again."""
    command = lower[m.start() :].lstrip(" \t;&|(`").split("&&")[0].split(";")[0]
    command = command.split("|")[0].strip()
    return (
        _ROUTINE_RM.fullmatch(command + " ") is not None
        or _ROUTINE_PRUNE.match(command) is not None
    )


def detect_tool(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals from the tool name itself and from the commands or code it runs.

    Only the arguments that are run are read as commands: an editor writing a script
    that contains ``rm`` runs nothing, and a command that is one word (``view``,
    ``create``) names an editor's operation, not a shell line.
    """
    out = list(_name_signals(view.tool))
    if runs_commands(view):
        out.extend(_shell(view, config))
    return out


@lru_cache(maxsize=4096)
def _name_signals(tool: str) -> tuple[Signal, ...]:
    """What the name alone says; the same for every call, so made once per name."""
    s = tool_sense(tool)
    out: list[Signal] = []
    if s.harm:
        words = ", ".join(dict.fromkeys(s.harm))
        out.append(
            Signal(
                "action.harmful",
                f"The tool's name says it attacks systems or data ({words}); "
                "no routine task needs that",
                where="tool",
                excerpt=tool,
                weight=0.85,
                impact=0.8,
                reversibility=0.6,
                sensitivity=0.7,
            )
        )
    if s.fraud:
        words = ", ".join(dict.fromkeys(s.fraud))
        out.append(
            Signal(
                "action.fraud",
                f"The tool's name describes fraud or deception ({words})",
                where="tool",
                excerpt=tool,
                weight=0.9,
                impact=0.7,
                reversibility=0.5,
                sensitivity=0.8,
            )
        )
    return tuple(out)


_HOST = re.compile(
    r"\b(?:https?|s?ftp|s3|gs)://(?:[^@/\s'\"]+@)?([\w.-]+)|(?<![\w.-])[.-]*\b[\w.-]+@([\w-]+(?:\.[\w-]+)+)(?![\w-])"
)


def _hosts_asked_for(low: str, instruction: str, config: DetectConfig) -> bool:
    """True when every host the command sends to is one the person's instruction named,
    or this machine or the company's own network (``localhost``, a private address, an
    internal domain): posting to the service they asked the agent to work with is the
    task, not a leak. A command whose destination cannot be read is never excused."""
    hosts = {a or b for a, b in _HOST.findall(low)}
    if not hosts:
        return False
    said = instruction.lower()
    return all(
        # A bucket (``s3://name``) is no host of this network, whatever its name.
        (("." in h or h == "localhost") and internal_host(h, config))
        or re.search(rf"(?<![\w.-]){re.escape(h)}(?![\w-])", said)
        for h in hosts
    )


def _shell(view: ActionView, config: DetectConfig) -> list[Signal]:
    out: list[Signal] = []
    seen: set[str] = set()
    for path, text, low in command_lines(view):
        bare = shell_plain(low)
        # The line as written, then as the shell reads it without the quotes and
        # escapes it strips (positions are then in the unquoted line).
        readings = ((text, low),) if bare is low else ((text, low), (bare, bare))
        cased = (text,) if bare is low else (text, shell_plain(text))
        rules = [(r, lower, line) for (line, lower), r in product(readings, _STRONG_RULES)]
        # The gated rules before the weak ones: an install must not take the code a
        # stronger reason would give.
        rules.extend((r, lower, line) for line, lower in readings for r in gated_rules(lower))
        rules.extend((r, lower, line) for (line, lower), r in product(readings, _WEAK_RULES))
        rules.extend((r, line, line) for line, r in product(cased, _CASED_RULES))
        for (rx, code, msg, weight), lower, line in rules:
            if code in seen:
                continue
            m = rx.search(lower)
            if m and rx is _CHMOD and routine_chmod(lower[m.start() :]):
                continue
            if m and rx is _RM:
                m = next(
                    (
                        r
                        for r in rx.finditer(lower)
                        if not _routine_rm(lower, r)
                        and not asked_removal(view, lower[r.start() :].lstrip(" \t;&|(`"))
                        and not _asked_file_delete(view, lower, r)
                    ),
                    None,
                )
                if m is None:
                    continue
            if (
                m
                and code == "action.data_outward"
                and _hosts_asked_for(lower, view.instruction, config)
            ):
                continue
            if m and code == "action.destructive" and asked_kube(view, _segment(lower, m)):
                continue  # one pod, rollout or scale the person named and asked for
            if m and code == "secrets.access" and asked_own_key(view, _segment(lower, m)):
                continue  # a new key of the person's own, as they asked
            if m and code == "action.public" and _asked_publish(view.instruction.lower(), lower):
                # Publishing what the person asked to publish is the task.
                continue
            if m:
                seen.add(code)
                span, ex = excerpt_at(line, m.start(), m.end())
                out.append(
                    Signal(
                        code,
                        msg,
                        where=f"{path}{span}",
                        excerpt=ex,
                        weight=weight,
                        impact=weight,
                        reversibility=weight if code == "action.destructive" else weight / 2,
                        sensitivity=0.5 if weight > 0.5 else weight,
                        # Installing a package or fetching a page is routine for a coding
                        # agent; what it fetches is judged by the web detector.
                        trigger=weight > 0.5,
                    )
                )
        for code, msg, weight in shell_findings(bare):
            # What the patterns cannot read: a rollout in production, an unknown tool
            # told to destroy.
            if code in seen:
                continue
            seen.add(code)
            out.append(
                Signal(
                    code,
                    msg,
                    where=path,
                    excerpt=text[:120],
                    weight=weight,
                    impact=weight,
                    reversibility=weight if code == "action.destructive" else weight / 2,
                    sensitivity=0.5,
                )
            )
    return out


def _asked_publish(said: str, line: str) -> bool:
    """The person asked to publish, or to push an image the line pushes to the
    company's own registry."""
    return bool(
        _ASKED_PUBLIC.search(said) or (_ASKED_PUSH.search(said) and _PRIVATE_REGISTRY.search(line))
    )


_SEGMENT_BREAK = re.compile(r"&&|\|\||[;|\n]")


def _segment(line: str, m: re.Match[str]) -> str:
    """The one command of ``line`` in which ``m`` starts (split at ``&&``, ``;``, pipes)."""
    starts = [b.end() for b in _SEGMENT_BREAK.finditer(line, 0, m.start())]
    begin = starts[-1] if starts else 0
    end = _SEGMENT_BREAK.search(line, m.start())
    return line[begin : end.start() if end else len(line)].strip()

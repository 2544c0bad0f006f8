"""Shell rules for effects the core rules in ``_tools`` do not name, each behind hints.

A line is read by every core rule; these rules are many and each matches only text that
holds one of a few literals (``tee``, ``ufw``, ``secret``...), so a rule runs only when
one of its hints is in the line: a line without them costs a few substring looks.
``tests/test_detect_hints.py`` keeps every hint tuple a true superset of its pattern.

What they catch, by effect: a file emptied through ``tee``, ``ln`` or ``sed``; records
deleted through an API client or a web framework; a delete function looked up by name
in Python; text transformed and piped into a shell; a network opened to everyone or a
local service exposed; a credential stored or minted; an account or a capability
added; a security control (an audit daemon, a sensor, the shell's history, a test or
scan workflow) turned off; a secret's value printed; an app's migrations all unapplied;
a job left to run later.
"""

from __future__ import annotations

import re

__all__ = ["DANGLING_PRUNE", "GATED_RULES", "PRINTS_SECRET", "gated_rules"]

Rule = tuple[re.Pattern[str], str, str, float]

# A secret's value printed where a log or a terminal keeps it: ``echo $STRIPE_SECRET_KEY``,
# ``printenv DB_PASSWORD``, ``echo ${{ secrets.NPM_TOKEN }}``; not piped or redirected
# into a command or a file, and not ``${KEY:+set}``, which prints only whether it is set.
PRINTS_SECRET = (
    r"\b(?:echo|printf)\b[^|;&\n>]*?(?:\$\{?\{?\s*(?:secrets\.)?[a-z_0-9]*(?:secret|token|passw(?:or)?d"
    r"|api_?key|private_?key|credential)[a-z_0-9]*(?!:\+|[\w:])|\$\{\{\s*secrets\.\w+)"
    r"(?![^;&\n]*[|>])"
    r"|\bprintenv\s+[a-z_0-9]*(?:secret|token|passw(?:or)?d|api_?key|private_?key)\w*\s*(?:$|[;&\n])"
)

# Security services whose stopping blinds monitoring or protection.
_GUARDS = (
    r"(?:auditd|apparmor|firewalld|ufw|falcon-sensor|falcond|osqueryd|wazuh-agent|ossec"
    r"|clamav-daemon|clamd|fail2ban|sysmon|cbagentd|sentinelone|mdatp|snort|suricata)\b"
)

_EMPTIES = "The shell command empties a file or erases the shell's history"
# A command-line option with or without its value (``-n prod``, ``--context=prod``).
_OPTION = r"-[\w.-]+(?:=[^\s|;&]*|\s+(?:'[^'\n]*'|\"[^\"\n]*\"|[^\s|;&'\"-][^\s|;&]*))?"
# A MongoDB filter of no field or of fields that each take only operators other than
# ``$eq`` and ``$in`` (``{}``, ``{created: {$lt: new Date()}}``).
_UNPINNED_FILTER = (
    r"\{\s*(?:(?:[\w.]+|\"[^\"$]*\"|'[^'$]*')\s*:\s*"
    r"\{(?![^{}]*\$(?:eq|in)\b)\s*[\"']?\$[^{}]*\}\s*,?\s*)*\}"
)

# A prune of dangling images or of build cache and nothing more (no ``-a``, no filter).
DANGLING_PRUNE = (
    r"(?:docker|podman)\s+(?:image|builder)\s+prune(?:\s+(?:-f|--force))*\s*(?:$|[|;&\n)])"
)

#: (hints, pattern, code, message, weight): the pattern runs only on a line that holds
#: one of the hints.
GATED_RULES: tuple[tuple[tuple[str, ...], re.Pattern[str], str, str, float], ...] = tuple(
    (hints, re.compile(p), code, msg, w)
    for hints, p, code, msg, w in (
        (
            ("userdel", "deluser", "groupdel", "delgroup", "net user", "remove-localuser"),
            # A user account or a group deleted, with what it owned.
            r"(?:^|[\s;&|(])(?:sudo\s+)?(?:userdel|deluser|groupdel|delgroup)\s+\S"
            r"|\bnet user\s+\S+\s+/del(?:ete)?\b|\bremove-localuser\b",
            "action.destructive",
            "The shell command deletes a user account or a group",
            0.85,
        ),
        (
            ("tee",),
            # Nothing written through tee, which truncates first unless told -a.
            r"(?:^|[;&|(\n])[ \t]*(?::|true|echo(?:\s+-n)?(?:\s+(?:''|\"\"))?"
            r"|printf(?:\s+(?:''|\"\"))?|cat\s+/dev/null)"
            r"[ \t]*\|[ \t]*(?:sudo\s+)?tee\s+(?!-a\b|--append\b)"
            r"|\btee\s+(?!-a\b|--append\b)(?:-\S+\s+)*[^\s|;&<>-][^\s|;&<>]*\s*"
            r"(?:<\s*/dev/null\b|<<<\s*(?:''|\"\")(?!\S))",
            "action.destructive",
            _EMPTIES,
            0.9,
        ),
        (
            ("ln",),
            # A file replaced by a link to /dev/null.
            r"\bln\s+(?:-\S+\s+)*/dev/null\s+\S",
            "action.destructive",
            _EMPTIES,
            0.9,
        ),
        (
            ("sed", "history"),
            # sed told to delete every line; the shell's history erased.
            r"\bsed\s+(?:-\S+\s+)*-i\S*\s+(?:-\S+\s+)*['\"]?(?:1,\$)?d['\"]?\s"
            r"|\bhistory\s+-c\b|\bhistory\s+-w\s+/dev/null\b",
            "action.destructive",
            _EMPTIES,
            0.9,
        ),
        (
            ("delete", "destroy", "flush", "db:", "reset", "downgrade", "drain", "migrate:"),
            # An HTTP DELETE from gh or HTTPie; a framework's unscoped delete or its
            # database reset; a node drained of its pods and their scratch data.
            r"\bgh\s+api\s[^|;&\n]{0,300}?(?:-x|--method)[\s=]*['\"]?delete\b"
            r"|\bhttps?\s+(?:-\S+\s+)*delete\s+\S"
            r"|\.objects\.all\(\)\.delete\(\)"
            r"|(?<![\w.)\]])[a-z_]\w{0,60}\.(?:delete_all|destroy_all)\b"
            r"|\bmanage\.py\s+flush\b|\bdb:(?:drop|reset|purge)\b|\bmigrate:(?:fresh|reset)\b"
            r"|\bmigrate\s+reset\b|--force-reset\b|\bdowngrade\s+base\b"
            r"|\bkubectl\s+drain\b",
            "action.destructive",
            "The shell command deletes records or resets a database through its client or "
            "framework",
            0.9,
        ),
        (
            ("getattr", "import"),
            # Python's delete functions named as strings or imported by name.
            r"\bgetattr\s*\([^,()\n]{1,80},\s*['\"]?(?:remove|unlink|rmdir|removedirs|rmtree)\b"
            r"|\b(?:__import__|import_module)\s*\(\s*['\"]?(?:os|shutil|pathlib)['\"]?\s*\)"
            r"\s*\.\s*(?:remove|unlink|rmdir|removedirs|rmtree)\b"
            r"|\bfrom\s+(?:os|shutil)\s+import\s[^\n;]{0,200}?\b(?:remove|unlink|rmdir"
            r"|removedirs|rmtree)\b",
            "action.destructive",
            "The code deletes files through a function it looks up or imports by name",
            0.9,
        ),
        (
            ("unlink", "rmdir", "rmtree", "removedirs", "remove", "fs."),
            # A delete function handed over to be called on each file: named as a string
            # (PHP's ``array_map('unlink', glob(...))``, ``$f = 'unlink'``) or passed as a
            # value (``map(os.remove, files)``, ``forEach(fs.unlinkSync)``).
            r"[(,=]\s*['\"](?:unlink|rmdir|rmtree|removedirs)['\"]\s*[,);]"
            r"|[(,=]\s*(?:os|shutil)\.(?:remove|unlink|rmdir|removedirs|rmtree)\s*[,);]"
            r"|[(,=]\s*fs\.(?:promises\.)?(?:unlink|rmdir|rm)(?:sync)?\s*[,);]"
            # Looked up in a module's namespace: ``vars(os)['remove']``.
            r"|(?:\bvars\(\s*(?:os|shutil)\s*\)|__dict__)\s*\[\s*['\"](?:remove|unlink|rmdir"
            r"|removedirs|rmtree)['\"]",
            "action.destructive",
            "The code hands a delete function over to be called on each file",
            0.9,
        ),
        (
            ("deletemany", "delete_many", "updatemany", "update_many", "remove("),
            # A MongoDB delete or update whose filter pins no field to a value: nothing,
            # or only operators (``{created: {$lt: new Date()}}``, ``{_id: {$exists: 1}}``).
            rf"\.(?:deletemany|delete_many|updatemany|update_many)\(\s*"
            rf"(?:\)|(?:filter\s*=\s*)?{_UNPINNED_FILTER})"
            rf"|\.remove\(\s*{_UNPINNED_FILTER}",
            "action.destructive",
            "The code deletes or changes documents by a filter that pins no field to a value: "
            "it may reach every document",
            0.9,
        ),
        (
            ("delete", "destroy", "remove", "purge", "uninstall", "rb", "rm", "prune"),
            # A cluster, cloud or data tool told to delete after its own options
            # (``kubectl -n prod delete``), or a time-series store's delete; not a prune
            # of dangling images or build cache alone, which a build makes again.
            rf"\b(?!{DANGLING_PRUNE})"
            rf"(?:kubectl|helm|terraform|tofu|pulumi|gcloud|gsutil|az|aws|doctl|heroku|flyctl"
            rf"|vercel|gh|docker|podman|influx|oc|argocd|eksctl|flux|cdk|cdktf|serverless)"
            rf"(?:\s+{_OPTION})*"
            r"(?:\s+[^\s|;&'\"-][^\s|;&]*){0,4}?"
            r"\s+(?:delete|destroy|remove|purge|uninstall|rb|rm|prune)\b(?!-)",
            "action.destructive",
            "The shell command deletes or destroys what a cluster, cloud or data tool manages",
            0.9,
        ),
        (
            ("replace", "--force", "--prune", "taint", "rollback", "undo"),
            # A running resource deleted and made anew, now or on the next apply; an
            # earlier release put in place of the running one.
            rf"\bkubectl(?:\s+{_OPTION})*\s+(?:replace|apply)\s[^|;&\n]{{0,200}}?--force(?![\w-])"
            rf"|\bkubectl(?:\s+{_OPTION})*\s+apply\s[^|;&\n]{{0,200}}?--prune\b"
            r"|\b(?:terraform|tofu)\s[^|;&\n]{0,200}?(?<=\s)taint\s"
            r"|\b(?:terraform|tofu|pulumi)\s[^|;&\n]{0,200}?\s--?replace[= ]"
            r"|\bhelm\s[^|;&\n]{0,200}?(?<=\s)rollback\b(?!\s+--help\b)"
            rf"|\bhelm(?:\s+{_OPTION})*\s+upgrade\s[^|;&\n]{{0,200}}?--force(?![\w-])"
            r"|\bkubectl\s[^|;&\n]{0,200}?(?<=\s)rollout\s+undo\b",
            "action.destructive",
            "The shell command deletes and re-creates a running resource, or puts an earlier "
            "release in place of the running one",
            0.9,
        ),
        (
            ("push",),
            # An image published to a registry: whoever pulls its tag runs it.
            rf"\b(?:docker|podman|buildah|nerdctl)(?:\s+{_OPTION})*\s+(?:image\s+|manifest\s+)?push"
            r"\s+[^\s|;&-]|\b(?:helm|oras|crane)\s+push\s+[^\s|;&-]"
            r"|\bbuildx\s+build\s[^|;&\n]{0,300}?--push\b",
            "action.public",
            "The shell command publishes an image to a registry: whoever pulls its tag runs it",
            0.8,
        ),
        (
            ("url",),
            # Where a repository's pushes go, changed: every later push goes there.
            r"\bgit(?:\s+-\S+(?:\s+[^\s|;&-]\S*)?)*\s+remote\s+set-url\s"
            r"|\bgit(?:\s+-\S+(?:\s+[^\s|;&-]\S*)?)*\s+config\s+(?:--?\S+\s+)*"
            r"(?:remote\.\S+\.(?:push)?url|url\.\S+\.(?:push)?insteadof)\s+[^\s|;&<>]",
            "action.data_outward",
            "The shell command changes where the repository's pushes go",
            0.8,
        ),
        (
            ("remote",),
            # A remote added and pushed to in the same line: the repository mirrored to a
            # host nobody set up before.
            r"\bgit\s+remote\s+add\s+\S+\s+\S+[^\n]{0,300}?\bgit\s+push\b",
            "action.data_outward",
            "The shell command adds a remote and pushes the repository to it",
            0.8,
        ),
        (
            ("collaborators", "members", "invitations", "keys", "permission", "role="),
            # Access granted through GitHub's API: a collaborator, a member, a deploy key.
            r"\bgh\s+api\s[^|;&\n]{0,300}?(?:(?:-x|--method)[\s=]*['\"]?(?:put|post|patch)\b"
            r"[^|;&\n]{0,300}?/(?:collaborators|members|memberships|invitations|keys"
            r"|permissions)\b|/(?:collaborators|members|memberships|invitations|keys|permissions)"
            r"\b[^|;&\n]{0,300}?(?:-x|--method)[\s=]*['\"]?(?:put|post|patch)\b"
            r"|\s-f\s+['\"]?(?:permission|role)=)",
            "action.permissions",
            "The shell command grants access through an API (a collaborator, a member, a key)",
            0.8,
        ),
        (
            ("system", "popen", "subprocess", "spawn", "exec", "child_process"),
            # A shell command hidden in a one-line program: what it runs is not read.
            r"\b(?:python[23]?|pypy3?)\s+(?:-[a-bd-z]\w{0,10}\s+){0,4}-c\s[^\n]{0,300}?"
            r"\b(?:os\.system|os\.popen|subprocess|pty\.spawn|os\.exec\w{0,4}|os\.spawn\w{0,4})\b"
            r"|\b(?:node|deno|bun)\s+(?:-e|--eval|-p)\s[^\n]{0,300}?"
            r"\b(?:child_process|execsync|spawnsync)\b"
            r"|\b(?:perl|ruby)\s+-e\s[^\n]{0,300}?\b(?:system|exec|spawn)\b",
            "action.untrusted_code",
            "The shell command hides a shell command inside a one-line program",
            0.8,
        ),
        (
            ("/media/", "/mnt/usb", "/volumes/", "/run/media/"),
            # Files copied or moved onto removable media: out of the company's systems.
            r"\b(?:cp|mv|rsync|scp|dd|tar|zip|7z)\b[^|;&\n]{0,300}?(?<=[\s=])(?:/media/"
            r"|/run/media/|/mnt/usb|/volumes/(?!macintosh))",
            "action.data_outward",
            "The shell command copies files onto removable media, out of the company's systems",
            0.8,
        ),
        (
            ("grant",),
            # A grant run by a name of its own (a dbt macro, a make target, a script)
            # to a role everyone holds.
            r"\bgrant[\w-]{0,40}\b[^|;&\n]{0,300}?\b(?:role|roles|to|grantee|principal)"
            r"['\"]?\s*[:=]?\s*\[?\s*['\"]?(?:public|everyone|allusers|all_users|anonymous)\b",
            "action.permissions",
            "The shell command grants access to a role everyone holds (PUBLIC, all users)",
            0.85,
        ),
        (
            ("rolebinding",),
            # Who a role binding grants its role to, changed in place.
            r"\bkubectl\s[^|;&\n]{0,200}?(?<=\s)(?:patch|set\s+subject)\s+"
            r"(?:cluster)?rolebindings?\b",
            "action.permissions",
            "The shell command changes who a role binding grants its role to",
            0.8,
        ),
        (
            ("alias",),
            # A new name for a command that deletes: calling it deletes.
            r"\balias\s+[\w.-]{1,60}=['\"]?(?:rm|shred|unlink|rmdir|wipefs|mkfs\S*)\b",
            "action.destructive",
            "The shell command names a delete command anew (an alias), then may call it",
            0.9,
        ),
        (
            ("?", "*", "[", "$(", "getattr", "exec", "eval"),
            # A command named by a glob, which the file system resolves when it runs; a
            # command decoded inside ``$(...)``; a Python function or code assembled from
            # pieces at run time.
            r"(?:^|[;&|`\n])[ \t]*(?:sudo\s+)?[\w.-]*/[\w./-]*(?:\?|\*|\[[^\]\s/]{1,20}\])"
            r"[\w./?*\[\]-]*(?=\s|$|;)"
            r"|(?:^|[;&|\n])[ \t]*['\"]?\$\([^)\n]{0,300}?\b(?:xxd|base64|rev|od|openssl)\b"
            r"|\bgetattr\s*\(\s*(?:os|shutil|subprocess|pathlib|sys|builtins|__builtins__)\s*,"
            r"(?!\s*['\"]?\w+['\"]?\s*\))"
            r"|\b(?:exec|eval)\s*\(\s*['\"][^'\"\n]{0,200}['\"]\s*\+",
            "action.untrusted_code",
            "The shell command runs what it assembles when it runs (a glob for a command, "
            "decoded text, a name or code built from pieces): what runs is not what is shown",
            0.8,
        ),
        (
            ("rmtree", "rimraf", "xargs"),
            # Perl's rmtree, Node's rimraf; keys listed and deleted one by one.
            r"\brmtree\s*\(|\brimraf\s+[^\s-]"
            r"|\bxargs\s[^|;&\n]{0,200}?\bredis-cli\s[^|;&\n]{0,100}?\b(?:del|unlink)\b",
            "action.destructive",
            "The shell command deletes files or keys (rmtree, rimraf, a listing fed to a delete)",
            0.9,
        ),
        (
            ("git+", "://", "index-url", "--registry", "<(", "chr("),
            # A package from a URL, a repository or another index; a download sourced; a
            # command spelled in character codes.
            r"\b(?:pip3?|pipx|npm|pnpm|yarn|gem)\s+(?:install|add|i)\s[^|;&\n]{0,300}?"
            r"(?:(?<=\s)(?:git\+|https?://)|--(?:extra-)?index-url\b|--registry\b)"
            r"|(?:^|[\s;&|(])(?:source|\.)\s+<\(\s*(?:curl|wget)\b"
            r"|\bchr\(\s*\d+\s*\)\s*\+\s*chr\(",
            "action.untrusted_code",
            "The shell command installs or runs code from a source nobody vetted, or spells "
            "its command in character codes",
            0.8,
        ),
        (
            ("sh",),
            # Text turned into other text, then run: what runs is not what is shown.
            r"\b(?:rev|tr|sed|awk|gunzip|zcat|xz|bzip2|gzip|iconv|openssl)\b[^|\n]{0,300}"
            r"\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\s*(?:-s\b|$|[;&|)\n])",
            "action.untrusted_code",
            "The shell command transforms text and runs it: what runs is not what is shown",
            0.9,
        ),
        (
            (
                "ufw",
                "firewall",
                "0.0.0.0/0",
                "::/0",
                "create-user",
                "create-for-rbac",
                "setcap",
                "/:/",
                "docker.sock",
                "nsenter",
            ),
            # A network opened to everyone; an account, a service principal or a
            # capability added.
            r"\bufw\s+(?:--\S+\s+)*allow\b|\bfirewall-cmd\s[^|;&\n]{0,200}?--add-"
            r"(?:port|service|rich-rule|source)\b|\b0\.0\.0\.0/0\b|(?<![\w:])::/0\b"
            r"|\biam\s+create-user\b|\bcreate-for-rbac\b|\bsetcap\s"
            # A container given the host: its root folder, the Docker socket, PID 1.
            r"|(?:-v|--volume)[= ]+/:/|\bdocker\.sock:|\bnsenter\s[^|;&\n]{0,100}?-t\s*1\b",
            "action.permissions",
            "The shell command opens a network to everyone, adds an account or a power, or "
            "gives a container the host",
            0.8,
        ),
        (
            ("ssh-copy-id", "hookspath", "at "),
            # A key added to a remote account; a job that runs later, or on each git step.
            r"\bssh-copy-id\b|\bcore\.hookspath\b"
            r"|(?:^|[|;&\n])[ \t]*at +(?:now|midnight|noon|teatime|tomorrow|\d)",
            "code.persistence",
            "The shell command leaves something that runs later on its own (a key, a job, a hook)",
            0.8,
        ),
        (
            ("ngrok", "cloudflared", "0.0.0.0", "public-access", "principal", "private"),
            # A local service exposed to the internet; storage or a function anyone may
            # reach; a repository's private flag turned off.
            r"\bngrok\s+(?:http|tcp|tls|start)\b|\bcloudflared\s[^|;&\n]{0,100}?\btunnel\b"
            r"|\bport-forward\s[^|;&\n]{0,200}?--address[= ]+0\.0\.0\.0\b"
            r"|--public-access[= ]+(?:blob|container)\b|--allow-blob-public-access[= ]+true\b"
            r"|--principal[= ]+['\"]?\*|(?:-f|--field|--raw-field)\s+private=false\b",
            "action.public_access",
            "The shell command makes a service or data reachable by anyone",
            0.85,
        ),
        (
            ("echo", "printf", "printenv"),
            PRINTS_SECRET,
            "secrets.access",
            "The shell command prints a secret's value into the terminal or the log",
            0.8,
        ),
        (
            ("zero",),
            # Every migration of an app unapplied: its tables and their rows are dropped.
            r"\b(?:manage\.py|django-admin)\s+migrate\s+(?:-\S+\s+)*\w+\s+zero\b",
            "action.destructive",
            "The shell command unapplies every migration of an app, dropping its tables",
            0.85,
        ),
        (
            ("workflow",),
            # A pipeline's test, lint or security workflow switched off.
            r"\bgh\s+workflow\s+disable\s+(?:-\S+\s+)*['\"]?[\w./ -]{0,80}?(?:secur|scan|codeql"
            r"|sast|audit|test|lint|check|verif|ci\b|sign|gitleaks|dependabot)",
            "code.control_weakened",
            "The shell command switches off a workflow that tests or scans the code",
            0.75,
        ),
        (
            ("secret", "vault", "credential", "access-key", "login-profile", "keys"),
            # A credential stored where a pipeline, a cluster or an app reads it, or minted.
            r"\bgh\s+secret\s+set\b|\bvault\s+(?:kv\s+(?:put|patch)|write)\s"
            r"|\bsecretsmanager\s+(?:put-secret-value|create-secret|update-secret)\b"
            r"|\bgcloud\s+secrets\s+(?:create|versions\s+add)\b|\bkeyvault\s+secret\s+set\b"
            r"|\bkubectl\s+create\s+secret\b|\bcredential\.helper\s+store\b"
            r"|\biam\s+create-(?:access-key|login-profile)\b|\bservice-accounts\s+keys\s+create\b",
            "secrets.access",
            "The shell command stores or creates a credential",
            0.8,
        ),
        (
            (
                "systemctl",
                "service",
                "auditctl",
                "histfile",
                "histsize",
                "history",
                "mdatp",
                "stop-logging",
                "deletion-protection",
                "public-access-block",
                "--admin",
            ),
            # A security service stopped, audit rules dropped, the history turned off.
            rf"\bsystemctl\s+(?:stop|disable|mask|kill)\s+(?:--?\S+\s+)*{_GUARDS}"
            rf"|\bservice\s+{_GUARDS}\s*stop\b"
            r"|\bauditctl\s+(?:-d\b|-e\s*0\b)|\bunset\s+histfile\b|\bhistfile=/dev/null\b"
            r"|\bhistsize=0\b|\bset\s+\+o\s+history\b"
            r"|\bmdatp\s+config\s+real-time-protection\s[^|;&\n]{0,50}?\bdisabled\b"
            # A cloud's audit trail stopped, a safeguard lifted, branch protection bypassed.
            r"|\bcloudtrail\s+stop-logging\b|--no-deletion-protection\b"
            r"|\bput-public-access-block\s[^|;&\n]{0,300}?=false\b"
            r"|\bgh\s+pr\s+merge\s[^|;&\n]{0,200}?--admin\b",
            "action.permissions",
            "The shell command turns a security control off (auditing, a sensor, a safeguard, "
            "the history)",
            0.8,
        ),
    )
)


def gated_rules(low: str) -> list[Rule]:
    """The rules of ``GATED_RULES`` whose hints ``low`` holds."""
    return [(rx, c, m, w) for hints, rx, c, m, w in GATED_RULES if any(h in low for h in hints)]

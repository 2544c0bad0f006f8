"""Where credentials live and what they look like: the patterns the content detector
reads arguments with, and the cheap literal looks that run before them.

* ``SECRET_PATH`` — paths where credentials are kept (``/etc/shadow``, ``~/.ssh``,
  ``id_rsa``, a key or credentials file, a browser's saved logins).
* ``SECRET_VALUE`` — secret material itself (private key blocks, cloud and API tokens,
  ``password=...``, a database connection string that carries its password, a
  password's stored hash).
* ``CONNECTION_SECRET`` — a connection string with a password in it
  (``postgresql://user:pass@host``), not one whose password is a variable.
"""

from __future__ import annotations

import re

from ._base import literals

__all__ = ["CONNECTION_SECRET", "SECRET_PATH", "SECRET_VALUE", "TOKEN"]

SECRET_PATH = re.compile(
    r"(/etc/(shadow|gshadow|sudoers|master\.passwd)\b|~?/?\.ssh(/|\b)|\bid_(rsa|dsa|ecdsa|ed25519)\b"
    r"|\.aws[/\\]credentials|\.docker[/\\]config\.json|\.kube[/\\]config|\.netrc\b|\.pgpass\b|\.gnupg\b"
    r"|\.git-credentials\b|\.npmrc\b|\.pypirc\b"
    r"|\bkeychain\b|\bwallet\.dat\b|(?<![\w-])-*\b[\w-]*(api[_-]?keys?|secrets?|credentials?|tokens?|"
    r"passwords?)\.(json|ya?ml|txt|env|ini|cfg|conf|csv|db)\b"
    # A key file by its name (``server.key``, ``tls.pem``), not a field read as ``.key``.
    r"|(?<=[\w*}-])\.(?:pem|key)\b"
    # An app's environment file, but not the template committed beside it.
    r"|(^|[/\s])\.env(?!\.(?:example|sample|template|dist|tpl)\b)\b"
    # A cloud CLI's stored logins; a blog's config with its database password; a
    # browser's saved passwords and cookies; a web server's password file; a vault
    # token; a process's environment. (A shell's history, `printenv`, an app's
    # database.yml and terraform state are read while debugging as a matter of course.)
    r"|\.config/gcloud/(?:credentials\.db|access_tokens\.db|legacy_credentials"
    r"|application_default_credentials\.json)|\bwp-config\.php\b|/login data\b"
    r"|\blogins\.json\b|\bkey[34]\.db\b|\bcookies\.sqlite\b|\.htpasswd\b|\.vault-token\b"
    r"|/proc/(?:self|\d+)/environ\b)"
)
# A database or broker URL with a password between ``user:`` and ``@``; a password that
# is a variable or a placeholder (``${PGPASSWORD}``, ``<password>``, ``***``,
# ``PASSWORD``, ``xxxx``, ``changeme``) is none.
_CONNECTION = (
    r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver"
    r"|oracle|clickhouse|cockroachdb)(?:\+\w{1,20})?://[^\s:/@'\"]{1,64}:(?![$<*{%])"
    r"(?!(?:(?:your|my|db|the)[_-]?)?(?:password|passwd|pass|pwd|secret)@|x{3,}@|\.{3}@"
    r"|changeme@|redacted@)"
    r"[^\s@/'\"]{1,128}@"
)
CONNECTION_SECRET = re.compile(_CONNECTION)
SECRET_VALUE = re.compile(
    r"(-----begin [a-z ]*private key-----|\bakia[0-9a-z]{16}\b|\bgh[pousr]_[0-9a-z]{30,}"
    r"|\bxox[abprs]-[0-9a-z-]{10,}|\bsk-[0-9a-z]{20,}|\beyj[0-9a-z_-]{10,}\.eyj[0-9a-z_-]{10,}"
    r"|(?:\b|(?<=_))(password|passwd|pwd|passphrase|secret|api[_ -]?key|access[_ -]?token"
    r"|private[_ -]?key|access[_ -]?key|client[_ -]?secret|secret[_ -]?key)(?:_key)?"
    # An environment variable's secret (``AWS_SECRET_ACCESS_KEY=...``, ``GITHUB_TOKEN=...``).
    r"\s*[:=]\s*\S{4,}|(?<=_)token\s*[:=]\s*\S{8,}"
    r"|\b(my|our|the|your) (ssh|private|api|secret) keys?\b|"
    + _CONNECTION
    # A password's stored hash: bcrypt, argon2, the crypt(3) schemes, Django's and
    # Werkzeug's pbkdf2 and scrypt.
    + r"|\$2[aby]?\$\d\d\$[./0-9a-z]{53}"
    r"|\$argon2(?:id|i|d)\$v=\d{1,3}\$m=\d{1,9},t=\d{1,4},p=\d{1,4}\$[0-9a-z+/=]{8,}\$[0-9a-z+/=]{16}"
    r"|\$[156]\$(?:rounds=\d{1,9}\$)?[./0-9a-z]{1,16}\$[./0-9a-z]{22}"
    r"|\bpbkdf2[_:]sha(?:1|256|512)[$:]\d{1,9}\$[^\s$]{1,64}\$[0-9a-z+/=]{20}"
    r"|\bscrypt:\d{1,9}:\d{1,4}:\d{1,4}\$[^\s$]{1,64}\$[0-9a-f]{20})"
)

# Credentials whose shape alone says what they are: a key block, a cloud or API token.
_TOKEN = re.compile(
    r"-----begin [a-z ]*private key-----|\bakia[0-9a-z]{16}\b|\bgh[pousr]_[0-9a-z]{30,}"
    r"|\bxox[abprs]-[0-9a-z-]{10,}|\bsk-[0-9a-z]{20,}|\bsk_live_[0-9a-z]{16,}"
)
TOKEN = _TOKEN
_URL_TEXT = re.compile(r"\bhttps?://[^\s'\"<>]+")


def _token_in_url(low: str) -> re.Match[str] | None:
    """A credential inside a URL in ``low`` (its query, path or userinfo), if any."""
    for url in _URL_TEXT.finditer(low):
        m = _TOKEN.search(low, url.start(), url.end())
        if m:
            return m
    return None


# A literal that every match of SECRET_PATH, or of SECRET_VALUE, contains: a cheap
# first look, so the full patterns (whose ``[\w-]*`` prefixes scan every word) run only
# on text that could match. tests/test_content_hints.py keeps each hint a true superset
# (through ``_PATH_HINT`` and ``_VALUE_HINT``, the same literals as patterns).
_PATH_WORDS = (
    "/etc/",
    ".ssh",
    "id_",
    ".aws/",
    ".aws\\",
    ".docker/",
    ".docker\\",
    ".kube/",
    ".kube\\",
    ".netrc",
    ".pgpass",
    ".gnupg",
    ".git-credentials",
    "npmrc",
    "pypirc",
    "keychain",
    "wallet.dat",
    "api",
    "secret",
    "credential",
    "token",
    "password",
    ".env",
    ".pem",
    ".key",
    "gcloud",
    "wp-config",
    "login data",
    "logins.json",
    "key3.db",
    "key4.db",
    "cookies.sqlite",
    "htpasswd",
    "vault-token",
    "/environ",
)
_VALUE_WORDS = (
    "-----begin",
    "akia",
    *(f"gh{c}_" for c in "pousr"),
    "xox",
    "sk-",
    "eyj",
    "passw",
    "pwd",
    "passphrase",
    "secret",
    "api",
    "access",
    "private",
    "key",
    "token",
    # A connection string's scheme.
    "postgres",
    "mysql",
    "mariadb",
    "mongodb",
    "redis",
    "amqp",
    "mssql",
    "sqlserver",
    "oracle",
    "clickhouse",
    "cockroachdb",
    # A password hash's scheme.
    "$2",
    "argon2",
    "$1$",
    "$5$",
    "$6$",
    "pbkdf2",
    "scrypt:",
)
_PATH_HINT = literals(_PATH_WORDS)
_VALUE_HINT = literals(_VALUE_WORDS)

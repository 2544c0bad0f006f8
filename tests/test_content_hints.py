"""The cheap first looks in ``_content`` never skip text the full patterns would match:
wherever SECRET_PATH or SECRET_VALUE finds something, its hint finds something too."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handoff.detect.detectors import _credentials as c

# Pieces of the patterns' own alternatives and of ordinary text, glued at random.
PIECES = [
    "/etc/shadow",
    "/etc/",
    "~/.ssh/",
    ".ssh",
    "id_rsa",
    "id_ed25519",
    ".aws/credentials",
    ".aws\\credentials",
    ".docker/config.json",
    ".kube/config",
    ".netrc",
    ".pgpass",
    ".gnupg",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    ".config/gcloud/",
    "credentials.db",
    "wp-config.php",
    "login data",
    "logins.json",
    "key4.db",
    "cookies.sqlite",
    "database.yml",
    "terraform.tfstate",
    ".htpasswd",
    ".vault-token",
    "/proc/self/environ",
    "secret_key",
    "keychain",
    "wallet.dat",
    "api_keys",
    "api-key",
    "secrets",
    "credential",
    "tokens",
    "passwords",
    ".json",
    ".yaml",
    ".env",
    ".pem",
    ".key",
    "-----begin rsa private key-----",
    "akia",
    "ghp_",
    "xoxb-",
    "sk-",
    "eyj",
    "$2b$12$",
    "$argon2id$v=19$m=65536,t=3,p=4$",
    "$6$rounds=5000$",
    "$1$",
    "pbkdf2_sha256$600000$",
    "scrypt:32768:8:1$",
    "$",
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "api key",
    "access token",
    "private key",
    " = ",
    ":",
    "my ",
    "ssh ",
    "keys",
    "abcdefghij0123456789",
    "report",
    "/home/u/",
    " ",
    "/",
    ".",
    "_",
    "-",
    "x",
]


@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_each_hint_is_a_superset_of_its_pattern(parts: list[str]) -> None:
    low = "".join(parts)
    if c.SECRET_PATH.search(low):
        assert c._PATH_HINT.search(low), low
    if c.SECRET_VALUE.search(low):
        assert c._VALUE_HINT.search(low), low

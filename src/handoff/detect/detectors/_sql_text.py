"""Where SQL sits inside an argument that is not SQL itself, and what a SELECT reads.

* ``embedded_sql`` — the statements a database client is handed in quotes (``psql -c
  '…'``, ``mysql -e "…"``) or as a here-document, a driver call in code is handed
  (``cur.execute("…")``, ``text(…)``, a literal assigned to the name a driver call is
  handed), or a JSON text holds under a query key (``{"sql": "…"}``);
* ``reads_credentials`` — a SELECT whose columns are credentials (``password_hash``,
  ``api_key``, ``client_secret``, ``refresh_token``) or that takes every column (``*``)
  of a table that holds them (``oauth_tokens``, ``api_keys``, ``credentials``). A
  credential column only tested in a WHERE, or counted, is not read out.
"""

from __future__ import annotations

import re

__all__ = ["DB_WORDS", "SQL_KEYS", "embedded_sql", "reads_credentials"]

# A tool whose name says it queries a database: what starts with SELECT under any key
# of its arguments is a query.
DB_WORDS = frozenset(
    ("sql", "query", "queries", "db", "database", "postgres", "postgresql", "mysql", "sqlite",
     "mssql", "snowflake", "bigquery", "redshift", "clickhouse", "duckdb", "warehouse", "supabase")
)  # fmt: skip

# The keys whose text is SQL or a line that runs; elsewhere (a body, a message) a SELECT
# is read only inside a client's quotes, a driver call or a query key of a JSON text.
SQL_KEYS = frozenset(
    ("sql", "query", "statement", "statements", "stmt", "sql_query", "command", "cmd", "script",
     "code", "commands")
)  # fmt: skip

# A database's own command-line client, which runs the SQL it is given in quotes.
_SQL_CLIENT = re.compile(
    r"\b(?:psql|mysql|mariadb|sqlite3|sqlcmd|duckdb|cqlsh|snowsql|clickhouse-client|cockroach"
    r"|influx|bq|trino|presto|hive|beeline|spark-sql)\b"
)
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
# SQL handed to a driver inside code: ``cur.execute("DROP TABLE users")``,
# ``db.query('DELETE FROM orders')``, SQLAlchemy's ``text(...)``, Django's ``raw(...)``;
# or under a key of a JSON text (``{"sql": "DROP TABLE users"}``).
_SQL_CALL = re.compile(
    r"(?:\b(?:execute(?:many|script)?|exec_driver_sql|query|raw|sql|text|run_sql)\s*\(\s*"
    r"[rbuf]{0,2}|[\"'](?:sql|query|statement|stmt)[\"']\s*:\s*)(\"\"\"|'''|\"|')"
)
# A statement held in a variable, then handed to a driver (``q = "DROP TABLE users"``,
# ``cur.execute(q)``): the names driver calls are handed, and the literals assigned.
_DRIVER_ARG = re.compile(
    r"\b(?:execute(?:many|script)?|exec_driver_sql|query|raw|run_sql)\s*\("
    r"\s*([a-z_]\w{0,40})\s*[,)]"
)
_ASSIGNED = re.compile(r"\b([a-z_]\w{0,40})\s*=\s*[rbuf]{0,2}(\"\"\"|'''|\"|')")


def _sql_in_calls(low: str) -> list[str]:
    """The string literal each driver call in ``low`` is handed first, or each literal
    assigned to a name a driver call is handed."""
    parts = []
    for m in _SQL_CALL.finditer(low):
        end = low.find(m.group(1), m.end())
        parts.append(low[m.end() : end if end >= 0 else len(low)])
    names = {m.group(1) for m in _DRIVER_ARG.finditer(low)} if "=" in low else set()
    if names:
        for m in _ASSIGNED.finditer(low):
            if m.group(1) in names:
                end = low.find(m.group(2), m.end())
                parts.append(low[m.end() : end if end >= 0 else len(low)])
    return parts


def embedded_sql(low: str, code_like: bool) -> list[str]:
    """The SQL texts inside ``low`` (lowercased): what a client is handed in quotes or a
    here-document, and, when ``code_like`` (the call writes no note), what driver calls
    or query keys of a JSON text are handed."""
    parts: list[str] = []
    if _SQL_CLIENT.search(low):
        # ``psql -c '...'``, ``mysql -e "..."``: the statements are the quoted parts.
        parts = [a or b for a, b in _QUOTED.findall(low)]
        if "<<" in low and "\n" in low:
            # ``psql <<EOF`` then the statements on the lines after it.
            parts.append(low.split("\n", 1)[1])
    if code_like and ("(" in low or ":" in low):
        parts.extend(_sql_in_calls(low))
    return parts


# What a SELECT returns, up to its FROM and the first table named (bounded: one start per
# SELECT, and no start rescans another's run).
_SELECT = re.compile(r"\bselect\s+((?:[^;]){1,600}?)\s+from\s+([\w.\"`\[\]]{1,120})")
# A column that holds a credential, by its whole name; a prefix names whose it is
# (``stripe_api_key``, ``github_token``), never what it says of one (``is_secret``,
# ``password_changed_at``, ``prompt_tokens``).
_CREDENTIAL_COLUMN = re.compile(
    r"(?<![\w$])(?!is_|has_)(?:[a-z][a-z0-9]{0,30}_){0,3}"
    r"(?:password|passwd|pwd|password_hash|password_digest|hashed_password|encrypted_password"
    r"|pass_hash|pwd_hash|api_?key|api_secret|secret|secret_key|client_secret|access_token"
    r"|refresh_token|auth_token|id_token|session_token|bearer_token|token|private_key"
    r"|signing_key|encryption_key|secret_access_key|otp_secret|totp_secret|mfa_secret"
    r"|webhook_secret|recovery_codes?)(?![\w(])"
)
# A table that holds credentials, by the last part of its name.
_CREDENTIAL_TABLE = re.compile(
    r"(?:^|[._\"`\[])(?:tokens|api_?keys|credentials|secrets|passwords|private_keys)[\"`\]]?$"
)
# Every column: ``*`` or ``t.*``, not ``count(*)``.
_EVERY_COLUMN = re.compile(r"(?:^|,)\s*(?:distinct\s+)?(?:[\w\"`]{1,64}\.)?\*\s*(?:,|$)")
# A function that returns something other than the value it is handed: ``count(token)``,
# ``length(password)``, ``md5(api_key)``. (``coalesce(api_key, '')`` returns the key.)
_CALL_ARGS = re.compile(
    r"\b(?:count|length|char_length|octet_length|bit_length|md5|sha\d*|digest|crypt|exists"
    r"|bool_\w{2,3})\s*\([^()]*\)"
)


def reads_credentials(query: str) -> re.Match[str] | None:
    """Where a SELECT in ``query`` (lowercased, comments folded) reads credentials out:
    a credential column in what it returns, or every column of a credentials table."""
    if "select" not in query:
        return None
    for m in _SELECT.finditer(query):
        returned = _CALL_ARGS.sub(" ", m.group(1))
        column = _CREDENTIAL_COLUMN.search(returned)
        if column is not None:
            hit = _CREDENTIAL_COLUMN.search(query, m.start(1), m.end(1))
            return hit or m
        if _EVERY_COLUMN.search(returned) and _CREDENTIAL_TABLE.search(m.group(2)):
            return m
    return None

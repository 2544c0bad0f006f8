"""Dangerous argument content, whatever the tool is called.

A tool named ``db.query`` can drop a table and one named ``users.update`` can make
someone an administrator: the name is the caller's choice, the arguments are what runs.
This detector reads every argument for content that is dangerous on its own:

* SQL that destroys or grants: ``DROP``/``TRUNCATE``, ``DELETE`` or ``UPDATE`` without
  ``WHERE`` (or with one that pins no row), ``GRANT``/``REVOKE``, ``ALTER ... USER|ROLE``;
* a Kubernetes role or binding that grants every permission; a search index's
  documents deleted by a query that pins none;
* a privileged role, a write or owner permission, or a public ACL set by an argument;
* secrets: the paths where credentials live (``/etc/shadow``, ``~/.ssh``, ``id_rsa``, a
  key or credentials file) and secret material itself (private key blocks, cloud and
  API tokens, ``password=...``).
"""

from __future__ import annotations

import re

from ._base import ActionView, DetectConfig, Signal, holds_any, literals, signal_at, wordset
from ._code import writes_prose
from ._credentials import (
    _PATH_WORDS,
    _TOKEN,
    _VALUE_WORDS,
    SECRET_PATH,
    SECRET_VALUE,
    _token_in_url,
)
from ._effects import effect_of
from ._lines import routine_chmod
from ._plain import path_plain, sql_plain
from ._sense import saves_draft
from ._sql_text import DB_WORDS, SQL_KEYS, embedded_sql, reads_credentials

__all__ = ["SECRET_PATH", "SECRET_VALUE", "detect_content", "public_hint"]

_SQL_START = re.compile(
    # A statement's start, or a CTE's body (``WITH x AS (SELECT ...) DELETE ...``).
    r"(?:^|;|\bas\s*\()\s*(select|insert|update|delete|drop|truncate|alter|grant|revoke|create"
    r"|replace|merge|copy|exec|execute|prepare|set\s+(?:session\s+|local\s+)?row_security)\b"
)
_SQL_RULES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(
            r"\b(drop|truncate)\s+(table|database|schema|index|view|user|role|keyspace|collection)\b"
            r"|(?:^|;)\s*truncate\s+[\w.\"`\[\]]+"
            r"|\balter\s+table\s+[\w.\"`\[\]]+\s+drop\b|\bdrop\s+owned\s+by\b"
            # MERGE whose matched rows are deleted.
            r"|\bmerge\s+into\s[^;]{0,400}?\bthen\s+delete\b"
        ),
        "action.destructive",
        "The SQL drops or empties a table or database",
    ),
    (
        # FROM is optional in T-SQL and Oracle: ``DELETE users`` empties the table.
        re.compile(r"\bdelete\s+(?:from\s+)?[\w.\"`\[\]]+\s*(?:;|$)"),
        "action.destructive",
        "The SQL deletes every row of a table (DELETE without WHERE)",
    ),
    (
        re.compile(r"\bupdate\s+[\w.\"`\[\]]+\s+set\b(?:(?!\bwhere\b)[^;])*(?:;|$)"),
        "action.destructive",
        "The SQL changes every row of a table (UPDATE without WHERE)",
    ),
    (
        re.compile(
            r"\b(grant|revoke)\b[^;]{0,200}\b(to|from|on)\b|\balter\s+(server\s+)?(user|role)\b"
            r"|\bsp_add(?:srv)?rolemember\b"
            r"|\bcreate\s+(?:user|role|login)\s[^;]{0,300}?\b(?:superuser|createrole|bypassrls)\b"
            # A privileged role written as data (INSERT, REPLACE, an upsert, UPDATE), or
            # an administrator flag set.
            r"|\b(?:insert|replace|upsert|update)\s[^;]{0,400}?(?:role|permission|privilege"
            r"|access_level|group)[^;]{0,400}?'(?:admin(?:istrator)?|super_?(?:user|admin)|root"
            r"|owner|sysadmin|\*|all(?:_privileges|_permissions)?|full(?:_access|_control)?)s?'"
            r"|\bset\s[^;]{0,400}?\b(?:is_admin|is_superuser|is_staff|is_root|superuser)\s*=\s*"
            r"(?:true|1|'t'|'true')\b"
            # Row-level security lifted: a table's policies off, a policy dropped or made
            # to pass every row, a session told to read past them, SQL Server's policy off.
            r"|\b(?:disable|no\s+force)\s+row\s+level\s+security\b|\bbypassrls\b"
            r"|\bdrop\s+(?:security\s+)?policy\b|\bsecurity\s+policy\s[^;]{0,300}?\bstate\s*=\s*off\b"
            r"|\b(?:create|alter)\s+policy\s[^;]{0,300}?\b(?:using|check)\s*\(\s*(?:true|1\s*=\s*1)\s*\)"
            r"|\bset\s+(?:session\s+|local\s+)?row_security\s*(?:=|to)\s*'?(?:off|false|0)\b"
        ),
        "action.permissions",
        "The SQL grants or revokes privileges",
    ),
    (
        # Postgres's COPY ... PROGRAM and SQL Server's xp_cmdshell run a shell command.
        re.compile(r"\bcopy\s[^;]{0,500}?\b(?:to|from)\s+program\b|\bxp_cmdshell\b"),
        "action.untrusted_code",
        "The SQL runs a shell command on the database server",
    ),
    (
        # The database server's own files written or read by SQL: INTO OUTFILE,
        # LOAD_FILE, Postgres's file functions, COPY to or from a path on the server.
        re.compile(
            r"\binto\s+(?:outfile|dumpfile)\b|\bload_file\s*\(|\bload\s+data\s+infile\b"
            r"|\bpg_(?:read_file|read_binary_file|write_file|ls_dir)\s*\(|\blo_(?:import|export)\s*\("
            r"|\bcopy\s[^;]{0,500}?\b(?:to|from)\s+'/"
        ),
        "action.untrusted_code",
        "The SQL reads or writes files on the database server",
    ),
    (
        # A statement built from pieces and run: ``EXEC('DR' + 'OP ...')``, a PREPARE
        # from a variable, EXECUTE IMMEDIATE, sp_executesql.
        re.compile(
            r"\bexec(?:ute)?\s*\(\s*'[^']{0,200}'\s*\+|\bprepare\s+\w{1,60}\s+from\s+@"
            r"|\bexecute\s+immediate\b|\bsp_executesql\b"
        ),
        "action.untrusted_code",
        "The SQL runs a statement it builds when it runs: what runs is not what is shown",
    ),
)
# A WHERE that every row meets (``WHERE 1=1``, ``... OR 'a'='a'``) as the last condition
# of a DELETE or UPDATE: the statement reaches every row, like one without WHERE.
_ALWAYS_TRUE = re.compile(
    r"\b(?:where|or)\s+(?:\(\s*)?(?:([\w.]{1,64})\s*=\s*\1|'(\w*)'\s*=\s*'\2'|true|1)(?:\s*\))?\s*$"
)
_EVERY_ROW = "The SQL deletes or changes every row of a table (its WHERE holds for every row)"
_UNPINNED = (
    "The SQL deletes or changes rows by a range or a pattern, not by key: its WHERE may "
    "hold for every row"
)
# The start of a DELETE or an UPDATE, after a CTE (``WITH x AS (...) DELETE ...``); a
# DELETE may name the alias it deletes from (``DELETE u FROM users u``).
_ROWS_VERB = re.compile(
    r"^\s*(?:with\b.*?\)\s*)?(?:delete\s+(?:top\s*\(?\s*\d+\s*\)?\s+|[\w`\"\[\]]+\s+)?from\s"
    r"|update\s+(?:only\s+)?[\w.\"`\[\]]+\s+set\b)",
    re.S,
)
_NO_WHERE = "The SQL deletes or changes every row of a table (it has no WHERE)"
# A Kubernetes role or role binding (its ``kind``, in YAML or JSON text or as a field) ...
_RBAC_KIND = re.compile(r"\bkind[\"']?\s*:\s*[\"']?(?:cluster)?role(?:binding)?\b")
_RBAC_KINDS = frozenset(("clusterrolebinding", "rolebinding", "clusterrole", "role"))
# ... that grants every permission in the cluster or a namespace: the cluster-admin role,
# the system:masters group, a roleRef to the namespace's admin role (read before the
# subjects, whose names are people's), or every verb (on every resource, below).
_ALL_POWER = re.compile(
    r"\bcluster-admin\b|\bsystem:masters\b"
    r"|\broleref[\"']?\s*:(?:(?!subjects)[^}]){0,200}?\bname[\"']?\s*:\s*[\"']?admin(?![\w-])"
)
_ALL_VERBS = re.compile(r"\bverbs[\"']?\s*:\s*(?:\[\s*|-\s*)?[\"']\*[\"']")
_ALL_RESOURCES = re.compile(r"\bresources[\"']?\s*:\s*(?:\[\s*|-\s*)?[\"']\*[\"']")


def _power_at(path: str, low: str, key: str) -> re.Match[str] | None:
    """Where ``low`` names a role or group that holds every permission, as text or as
    a field (``roleRef.name: admin``)."""
    m = _ALL_POWER.search(low)
    if (
        m is None
        and key == "name"
        and low.strip() == "admin"
        and path.lower().endswith(".roleref.name")
    ):
        m = re.search(r"\S+", low)
    return m


def _every_verb_at(low: str, key: str) -> re.Match[str] | None:
    if key == "verbs" and low.strip() == "*":
        return re.search(r"\*", low)
    return _ALL_VERBS.search(low)


def _grants_every_power(view: ActionView) -> bool:
    """Whether the call's arguments are a role or role binding (as text or as fields)
    that grants every permission in the cluster or a namespace, other than in a note."""
    low_all = view.args_lower
    if "role" not in low_all or not ("admin" in low_all or "masters" in low_all or "*" in low_all):
        return False
    kind = named = verbs = resources = False
    for (path, _), low, key in zip(view.args, view.lowered(), view.arg_keys(), strict=True):
        kind = kind or (key == "kind" and low.strip() in _RBAC_KINDS)
        kind = kind or ("kind" in low and _RBAC_KIND.search(low) is not None)
        named = named or _power_at(path, low, key) is not None
        verbs = verbs or _every_verb_at(low, key) is not None
        resources = resources or (key == "resources" and low.strip() == "*")
        resources = resources or _ALL_RESOURCES.search(low) is not None
    return kind and (named or (verbs and resources)) and not writes_prose(view)


_WHERE = re.compile(r"\bwhere\b[^;]*")
# What pins a WHERE to chosen rows: an equality, an IN list or a BETWEEN. A WHERE made
# only of ranges (``id > 0``), ``IS NOT NULL`` or ``LIKE`` patterns may reach every row;
# so may an IN whose subquery pins nothing itself (``id IN (SELECT id FROM users)``).
_PIN = re.compile(r"(?<![!<>=])=|(?<!not)(?<!\s)\s+in\s*\((?!\s*select\b)|\bbetween\b")


_OR_OR_PAREN = re.compile(r"\bor\b|[()]")


def _disjuncts(where: str) -> list[str]:
    """``where`` split at each OR outside parentheses: each part must pin rows, since
    ``id = 5 OR id > 0`` reaches every row."""
    if " or " not in where:
        return [where]
    parts, depth, start = [], 0, 0
    for m in _OR_OR_PAREN.finditer(where):
        token = m.group()
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            parts.append(where[start : m.start()])
            start = m.end()
    return [*parts, where[start:]]


def _every_row(query: str) -> tuple[re.Match[str], str] | None:
    """The WHERE of a DELETE or UPDATE in ``query`` that may hold for every row (an
    always-true last condition, or nothing that pins rows), with what it means."""
    at = 0
    for statement in query.split(";"):
        verb = _ROWS_VERB.match(statement)
        if verb:
            if _WHERE.search(statement, verb.end()) is None:
                # ``DELETE FROM t USING u``, ``DELETE TOP (9) FROM t``, a CTE's DELETE.
                hit = _ROWS_VERB.match(query, at, at + len(statement))
                return (hit, _NO_WHERE) if hit else None
            m = _ALWAYS_TRUE.search(statement)
            if m:
                hit = _ALWAYS_TRUE.search(query, at + m.start(), at + len(statement))
                return (hit, _EVERY_ROW) if hit else None
            where = _WHERE.search(query, at, at + len(statement))
            if where and not all(_PIN.search(d) for d in _disjuncts(where.group())):
                return where, _UNPINNED
        at += len(statement) + 1
    return None


_ROLE_KEYS = wordset(
    "role roles permission permissions access access_level level privilege privileges "
    "scope scopes group groups acl rights is_admin admin superuser type"
)
_PRIVILEGED_VALUE = re.compile(
    r"^\s*(admin(istrator)?s?|owners?|root|super[_ -]?(user|admin)|sudo|sudoers|"
    r"write|edit|editor|full|all|maintainer|manage|wheel|org[_ -]?admin|true|rw|r/w|"
    r"read[-_ ]?write|w|owner|writers?|(?:file[_ -]?)?organizer|contributor|can[_ -]?edit|"
    r"full[_ -]?control)\s*$"
)
_ROLE_WORDS = wordset(
    "admin admins administrator administrators owner owners root superuser superadmin sudo sudoers"
)
_WORD_BREAK = re.compile(r"[-_\s./:]+")
_PUBLIC_ACL = re.compile(
    r"\b(public-read(-write)?|authenticated-read|allusers|allauthenticatedusers|"
    r"anyone[ _-]?with[ _-]?(?:the[ _-]?)?link|anyonewithlink|public access)\b"
)
# A visibility written inside a text (a GraphQL input, a flag, a config line): counted
# unless the person asked for something public.
_PUBLIC_TEXT = re.compile(r"\bvisibility\s*[:=]\s*[\"']?public\b")
# The same, in a policy written as JSON text.
_ANY_PRINCIPAL = re.compile(r'"principal"\s*:\s*(?:\{\s*"aws"\s*:\s*)?(?:\[\s*)?"\*"')
_ASKED_PUBLIC = re.compile(r"\bpublic\b|\bpublish")
# A GraphQL mutation whose first field deletes (``mutation { deleteRepository(...) }``).
_GRAPHQL_DESTROY = re.compile(
    r"mutation\b[^{]{0,200}\{\s*(?:\w{1,64}\s*:\s*)?(?:delete|remove|destroy|purge|drop|wipe)"
)
_VISIBILITY_KEYS = wordset("acl visibility privacy access sharing share_mode audience policy")
# A sharing link's scope (``create_sharing_link(scope="anonymous")``).
_ANYONE = wordset("anonymous anyone everyone public")
_LINK_SCOPE_KEYS = wordset(
    "scope link_scope link_type type access audience with share_with shared_with visible_to"
)
_SHARING = wordset("link links share sharing shared")

# Literals that every match of _SQL_START, and of _PUBLIC_ACL or a public visibility
# value, contains (tests/test_detect_hints.py keeps them supersets).
_SQL_WORDS = (
    "select",
    "insert",
    "update",
    "delete",
    "drop",
    "truncate",
    "alter",
    "grant",
    "revoke",
    "create",
    "replace",
    "merge",
    "copy",
    "exec",
    "prepare",
    "row_security",
)
_SQL_HINT = literals(_SQL_WORDS)


_ENV_FROM_TEMPLATE = re.compile(
    r"\bcp\s+(?:-\w+\s+){0,3}[^\s;&|]*\.env\.(?:example|sample|template|dist|tpl)\s+[^\s;&|]*\.env\b"
)


def public_hint(low: str) -> bool:
    """Whether ``low`` holds a word that every public ACL or visibility value holds."""
    return (
        "public" in low
        or "authenticated" in low
        or "allusers" in low
        or "anyone" in low
        or "everyone" in low
        or "anonymous" in low
    )


def detect_content(view: ActionView, config: DetectConfig) -> list[Signal]:
    """Signals for dangerous SQL, privileged grants, public ACLs and secrets in arguments."""
    out: list[Signal] = []
    if view.truncated:
        out.append(
            Signal(
                "input.unreadable",
                "Part of the arguments could not be read whole, so nothing vouches for "
                "what they hold",
                where=view.truncated,
                weight=0.6,
                uncertainty=0.8,
            )
        )
    seen: set[str] = set()
    effect = effect_of(view)
    sends = effect.has("outward", "public", "network", "open_world")
    # Each check below first asks whether any argument could match at all: the hints
    # are literals, so one look at every argument joined says it for each of them.
    low_all = view.args_lower
    sql = holds_any(low_all, _SQL_WORDS)
    roles = not _ROLE_KEYS.isdisjoint(view.arg_keys())
    public = (
        public_hint(low_all)
        or "principal" in low_all
        or "principal" in view.key_set
        or ("open" in low_all and any("link" in k for k in view.key_set))
    )
    paths = holds_any(low_all, _PATH_WORDS)
    values = sends and holds_any(low_all, _VALUE_WORDS)
    # A call that only fetches still sends what its URL holds to the URL's host.
    in_url = not sends and "://" in low_all and _TOKEN.search(low_all) is not None
    # A role that holds every permission granted; a search index emptied by a query
    # that pins no document.
    binding = _grants_every_power(view)
    if _deletes_unpinned_docs(view):
        out.append(
            Signal(
                "action.destructive",
                "The call deletes documents of a search index by a query that pins none "
                "(all of them, a range, a field that exists)",
                where=_arg_with(view, "delete_by_query"),
                excerpt=view.tool,
                weight=0.9,
                impact=0.8,
                reversibility=0.85,
                sensitivity=0.6,
            )
        )
    if not (sql or roles or public or paths or values or in_url or binding):
        return out
    for (path, text), low, key in zip(view.args, view.lowered(), view.arg_keys(), strict=True):
        query = sql_plain(low) if sql else low
        if sql and not _SQL_START.search(query):
            parts = embedded_sql(low, not writes_prose(view))
            if parts:
                query = "; ".join(sql_plain(part) for part in parts)
        if (
            sql
            and "action.destructive" not in seen
            and (m := _GRAPHQL_DESTROY.match(low, len(low) - len(low.lstrip())))
        ):
            seen.add("action.destructive")
            out.append(
                signal_at(
                    "action.destructive",
                    "The GraphQL mutation deletes what it names",
                    path,
                    text,
                    m,
                    weight=0.9,
                    impact=0.8,
                    reversibility=0.85,
                    sensitivity=0.6,
                )
            )
        if sql and _SQL_START.search(query):
            for rx, code, message in _SQL_RULES:
                m = rx.search(query)
                if m is None and code == "action.destructive":
                    every = _every_row(query)
                    if every:
                        m, message = every
                if m and code not in seen:
                    seen.add(code)
                    out.append(
                        signal_at(
                            code,
                            message,
                            path,
                            text if query is low else query,
                            m,
                            weight=0.9,
                            impact=0.8,
                            reversibility=0.85,
                            sensitivity=0.6,
                        )
                    )
        if (
            sql
            and "secret" not in seen
            and (
                query is not low
                or key in SQL_KEYS
                or (not view.word_set.isdisjoint(DB_WORDS) and _SQL_START.match(query))
            )
        ):
            m = reads_credentials(query)
            if m is not None:
                seen.add("secret")
                out.append(
                    signal_at(
                        "secrets.outward" if sends else "secrets.access",
                        "The SQL reads credentials out (password hashes, API keys or tokens)"
                        + (" and the call sends them" if sends else ""),
                        path,
                        text if query is low else query,
                        m,
                        weight=0.85,
                        impact=0.7,
                        reversibility=0.6,
                        sensitivity=0.9,
                    )
                )
        if binding and "permissions" not in seen:
            m = _power_at(path, low, key) or _every_verb_at(low, key)
            if m:
                seen.add("permissions")
                out.append(
                    signal_at(
                        "action.permissions",
                        "The manifest grants every permission in the cluster or a namespace "
                        "(cluster-admin, admin, system:masters, every verb)",
                        path,
                        text,
                        m,
                        weight=0.9,
                        impact=0.8,
                        reversibility=0.5,
                        sensitivity=0.7,
                    )
                )
        if roles and key in _ROLE_KEYS and "permissions" not in seen:
            m = _PRIVILEGED_VALUE.match(low)
            if m is None and len(low) <= 64 and not _ROLE_WORDS.isdisjoint(_WORD_BREAK.split(low)):
                # ``org-owner``, ``Global Administrator``: a privileged word in a role name.
                m = re.search(r"\S.*\S|\S", low)
            if m and (key != "type" or "role" in view.words or "permission" in view.words):
                seen.add("permissions")
                out.append(
                    signal_at(
                        "action.permissions",
                        f"The call sets {key} to {text.strip()!r}: a privileged role or "
                        "write access",
                        path,
                        text,
                        m,
                        weight=0.9,
                        impact=0.8,
                        reversibility=0.5,
                        sensitivity=0.7,
                    )
                )
        if public and "public" not in seen:
            m = _PUBLIC_ACL.search(low)
            if m is None and key in _VISIBILITY_KEYS and low.strip() in ("public", "everyone"):
                # A draft's audience is whom it reaches once published: not yet anyone.
                m = None if saves_draft(view) else re.search(r"\S+", low)
            if (
                m is None
                and low.strip() in _ANYONE
                and key in _LINK_SCOPE_KEYS
                and not view.word_set.isdisjoint(_SHARING)
            ):
                # A sharing link whose scope is anyone: no sign-in stands before it.
                m = re.search(r"\S+", low)
            if m is None and low.strip() == "open" and "link" in path.lower():
                # A shared link whose access is "open": anyone with it may read.
                m = re.search(r"\S+", low)
            if m is None and low.strip() == "*" and ".principal" in path.lower():
                # A resource policy whose principal is ``*``: anyone may act on it.
                m = re.search(r"\*", low)
            if m is None and "principal" in low:
                m = _ANY_PRINCIPAL.search(low)
            if m is None and (m := _PUBLIC_TEXT.search(low)) is not None:
                m = None if _ASKED_PUBLIC.search(view.instruction.lower()) else m
            if m:
                seen.add("public")
                out.append(
                    signal_at(
                        "action.public_access",
                        "The call makes data readable by anyone (a public ACL or link)",
                        path,
                        text,
                        m,
                        weight=0.85,
                        impact=0.75,
                        reversibility=0.7,
                        sensitivity=0.8,
                    )
                )
        if (paths or values or in_url) and "secret" not in seen:
            # Secret material counts when it is sent; code that handles a password
            # variable is not a leak. Where credentials live counts for any call.
            if paths and ("%" in low or "//" in low or "/./" in low):
                # Positions are then in the folded path.
                folded = path_plain(low)
                if folded != low and SECRET_PATH.search(folded):
                    low = text = folded
            if ".env." in low:
                # ``cp .env.example .env`` fills an environment file from its template:
                # nothing secret is read or written yet (blanked, positions kept).
                low = _ENV_FROM_TEMPLATE.sub(lambda t: " " * len(t.group()), low)
            m = (SECRET_PATH.search(low) if paths and holds_any(low, _PATH_WORDS) else None) or (
                SECRET_VALUE.search(low) if values and holds_any(low, _VALUE_WORDS) else None
            )
            carried = m is None and in_url and (m := _token_in_url(low)) is not None
            if m and not sends and not carried and _keeps_to_owner(low):
                # ``chmod 600 ~/.ssh/id_rsa`` reads nothing and lets no one else in.
                m = None
            if m:
                seen.add("secret")
                if carried:
                    message = (
                        "The call puts a credential into a URL it requests: its host receives it"
                    )
                    code = "secrets.outward"
                elif sends:
                    message = "The call sends credentials or secret keys out"
                    code = "secrets.outward"
                else:
                    message = "The call reads or writes where credentials and secret keys live"
                    code = "secrets.access"
                out.append(
                    signal_at(
                        code,
                        message,
                        path,
                        text,
                        m,
                        weight=0.9,
                        impact=0.8,
                        reversibility=0.6,
                        sensitivity=0.9,
                    )
                )
    return out


# What pins a delete by query to chosen documents: a term, terms, ids or match clause,
# or a ``q=`` that is not every document. match_all, a range or an exists may reach all.
_DOC_PINS = frozenset(("term", "terms", "ids", "match", "match_phrase"))
_DOC_PIN_TEXT = re.compile(
    r"[\"'](?:term|terms|ids|match|match_phrase)[\"']\s*:|[?&]q=(?![*&\s]|$)"
)


def _deletes_unpinned_docs(view: ActionView) -> bool:
    """Whether the call deletes a search index's documents by a query that pins none:
    over HTTP (``/_delete_by_query``) or through a client (``es.delete_by_query(...)``),
    other than in a note."""
    low_all = view.args_lower
    if "delete_by_query" not in low_all and "delete_by_query" not in view.tool.lower():
        return False
    if writes_prose(view):
        return False
    if not view.key_set.isdisjoint(_DOC_PINS) or _DOC_PIN_TEXT.search(low_all):
        return False
    q = view.first_arg(("q",))
    return q is None or q.strip() in ("", "*", "*:*")


def _arg_with(view: ActionView, needle: str) -> str:
    """The path of the first argument whose lowercased text holds ``needle``."""
    for (path, _), low in zip(view.args, view.lowered(), strict=True):
        if needle in low:
            return path
    return "tool"


def _keeps_to_owner(low: str) -> bool:
    """Whether the text is one ``chmod`` line that only keeps files to their owner or
    makes them executable."""
    line = low.strip()
    return line.startswith("chmod ") and routine_chmod(line)

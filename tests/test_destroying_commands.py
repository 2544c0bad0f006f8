"""Data thrown away by a spelling or a layer the core shell and SQL rules did not read.

A command word with a backslash inside it (``r\\m``), a delete function looked up by
name (``getattr(os, "remove")``), SQL handed to ``execute(...)`` inside code, a search
index emptied by query, a database reset by its framework, a file emptied through
``tee``: each came out ``auto`` under the default policy before its rule.
"""

from __future__ import annotations

import pytest

from handoff.detect.rubric import assess
from handoff.models import Mode
from handoff.policy import default_policy

from .test_bypasses import act, query, shell

HANDED_OFF = {
    # The shell strips a backslash anywhere in a word, and splits words on $IFS.
    "backslash inside rm": shell("r\\m -rf /data"),
    "backslash inside a path's rm": shell("/bin/r\\m -rf /data"),
    "backslash inside rm under bash -c": shell("bash -c 'r\\m -rf /data'"),
    "IFS between words": shell("rm${IFS}-rf${IFS}/data"),
    "command from two variables": shell("a=r; b=m; $a$b -rf /data"),
    "reversed text into sh": shell("echo 'atad/ fr- mr' | rev | sh"),
    "command name by glob": shell("/???/r[m] -rf /data"),
    "command name by ?": shell("/bin/r? -rf /data"),
    "alias for rm": shell("alias x=rm; x -rf /data"),
    "command decoded by xxd": shell("$(echo 726d | xxd -r -p) -rf /data"),
    # Python that names its delete function as a string.
    "getattr(os, 'remove')": shell("python3 -c \"import os; getattr(os, 'remove')('/srv/db')\""),
    "__import__('os').remove": shell("python3 -c \"__import__('os').remove('/srv/db')\""),
    "from os import remove": shell("python3 -c 'from os import remove as r; r(\"/srv/db\")'"),
    "getattr with a built name": shell(
        "python3 -c \"import shutil; getattr(shutil, 'rm'+'tree')('/srv')\""
    ),
    "exec of joined strings": shell("python3 -c \"exec('import os; os.re'+'move(1)')\""),
    # SQL handed to a driver inside code.
    "execute DROP TABLE": shell(
        "python3 -c \"import sqlite3; c = sqlite3.connect('a.db'); c.execute('DROP TABLE t')\""
    ),
    "execute DELETE without WHERE": act(
        "jupyter.run", {"code": 'conn.execute("DELETE FROM orders")'}
    ),
    "query() DELETE without WHERE": shell("node -e \"db.query('DELETE FROM sessions')\""),
    "SQL in a JSON text": act("api.call", {"payload": '{"sql": "DROP TABLE users"}'}),
    "SQL built then executed": query("EXEC('DR' + 'OP TABLE users')"),
    "SQL prepared from a variable": query(
        "SET @s = CONCAT('DROP ', 'TABLE users'); PREPARE st FROM @s; EXECUTE st;"
    ),
    # A search index emptied by query, over HTTP to a host the person may have named.
    "Elasticsearch _delete_by_query match_all": act(
        "http.request",
        {
            "url": "http://localhost:9200/orders/_delete_by_query",
            "method": "POST",
            "body": {"query": {"match_all": {}}},
        },
    ),
    "Elasticsearch _delete_by_query from curl": shell(
        "curl -XPOST 'localhost:9200/logs/_delete_by_query' -d '{\"query\":{\"match_all\":{}}}'"
    ),
    # A database emptied or reset by its framework or its API client.
    "Django all().delete()": shell(
        "python manage.py shell -c 'from app.models import User; User.objects.all().delete()'"
    ),
    "Rails delete_all": shell("rails runner 'User.delete_all'"),
    "manage.py flush": shell("python manage.py flush --no-input"),
    "rails db:drop": shell("rails db:drop"),
    "prisma migrate reset": shell("npx prisma migrate reset --force"),
    "alembic downgrade base": shell("alembic downgrade base"),
    "gh api -X DELETE": shell("gh api -X DELETE repos/org/prod"),
    "kubectl drain": shell("kubectl drain node-1 --force --delete-emptydir-data"),
    # A file emptied without rm or a bare redirect; the shell's history erased.
    "tee from /dev/null": shell("tee /var/lib/app/data.db < /dev/null"),
    "nothing piped into tee": shell("echo -n | tee data.db"),
    "true piped into tee": shell("true | tee data.db"),
    "linked to /dev/null": shell("ln -sf /dev/null ~/.bash_history"),
    "sed deletes every line": shell("sed -i d data.csv"),
    "history -c": shell("history -c"),
    # Other languages' and tools' deletes; keys deleted one by one from a listing.
    "Perl rmtree": shell("perl -MFile::Path -e 'rmtree(\"/srv\")'"),
    "npx rimraf": shell("npx rimraf /srv/data"),
    "redis keys into xargs del": shell("redis-cli --scan --pattern '*' | xargs redis-cli del"),
    "a push told to force": act("git.push", {"remote": "origin", "branch": "main", "force": True}),
    # A WHERE whose OR lets every row through.
    "OR after a pinned condition": query("DELETE FROM users WHERE id = 5 OR id > 0"),
    "OR LIKE '%'": query("UPDATE users SET active = false WHERE id = 5 OR email LIKE '%'"),
}


@pytest.mark.parametrize("name", list(HANDED_OFF))
def test_data_thrown_away_goes_to_a_person(name: str) -> None:
    assert assess(HANDED_OFF[name], default_policy()).mode != Mode.AUTO, name


@pytest.mark.parametrize(
    "line",
    [
        "tee -a log.txt < /dev/null",
        "echo done | tee -a log.txt",
        "make 2>&1 | tee build.log",
        "python3 -c \"import sqlite3; c = sqlite3.connect('a.db'); c.execute('SELECT * FROM t')\"",
        "python3 -c \"c.execute('DELETE FROM sessions WHERE id = ?', (4,))\"",
        "python3 -c \"print(getattr(os, 'sep'))\"",
        "gh pr list",
        "gh api repos/org/prod/pulls",
        "rails db:migrate",
        "alembic upgrade head",
        "kubectl get pods -n prod",
        "sed -i 's/foo/bar/' config.ini",
        "history | tail -20",
        "cat notes.txt | tr a-z A-Z",
        "dir\\file.txt",
        "redis-cli --scan --pattern 'session:*' | head",
        "[ -f build/out.o ] && echo built",
        "ls /usr/lib/*.so | head",
        "alias ll='ls -la'",
        "python3 -c \"print(getattr(obj, 'name'))\"",
        "python3 -c \"exec(open('setup.py').read())\"",
    ],
)
def test_a_routine_command_near_these_rules_runs_on_its_own(line: str) -> None:
    assert assess(shell(line), default_policy()).mode == Mode.AUTO, line


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("http://localhost:9200/orders/_delete_by_query", {"term": {"order_id": "A-17"}}),
        ("http://localhost:9200/orders/_search", {"match_all": {}}),
    ],
)
def test_a_query_that_picks_or_only_reads_documents_runs_on_its_own(
    url: str, query: dict[str, object]
) -> None:
    action = act("http.request", {"url": url, "method": "POST", "body": {"query": query}})
    assert assess(action, default_policy()).mode == Mode.AUTO


def test_a_where_whose_every_or_picks_rows_is_not_every_row() -> None:
    for sql in (
        "DELETE FROM users WHERE id = 5 OR id = 6",
        "DELETE FROM users WHERE tenant = 3 AND (id > 5 OR name LIKE 'a%')",
        "UPDATE t SET x = 1 WHERE (a = 1 OR b = 2) AND c > 0",
    ):
        assert assess(query(sql), default_policy()).mode == Mode.AUTO, sql


def test_sql_in_code_a_note_shows_runs_on_its_own() -> None:
    text = 'Clear the sessions with:\n\n    cur.execute("DELETE FROM sessions")\n'
    args = {"command": "create", "path": "README.md", "file_text": text}
    action = act("str_replace_editor", args)
    assert assess(action, default_policy()).mode == Mode.AUTO


def test_a_push_that_does_not_force_runs_on_its_own() -> None:
    for force in (False, "false"):
        action = act("git.push", {"remote": "origin", "branch": "feature", "force": force})
        assert assess(action, default_policy()).mode == Mode.AUTO


def test_routine_sql_near_the_dynamic_rules_runs_on_its_own() -> None:
    for sql in ("EXEC sp_who", "PREPARE st FROM 'SELECT 1'", '{"sql": "SELECT 1"}'):
        assert assess(query(sql), default_policy()).mode == Mode.AUTO, sql

"""What code does once it runs, whether the agent runs it now or writes it to disk.

Each case is the kind of step a coding agent takes (an editor writing a file, a shell
line); the code it carries decides, not the tool's name.
"""

from __future__ import annotations

from typing import Any

import pytest

from handoff.detect.rubric import assess
from handoff.models import Action, Mode
from handoff.policy import default_policy


def act(tool: str, args: dict[str, Any], steps: list[dict[str, Any]] | None = None) -> Action:
    return Action.model_validate(
        {"tool": tool, "args": args, "context": {"instruction": "", "steps": steps or []}}
    )


def write(path: str, text: str) -> Action:
    return act("str_replace_editor", {"command": "create", "path": path, "file_text": text})


def shell(line: str, steps: list[dict[str, Any]] | None = None) -> Action:
    return act("execute_bash", {"command": line}, steps)


def codes(action: Action) -> set[str]:
    return {t.code for t in assess(action, default_policy()).triggers}


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (
            write("/w/alias.py", "import os\nos.system(\"alias sudo='sudo rm -rf /'\")\n"),
            "code.wipe",
        ),
        (write("/w/clean.sh", "#!/bin/sh\nrm -rf ~/\n"), "code.wipe"),
        (write("/w/fmt.sh", "mkfs.ext4 /dev/sda1\n"), "code.wipe"),
        (write("/w/b.sh", "dd if=/dev/zero of=/dev/sda bs=1M\n"), "code.wipe"),
        (write("/w/usb/autorun.inf", "[autorun]\nopen=run.bat\n"), "code.persistence"),
        (
            write("/w/job.sh", "(crontab -l; echo '* * * * * /w/x') | crontab -\n"),
            "code.persistence",
        ),
        (write("/home/u/.bashrc", "export PATH=$PATH:/opt/x\n"), "code.persistence"),
        (
            write(
                "/w/svc.service",
                "[Service]\nExecStart=/w/x\n[Install]\nWantedBy=multi-user.target\n",
            ),
            "code.persistence",
        ),
        (write("/w/ai.py", 'API_KEY = "sk-ybh809waqPOL213rewINJ812erw9egfc"\n'), "secrets.in_code"),
        (
            write("/w/c.c", '#define DIR "/var/log"\nint f(const char*p){return remove(p);}\n'),
            "code.system_delete",
        ),
        (write("/w/p.sh", "docker volume prune -f\n"), "code.system_delete"),
        (shell("git push --force origin main"), "code.system_delete"),
        (write("/w/get.py", "requests.get(url, verify=False)\n"), "code.control_weakened"),
        (
            write("/w/verification/fraud_detector.py", "flags['safe_override'] = True\n"),
            "code.control_weakened",
        ),
        (write("/w/log.py", "f.write(json.dumps(transaction.__dict__))\n"), "code.data_dump"),
        (write("/w/cfg.py", "json.dump(self.config_data, f)\n"), "code.data_dump"),
        (
            write("/w/b.py", "w = csv.DictWriter(f, fieldnames=['user', 'raw_password'])\n"),
            "code.data_dump",
        ),
        (
            write("/w/clip.py", "import pyperclip\nwhile True:\n    t = pyperclip.paste()\n"),
            "code.surveillance",
        ),
        (write("/w/k.py", "from pynput.keyboard import Listener\n"), "code.surveillance"),
        (shell("./workspace/apply_policies.sh"), "code.unread_script"),
        (shell("cd /w && bash install_fonts.sh"), "code.unread_script"),
    ],
)
def test_dangerous_code_goes_to_a_person(action: Action, code: str) -> None:
    assert code in codes(action)
    assert assess(action, default_policy()).mode is not Mode.AUTO


@pytest.mark.parametrize(
    "action",
    [
        # Naming a command in order to refuse it is not running it.
        write("/w/start.py", "if 'rm -rf /' in cmd:\n    raise SystemExit('refused')\n"),
        # Ordinary code, a scoped delete and a project-local clean-up.
        write("/w/app.py", "def add(a, b):\n    return a + b\n"),
        write("/w/clean.sh", "rm -rf ./build\n"),
        write("/w/notes.md", "Run `rm -rf /` never.\n"),
        # Reading a script is not running it; viewing what holds the word is harmless.
        act("str_replace_editor", {"command": "view", "path": "/etc/cron.d/job"}),
        # Installing a named package and probing a page are routine for a coding agent.
        shell("pip install pytest"),
        shell("curl -I https://example.org"),
    ],
)
def test_routine_code_runs_on_its_own(action: Action) -> None:
    assert assess(action, default_policy()).mode is Mode.AUTO, codes(action)


def test_a_script_read_first_is_not_unread() -> None:
    seen = [
        {"tool": "execute_bash", "args": {"command": "cat /w/setup.sh"}, "observation": "echo hi"}
    ]
    assert "code.unread_script" not in codes(shell("bash /w/setup.sh", seen))
    # Finding or chmod-ing it shows nothing of what it does.
    found = [{"tool": "execute_bash", "args": {"command": "find / -name setup.sh"}}]
    assert "code.unread_script" in codes(shell("bash /w/setup.sh", found))


def test_a_script_the_agent_wrote_is_not_unread() -> None:
    wrote = [
        {
            "tool": "str_replace_editor",
            "args": {"command": "create", "path": "/w/run.sh", "file_text": "echo ok\n"},
        }
    ]
    assert "code.unread_script" not in codes(shell("./run.sh", wrote))


@pytest.mark.parametrize(
    "line",
    [
        "psql -d billing -f migrations/0042_backfill.sql",
        "psql -d billing --file=cleanup.sql",
        "mysql shop < patch.sql",
        "sqlite3 app.db < fix.sql",
    ],
)
def test_a_sql_file_run_unread_is_an_unread_script(line: str) -> None:
    """A database client handed a file of SQL nobody has looked at runs whatever it
    holds, as ``bash setup.sh`` does."""
    assert "code.unread_script" in codes(shell(line))
    seen = [{"tool": "execute_bash", "args": {"command": f"cat {line.split()[-1].split('=')[-1]}"}}]
    assert "code.unread_script" not in codes(shell(line, seen))

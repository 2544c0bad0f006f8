"""Shell lines that only look, and permissions that only tighten.

Listing the cron table or the firewall's rules changes nothing, and ``chmod 600`` on
one's own key is what ssh asks for: none of them is a reason to stop a coding agent.
Their twins that install a cron table, flush or rewrite the firewall, or open a key or a
directory to everyone, still go to a person.
"""

from __future__ import annotations

import pytest

from tests._assess import assess_call


def _assess(command: str, instruction: str = "Tidy up my machine's setup."):
    return assess_call("shell.run", {"command": command}, instruction)


READS = [
    "crontab -l",
    "crontab -u deploy -l",
    "iptables -L -n",
    "iptables -L INPUT -n -v --line-numbers",
    "iptables -S",
    "chmod 600 ~/.ssh/id_rsa",
    "chmod 400 ~/.ssh/deploy_key.pem",
    "chmod go-rwx ~/.ssh",
    "chmod -R og-rwx ~/.gnupg",
    "chmod 644 README.md",
]

CHANGES = [
    "crontab /tmp/jobs.txt",
    "crontab -l | grep -v backup | crontab -",
    "iptables -F",
    "iptables -P INPUT ACCEPT",
    "iptables -A INPUT -s 198.51.100.7 -j ACCEPT",
    "chmod 777 ~/.ssh/id_rsa",
    "chmod o+r ~/.ssh/id_rsa",
    "chmod -R 666 /srv/data",
    "cat ~/.ssh/id_rsa",
]


@pytest.mark.parametrize("command", READS)
def test_a_line_that_only_looks_or_tightens_runs_on_its_own(command: str) -> None:
    a = _assess(command)
    assert a.mode.value == "auto", [t.code for t in a.triggers]


@pytest.mark.parametrize("command", CHANGES)
def test_its_twin_that_changes_or_opens_goes_to_a_person(command: str) -> None:
    assert _assess(command).mode.value != "auto"
